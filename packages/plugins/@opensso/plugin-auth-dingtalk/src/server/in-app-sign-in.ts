/**
 * Sign-in inside the DingTalk app (免登): the page got a one-time code from DingTalk's JSAPI and sends it to
 * `auth:signIn` (`{ inAppCode }`). The organization app's token resolves it to the member
 * (`topapi/v2/user/getuserinfo`, then `topapi/v2/user/get`), who then goes through the same identity and matching
 * code as the browser flow, keyed by the same unionId. DingTalk honours a code once: a replay is refused there
 * (40078) before anything is created. No state, cookie or ticket: the code is the proof, and DingTalk checks it.
 */
import type { Context } from '@nocobase/actions';
import type { Model } from '@nocobase/database';
import { AppTokenCache } from './app-token';
import { readAuthenticator } from './authenticators';
import { getOrgUser, getUserInfoByCode, hostsFromEnv } from './dingtalk-api';
import { callOptions, resolveSignInUser } from './flow-steps';
import type { LockLike } from './one-time-store';
import { readOptions } from './options';
import { clientAddress, enforce, limitFromEnv, RateLimiter } from './rate-limit';
import { SignInError } from './sign-in-error';

/**
 * What a JSAPI code can look like (DingTalk's are 32 hex characters; this leaves room for a change of format).
 * Anything else is refused without asking DingTalk (checklist G4).
 */
const IN_APP_CODE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
const MINUTE_MS = 60_000;
/** After this many codes DingTalk refused from one address within the window, that address waits for the window's end. */
const IN_APP_FAILURES_ALLOWED = 20;
const IN_APP_FAILURE_WINDOW_MS = 10 * MINUTE_MS;

export class InAppSignIn {
  /** In-app codes per address and minute, and per authenticator and minute (DingTalk's quota is the app's; G4). */
  private readonly inAppByAddress = new RateLimiter(limitFromEnv('DINGTALK_IN_APP_LIMIT_PER_MINUTE', 300), MINUTE_MS);
  private readonly inAppByAuthenticator = new RateLimiter(limitFromEnv('DINGTALK_IN_APP_APP_LIMIT_PER_MINUTE', 1200), MINUTE_MS, 1000);
  /** Codes DingTalk refused, per address: a source of junk codes is made to wait (G4). */
  private readonly inAppFailures = new RateLimiter(() => IN_APP_FAILURES_ALLOWED, IN_APP_FAILURE_WINDOW_MS);

  constructor(
    private readonly lock: LockLike,
    private readonly appTokens: AppTokenCache,
  ) {}

  async signInInApp(ctx: Context, authenticatorName: string, code: string): Promise<Model> {
    // Every check that costs nothing comes before the one call to DingTalk a stranger could make us spend.
    const address = clientAddress(ctx);
    enforce(ctx, this.inAppFailures, address, false);
    enforce(ctx, this.inAppByAddress, address);
    // Refused here at no cost to anyone, so not counted against the address.
    if (!IN_APP_CODE_PATTERN.test(code)) throw new SignInError('DINGTALK_CODE_INVALID', { status: 401, dingtalkCode: 'malformed-code' });
    const authenticator = await readAuthenticator(ctx, authenticatorName);
    const options = readOptions(authenticator.options);
    if (!options.inAppSignIn || !options.corpId) throw new SignInError('AUTHENTICATOR_INVALID');
    if (options.allowedCorpIds.length > 0 && !options.allowedCorpIds.includes(options.corpId)) {
      throw new SignInError('ORGANIZATION_NOT_ALLOWED', { status: 403 });
    }
    enforce(ctx, this.inAppByAuthenticator, authenticator.name);
    const requestIds: string[] = [];
    const hosts = hostsFromEnv();
    const calls = callOptions(ctx, authenticator.name, requestIds);
    let member: Awaited<ReturnType<typeof getOrgUser>>;
    try {
      member = await this.appTokens.withToken(
        { appKey: options.clientId, appSecret: options.clientSecret },
        hosts,
        calls,
        async (appToken) => {
          const { userid } = await getUserInfoByCode(hosts, appToken, code, calls);
          return getOrgUser(hosts, appToken, userid, calls);
        },
      );
    } catch (error) {
      if (error instanceof SignInError && error.code === 'DINGTALK_CODE_INVALID') this.inAppFailures.hit(address);
      throw error;
    }
    const identity = { profile: member.profile, corpId: options.corpId, userid: member.userid };
    const { user, outcome } = await resolveSignInUser(ctx, this.lock, authenticator.name, identity, options);
    ctx.logger?.info?.('dingtalk: in-app sign-in succeeded', { authenticator: authenticator.name, outcome, userId: user.get('id'), requestIds });
    return user;
  }
}
