/**
 * The checks of DingTalk's redirect to the callback that come before anything else (checklist A1, A6): the state
 * must be one we issued, unused, unexpired, and bound to this browser.
 */
import type { Binding } from './browser-binding';
import type { PendingSignIn } from './flow-state';
import { OneTimeStore, safeEqual, sha256 } from './one-time-store';
import { SignInError } from './sign-in-error';

/** The state check runs before any call to DingTalk (checklist A1). */
export async function checkState(
  query: Record<string, unknown>,
  binding: Binding,
  states: OneTimeStore<PendingSignIn>,
): Promise<PendingSignIn> {
  const state = single(query.state);
  single(query.error);
  single(query.authCode);
  single(query.code);
  if (!state) throw new SignInError('STATE_MISSING');
  if (binding.duplicated) throw new SignInError('STATE_INVALID');
  // Most often the sign-in started at another address of the app (`127.0.0.1` for `localhost`), whose cookies this
  // one does not see: the person is told so, under the button that started it.
  if (!binding.value) throw new SignInError('COOKIE_MISSING', { authenticator: states.peek(state)?.authenticator });
  const pending = await states.consume(state);
  if (!pending || !safeEqual(pending.binding, sha256(binding.value))) throw new SignInError('STATE_INVALID');
  return pending;
}

/** Koa turns a repeated parameter into an array: that is never a legitimate DingTalk answer (checklist A6). */
export function single(value: unknown): string | undefined {
  if (Array.isArray(value)) throw new SignInError('REQUEST_INVALID');
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function readCode(query: Record<string, unknown>): string {
  // DingTalk documents `authCode`; some integrations saw `code`.
  const code = single(query.authCode) ?? single(query.code);
  if (!code) throw new SignInError('CODE_MISSING');
  return code;
}
