import { QUERY } from './constants';
import { type ErrorCode, isErrorCode, isSafeDetail } from './errors';

/**
 * The one reading and writing of an error landing: the `dingtalk_error` parameters a failed sign-in or linking puts
 * on the page it sends the browser to, shared by the server (which writes them) and the browser bundle (the sign-in
 * button, the link landing and the ticket landing, which read or write them). Plain JavaScript: runs in both.
 */
export interface ErrorLanding {
  /** Undefined when the URL carried a code this version does not know (the page then shows a generic sentence). */
  code?: ErrorCode;
  /** The authenticator whose button should show it; undefined means every DingTalk button. */
  authenticator?: string;
  /** Only an entry of the closed lists of errors.ts (isSafeDetail); any other detail is dropped. */
  detail?: string;
}

/** The query parameters of an error landing; undefined values are meant to be left out. */
export function errorLandingParams(landing: {
  code?: string;
  authenticator?: string;
  detail?: string;
}): Record<string, string | undefined> {
  return {
    // An empty code still marks the landing as an error, shown as the generic sentence.
    [QUERY.error]: landing.code ?? '',
    [QUERY.authenticator]: landing.authenticator || undefined,
    [QUERY.detail]: isSafeDetail(landing.detail) ? landing.detail : undefined,
  };
}

/** The error landing of a query string, or undefined when it reports none. Nothing else from the URL is kept. */
export function readErrorLanding(params: URLSearchParams): ErrorLanding | undefined {
  const rawError = params.get(QUERY.error);
  if (rawError === null) return undefined;
  const landing: ErrorLanding = {};
  if (isErrorCode(rawError)) landing.code = rawError;
  const authenticator = params.get(QUERY.authenticator);
  if (authenticator) landing.authenticator = authenticator;
  const detail = params.get(QUERY.detail);
  if (isSafeDetail(detail)) landing.detail = detail;
  return landing;
}
