/**
 * Authenticators as every app node sees them. NocoBase's plugin-auth keeps the list of enabled authenticators in a
 * per-node memory cache, refreshed only by the save hooks of the node that saved: in a cluster, an authenticator
 * created, changed or disabled on node A stays unknown, stale or enabled on node B until B restarts (open-source
 * 2.2 has no pub-sub to tell it). So the sign-in reads its authenticator from the database at each step, and a
 * middleware makes the host reload its list when a request names an authenticator the list does not hold.
 */
import type { Context, Next } from '@nocobase/actions';
import type { Database, Model } from '@nocobase/database';
import { getAuthCookieName } from '@nocobase/utils';
import { AUTH_TYPE } from '../constants';
import { OPTIONS_NOT_FROM_ENV } from './options';
import { SignInError } from './sign-in-error';

/** What the flow needs to know about an authenticator. */
export interface AuthenticatorRecord {
  name: string;
  title?: string;
  authType: string;
  options: unknown;
}

interface Environment {
  renderJsonTemplate(template: unknown, options?: { omit?: string[] }): unknown;
}

/**
 * The enabled `dingtalk` authenticator of that name, from the database, its options rendered as NocoBase's storer
 * renders them (variables only in the Client Secret). Anything else (unknown, disabled, another type) is refused.
 */
export async function readAuthenticator(ctx: Context, name: unknown): Promise<AuthenticatorRecord> {
  if (typeof name !== 'string' || !name) throw new SignInError('AUTHENTICATOR_INVALID');
  const row = (await (ctx.db as Database).getRepository('authenticators').findOne({ filter: { name } })) as Model | null;
  if (!row || !row.get('enabled') || row.get('authType') !== AUTH_TYPE) throw new SignInError('AUTHENTICATOR_INVALID');
  const environment = (ctx.app as unknown as { environment?: Environment }).environment;
  const options = row.get('options') ?? {};
  return {
    name,
    title: row.get('title') as string | undefined,
    authType: AUTH_TYPE,
    options: environment && hasTemplate(options) ? environment.renderJsonTemplate(options, { omit: OPTIONS_NOT_FROM_ENV }) : options,
  };
}

/**
 * Whether options hold a `{{…}}` to render. NocoBase's renderer costs about a millisecond and a half a call, and a
 * sign-in reads its authenticator at each step: options without a variable are used as they are, which is what
 * rendering them would give.
 */
function hasTemplate(options: unknown): boolean {
  return JSON.stringify(options).includes('{{');
}

/** The parts of plugin-auth's Storer this needs (`app.authManager.storer`). */
interface StorerLike {
  key: string;
  cache: { get(key: string): Promise<unknown>; del(key: string): Promise<unknown> };
}

/** How long a name found nowhere is not looked up again, and how many such names are remembered. */
const UNKNOWN_FOR_MS = 5_000;
const MAX_UNKNOWN = 1_000;

/**
 * Before NocoBase's auth middleware: a request naming an authenticator (header or cookie) that this node's list does
 * not hold makes the host reload its list from the database, when the database has it enabled. Names that are not
 * there are remembered for a few seconds in a bounded map, so made-up names cannot turn into a query per request.
 */
export function reloadUnknownAuthenticators(authKey = 'X-Authenticator') {
  const unknown = new Map<string, number>();
  return async (ctx: Context, next: Next) => {
    const appName = (ctx.app as unknown as { name?: string }).name;
    const name = ctx.get(authKey) || ctx.cookies.get(getAuthCookieName('authenticator', appName));
    if (name && name.length <= 255) await reloadWhenUnknown(ctx, name, unknown);
    await next();
  };
}

async function reloadWhenUnknown(ctx: Context, name: string, unknown: Map<string, number>): Promise<void> {
  const storer = (ctx.app as unknown as { authManager?: { storer?: StorerLike } }).authManager?.storer;
  if (!storer?.cache || typeof storer.key !== 'string') return;
  const listed = (await storer.cache.get(storer.key)) as Record<string, unknown> | undefined;
  // An empty list is loaded from the database by the host itself.
  if (!listed || Object.prototype.hasOwnProperty.call(listed, name)) return;
  const now = Date.now();
  if ((unknown.get(name) ?? 0) > now) return;
  const row = await (ctx.db as Database).getRepository('authenticators').findOne({ filter: { name, enabled: true } });
  if (row) {
    unknown.delete(name);
    await storer.cache.del(storer.key);
    return;
  }
  while (unknown.size >= MAX_UNKNOWN) unknown.delete(unknown.keys().next().value as string);
  unknown.set(name, now + UNKNOWN_FOR_MS);
}
