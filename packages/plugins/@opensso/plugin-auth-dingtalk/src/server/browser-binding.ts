/**
 * The browser binding: a random httpOnly cookie minted at each start, whose hash the state and the tickets carry,
 * so that a state or ticket only works in the browser that started the sign-in. Also the options of every cookie
 * the flow sets, and the redemption of a ticket cookie against the binding.
 */
import type { Context } from '@nocobase/actions';
import { COOKIES } from '../constants';
import { newSecret, OneTimeStore, safeEqual, sha256 } from './one-time-store';
import { configuredOrigin, requestScheme } from './public-url';
import { SignInError } from './sign-in-error';
import type { Ticket } from './flow-state';

/**
 * Whether the browser talks to the app over HTTPS: `APP_URL` says https, or the TLS-terminating proxy says so in
 * `X-Forwarded-Proto` (NocoBase marks its own auth cookies Secure on the same signal).
 */
export function isSecureRequest(ctx: Context): boolean {
  return configuredOrigin()?.startsWith('https:') === true || requestScheme(ctx) === 'https';
}

/**
 * httpOnly, SameSite=Lax, scoped to the API path (or `/` for a `__Host-` cookie), and Secure whenever the browser
 * uses HTTPS (checklist G7). Behind a TLS-terminating proxy the connection itself is plain HTTP, where Koa refuses
 * to set a Secure cookie: `secureProxy` sets it anyway, as NocoBase does for its own auth cookies.
 */
export function cookieOptions(ctx: Context, maxAgeMs: number, { rootPath = false } = {}) {
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

/**
 * A new random value at every start, never the one the browser brought: a value someone planted in the browser
 * (a sibling subdomain can set cookies for the parent domain) would let them finish this browser's sign-in with
 * a callback URL that leaked (checklist G14). Starting a second sign-in in another tab makes the first one's
 * callback ask to start again.
 */
export function mintBinding(ctx: Context, ttlMs: number): string {
  const binding = newSecret();
  const secure = isSecureRequest(ctx);
  ctx.cookies.set(secure ? COOKIES.secureBinding : COOKIES.binding, binding, cookieOptions(ctx, ttlMs, { rootPath: secure }));
  return binding;
}

export type Binding = { value?: string; duplicated?: true };

/**
 * The binding cookie of this request. Over HTTPS only the `__Host-` one counts. Two cookies of the name mean one was
 * planted next to ours (a cookie of a parent domain or another path): no binding then, rather than a guess.
 */
export function readBinding(ctx: Context): Binding {
  const name = isSecureRequest(ctx) ? COOKIES.secureBinding : COOKIES.binding;
  const header = ctx.get('Cookie') || '';
  const count = header.split(';').filter((part) => part.split('=')[0].trim() === name).length;
  if (count > 1) {
    ctx.logger?.warn?.('dingtalk: several binding cookies in one request; refused', { cookies: count });
    return { duplicated: true };
  }
  return { value: ctx.cookies.get(name) || undefined };
}

/** A ticket cookie, used up whatever happens next; only its own browser's, for that authenticator, is accepted. */
export async function consumeTicket<T extends Ticket>(
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
