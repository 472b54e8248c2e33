import type { Context } from '@nocobase/actions';
import { NAMESPACE } from '../constants';
import { isErrorCode, isSafeDetail, messageKey } from '../errors';
import type { SignInError } from './sign-in-error';

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
  render: (error: HttpError, ctx: Context) => {
    ctx.status = error.status;
    ctx.body = { errors: [{ message: error.message, code: error.code, detail: error.detail }] };
  },
};
