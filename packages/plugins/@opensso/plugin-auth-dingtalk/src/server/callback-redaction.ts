import type { Context, Next } from '@nocobase/actions';
import { ACTIONS, RESOURCE } from '../constants';

/** The callback's parameters as DingTalk sent them, kept for the action before the URL is redacted. */
export const CALLBACK_QUERY = Symbol('dingtalkCallbackQuery');

const SECRET_PARAMS = ['authCode', 'code', 'state'];

/**
 * Runs before NocoBase's request logger, which writes every request's full URL to the log: DingTalk's callback
 * URL carries the one-time auth code and the state. The original parameters are kept on the context for the
 * callback action; the URL everything after this middleware sees (and logs) says `redacted` instead.
 */
export async function redactCallbackUrl(ctx: Context, next: Next) {
  if (ctx.method === 'GET' && ctx.path.endsWith(`/${RESOURCE}:${ACTIONS.redirect}`)) {
    (ctx.state as Record<symbol, unknown>)[CALLBACK_QUERY] = { ...ctx.query };
    const query = new URLSearchParams(ctx.querystring);
    for (const name of SECRET_PARAMS) {
      if (query.has(name)) query.set(name, 'redacted');
    }
    ctx.querystring = query.toString();
  }
  await next();
}

/** The callback's real parameters (falls back to the request's own when the middleware did not run). */
export function callbackQuery(ctx: Context): Record<string, unknown> {
  return ((ctx.state as Record<symbol, unknown>)[CALLBACK_QUERY] as Record<string, unknown>) ?? ctx.query;
}
