import { AuthConfig, BaseAuth } from '@nocobase/auth';
import type { Context } from '@nocobase/actions';
import type { Database, Model } from '@nocobase/database';
import { isBusy, retryWhenBusy } from './db-errors';
import { asSignInError, logFailure, toHttpError } from './sign-in-error';
import { SignInFlow } from './sign-in-flow';
import { inWriteTurn } from './write-transaction';

/**
 * The `dingtalk` auth type. NocoBase's `auth:signIn` calls `validate()`; the only proofs it accepts are the
 * one-time ticket the DingTalk callback left in an httpOnly cookie, or, inside the DingTalk app, a one-time code
 * from DingTalk's JSAPI (`{ inAppCode }`), which DingTalk itself resolves. Whatever else the request carries (a
 * token, a profile, a user id in the body) is ignored (checklist A10).
 */
export function createDingTalkAuth(flow: SignInFlow) {
  return class DingTalkAuth extends BaseAuth {
    /** The ticket is consumed once: a retried token issuance reuses its outcome (the user, or the refusal). */
    private outcome?: Promise<Model>;

    constructor(config: AuthConfig) {
      super({ ...config, userCollection: config.ctx.db.getCollection('users') });
    }

    validate(): Promise<Model> {
      this.outcome ??= this.redeemProof();
      return this.outcome;
    }

    private async redeemProof(): Promise<Model> {
      const ctx = this.ctx as Context;
      try {
        const inAppCode = (ctx.action?.params?.values as { inAppCode?: unknown } | undefined)?.inAppCode;
        return typeof inAppCode === 'string' && inAppCode
          ? await flow.signInInApp(ctx, this.authenticator.name as string, inAppCode)
          : await flow.redeem(ctx, this.authenticator.name as string);
      } catch (error) {
        const failure = asSignInError(error);
        logFailure(ctx, 'redeem', this.authenticator.name as string, failure);
        throw toHttpError(ctx, failure);
      }
    }

    /**
     * NocoBase's sign-in, retried when the database is too busy to record the new token: the ticket is already
     * spent, so failing here would send the person back through DingTalk. On SQLite the token write takes its turn
     * with the plugin's other writes (`write-transaction.ts`); DingTalk's part runs first, outside the turn, since a
     * first in-app sign-in takes turns of its own.
     */
    async signIn() {
      await this.validate().catch(() => undefined);
      try {
        return await retryWhenBusy(() => inWriteTurn(this.ctx.db as Database, () => super.signIn()));
      } catch (error) {
        if (!isBusy(error)) throw error;
        const failure = asSignInError(error);
        logFailure(this.ctx as Context, 'redeem', this.authenticator.name as string, failure);
        throw toHttpError(this.ctx as Context, failure);
      }
    }
  };
}
