import type { Context, Next } from '@nocobase/actions';
import { ACTIONS } from '../constants';
import { configuredOrigin, callbackUrl } from './public-url';
import { SignInFlow, asSignInError, logFailure } from './sign-in-flow';
import { toHttpError } from './translate';

/** The HTTP actions of the `dingtalk` resource; the flow itself lives in `sign-in-flow.ts`. */
export function createActions(flow: SignInFlow) {
  return {
    async [ACTIONS.getAuthUrl](ctx: Context, next: Next) {
      const name = ctx.get('X-Authenticator') || ctx.action.params.authenticator;
      const values = (ctx.action.params.values ?? {}) as { redirect?: unknown };
      ctx.set('Cache-Control', 'no-store');
      try {
        ctx.body = { url: await flow.start(ctx, name, values.redirect ?? ctx.action.params.redirect) };
      } catch (error) {
        // An expected refusal, answered in NocoBase's error shape without going through its error handler,
        // which would log it as a server error with a stack.
        const failure = asSignInError(error);
        logFailure(ctx, 'start', typeof name === 'string' ? name : undefined, failure);
        const { status, message, code } = toHttpError(ctx, failure);
        ctx.status = status;
        ctx.body = { errors: [{ message, code }] };
        ctx.withoutDataWrapping = true;
        return;
      }
      await next();
    },

    /** DingTalk's redirect. Always answers with a redirect to the app, never with an error page or JSON. */
    async [ACTIONS.redirect](ctx: Context, next: Next) {
      const location = await flow.finish(ctx);
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Referrer-Policy', 'no-referrer');
      ctx.withoutDataWrapping = true;
      ctx.redirect(location);
      await next();
    },

    async [ACTIONS.getRedirectUrl](ctx: Context, next: Next) {
      ctx.body = { redirectUrl: callbackUrl(ctx), fromConfiguration: configuredOrigin() !== undefined };
      await next();
    },
  };
}
