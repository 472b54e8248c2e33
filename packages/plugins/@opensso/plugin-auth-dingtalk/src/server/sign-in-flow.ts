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
import { AUTH_TYPE, COOKIES, QUERY } from '../constants';
import { currentUserId } from './current-user';
import { AppTokenCache } from './app-token';
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
import { appPageUrl, callbackUrl, signInPageUrl } from './public-url';
import { sanitizeReturnPath } from './return-path';
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

/** What the flow needs to know about an authenticator, read through NocoBase's authenticator storer. */
interface AuthenticatorRecord {
  name: string;
  title?: string;
  authType: string;
  options: unknown;
}

const STATE_TTL_MS = 10 * 60 * 1000;
const TICKET_TTL_MS = 60 * 1000;
const BINDING_PATTERN = /^[A-Za-z0-9_-]{43}$/;

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

  constructor(
    cache: () => CacheLike,
    private readonly lock: LockLike,
  ) {
    this.states = new OneTimeStore(cache, lock, 'auth-dingtalk:state', ttlFromEnv('DINGTALK_STATE_TTL_SECONDS', STATE_TTL_MS));
    this.tickets = new OneTimeStore(cache, lock, 'auth-dingtalk:ticket', () => TICKET_TTL_MS);
    this.linkTickets = new OneTimeStore(cache, lock, 'auth-dingtalk:link-ticket', () => TICKET_TTL_MS);
    this.appTokens = new AppTokenCache(cache, lock);
  }

  /** Returns DingTalk's authorization URL for this browser: to sign in, or (with `userId`) to link. */
  async start(ctx: Context, authenticatorName: unknown, returnPath: unknown, userId?: number): Promise<string> {
    const authenticator = await loadAuthenticator(ctx, authenticatorName);
    const options = readOptions(authenticator.options);
    const binding = this.ensureBinding(ctx);
    const state = await this.states.issue({
      purpose: userId === undefined ? 'signin' : 'link',
      authenticator: authenticator.name,
      returnPath: sanitizeReturnPath(returnPath),
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
      const authenticator = await loadAuthenticator(ctx, pending.authenticator);
      const options = readOptions(authenticator.options);
      const identity = await this.identify(ctx, authenticator.name, options, code, requestIds);

      if (pending.purpose === 'link') {
        const ticket = await this.linkTickets.issue({
          authenticator: authenticator.name,
          userId: pending.userId as number,
          binding: pending.binding,
          identity,
        });
        ctx.cookies.set(COOKIES.linkTicket, ticket, cookieOptions(ctx, TICKET_TTL_MS));
        ctx.logger?.info?.('dingtalk: link callback succeeded', { authenticator: authenticator.name, userId: pending.userId, requestIds });
        return appPageUrl(pending.returnPath, { [QUERY.link]: authenticator.name });
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
      const ticket = await this.tickets.issue({
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
      return signInPageUrl({ redirect: pending.returnPath, [QUERY.signin]: authenticator.name });
    } catch (error) {
      const failure = asSignInError(error);
      logFailure(ctx, pending?.purpose === 'link' ? 'link-callback' : 'callback', pending?.authenticator, failure, requestIds);
      const params = {
        [QUERY.error]: failure.code,
        [QUERY.authenticator]: pending?.authenticator,
        [QUERY.detail]: failure.detail,
      };
      // A failed linking goes back to the page it started from; a failed sign-in to the sign-in page.
      if (pending?.purpose === 'link') return appPageUrl(pending.returnPath, params);
      return signInPageUrl({ redirect: pending?.returnPath ?? sanitizeReturnPath(undefined), ...params });
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
    const authenticator = await loadAuthenticator(ctx, authenticatorName);
    const options = readOptions(authenticator.options);
    if (!options.inAppSignIn || !options.corpId) throw new SignInError('AUTHENTICATOR_INVALID');
    if (options.allowedCorpIds.length > 0 && !options.allowedCorpIds.includes(options.corpId)) {
      throw new SignInError('ORGANIZATION_NOT_ALLOWED', { status: 403 });
    }
    const requestIds: string[] = [];
    const hosts = hostsFromEnv();
    const callOptions = this.callOptions(ctx, authenticator.name, requestIds);
    const member = await this.appTokens.withToken(
      { appKey: options.clientId, appSecret: options.clientSecret },
      hosts,
      callOptions,
      async (appToken) => {
        const { userid } = await getUserInfoByCode(hosts, appToken, code, callOptions);
        return getOrgUser(hosts, appToken, userid, callOptions);
      },
    );
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
    const binding = ctx.cookies.get(COOKIES.binding);
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
    const binding = ctx.cookies.get(COOKIES.binding);
    if (!binding) throw new SignInError('STATE_INVALID');
    const pending = await this.states.consume(state);
    if (!pending || !safeEqual(pending.binding, sha256(binding))) throw new SignInError('STATE_INVALID');
    return pending;
  }

  /** One random value per browser; reused so several tabs can sign in at once. */
  private ensureBinding(ctx: Context): string {
    const existing = ctx.cookies.get(COOKIES.binding);
    const binding = existing && BINDING_PATTERN.test(existing) ? existing : newSecret();
    ctx.cookies.set(COOKIES.binding, binding, cookieOptions(ctx, STATE_TTL_MS));
    return binding;
  }
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
 * NocoBase's storer falls back to the default authenticator for an unknown name and only knows enabled ones, so
 * the name and type are checked here: a disabled, missing or non-DingTalk authenticator is refused.
 */
async function loadAuthenticator(ctx: Context, name: unknown): Promise<AuthenticatorRecord> {
  if (typeof name !== 'string' || !name) throw new SignInError('AUTHENTICATOR_INVALID');
  let auth: { authenticator?: AuthenticatorRecord } | undefined;
  try {
    auth = (await ctx.app.authManager.get(name, ctx)) as { authenticator?: AuthenticatorRecord };
  } catch (cause) {
    throw new SignInError('AUTHENTICATOR_INVALID', { cause });
  }
  const record = auth?.authenticator;
  if (!record || record.name !== name || record.authType !== AUTH_TYPE) throw new SignInError('AUTHENTICATOR_INVALID');
  return record;
}

function cookieOptions(ctx: Context, maxAgeMs: number) {
  const path = ctx.path.slice(0, ctx.path.lastIndexOf('/') + 1) || '/';
  return { httpOnly: true, sameSite: 'lax' as const, secure: ctx.secure, path, maxAge: maxAgeMs, overwrite: true };
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
