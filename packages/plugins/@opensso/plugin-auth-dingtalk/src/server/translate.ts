import type { Context } from '@nocobase/actions';
import { NAMESPACE } from '../constants';
import { ERROR_MESSAGES } from '../errors';
import type { SignInError } from './sign-in-error';

/**
 * The error a browser-facing action throws: the translated sentence of the code and the code itself, nothing
 * from the cause. NocoBase's error handler turns it into `{ errors: [{ message, code }] }`.
 */
export function toHttpError(ctx: Context, error: SignInError): Error & { status: number; code: string } {
  const message = ctx.t(ERROR_MESSAGES[error.code], { ns: NAMESPACE, detail: error.detail ?? '' });
  return Object.assign(new Error(message), { status: error.status, code: error.code });
}
