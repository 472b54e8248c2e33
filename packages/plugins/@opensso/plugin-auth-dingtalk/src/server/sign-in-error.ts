/**
 * Everything about a refused or failed DingTalk sign-in on the server, in one place:
 *   - `SignInError`, the one error type, with a code from the closed list shared with the browser (`../errors.ts`);
 *   - `asSignInError`, what anything else thrown becomes (a busy database, a bug);
 *   - `logFailure`, the one log line of a failure (causes of our own bugs only, never DingTalk's bodies);
 *   - how a failure reaches the browser: the query of an error landing (`failureParams`), the body of an action
 *     (`toHttpError`), and NocoBase's error handler kept from dropping the detail (`errorBodyWithDetail`).
 * Only the code and a detail from the closed lists ever cross to the browser; everything else stays in the log.
 */
import type { Context } from '@nocobase/actions';
import { NAMESPACE } from '../constants';
import { ErrorCode, isErrorCode, isSafeDetail, messageKey } from '../errors';
import { errorLandingParams } from '../error-landing';
import { isBusy } from './db-errors';

/**
 * The one error type of a DingTalk sign-in. `code` is from the closed list in `../errors.ts` and is all the
 * browser ever learns; `detail` is only kept when it is an entry of the closed lists of `../errors.ts` (DingTalk permission names, option names). Everything
 * else (`requestId`, `dingtalkCode`, `cause`) is for the server log.
 */
export class SignInError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail?: string;
  readonly requestId?: string;
  readonly dingtalkCode?: string;
  /** A read of DingTalk may be tried once more: set on 5xx answers and dropped connections, not on timeouts. */
  readonly retryable: boolean;
  /** The authenticator the failure is about, when the flow could not learn it otherwise (for the right button). */
  readonly authenticator?: string;

  constructor(
    code: ErrorCode,
    options: {
      status?: number;
      detail?: string;
      requestId?: string;
      dingtalkCode?: string;
      retryable?: boolean;
      authenticator?: string;
      cause?: unknown;
    } = {},
  ) {
    super(code, { cause: options.cause });
    this.name = 'SignInError';
    this.code = code;
    this.status = options.status ?? 400;
    this.detail = isSafeDetail(options.detail) ? options.detail : undefined;
    this.requestId = options.requestId;
    this.dingtalkCode = options.dingtalkCode;
    this.retryable = options.retryable ?? false;
    this.authenticator = options.authenticator;
  }
}

export function asSignInError(error: unknown): SignInError {
  if (error instanceof SignInError) return error;
  // A database too busy to write (SQLite's single writer under a burst of sign-ins) is a clean "try again".
  if (isBusy(error)) return new SignInError('TRY_AGAIN', { status: 503, cause: error, retryable: true });
  return new SignInError('INTERNAL_ERROR', { status: 500, cause: error });
}

export function logFailure(
  ctx: Context,
  step: string,
  authenticator: string | undefined,
  error: SignInError,
  requestIds: string[] = [],
) {
  const fields = {
    authenticator,
    step,
    code: error.code,
    dingtalkCode: error.dingtalkCode,
    // DingTalk's `requestid`s, which its support asks for.
    requestIds: error.requestId && !requestIds.includes(error.requestId) ? [...requestIds, error.requestId] : requestIds,
  };
  if (error.code === 'INTERNAL_ERROR') {
    // Only unexpected failures carry their cause (a stack of our own code), never DingTalk's bodies.
    ctx.logger?.error?.('dingtalk: sign-in failed', { ...fields, error: describe(error.cause) });
  } else {
    ctx.logger?.warn?.('dingtalk: sign-in refused', fields);
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}\n${cause.stack ?? ''}` : String(cause);
}

/** What an error landing tells the page: the code, the button it is for, and a detail from the closed lists. */
export function failureParams(failure: SignInError, authenticator: string | undefined): Record<string, string | undefined> {
  return errorLandingParams({ code: failure.code, authenticator, detail: failure.detail });
}

type HttpError = Error & { status: number; code: string; detail?: string };

/**
 * The error a browser-facing action throws: the translated sentence of the code, the code itself and its detail
 * (from the closed lists of errors.ts), nothing from the cause. NocoBase's error handler turns it into `{ errors: [{ message, code }] }`,
 * and `errorBodyWithDetail` keeps the detail in it.
 */
export function toHttpError(ctx: Context, error: SignInError): HttpError {
  const message = ctx.t(messageKey(error.code, error.detail), { ns: NAMESPACE, detail: error.detail ?? '' });
  return Object.assign(new Error(message), { status: error.status, code: error.code, ...(error.detail ? { detail: error.detail } : {}) });
}

/**
 * For NocoBase's error handler, which answers `{ message, code }` only: a refusal of ours that has a detail (from
 * `auth:signIn`, which rethrows what `validate()` threw with the same properties) is answered as the `dingtalk`
 * actions answer it, detail included, so the page can show the sentence that names it.
 */
export const errorBodyWithDetail = {
  guard: (error: unknown): error is HttpError => {
    const { code, detail } = (error ?? {}) as Partial<HttpError>;
    return isErrorCode(code) && isSafeDetail(detail);
  },
  render: (error: HttpError, ctx: Context) => answerWithError(ctx, error),
};

/** NocoBase's error body, `{ errors: [{ message, code }] }`, with the detail when there is one. */
export function answerWithError(ctx: Context, error: HttpError): void {
  ctx.status = error.status;
  ctx.body = { errors: [{ message: error.message, code: error.code, ...(error.detail ? { detail: error.detail } : {}) }] };
}
