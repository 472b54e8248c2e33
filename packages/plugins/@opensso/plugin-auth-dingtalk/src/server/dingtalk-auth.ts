import { AuthConfig, BaseAuth } from '@nocobase/auth';
import type { Context } from '@nocobase/actions';
import type { Model } from '@nocobase/database';
import { SignInFlow, asSignInError, logFailure } from './sign-in-flow';
import { toHttpError } from './translate';

/**
 * The `dingtalk` auth type. NocoBase's `auth:signIn` calls `validate()`; here the only accepted proof is the
 * one-time ticket the DingTalk callback left in an httpOnly cookie. Whatever else the request carries (a token,
 * a profile, a user id in the body) is ignored (checklist A10).
 */
export function createDingTalkAuth(flow: SignInFlow) {
  return class DingTalkAuth extends BaseAuth {
    constructor(config: AuthConfig) {
      super({ ...config, userCollection: config.ctx.db.getCollection('users') });
    }

    async validate(): Promise<Model> {
      const ctx = this.ctx as Context;
      try {
        return await flow.redeem(ctx, this.authenticator.name as string);
      } catch (error) {
        const failure = asSignInError(error);
        logFailure(ctx, 'redeem', this.authenticator.name as string, failure);
        throw toHttpError(ctx, failure);
      }
    }
  };
}
