import { AuthConfig, BaseAuth } from '@nocobase/auth';
import type { Context } from '@nocobase/actions';
import type { Model } from '@nocobase/database';
import { isBusy, retryWhenBusy } from './db-errors';
import { asSignInError, logFailure, toHttpError } from './sign-in-error';
import { SignInFlow } from './sign-in-flow';

/**
 * The `dingtalk` auth type. NocoBase's `auth:signIn` calls `validate()`; the only proofs it accepts are the
 * one-time ticket the DingTalk callback left in an httpOnly cookie, or, inside the DingTalk app, a one-time code
 * from DingTalk's JSAPI (`{ inAppCode }`), which DingTalk itself resolves. Whatever else the request carries (a
 * token, a profile, a user id in the body) is ignored (checklist A10).
 */
export function createDingTalkAuth(flow: SignInFlow) {
  return class DingTalkAuth extends BaseAuth {
    /** The ticket is consumed once; a retried token issuance reuses the user it named. */
    private redeemed?: Model;

    constructor(config: AuthConfig) {
      super({ ...config, userCollection: config.ctx.db.getCollection('users') });
    }

    async validate(): Promise<Model> {
      if (this.redeemed) return this.redeemed;
      const ctx = this.ctx as Context;
      try {
        const inAppCode = (ctx.action?.params?.values as { inAppCode?: unknown } | undefined)?.inAppCode;
        this.redeemed =
          typeof inAppCode === 'string' && inAppCode
            ? await flow.signInInApp(ctx, this.authenticator.name as string, inAppCode)
            : await flow.redeem(ctx, this.authenticator.name as string);
        return this.redeemed;
      } catch (error) {
        const failure = asSignInError(error);
        logFailure(ctx, 'redeem', this.authenticator.name as string, failure);
        throw toHttpError(ctx, failure);
      }
    }

    /**
     * NocoBase's sign-in, retried when the database is too busy to record the new token: the ticket is already
     * spent, so failing here would send the person back through DingTalk.
     */
    async signIn() {
      try {
        return await retryWhenBusy(() => super.signIn());
      } catch (error) {
        if (!isBusy(error)) throw error;
        const failure = asSignInError(error);
        logFailure(this.ctx as Context, 'redeem', this.authenticator.name as string, failure);
        throw toHttpError(this.ctx as Context, failure);
      }
    }
  };
}
