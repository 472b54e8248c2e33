/**
 * Inside DingTalk, the in-app attempt first needs the list of authenticators (which one signs in by itself, with its
 * corpId and Client ID) and DingTalk's JSAPI chunk. The host adds the plugin only once every plugin's bundle has
 * arrived, a second or more after this bundle runs; both are asked for when the bundle runs instead, so the attempt
 * starts with them in hand.
 *
 * The answer is used only where it is certainly the one the host would get: the main app (a sub-app's requests carry
 * its name, and the list is the sub-app's), with the API at the address the host uses. Anywhere else, or when this
 * request fails, the landing asks through the host as before (in-app-landing.ts). `publicList` is anonymous and holds
 * no secret: sign-in pages show it to anyone.
 */
import { normalisePublicPath } from '../public-path';
import { IN_APP_MARKS, isDingTalkUserAgent, hasLandingParams } from './in-app';
import { PUBLIC_LIST_REQUEST } from './in-app-landing';
import { loadDingTalkJsapi, mark } from './jsapi-loader';

export interface EarlyPublicList {
  /** The API base the request went to, as the page declared it (`window.__nocobase_api_base_url__`). */
  apiBase: string;
  /** The answer's body; rejects when the request fails. */
  body: Promise<unknown>;
}

export interface EarlyPage {
  userAgent: string;
  pathname: string;
  search: string;
  /** The page's declared public path and API base (NocoBase's index.html sets both before any script runs). */
  publicPath: unknown;
  apiBase: unknown;
  fetch(url: string, init: { headers: Record<string, string>; credentials: 'same-origin' }): Promise<{ ok: boolean; json(): Promise<unknown> }>;
}

/** Asks the list at once, inside DingTalk, on a page of the main app whose address reports no landing. */
export function askPublicListEarly(page: EarlyPage): EarlyPublicList | undefined {
  if (!isDingTalkUserAgent(page.userAgent) || hasLandingParams(page.search)) return undefined;
  if (typeof page.apiBase !== 'string' || typeof page.publicPath !== 'string') return undefined;
  // Only a relative API base: the request then goes where the page came from, as the host's do.
  if (!page.apiBase.startsWith('/') || page.apiBase.startsWith('//')) return undefined;
  if (page.pathname.startsWith(`${normalisePublicPath(page.publicPath)}apps/`)) return undefined;
  const apiBase = withTrailingSlash(page.apiBase);
  const body = page
    .fetch(`${apiBase}${PUBLIC_LIST_REQUEST.url}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
    .then(async (response) => {
      if (!response.ok) throw new Error('publicList answered an error');
      return response.json();
    });
  body.catch(() => undefined);
  return { apiBase, body };
}

/** The early answer, when the host turns out to be what it was asked for: the main app, at the same API base. */
export function earlyPublicListFor(
  early: EarlyPublicList | undefined,
  host: { appName?: string | null; apiBase: unknown },
): Promise<unknown> | undefined {
  if (!early || (host.appName && host.appName !== 'main') || typeof host.apiBase !== 'string') return undefined;
  return withTrailingSlash(host.apiBase) === early.apiBase ? early.body : undefined;
}

/** `/api` and `/api/` are the same API base. */
function withTrailingSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

/** This page's early requests, made once when the bundle runs (index.tsx): the list, and the chunk with it. */
export function startInAppEarlyInBrowser(): EarlyPublicList | undefined {
  if (typeof window === 'undefined' || typeof navigator === 'undefined' || typeof fetch !== 'function') return undefined;
  const declared = window as unknown as { __nocobase_public_path__?: unknown; __nocobase_api_base_url__?: unknown };
  try {
    const early = askPublicListEarly({
      userAgent: navigator.userAgent,
      pathname: window.location.pathname,
      search: window.location.search,
      publicPath: declared.__nocobase_public_path__,
      apiBase: declared.__nocobase_api_base_url__,
      fetch: (url, init) => fetch(url, init),
    });
    if (early) {
      mark(IN_APP_MARKS.listAsked);
      // The chunk's address is beside this bundle's (jsapi-loader.ts); the landing then waits on the same load.
      loadDingTalkJsapi(String(declared.__nocobase_public_path__)).catch(() => undefined);
    }
    return early;
  } catch {
    return undefined;
  }
}
