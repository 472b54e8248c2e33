import { ErrorCode, isSafeDetail } from '../errors';

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
