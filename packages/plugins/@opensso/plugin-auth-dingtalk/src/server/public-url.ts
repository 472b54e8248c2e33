/**
 * URLs that leave the server: the Redirect URL registered at DingTalk and the sign-in page the callback sends the
 * browser to. The origin comes from configuration (`APP_URL`), not from the request's Host header, which a client
 * controls; only when `APP_URL` is unset does it fall back to the request, and the settings form says so.
 */

import { modernClientPrefix as prefixOf, normalisePublicPath } from '../public-path';

interface RequestLike {
  protocol: string;
  host: string;
  headers?: Record<string, string | string[] | undefined>;
  app?: { name?: string };
}

/** What decides which app's pages a URL points to: the app that handles the request (a sub-app or `main`). */
type AppLike = Pick<RequestLike, 'app'>;

/** `APP_PUBLIC_PATH` normalised to start and end with one slash. */
export function publicPath(env: NodeJS.ProcessEnv = process.env): string {
  return normalisePublicPath(env.APP_PUBLIC_PATH || '/');
}

export function configuredOrigin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = env.APP_URL?.trim();
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** The API base path: NocoBase's `API_BASE_PATH` when it is an absolute path, else `<public path>api/`. */
function apiBasePath(env: NodeJS.ProcessEnv): string {
  const raw = env.API_BASE_PATH?.trim();
  if (raw && raw.startsWith('/')) return raw.endsWith('/') ? raw : `${raw}/`;
  return `${publicPath(env)}api/`;
}

/**
 * The scheme the browser used, as NocoBase itself reads it for its own auth cookies (`getAuthCookieOptions`): the
 * first `X-Forwarded-Proto` a TLS-terminating proxy sets, else the connection's. Trusting the same signal keeps the
 * Redirect URL on the scheme of the cookies the callback needs; the header can only pick http or https.
 */
export function requestScheme(ctx: RequestLike): 'http' | 'https' {
  const header = ctx.headers?.['x-forwarded-proto'];
  const forwarded = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim().toLowerCase();
  if (forwarded === 'http' || forwarded === 'https') return forwarded;
  return ctx.protocol === 'https' ? 'https' : 'http';
}

/**
 * The app's own pages, as NocoBase 2.2 serves them: the main app under the public path, a sub-app of the multi-app
 * manager under `<public path>apps/<name>/` (the same page shell, whose client takes the app name from that path).
 */
export function appBasePath(ctx: AppLike, env: NodeJS.ProcessEnv = process.env): string {
  const name = subAppName(ctx);
  return name ? `${publicPath(env)}apps/${encodeURIComponent(name)}/` : publicPath(env);
}

function subAppName(ctx: AppLike): string | undefined {
  const name = ctx.app?.name;
  return name && name !== 'main' ? name : undefined;
}

/** The app's public origin: `APP_URL`, else (with a warning in the settings form) the request's. */
function origin(ctx: RequestLike, env: NodeJS.ProcessEnv): string {
  return configuredOrigin(env) ?? `${requestScheme(ctx)}://${ctx.host}`;
}

/** The page to set as the DingTalk app's homepage: the app itself, which signs in by itself inside DingTalk. */
export function homepageUrl(ctx: RequestLike, env: NodeJS.ProcessEnv = process.env): string {
  return new URL(`${appBasePath(ctx, env)}admin`, origin(ctx, env)).toString();
}

export function callbackUrl(ctx: RequestLike, env: NodeJS.ProcessEnv = process.env): string {
  return actionUrl(ctx, 'redirect', {}, env);
}

/** Where DingTalk pushes a directory sync source's events (push mode): the source's Callback URL in DingTalk's console. */
export function directoryEventsUrl(ctx: RequestLike, sourceName: string, env: NodeJS.ProcessEnv = process.env): string {
  return resourceActionUrl(ctx, 'dingtalkDirectory:events', { source: sourceName }, env);
}

function actionUrl(ctx: RequestLike, action: string, params: Record<string, string>, env: NodeJS.ProcessEnv): string {
  return resourceActionUrl(ctx, `dingtalk:${action}`, params, env);
}

/** An action of ours on the app's public origin, with the sub-application's name when there is one. */
function resourceActionUrl(ctx: RequestLike, resourceAction: string, params: Record<string, string>, env: NodeJS.ProcessEnv): string {
  const url = new URL(`${apiBasePath(env)}${resourceAction}`, origin(ctx, env));
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  // The gateway picks the app from `__appName`; the path stays the API's so the cookies set at the start reach it.
  const appName = subAppName(ctx);
  if (appName) url.searchParams.set('__appName', appName);
  return url.toString();
}

/**
 * Where a sign-in starts when the page is open at another address than `APP_URL` (`http://127.0.0.1:13000` for
 * `http://localhost:13000`): the binding cookie must be set where DingTalk's callback lands. `pageOrigin` is the
 * `Origin` the browser sent; undefined when it is the configured one, or when no address is configured.
 */
export function startUrlElsewhere(
  ctx: RequestLike,
  pageOrigin: string | undefined,
  params: { authenticator: string; redirect: string },
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const configured = configuredOrigin(env);
  if (!configured || !pageOrigin || pageOrigin === configured) return undefined;
  return actionUrl(ctx, 'start', params, env);
}

/** The modern client's first path segment, as NocoBase's gateway reads `APP_MODERN_CLIENT_PREFIX` (default `v`). */
export function modernClientPrefix(env: NodeJS.ProcessEnv = process.env): string {
  return prefixOf(env.APP_MODERN_CLIENT_PREFIX);
}

/**
 * Whether a checked return path is a page of NocoBase's modern client (`<public path><prefix>/…`, or `/<prefix>/…`
 * relative to the public path): its sign-in page (`/v/signin`) normalises `?redirect=` to such a path, so a sign-in
 * started there comes back there, where the v2 bundle's button finishes it. With `APP_CLIENT_ENTRY_MODE=modern-only`
 * that is the only client the browser gets.
 */
export function isModernClientPath(path: string | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!path) return false;
  const pathname = path.split(/[?#]/, 1)[0];
  const prefix = modernClientPrefix(env);
  return [`${publicPath(env)}${prefix}`, `/${prefix}`].some((root) => pathname === root || pathname.startsWith(`${root}/`));
}

/**
 * The sign-in page of the app that handles the request, relative to the site root, with our query parameters: the
 * modern client's when the return path (`redirect`) is one of its pages, else the v1 client's.
 */
export function signInPageUrl(ctx: AppLike, params: Record<string, string | undefined>, env: NodeJS.ProcessEnv = process.env): string {
  const page = isModernClientPath(params.redirect, env) ? `${modernClientPrefix(env)}/signin` : 'signin';
  return `${appBasePath(ctx, env)}${page}?${withParams('/', params).searchParams.toString()}`;
}

/** An app-relative path (`/admin/abc?x=1#y`) with the defined parameters set on its query. */
function withParams(path: string, params: Record<string, string | undefined>): URL {
  const url = new URL(path, 'http://app.invalid');
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  return url;
}

/**
 * A page of the app that handles the request (an app-relative path such as `/admin/abc?x=1`, as its router sees it)
 * under that app's base path, with parameters added.
 */
export function appPageUrl(
  ctx: AppLike,
  path: string,
  params: Record<string, string | undefined>,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const url = withParams(path, params);
  return `${appBasePath(ctx, env)}${url.pathname.slice(1)}${url.search}${url.hash}`;
}

/**
 * The page a successful sign-in lands on, with our query parameters: the checked return path, of NocoBase's modern
 * client when it is one of its pages (given from the site root, `<public path><prefix>/…`, or as `/<prefix>/…`),
 * else of the v1 client, under the base path of the app that handles the request. The page itself finishes the
 * sign-in while it loads, so the browser loads the app once.
 */
export function landingPageUrl(
  ctx: AppLike,
  path: string,
  params: Record<string, string | undefined>,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const modernRoot = `${publicPath(env)}${modernClientPrefix(env)}`;
  const pathname = path.split(/[?#]/, 1)[0];
  if (isModernClientPath(path, env) && (pathname === modernRoot || pathname.startsWith(`${modernRoot}/`))) {
    // Already a path from the site root: only the parameters are added.
    const url = withParams(path, params);
    return `${url.pathname}${url.search}${url.hash}`;
  }
  return appPageUrl(ctx, path, params, env);
}
