/**
 * The browser sign-in, step by step:
 *   start    (`dingtalk:getAuthUrl`)  mint a state bound to this browser, the authenticator and the return path;
 *   finish   (`dingtalk:redirect`)    check the state before anything else, then ask DingTalk, find the user,
 *                                      and leave a one-time ticket in an httpOnly cookie;
 *   redeem   (`auth:signIn`)          NocoBase's own sign-in consumes the ticket and issues its token.
 * The NocoBase token therefore never appears in a URL: the page that lands calls `auth:signIn` like the password
 * form does, and NocoBase's token mechanism (JWT, token policy, auth cookies) applies unchanged.
 *
 * Linking a DingTalk account to the signed-in user goes the same way with a state that also names the user
 * (`dingtalk:getLinkUrl`, a POST under NocoBase's CSRF check); the callback leaves a link ticket holding what
 * DingTalk said, and `dingtalk:completeLink`, an authenticated POST, links it only for that same user.
 */
import type { Context } from '@nocobase/actions';
import type { Database, Model } from '@nocobase/database';
import { COOKIES, QUERY } from '../constants';
import { errorLandingParams } from '../error-landing';
import { currentUserId } from './current-user';
import { AppTokenCache } from './app-token';
import { readAuthenticator } from './authenticators';
import { callbackQuery } from './callback-redaction';
import { isBusy, isUniqueViolation, retryWhenBusy } from './db-errors';
import {
  buildAuthorizationUrl,
  exchangeAuthCode,
  getCurrentUser,
  getOrgUser,
  getUserIdByUnionId,
  getUserInfoByCode,
  hostsFromEnv,
  timeoutFromEnv,
} from './dingtalk-api';
import { CacheLike, LockLike, OneTimeStore, newSecret, safeEqual, sha256 } from './one-time-store';
import { DingTalkOptions, readOptions } from './options';
import { appPageUrl, callbackUrl, configuredOrigin, landingPageUrl, requestScheme, signInPageUrl } from './public-url';
import { clientAddress, enforce, limitFromEnv, RateLimiter } from './rate-limit';
import { sanitizeReturnPath } from './return-path';
import { Sealer } from './sealed';
import { sharedLock } from './shared-lock';
import { SignInError } from './sign-in-error';
import { DingTalkIdentity, findLinkedUser, link, resolveUser } from './user-resolver';

type Purpose = 'signin' | 'link';

interface PendingSignIn {
  purpose: Purpose;
  authenticator: string;
  returnPath: string;
  /** SHA-256 of the browser's binding cookie. */
  binding: string;
  /** Linking only: the signed-in user who started it. */
  userId?: number;
}

interface Ticket {
  authenticator: string;
  userId: number;
  binding: string;
}

interface LinkTicket extends Ticket {
  identity: DingTalkIdentity;
}


const STATE_TTL_MS = 10 * 60 * 1000;
const TICKET_TTL_MS = 60 * 1000;
/** A longer return path falls back to the default: the state carries it through DingTalk's URL. */
const MAX_RETURN_PATH_IN_STATE = 1024;
/**
 * What a JSAPI code can look like (DingTalk's are 32 hex characters; this leaves room for a change of format).
 * Anything else is refused without asking DingTalk (checklist G4).
 */
const IN_APP_CODE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
const MINUTE_MS = 60_000;
/** After this many codes DingTalk refused from one address within the window, that address waits for the window's end. */
const IN_APP_FAILURES_ALLOWED = 20;
const IN_APP_FAILURE_WINDOW_MS = 10 * MINUTE_MS;

function ttlFromEnv(name: string, fallbackMs: number): () => number {
  return () => {
    const seconds = Number(process.env[name]);
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : fallbackMs;
  };
}

type ApiEvent = { endpoint: string; status: number; requestId?: string; durationMs: number };

export class SignInFlow {
  private readonly states: OneTimeStore<PendingSignIn>;
  private readonly tickets: OneTimeStore<Ticket>;
  private readonly linkTickets: OneTimeStore<LinkTicket>;
  private readonly appTokens: AppTokenCache;
  /** One lifetime for the state and the binding cookie that goes with it (checklist G10). */
  private readonly stateTtlMs = ttlFromEnv('DINGTALK_STATE_TTL_SECONDS', STATE_TTL_MS);
  /** Sign-in starts per address and minute (checklist G3). */
  private readonly starts = new RateLimiter(limitFromEnv('DINGTALK_START_LIMIT_PER_MINUTE', 300), MINUTE_MS);
  /** In-app codes per address and minute, and per authenticator and minute (DingTalk's quota is the app's; G4). */
  private readonly inAppByAddress = new RateLimiter(limitFromEnv('DINGTALK_IN_APP_LIMIT_PER_MINUTE', 300), MINUTE_MS);
  private readonly inAppByAuthenticator = new RateLimiter(limitFromEnv('DINGTALK_IN_APP_APP_LIMIT_PER_MINUTE', 1200), MINUTE_MS, 1000);
  /** Codes DingTalk refused, per address: a source of junk codes is made to wait (G4). */
  private readonly inAppFailures = new RateLimiter(() => IN_APP_FAILURES_ALLOWED, IN_APP_FAILURE_WINDOW_MS);

  constructor(
    cache: () => CacheLike,
    private readonly lock: LockLike,
    sealer: Sealer = new Sealer(),
  ) {
    this.states = new OneTimeStore(sealer, cache, lock, 'auth-dingtalk:state', this.stateTtlMs);
    this.tickets = new OneTimeStore(sealer, cache, lock, 'auth-dingtalk:ticket', () => TICKET_TTL_MS);
    this.linkTickets = new OneTimeStore(sealer, cache, lock, 'auth-dingtalk:link-ticket', () => TICKET_TTL_MS);
    this.appTokens = new AppTokenCache(cache, sharedLock(cache, lock));
  }

  /** Returns DingTalk's authorization URL for this browser: to sign in, or (with `userId`) to link. */
  async start(ctx: Context, authenticatorName: unknown, returnPath: unknown, userId?: number): Promise<string> {
    enforce(ctx, this.starts, clientAddress(ctx));
    const authenticator = await readAuthenticator(ctx, authenticatorName);
    const options = readOptions(authenticator.options);
    const binding = this.mintBinding(ctx);
    const path = sanitizeReturnPath(returnPath);
    const state = this.states.issue({
      purpose: userId === undefined ? 'signin' : 'link',
      authenticator: authenticator.name,
      returnPath: path.length > MAX_RETURN_PATH_IN_STATE ? sanitizeReturnPath(undefined) : path,
      binding: sha256(binding),
      userId,
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
  async finish(ctx: Context): Promise<string> {
    let pending: PendingSignIn | undefined;
    const query = callbackQuery(ctx);
    // DingTalk's request ids of this sign-in, for the log line that ends it.
    const requestIds: string[] = [];
    try {
      pending = await this.checkState(ctx, query);
      const error = single(query.error);
      if (error) {
        throw new SignInError(error === 'access_denied' ? 'CANCELLED' : 'DINGTALK_ERROR', { dingtalkCode: error });
      }
      const code = readCode(query);
      const authenticator = await readAuthenticator(ctx, pending.authenticator);
      const options = readOptions(authenticator.options);
      const identity = await this.identify(ctx, authenticator.name, options, code, requestIds);

      if (pending.purpose === 'link') {
        const ticket = this.linkTickets.issue({
          authenticator: authenticator.name,
          userId: pending.userId as number,
          binding: pending.binding,
          identity,
        });
        ctx.cookies.set(COOKIES.linkTicket, ticket, cookieOptions(ctx, TICKET_TTL_MS));
        ctx.logger?.info?.('dingtalk: link callback succeeded', { authenticator: authenticator.name, userId: pending.userId, requestIds });
        return appPageUrl(ctx, pending.returnPath, { [QUERY.link]: authenticator.name });
      }

      // DingTalk's part is done (its code is spent): only the database writes are repeated if it is busy.
      const { user, outcome } = await retryWhenBusy(() =>
        resolveUser({
          db: ctx.db as Database,
          lock: this.lock,
          authenticatorName: authenticator.name,
          identity,
          policy: options,
          log: ctx.logger,
        }),
      );
      const ticket = this.tickets.issue({
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
      return landingPageUrl(ctx, pending.returnPath, { [QUERY.signin]: authenticator.name });
    } catch (error) {
      const failure = asSignInError(error);
      logFailure(ctx, pending?.purpose === 'link' ? 'link-callback' : 'callback', pending?.authenticator, failure, requestIds);
      const params = failureParams(failure, pending?.authenticator ?? failure.authenticator);
      // A failed linking goes back to the page it started from; a failed sign-in to the sign-in page.
      if (pending?.purpose === 'link') return appPageUrl(ctx, pending.returnPath, params);
      return signInPageUrl(ctx, { redirect: pending?.returnPath ?? sanitizeReturnPath(undefined), ...params });
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
    code: string,
    requestIds: string[],
  ): Promise<DingTalkIdentity> {
    const hosts = hostsFromEnv();
    const callOptions = this.callOptions(ctx, authenticator, requestIds);
    const token = await exchangeAuthCode(hosts, { ...options, code }, callOptions);
    if (options.allowedCorpIds.length > 0 && !(token.corpId && options.allowedCorpIds.includes(token.corpId))) {
      throw new SignInError('ORGANIZATION_NOT_ALLOWED', { status: 403, dingtalkCode: token.corpId ? 'corp-not-allowed' : 'no-corp' });
    }
    const profile = await getCurrentUser(hosts, token.accessToken, callOptions);
    let userid: string | undefined;
    if (options.verifyMembership) {
      userid = await this.appTokens.withToken(
        { appKey: options.clientId, appSecret: options.clientSecret },
        hosts,
        callOptions,
        (appToken) => getUserIdByUnionId(hosts, appToken, profile.unionId, callOptions),
      );
    }
    return { profile, corpId: token.corpId, userid };
  }

  /**
   * Sign-in inside the DingTalk app (免登): the page got a one-time code from DingTalk's JSAPI. The organization
   * app's token resolves it to the member (`topapi/v2/user/getuserinfo`, then `topapi/v2/user/get`), who then
   * goes through the same identity and matching code as the browser flow, keyed by the same unionId. DingTalk
   * honours a code once: a replay is refused there (40078) before anything is created.
   */
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
    const callOptions = this.callOptions(ctx, authenticator.name, requestIds);
    let member: Awaited<ReturnType<typeof getOrgUser>>;
    try {
      member = await this.appTokens.withToken(
        { appKey: options.clientId, appSecret: options.clientSecret },
        hosts,
        callOptions,
        async (appToken) => {
          const { userid } = await getUserInfoByCode(hosts, appToken, code, callOptions);
          return getOrgUser(hosts, appToken, userid, callOptions);
        },
      );
    } catch (error) {
      if (error instanceof SignInError && error.code === 'DINGTALK_CODE_INVALID') this.inAppFailures.hit(address);
      throw error;
    }
    const { user, outcome } = await retryWhenBusy(() =>
      resolveUser({
        db: ctx.db as Database,
        lock: this.lock,
        authenticatorName: authenticator.name,
        identity: { profile: member.profile, corpId: options.corpId, userid: member.userid },
        policy: options,
        log: ctx.logger,
      }),
    );
    ctx.logger?.info?.('dingtalk: in-app sign-in succeeded', { authenticator: authenticator.name, outcome, userId: user.get('id'), requestIds });
    return user;
  }

  private callOptions(ctx: Context, authenticator: string, requestIds: string[]) {
    return {
      timeoutMs: timeoutFromEnv(),
      onResponse: (event: ApiEvent) => {
        if (event.requestId) requestIds.push(event.requestId);
        ctx.logger?.debug?.('dingtalk: api call', { authenticator, ...event });
      },
    };
  }

  /** Consumes the ticket cookie for `auth:signIn`: the only proof this auth type accepts from a browser. */
  async redeem(ctx: Context, authenticatorName: string): Promise<Model> {
    const found = await this.consumeTicket(ctx, this.tickets, COOKIES.ticket, authenticatorName);
    // NocoBase found it in this node's list, which may not know it was disabled on another node since.
    await readAuthenticator(ctx, authenticatorName);
    const user = await (ctx.db as Database).getRepository('users').findOne({ filterByTk: found.userId });
    if (!user) throw new SignInError('TICKET_INVALID', { status: 401 });
    ctx.logger?.info?.('dingtalk: signed in', { authenticator: authenticatorName, userId: found.userId });
    return user;
  }

  /** Links the DingTalk account of the link ticket to the signed-in user, who must be the one who started it. */
  async completeLink(ctx: Context, authenticatorName: unknown): Promise<{ authenticator: string; nickname: string }> {
    if (typeof authenticatorName !== 'string' || !authenticatorName) throw new SignInError('TICKET_INVALID', { status: 401 });
    const found = await this.consumeTicket(ctx, this.linkTickets, COOKIES.linkTicket, authenticatorName);
    if (currentUserId(ctx) !== found.userId) throw new SignInError('LINK_USER_MISMATCH', { status: 403 });
    const db = ctx.db as Database;
    const { unionId } = found.identity.profile;
    const holder = await findLinkedUser(db, authenticatorName, unionId);
    if (holder && holder.get('id') !== found.userId) throw new SignInError('IDENTITY_LINKED_ELSEWHERE', { status: 409 });
    if (!holder) {
      const existing = await db.getRepository('usersAuthenticators').findOne({ filter: { authenticator: authenticatorName, userId: found.userId } });
      if (existing) throw new SignInError('ALREADY_LINKED', { status: 409 });
      try {
        await link(db, authenticatorName, found.userId, found.identity);
      } catch (error) {
        // Someone linked this DingTalk account in the meantime (the unique (authenticator, uuid) index).
        if (isUniqueViolation(error)) throw new SignInError('IDENTITY_LINKED_ELSEWHERE', { status: 409, cause: error });
        throw error;
      }
    }
    ctx.logger?.info?.('dingtalk: linked', { authenticator: authenticatorName, userId: found.userId });
    return { authenticator: authenticatorName, nickname: found.identity.profile.nick ?? '' };
  }

  private async consumeTicket<T extends Ticket>(
    ctx: Context,
    store: OneTimeStore<T>,
    cookie: string,
    authenticatorName: string,
  ): Promise<T> {
    const ticket = ctx.cookies.get(cookie);
    const binding = readBinding(ctx).value;
    // The ticket is single-use whatever happens next.
    ctx.cookies.set(cookie, null, cookieOptions(ctx, 0));
    if (!ticket || !binding) throw new SignInError('TICKET_INVALID', { status: 401 });
    const found = await store.consume(ticket);
    if (!found || found.authenticator !== authenticatorName || !safeEqual(found.binding, sha256(binding))) {
      throw new SignInError('TICKET_INVALID', { status: 401 });
    }
    return found;
  }

  /** The state check runs before any call to DingTalk (checklist A1). */
  private async checkState(ctx: Context, query: Record<string, unknown>): Promise<PendingSignIn> {
    const state = single(query.state);
    single(query.error);
    single(query.authCode);
    single(query.code);
    if (!state) throw new SignInError('STATE_MISSING');
    const binding = readBinding(ctx);
    if (binding.duplicated) throw new SignInError('STATE_INVALID');
    // Most often the sign-in started at another address of the app (`127.0.0.1` for `localhost`), whose cookies this
    // one does not see: the person is told so, under the button that started it.
    if (!binding.value) throw new SignInError('COOKIE_MISSING', { authenticator: this.states.peek(state)?.authenticator });
    const pending = await this.states.consume(state);
    if (!pending || !safeEqual(pending.binding, sha256(binding.value))) throw new SignInError('STATE_INVALID');
    return pending;
  }

  /**
   * A new random value at every start, never the one the browser brought: a value someone planted in the browser
   * (a sibling subdomain can set cookies for the parent domain) would let them finish this browser's sign-in with
   * a callback URL that leaked (checklist G14). Starting a second sign-in in another tab makes the first one's
   * callback ask to start again.
   */
  private mintBinding(ctx: Context): string {
    const binding = newSecret();
    const secure = isSecureRequest(ctx);
    ctx.cookies.set(secure ? COOKIES.secureBinding : COOKIES.binding, binding, cookieOptions(ctx, this.stateTtlMs(), { rootPath: secure }));
    return binding;
  }
}

/**
 * Whether the browser talks to the app over HTTPS: `APP_URL` says https, or the TLS-terminating proxy says so in
 * `X-Forwarded-Proto` (NocoBase marks its own auth cookies Secure on the same signal).
 */
export function isSecureRequest(ctx: Context): boolean {
  return configuredOrigin()?.startsWith('https:') === true || requestScheme(ctx) === 'https';
}

/**
 * The binding cookie of this request. Over HTTPS only the `__Host-` one counts. Two cookies of the name mean one was
 * planted next to ours (a cookie of a parent domain or another path): no binding then, rather than a guess.
 */
function readBinding(ctx: Context): { value?: string; duplicated?: true } {
  const name = isSecureRequest(ctx) ? COOKIES.secureBinding : COOKIES.binding;
  const header = ctx.get('Cookie') || '';
  const count = header.split(';').filter((part) => part.split('=')[0].trim() === name).length;
  if (count > 1) {
    ctx.logger?.warn?.('dingtalk: several binding cookies in one request; refused', { cookies: count });
    return { duplicated: true };
  }
  return { value: ctx.cookies.get(name) || undefined };
}

/** What an error landing tells the page: the code, the button it is for, and a detail from the closed lists. */
function failureParams(failure: SignInError, authenticator: string | undefined): Record<string, string | undefined> {
  return errorLandingParams({ code: failure.code, authenticator, detail: failure.detail });
}

/** Koa turns a repeated parameter into an array: that is never a legitimate DingTalk answer (checklist A6). */
function single(value: unknown): string | undefined {
  if (Array.isArray(value)) throw new SignInError('REQUEST_INVALID');
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function readCode(query: Record<string, unknown>): string {
  // DingTalk documents `authCode`; some integrations saw `code`.
  const code = single(query.authCode) ?? single(query.code);
  if (!code) throw new SignInError('CODE_MISSING');
  return code;
}


/**
 * httpOnly, SameSite=Lax, scoped to the API path (or `/` for a `__Host-` cookie), and Secure whenever the browser
 * uses HTTPS (checklist G7). Behind a TLS-terminating proxy the connection itself is plain HTTP, where Koa refuses
 * to set a Secure cookie: `secureProxy` sets it anyway, as NocoBase does for its own auth cookies.
 */
function cookieOptions(ctx: Context, maxAgeMs: number, { rootPath = false } = {}) {
  const path = rootPath ? '/' : ctx.path.slice(0, ctx.path.lastIndexOf('/') + 1) || '/';
  const secure = isSecureRequest(ctx);
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    path,
    maxAge: maxAgeMs,
    overwrite: true,
    ...(secure ? (ctx.secure ? { secure: true } : { secureProxy: true }) : { secure: false }),
  };
}

export function asSignInError(error: unknown): SignInError {
  if (error instanceof SignInError) return error;
  // A database too busy to write (SQLite's single writer under a burst of sign-ins) is a clean "try again".
  if (isBusy(error)) return new SignInError('TRY_AGAIN', { status: 503, cause: error, retryable: true });
  return new SignInError('INTERNAL_ERROR', { status: 500, cause: error });
}

export function logFailure(
  ctx: Context,
  step: string,
  authenticator: string | undefined,
  error: SignInError,
  requestIds: string[] = [],
) {
  const fields = {
    authenticator,
    step,
    code: error.code,
    dingtalkCode: error.dingtalkCode,
    // DingTalk's `requestid`s, which its support asks for.
    requestIds: error.requestId && !requestIds.includes(error.requestId) ? [...requestIds, error.requestId] : requestIds,
  };
  if (error.code === 'INTERNAL_ERROR') {
    // Only unexpected failures carry their cause (a stack of our own code), never DingTalk's bodies.
    ctx.logger?.error?.('dingtalk: sign-in failed', { ...fields, error: describe(error.cause) });
  } else {
    ctx.logger?.warn?.('dingtalk: sign-in refused', fields);
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}\n${cause.stack ?? ''}` : String(cause);
}
