/**
 * Where the page goes once a DingTalk sign-in is done (in-app, or the ticket landing back from DingTalk): the sign-in
 * page's `?redirect=`, through the same return-path rule as the server, else /admin. Pure, so it can be unit-tested.
 *
 * Not NocoBase's `useRedirect()` (plugin-auth 2.2.15): it follows the raw query value, and hands any value whose path
 * has a `v2` segment to `window.location.replace`, so `?redirect=javascript:…//v2/` runs a script and
 * `?redirect=https://evil.example/v2/` leaves the site.
 */
import { modernClientPrefix, normalisePublicPath as withSlashes } from '../public-path';
import { sanitizeReturnPath } from '../return-path';
import { type SearchInput, toParams } from './landing';

export type AfterSignIn =
  /** A page of this (v1) client: its router navigates, relative to its basename, as NocoBase's sign-in form does. */
  | { kind: 'route'; path: string }
  /** A page of NocoBase's modern client, another single-page app on this origin: only a page load reaches it. */
  | { kind: 'document'; url: string };

export interface PageContext {
  /** `window.location.origin`. */
  origin: string;
  /** The app's public path (`APP_PUBLIC_PATH`, `app.getPublicPath()`), e.g. `/` or `/nocobase/`. */
  publicPath: string;
  /** `window.__nocobase_modern_client_prefix__` (`APP_MODERN_CLIENT_PREFIX`); NocoBase's default is `v`. */
  modernPrefix?: unknown;
}

export { modernClientPrefix };

/** This page's context, for a client whose public path (without the modern client's prefix) is `publicPath`. */
export function currentPageContext(publicPath: string): PageContext {
  return {
    origin: window.location.origin,
    publicPath,
    modernPrefix: (window as unknown as { __nocobase_modern_client_prefix__?: unknown }).__nocobase_modern_client_prefix__,
  };
}

function isUnder(pathname: string, root: string): boolean {
  return pathname === root || pathname.startsWith(`${root}/`);
}

/**
 * The address of a checked path that belongs to the modern client (`<public path><prefix>/…`, given with or without
 * the public path in front), on this origin; undefined for a page of this client.
 */
function modernClientUrl(path: string, page: PageContext): string | undefined {
  const base = withSlashes(page.publicPath);
  const prefix = modernClientPrefix(page.modernPrefix);
  const pathname = path.split(/[?#]/, 1)[0];
  let full: string | undefined;
  if (isUnder(pathname, `${base}${prefix}`)) full = path;
  else if (isUnder(pathname, `/${prefix}`)) full = `${base}${path.slice(1)}`;
  if (full === undefined) return undefined;
  try {
    const url = new URL(full, page.origin);
    // Always so for a checked path; asserted because this is the one place the page is loaded by address.
    return url.origin === page.origin ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Where to go after signing in, from the sign-in page's query string. */
export function afterSignInTarget(search: SearchInput, page: PageContext): AfterSignIn {
  const path = sanitizeReturnPath(toParams(search).get('redirect'));
  const url = modernClientUrl(path, page);
  return url ? { kind: 'document', url } : { kind: 'route', path };
}

/**
 * The route of `url` in a single-page app whose router runs under `basename` on `origin` (the modern client's
 * `app.router.getBasename()`, e.g. `/v/`), or undefined for an address outside it: the modern client's own button
 * reaches a modern-client page with its router, as its password form does, instead of loading the app again.
 */
export function routeInApp(url: string, origin: string, basename: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.origin !== origin) return undefined;
  const base = basename.endsWith('/') ? basename.slice(0, -1) : basename;
  if (base && !isUnder(parsed.pathname, base)) return undefined;
  return `${parsed.pathname.slice(base.length) || '/'}${parsed.search}${parsed.hash}`;
}
