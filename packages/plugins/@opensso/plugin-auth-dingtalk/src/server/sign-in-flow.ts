/**
 * The browser sign-in, step by step:
 *   start    (`dingtalk:getAuthUrl`)  mint a state bound to this browser, the authenticator and the return path;
 *   finish   (`dingtalk:redirect`)    check the state before anything else, then ask DingTalk, find the user,
 *                                      and leave a one-time ticket in an httpOnly cookie;
 *   redeem   (`auth:signIn`)          NocoBase's own sign-in consumes the ticket and issues its token.
 * The NocoBase token therefore never appears in a URL: the page that lands calls `auth:signIn` like the password
 * form does, and NocoBase's token mechanism (JWT, token policy, auth cookies) applies unchanged.
 */
import type { Context } from '@nocobase/actions';
import type { Database, Model } from '@nocobase/database';
import { AUTH_TYPE, COOKIES, QUERY } from '../constants';
import { ErrorCode } from '../errors';
import { callbackQuery } from './callback-redaction';
import { isBusy } from './db-errors';
import { buildAuthorizationUrl, exchangeAuthCode, getCurrentUser, hostsFromEnv, timeoutFromEnv } from './dingtalk-api';
import { CacheLike, LockLike, OneTimeStore, newSecret, safeEqual, sha256 } from './one-time-store';
import { readOptions } from './options';
import { callbackUrl, signInPageUrl } from './public-url';
import { sanitizeReturnPath } from './return-path';
import { SignInError } from './sign-in-error';
import { resolveUser } from './user-resolver';

interface PendingSignIn {
  authenticator: string;
  returnPath: string;
  /** SHA-256 of the browser's binding cookie. */
  binding: string;
}

interface Ticket {
  authenticator: string;
  userId: number;
  binding: string;
}

/** What the flow needs to know about an authenticator, read through NocoBase's authenticator storer. */
interface AuthenticatorRecord {
  name: string;
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

export class SignInFlow {
  private readonly states: OneTimeStore<PendingSignIn>;
  private readonly tickets: OneTimeStore<Ticket>;

  constructor(
    cache: () => CacheLike,
    private readonly lock: LockLike,
  ) {
    this.states = new OneTimeStore(cache, lock, 'auth-dingtalk:state', ttlFromEnv('DINGTALK_STATE_TTL_SECONDS', STATE_TTL_MS));
    this.tickets = new OneTimeStore(cache, lock, 'auth-dingtalk:ticket', () => TICKET_TTL_MS);
  }

  /** Returns DingTalk's authorization URL for this browser. */
  async start(ctx: Context, authenticatorName: unknown, returnPath: unknown): Promise<string> {
    const authenticator = await loadAuthenticator(ctx, authenticatorName);
    const { clientId } = readOptions(authenticator.options);
    const binding = this.ensureBinding(ctx);
    const state = await this.states.issue({
      authenticator: authenticator.name,
      returnPath: sanitizeReturnPath(returnPath),
      binding: sha256(binding),
    });
    return buildAuthorizationUrl(hostsFromEnv(), { clientId, redirectUri: callbackUrl(ctx), state });
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
      const hosts = hostsFromEnv();
      const callOptions = {
        timeoutMs: timeoutFromEnv(),
        onResponse: (event: { endpoint: string; status: number; requestId?: string; durationMs: number }) => {
          if (event.requestId) requestIds.push(event.requestId);
          ctx.logger?.debug?.('dingtalk: api call', { authenticator: authenticator.name, ...event });
        },
      };
      const token = await exchangeAuthCode(hosts, { ...options, code }, callOptions);
      const profile = await getCurrentUser(hosts, token.accessToken, callOptions);
      const { user, outcome } = await resolveUser({
        db: ctx.db as Database,
        lock: this.lock,
        authenticatorName: authenticator.name,
        profile,
        autoSignup: options.autoSignup,
      });
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
      logFailure(ctx, 'callback', pending?.authenticator, failure, requestIds);
      return signInPageUrl({
        redirect: pending?.returnPath ?? sanitizeReturnPath(undefined),
        [QUERY.error]: failure.code,
        [QUERY.authenticator]: pending?.authenticator,
        [QUERY.detail]: failure.detail,
      });
    }
  }

  /** Consumes the ticket cookie for `auth:signIn`: the only proof this auth type accepts from a browser. */
  async redeem(ctx: Context, authenticatorName: string): Promise<Model> {
    const ticket = ctx.cookies.get(COOKIES.ticket);
    const binding = ctx.cookies.get(COOKIES.binding);
    // The ticket is single-use whatever happens next.
    ctx.cookies.set(COOKIES.ticket, null, cookieOptions(ctx, 0));
    if (!ticket || !binding) throw new SignInError('TICKET_INVALID', { status: 401 });
    const found = await this.tickets.consume(ticket);
    if (!found || found.authenticator !== authenticatorName || !safeEqual(found.binding, sha256(binding))) {
      throw new SignInError('TICKET_INVALID', { status: 401 });
    }
    const user = await (ctx.db as Database).getRepository('users').findOne({ filterByTk: found.userId });
    if (!user) throw new SignInError('TICKET_INVALID', { status: 401 });
    ctx.logger?.info?.('dingtalk: signed in', { authenticator: authenticatorName, userId: found.userId });
    return user;
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

