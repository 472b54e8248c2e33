/**
 * Back from DingTalk, the callback sends the browser straight to the page the person wanted, with
 * `?dingtalk_signin=<authenticator>` (not a secret: the one-time ticket waits in an httpOnly cookie). During that one
 * page load, before the host renders anything or asks who is signed in, the client plugin trades the ticket for a
 * NocoBase token with `auth:signIn` through the host's API client, sets it the host's way (its storage, its per-app
 * keys), and takes the marker out of the address; the page then renders signed in. The host's router does not exist
 * yet at that point (it is made once the plugins have loaded), so rewriting the address with `history.replaceState`
 * is what it will read: a failure turns the address into the sign-in page with the error landing, which the DingTalk
 * button shows, still without another page load.
 */
import { QUERY } from '../constants';
import { errorLandingParams } from '../error-landing';
import { afterSignInTarget, type PageContext } from './after-sign-in';
import { requestFailure, type SearchInput, stripLandingParams, ticketSignInRequest, toParams, tokenFromBody } from './landing';

export interface PageLocation {
  origin: string;
  pathname: string;
  search: string;
  hash: string;
}

/** Where this client's pages live, and how its sign-in page takes `?redirect=`. */
export interface ClientBase {
  /**
   * The router's base path, from the site root, with slashes at both ends: `/`, `/nocobase/`, `/apps/sub1/` for the
   * v1 client; `/v/`, `/nocobase/v/` for the modern one.
   */
  routerBase: string;
  /**
   * NocoBase's modern client (`/v/`), whose sign-in page reads `?redirect=` from the site root; the v1 client's reads
   * it relative to the router's base, as NocoBase's own sign-in form does.
   */
  modern: boolean;
  /** For the old landing on the sign-in page: where the page goes once signed in. */
  page: PageContext;
}

export interface TicketLandingHost extends ClientBase {
  api: {
    request(config: object): Promise<{ data: unknown }>;
    auth: { setAuthenticator(authenticator: string): void; setToken(token: string): void };
  };
  location: PageLocation;
  /** `history.replaceState`: the same document, another address. */
  replace(url: string): void;
  /** `location.replace`: a page of the other client, which only a page load reaches. */
  load(url: string): void;
}

/** The authenticator whose ticket waits to be redeemed, when the address says so (an error landing wins). */
export function ticketLandingOf(search: SearchInput): string | undefined {
  const params = toParams(search);
  if (params.has(QUERY.error)) return undefined;
  const name = params.get(QUERY.signin);
  return name ? name : undefined;
}

/** The page's path as its router sees it: `/apps/sub1/admin/x` under `/apps/sub1/` is `/admin/x`. */
export function routerPath(pathname: string, routerBase: string): string {
  const base = routerBase.endsWith('/') ? routerBase : `${routerBase}/`;
  if (pathname === base.slice(0, -1)) return '/';
  return pathname.startsWith(base) ? `/${pathname.slice(base.length)}` : pathname;
}

/** The address without the landing's parameters (a reload or a shared link must not replay it). */
export function withoutLanding(location: PageLocation): string {
  return `${location.pathname}${stripLandingParams(location.search)}${location.hash}`;
}

/** Whether the page is this client's sign-in page. */
export function isSignInPage(location: PageLocation, client: ClientBase): boolean {
  return routerPath(location.pathname, client.routerBase).replace(/\/+$/, '') === '/signin';
}

/**
 * The sign-in page of this client with the error landing under the authenticator's button, and the page the person
 * was landing on as its `?redirect=`, so the next attempt comes back there.
 */
export function failedLandingUrl(
  location: PageLocation,
  client: ClientBase,
  failure: { authenticator: string; code?: string; detail?: string },
): string {
  const params = new URLSearchParams();
  if (isSignInPage(location, client)) {
    const redirect = toParams(location.search).get('redirect');
    if (redirect) params.set('redirect', redirect);
  } else {
    const page = client.modern ? location.pathname : routerPath(location.pathname, client.routerBase);
    params.set('redirect', `${page}${stripLandingParams(location.search)}${location.hash}`);
  }
  for (const [key, value] of Object.entries(errorLandingParams(failure))) {
    if (value !== undefined) params.set(key, value);
  }
  return `${client.routerBase}signin?${params.toString()}`;
}

/**
 * Where a signed-in landing goes. On any page but the sign-in page, it stays (the callback sent it where the person
 * wanted). On the sign-in page (the landing of older versions, or a crafted link), it goes to the checked `?redirect=`.
 */
export function signedInDestination(
  location: PageLocation,
  client: ClientBase,
): { replace: string } | { load: string } {
  const here = withoutLanding(location);
  if (!isSignInPage(location, client)) return { replace: here };
  const target = afterSignInTarget(location.search, client.page);
  if (target.kind === 'route') return { replace: `${client.routerBase}${target.path.slice(1)}` };
  // A page of the modern client: the same document only when this is the modern client.
  const url = new URL(target.url);
  return client.modern && url.pathname.startsWith(client.routerBase)
    ? { replace: `${url.pathname}${url.search}${url.hash}` }
    : { load: target.url };
}

export type TicketLandingResult = 'none' | 'signed-in' | 'failed';

/**
 * Trades the ticket waiting in its httpOnly cookie for a NocoBase token with `auth:signIn`, and sets it the host's
 * way: what the SDK's auth.signIn(values, name) does after its request (the host keeps them under its own keys).
 * Also what the sign-in button does when a popup window reports a success. Throws what the request threw.
 */
export async function redeemTicket(api: TicketLandingHost['api'], authenticator: string): Promise<void> {
  const response = await api.request(ticketSignInRequest(authenticator));
  const token = tokenFromBody(response.data);
  if (!token) throw new Error('auth:signIn answered without a token');
  api.auth.setAuthenticator(authenticator);
  api.auth.setToken(token);
}

/** Redeems the ticket of this page load, if the address says there is one. Never throws. */
export async function finishTicketLanding(host: TicketLandingHost): Promise<TicketLandingResult> {
  const location = { ...host.location };
  const authenticator = ticketLandingOf(location.search);
  if (!authenticator) return 'none';
  host.replace(withoutLanding(location));
  try {
    await redeemTicket(host.api, authenticator);
  } catch (error) {
    const { code, detail } = requestFailure(error);
    host.replace(failedLandingUrl(location, host, { authenticator, code, detail }));
    return 'failed';
  }
  const destination = signedInDestination(location, host);
  if ('load' in destination) host.load(destination.load);
  else host.replace(destination.replace);
  return 'signed-in';
}

/**
 * The plugin's part: the request starts as soon as the plugin is added (while the host adds the others) and is
 * waited for before any plugin loads, so nothing the page does afterwards goes out signed out.
 */
export function browserTicketLanding(
  client: ClientBase,
  api: TicketLandingHost['api'],
): Promise<TicketLandingResult> {
  if (typeof window === 'undefined') return Promise.resolve('none');
  const { origin, pathname, search, hash } = window.location;
  return finishTicketLanding({
    ...client,
    api,
    location: { origin, pathname, search, hash },
    replace: (url) => window.history.replaceState(window.history.state, '', url),
    load: (url) => window.location.replace(url),
  });
}
