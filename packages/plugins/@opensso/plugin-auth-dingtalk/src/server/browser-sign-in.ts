/**
 * The browser sign-in, step by step:
 *   start    (`dingtalk:getAuthUrl`)  mint a state bound to this browser, the authenticator and the return path;
 *   finish   (`dingtalk:redirect`)    check the state before anything else, then ask DingTalk, find the user,
 *                                      and leave a one-time ticket in an httpOnly cookie;
 *   redeem   (`auth:signIn`)          NocoBase's own sign-in consumes the ticket and issues its token.
 * The NocoBase token therefore never appears in a URL: the page that lands calls `auth:signIn` like the password
 * form does, and NocoBase's token mechanism (JWT, token policy, auth cookies) applies unchanged.
 * Linking starts and comes back the same way; what differs after the callback is in `linking.ts`.
 */
import type { Context } from '@nocobase/actions';
import type { Database, Model } from '@nocobase/database';
import { COOKIES, QUERY } from '../constants';
import { AppTokenCache } from './app-token';
import { readAuthenticator } from './authenticators';
import { consumeTicket, cookieOptions, mintBinding, readBinding } from './browser-binding';
import { callbackQuery } from './callback-redaction';
import { authCodeOf, checkState, VerifiedCallback } from './callback-check';
import { buildAuthorizationUrl, exchangeAuthCode, getCurrentUser, getUserIdByUnionId, hostsFromEnv } from './dingtalk-api';
import { FlowStores, PendingSignIn, TICKET_TTL_MS } from './flow-state';
import type { PopupPage } from './popup-page';
import { callOptions, resolveSignInUser } from './flow-steps';
import type { Linking } from './linking';
import { LockLike, sha256 } from './one-time-store';
import { DingTalkOptions, readOptions } from './options';
import { appPageUrl, callbackUrl, landingPageUrl, signInPageUrl } from './public-url';
import { clientAddress, enforce, limitFromEnv, RateLimiter } from './rate-limit';
import { sanitizeReturnPath } from './return-path';
import { asSignInError, failureParams, logFailure, SignInError } from './sign-in-error';
import type { DingTalkIdentity } from './user-resolver';

/** A longer return path falls back to the default: the state carries it through DingTalk's URL. */
const MAX_RETURN_PATH_IN_STATE = 1024;
const MINUTE_MS = 60_000;

/** Where the callback sends the browser, or, for a sign-in started in a popup window, the page it answers there. */
export type Finished = { location: string; popup?: PopupPage };

export class BrowserSignIn {
  /** Sign-in starts per address and minute (checklist G3). */
  private readonly starts = new RateLimiter(limitFromEnv('DINGTALK_START_LIMIT_PER_MINUTE', 300), MINUTE_MS);

  constructor(
    private readonly stores: FlowStores,
    private readonly lock: LockLike,
    private readonly appTokens: AppTokenCache,
    private readonly linking: Linking,
  ) {}

  /**
   * Returns DingTalk's authorization URL for this browser: to sign in, or (with `userId`) to link. `popup`: a sign-in
   * whose DingTalk page the button opened in a popup window.
   */
  async start(ctx: Context, authenticatorName: unknown, returnPath: unknown, userId?: number, popup = false): Promise<string> {
    enforce(ctx, this.starts, clientAddress(ctx));
    const authenticator = await readAuthenticator(ctx, authenticatorName);
    const options = readOptions(authenticator.options);
    const binding = mintBinding(ctx, this.stores.stateTtlMs());
    const path = sanitizeReturnPath(returnPath);
    const state = this.stores.states.issue({
      purpose: userId === undefined ? 'signin' : 'link',
      authenticator: authenticator.name,
      returnPath: path.length > MAX_RETURN_PATH_IN_STATE ? sanitizeReturnPath(undefined) : path,
      binding: sha256(binding),
      userId,
      ...(popup && userId === undefined ? { popup: true as const } : {}),
    });
    return buildAuthorizationUrl(hostsFromEnv(), {
      clientId: options.clientId,
      redirectUri: callbackUrl(ctx),
      state,
      // Learning the organization the person picks needs `corpid` in the scope.
      scope: options.allowedCorpIds.length > 0 ? 'openid corpid' : 'openid',
    });
  }

  /**
   * The start as a top-level page (`dingtalk:start`): where to send the browser, DingTalk's page or, when the start
   * is refused, the sign-in page with the reason under that authenticator's button. Never throws.
   */
  async startPage(ctx: Context, authenticatorName: unknown, returnPath: unknown): Promise<string> {
    try {
      return await this.start(ctx, authenticatorName, returnPath);
    } catch (error) {
      const failure = asSignInError(error);
      const name = typeof authenticatorName === 'string' ? authenticatorName : undefined;
      logFailure(ctx, 'start', name, failure);
      return signInPageUrl(ctx, { redirect: sanitizeReturnPath(returnPath), ...failureParams(failure, name) });
    }
  }

  /** Handles DingTalk's redirect and returns where to send the browser next. Never throws. */
  async finish(ctx: Context): Promise<Finished> {
    let pending: PendingSignIn | undefined;
    const query = callbackQuery(ctx);
    // DingTalk's request ids of this sign-in, for the log line that ends it.
    const requestIds: string[] = [];
    try {
      const callback = await checkState(query, readBinding(ctx), this.stores.states);
      pending = callback.pending;
      // A cancel, DingTalk's refusal or a missing code ends the sign-in before the authenticator is even read.
      authCodeOf(callback);
      const authenticator = await readAuthenticator(ctx, pending.authenticator);
      const options = readOptions(authenticator.options);
      const identity = await this.identify(ctx, authenticator.name, options, callback, requestIds);

      if (pending.purpose === 'link') return { location: this.linking.land(ctx, pending, authenticator.name, identity, requestIds) };

      const { user, outcome } = await resolveSignInUser(ctx, this.lock, authenticator.name, identity, options);
      const ticket = this.stores.tickets.issue({
        authenticator: authenticator.name,
        userId: user.get('id') as number,
        binding: pending.binding,
      });
      ctx.cookies.set(COOKIES.ticket, ticket, cookieOptions(ctx, TICKET_TTL_MS));
      ctx.logger?.info?.('dingtalk: sign-in callback succeeded', {
        authenticator: authenticator.name,
        outcome,
        userId: user.get('id'),
        requestIds,
      });
      const location = landingPageUrl(ctx, pending.returnPath, { [QUERY.signin]: authenticator.name });
      if (!pending.popup) return { location };
      return {
        location,
        popup: {
          outcome: { type: 'dingtalk-signin', authenticator: authenticator.name, outcome: 'signed-in' },
          fallback: location,
          taken: landingPageUrl(ctx, pending.returnPath, {}),
        },
      };
    } catch (error) {
      const failure = asSignInError(error);
      logFailure(ctx, pending?.purpose === 'link' ? 'link-callback' : 'callback', pending?.authenticator, failure, requestIds);
      const params = failureParams(failure, pending?.authenticator ?? failure.authenticator);
      // A failed linking goes back to the page it started from; a failed sign-in to the sign-in page.
      if (pending?.purpose === 'link') return { location: appPageUrl(ctx, pending.returnPath, params) };
      const location = signInPageUrl(ctx, { redirect: pending?.returnPath ?? sanitizeReturnPath(undefined), ...params });
      if (!pending?.popup) return { location };
      const { code, detail } = failure;
      return {
        location,
        popup: {
          outcome: { type: 'dingtalk-signin', authenticator: pending.authenticator, outcome: 'failed', code, ...(detail ? { detail } : {}) },
          fallback: location,
          taken: signInPageUrl(ctx, { redirect: pending.returnPath }),
        },
      };
    }
  }

  /**
   * From the auth code to what DingTalk says about the person, with the admin's organization rules applied
   * before anything is created: the organization chosen at DingTalk must be allowed, and (option) the person must
   * be in the app organization's directory.
   */
  private async identify(
    ctx: Context,
    authenticator: string,
    options: DingTalkOptions,
    callback: VerifiedCallback,
    requestIds: string[],
  ): Promise<DingTalkIdentity> {
    const hosts = hostsFromEnv();
    const calls = callOptions(ctx, authenticator, requestIds);
    const token = await exchangeAuthCode(hosts, { ...options, callback }, calls);
    if (options.allowedCorpIds.length > 0 && !(token.corpId && options.allowedCorpIds.includes(token.corpId))) {
      throw new SignInError('ORGANIZATION_NOT_ALLOWED', { status: 403, dingtalkCode: token.corpId ? 'corp-not-allowed' : 'no-corp' });
    }
    const profile = await getCurrentUser(hosts, token.accessToken, calls);
    let userid: string | undefined;
    if (options.verifyMembership) {
      userid = await this.appTokens.withToken(
        { appKey: options.clientId, appSecret: options.clientSecret },
        hosts,
        calls,
        (appToken) => getUserIdByUnionId(hosts, appToken, profile.unionId, calls),
      );
    }
    return { profile, corpId: token.corpId, userid };
  }

  /** Consumes the ticket cookie for `auth:signIn`: the only proof this auth type accepts from a browser. */
  async redeem(ctx: Context, authenticatorName: string): Promise<Model> {
    const found = await consumeTicket(ctx, this.stores.tickets, COOKIES.ticket, authenticatorName);
    // NocoBase found it in this node's list, which may not know it was disabled on another node since.
    await readAuthenticator(ctx, authenticatorName);
    const user = await (ctx.db as Database).getRepository('users').findOne({ filterByTk: found.userId });
    if (!user) throw new SignInError('TICKET_INVALID', { status: 401 });
    ctx.logger?.info?.('dingtalk: signed in', { authenticator: authenticatorName, userId: found.userId });
    return user;
  }
}
