/**
 * Pure logic of the browser half, kept free of React and of the host so it can be unit-tested:
 * what the sign-in page URL says after a round trip to DingTalk, which message to show, and what to send.
 */
import { ACTIONS, DEFAULT_RETURN_PATH, QUERY, RESOURCE } from '../constants';
import { isRecord } from '../api-answers';
import { readErrorLanding } from '../error-landing';
import { ErrorCode, isErrorCode, isSafeDetail, MESSAGES_WITHOUT_DETAIL, messageKey } from '../errors';

/** What the sign-in page URL tells one DingTalk button. */
export type Landing =
  | { kind: 'none' }
  /** A sign-in failed. `code` is undefined when the URL carried a code this version does not know. */
  | { kind: 'error'; code?: ErrorCode; detail?: string };

export type SearchInput = string | URLSearchParams;

export function toParams(search: SearchInput): URLSearchParams {
  return typeof search === 'string' ? new URLSearchParams(search) : search;
}

/**
 * The error landing for the button of authenticator `name`: for this button when `dingtalk_authenticator` names it
 * (or is absent: then every DingTalk button shows it, rather than losing it). Nothing from the URL is ever displayed
 * except a `detail` from the closed lists of errors.ts. A successful callback's marker (`dingtalk_signin`) is not
 * the button's business: the plugin redeems it while the page loads (ticket-landing.ts).
 */
export function parseLanding(search: SearchInput, name: string): Landing {
  const landing = readErrorLanding(toParams(search));
  if (!landing || (landing.authenticator && landing.authenticator !== name)) {
    return { kind: 'none' };
  }
  return landing.detail ? { kind: 'error', code: landing.code, detail: landing.detail } : { kind: 'error', code: landing.code };
}

/** The query string without any `dingtalk_*` parameter (other parameters, e.g. `redirect`, kept in order). */
export function stripLandingParams(search: SearchInput): string {
  const params = new URLSearchParams(toParams(search));
  for (const key of Object.values(QUERY)) {
    params.delete(key);
  }
  const rest = params.toString();
  return rest ? `?${rest}` : '';
}

/** Shown when the failure has no code this version knows (never the raw text of the URL). */
export const GENERIC_ERROR = 'The DingTalk sign-in failed. Please try again.';
/** DINGTALK_PERMISSION_DENIED without a usable detail: its usual message would show an empty "()". */
export const PERMISSION_DENIED_NO_DETAIL = MESSAGES_WITHOUT_DETAIL.DINGTALK_PERMISSION_DENIED;

/** An i18n key (the English sentence) and its interpolation values. */
export type Message = { key: string; values?: { detail: string } };

export function messageFor(code: ErrorCode | undefined, detail?: string): Message {
  if (!code) {
    return { key: GENERIC_ERROR };
  }
  // A sentence that names the detail (a DingTalk permission, a setting) has a variant for when there is none.
  const key = messageKey(code, detail);
  return detail && key.includes('{{detail}}') ? { key, values: { detail } } : { key };
}

/**
 * Where the user wanted to go: the sign-in page's `?redirect=`, as NocoBase's own sign-in form reads it
 * (a path relative to the app's router basename), or `fallback` (the client's admin page). The server validates it
 * again, and the callback lands there.
 */
export function returnPath(search: SearchInput, fallback: string = DEFAULT_RETURN_PATH): string {
  const redirect = toParams(search).get('redirect');
  return redirect ? redirect : fallback;
}

export type AuthUrlRequest = {
  url: string;
  method: 'post';
  headers: { 'X-Authenticator': string };
  /** `popup`: the DingTalk page opens in a popup window, whose callback answers with the popup page. */
  data: { redirect: string; popup?: true };
  /** The button shows the translated error itself; the host's raw notification would duplicate it. */
  skipNotify: true;
};

export function authUrlRequest(name: string, search: SearchInput, fallback?: string, popup = false): AuthUrlRequest {
  return {
    url: `${RESOURCE}:${ACTIONS.getAuthUrl}`,
    method: 'post',
    headers: { 'X-Authenticator': name },
    data: { redirect: returnPath(search, fallback), ...(popup ? { popup: true as const } : {}) },
    skipNotify: true,
  };
}

export type TicketSignInRequest = {
  url: 'auth:signIn';
  method: 'post';
  headers: { 'X-Authenticator': string };
  data: Record<string, never>;
  skipNotify: true;
};

/**
 * NocoBase's normal sign-in with this authenticator and an empty body: the server's auth type reads the
 * one-time ticket from its httpOnly cookie. Same request as `api.auth.signIn({}, name)`, plus `skipNotify`.
 */
export function ticketSignInRequest(name: string): TicketSignInRequest {
  return {
    url: 'auth:signIn',
    method: 'post',
    headers: { 'X-Authenticator': name },
    data: {},
    skipNotify: true,
  };
}

/** What a failed request tells the user: a contract code, else the server's own message, else nothing. */
export type RequestFailure = { code?: ErrorCode; detail?: string; serverMessage?: string };

/**
 * Reads NocoBase's usual error body `{ errors: [{ message, code }] }` from an axios error. A known code
 * wins; otherwise the server's message (already localized by the server, not taken from any URL) is
 * returned for display, and the caller falls back to GENERIC_ERROR when there is none.
 */
export function requestFailure(error: unknown): RequestFailure {
  const response = isRecord(error) ? error.response : undefined;
  const body = isRecord(response) ? response.data : undefined;
  const errors = isRecord(body) ? body.errors : undefined;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  if (!isRecord(first)) {
    return {};
  }
  if (isErrorCode(first.code)) {
    const detail = isSafeDetail(first.detail) ? first.detail : undefined;
    return detail ? { code: first.code, detail } : { code: first.code };
  }
  const message = typeof first.message === 'string' ? first.message.trim() : '';
  return message ? { serverMessage: message.slice(0, 500) } : {};
}

/** The `url` of a `dingtalk:getAuthUrl` answer body, if it is an absolute http(s) URL. */
export function authUrlFromBody(body: unknown): string | undefined {
  const data = isRecord(body) ? body.data : undefined;
  const url = isRecord(data) ? data.url : undefined;
  if (typeof url !== 'string') {
    return undefined;
  }
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a `getAuthUrl` answer starts the sign-in on another origin than the page's (the configured `APP_URL`,
 * where DingTalk's callback lands): a popup window's outcome could not reach this page from there.
 */
export function startsAtOtherOrigin(body: unknown): boolean {
  const data = isRecord(body) ? body.data : undefined;
  return isRecord(data) && data.otherOrigin === true;
}

/** The `token` of an `auth:signIn` answer body. */
export function tokenFromBody(body: unknown): string | undefined {
  const data = isRecord(body) ? body.data : undefined;
  const token = isRecord(data) ? data.token : undefined;
  return typeof token === 'string' && token ? token : undefined;
}

/** A message to show: a translation key (with its values), or the server's own, already localized, text. */
export type Shown = { key: string; values?: Record<string, string> } | { text: string };

/** What to tell the user about a failed request: the contract code's sentence, else the server's text, else a generic one. */
export function shownFromError(error: unknown): Shown {
  const failure = requestFailure(error);
  if (failure.code) {
    return messageFor(failure.code, failure.detail);
  }
  return failure.serverMessage ? { text: failure.serverMessage } : { key: GENERIC_ERROR };
}

/**
 * The text of a Shown, translated with `t` (react-i18next's, or anything with its shape). Values are not
 * HTML-escaped by i18next: React escapes the text it renders, and a nickname like "A&B" must not show "&amp;".
 */
export function textOf(t: (key: string, options?: Record<string, unknown>) => string, shown: Shown): string {
  if ('text' in shown) {
    return shown.text;
  }
  return shown.values ? t(shown.key, { ...shown.values, interpolation: { escapeValue: false } }) : t(shown.key);
}
