/**
 * The three ways through this plugin, each in its own file, read top to bottom:
 *   browser-sign-in.ts  start (`dingtalk:getAuthUrl`, `dingtalk:start`) → DingTalk → finish (`dingtalk:redirect`:
 *                       state check first, then DingTalk, then the user; a one-time ticket in an httpOnly cookie)
 *                       → redeem (`auth:signIn` consumes the ticket; NocoBase issues its token as usual);
 *   linking.ts          the same start and callback with a state naming the signed-in user; a link ticket, then
 *                       `dingtalk:completeLink` links it for that same user only;
 *   in-app-sign-in.ts   inside the DingTalk app: `auth:signIn` with a JSAPI code that DingTalk itself resolves.
 * What they share: flow-state.ts (states and tickets), browser-binding.ts (the binding cookie, cookie options,
 * ticket redemption), callback-check.ts (the state check), flow-steps.ts (DingTalk call logs, user resolution);
 * every failure is a `SignInError` (sign-in-error.ts). The NocoBase token never appears in a URL.
 * This class only builds them once per app, with the app's cache, lock manager and sealing key.
 */
import type { Context } from '@nocobase/actions';
import type { Model } from '@nocobase/database';
import { AppTokenCache } from './app-token';
import { BrowserSignIn, Finished } from './browser-sign-in';
import { FlowStores } from './flow-state';
import { InAppSignIn } from './in-app-sign-in';
import { Linking } from './linking';
import { CacheLike, LockLike } from './one-time-store';
import { Sealer } from './sealed';
import { sharedLock } from './shared-lock';

export class SignInFlow {
  private readonly browser: BrowserSignIn;
  private readonly linking: Linking;
  private readonly inApp: InAppSignIn;

  constructor(cache: () => CacheLike, lock: LockLike, sealer: Sealer = new Sealer()) {
    const stores = new FlowStores(sealer, cache);
    const appTokens = new AppTokenCache(cache, sharedLock(cache, lock));
    this.linking = new Linking(stores);
    this.browser = new BrowserSignIn(stores, lock, appTokens, this.linking);
    this.inApp = new InAppSignIn(lock, appTokens);
  }

  start(ctx: Context, authenticatorName: unknown, returnPath: unknown, userId?: number, popup = false): Promise<string> {
    return this.browser.start(ctx, authenticatorName, returnPath, userId, popup);
  }

  startPage(ctx: Context, authenticatorName: unknown, returnPath: unknown): Promise<string> {
    return this.browser.startPage(ctx, authenticatorName, returnPath);
  }

  finish(ctx: Context): Promise<Finished> {
    return this.browser.finish(ctx);
  }

  redeem(ctx: Context, authenticatorName: string): Promise<Model> {
    return this.browser.redeem(ctx, authenticatorName);
  }

  completeLink(ctx: Context, authenticatorName: unknown): Promise<{ authenticator: string; nickname: string }> {
    return this.linking.completeLink(ctx, authenticatorName);
  }

  signInInApp(ctx: Context, authenticatorName: string, code: string): Promise<Model> {
    return this.inApp.signInInApp(ctx, authenticatorName, code);
  }
}
