/**
 * The checks of DingTalk's redirect to the callback that come before anything else (checklist A1, A6): the state
 * must be one we issued, unused, unexpired, and bound to this browser. What passes is a `VerifiedCallback`, the only
 * thing the code exchange (`exchangeAuthCode`) accepts: skipping the state check is a type error, not a review
 * comment (as oauth4webapi's `validateAuthResponse` output is the only input of its code grant).
 */
import type { Binding } from './browser-binding';
import type { PendingSignIn } from './flow-state';
import { OneTimeStore, safeEqual, sha256 } from './one-time-store';
import { SignInError } from './sign-in-error';

/** Not exported: no other module can name the brand, so none can build a `VerifiedCallback` without a cast. */
const verified: unique symbol = Symbol('dingtalk verified callback');

/** DingTalk's redirect, once its state proved it belongs to this browser's pending sign-in. */
export interface VerifiedCallback {
  readonly [verified]: true;
  readonly pending: PendingSignIn;
  /** DingTalk's refusal (`access_denied` when the person cancelled), instead of a code. */
  readonly error?: string;
  readonly code?: string;
}

/** The state check runs before any call to DingTalk (checklist A1). */
export async function checkState(
  query: Record<string, unknown>,
  binding: Binding,
  states: OneTimeStore<PendingSignIn>,
): Promise<VerifiedCallback> {
  const state = single(query.state);
  // Every parameter is read (a repeated one refused) before the state is spent.
  const error = single(query.error);
  const authCode = single(query.authCode);
  const code = single(query.code);
  if (!state) throw new SignInError('STATE_MISSING');
  if (binding.duplicated) throw new SignInError('STATE_INVALID');
  // Most often the sign-in started at another address of the app (`127.0.0.1` for `localhost`), whose cookies this
  // one does not see: the person is told so, under the button that started it.
  if (!binding.value) throw new SignInError('COOKIE_MISSING', { authenticator: states.peek(state)?.authenticator });
  const pending = await states.consume(state);
  if (!pending || !safeEqual(pending.binding, sha256(binding.value))) throw new SignInError('STATE_INVALID');
  // DingTalk documents `authCode`; some integrations saw `code`.
  return Object.freeze({ [verified]: true as const, pending, error, code: authCode ?? code });
}

/**
 * The auth code of a verified callback, or why there is none: the person cancelled, DingTalk refused, or it sent
 * no code. The brand is checked at run time too, so a cast cannot smuggle a bare code past it.
 */
export function authCodeOf(callback: VerifiedCallback): string {
  if ((callback as Partial<VerifiedCallback> | null)?.[verified] !== true) {
    throw new SignInError('INTERNAL_ERROR', { status: 500, cause: new Error('code exchange without a verified state') });
  }
  if (callback.error) {
    throw new SignInError(callback.error === 'access_denied' ? 'CANCELLED' : 'DINGTALK_ERROR', { dingtalkCode: callback.error });
  }
  if (!callback.code) throw new SignInError('CODE_MISSING');
  return callback.code;
}

/** Koa turns a repeated parameter into an array: that is never a legitimate DingTalk answer (checklist A6). */
function single(value: unknown): string | undefined {
  if (Array.isArray(value)) throw new SignInError('REQUEST_INVALID');
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
