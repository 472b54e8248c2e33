/**
 * URLs that leave the server: the Redirect URL registered at DingTalk and the sign-in page the callback sends the
 * browser to. The origin comes from configuration (`APP_URL`), not from the request's Host header, which a client
 * controls; only when `APP_URL` is unset does it fall back to the request, and the settings form says so.
 */

interface RequestLike {
  protocol: string;
  host: string;
  app?: { name?: string };
}

/** `APP_PUBLIC_PATH` normalised to start and end with one slash. */
export function publicPath(env: NodeJS.ProcessEnv = process.env): string {
  const raw = (env.APP_PUBLIC_PATH || '/').trim();
  return `/${raw.replace(/^\/+|\/+$/g, '')}/`.replace(/\/{2,}/g, '/');
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

/** The app's public origin: `APP_URL`, else (with a warning in the settings form) the request's. */
function origin(ctx: RequestLike, env: NodeJS.ProcessEnv): string {
  return configuredOrigin(env) ?? `${ctx.protocol}://${ctx.host}`;
}

/** The page to set as the DingTalk app's homepage: the app itself, which signs in by itself inside DingTalk. */
export function homepageUrl(ctx: RequestLike, env: NodeJS.ProcessEnv = process.env): string {
  return new URL(`${publicPath(env)}admin`, origin(ctx, env)).toString();
}

export function callbackUrl(ctx: RequestLike, env: NodeJS.ProcessEnv = process.env): string {
  const url = new URL(`${apiBasePath(env)}dingtalk:redirect`, origin(ctx, env));
  const appName = ctx.app?.name;
  if (appName && appName !== 'main') url.searchParams.set('__appName', appName);
  return url.toString();
}

/** The modern client's first path segment, as NocoBase's gateway reads `APP_MODERN_CLIENT_PREFIX` (default `v`). */
export function modernClientPrefix(env: NodeJS.ProcessEnv = process.env): string {
  return (env.APP_MODERN_CLIENT_PREFIX || '').trim().replace(/^\/+|\/+$/g, '') || 'v';
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
 * The sign-in page, relative to the site root, with our query parameters: the modern client's when the return path
 * (`redirect`) is one of its pages, else the v1 client's.
 */
export function signInPageUrl(params: Record<string, string | undefined>, env: NodeJS.ProcessEnv = process.env): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) query.set(key, value);
  }
  const page = isModernClientPath(params.redirect, env) ? `${modernClientPrefix(env)}/signin` : 'signin';
  return `${publicPath(env)}${page}?${query.toString()}`;
}

/** A page of the app (an app-relative path such as `/admin/abc?x=1`) under the public path, with parameters added. */
export function appPageUrl(path: string, params: Record<string, string | undefined>, env: NodeJS.ProcessEnv = process.env): string {
  const url = new URL(path, 'http://app.invalid');
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  return `${publicPath(env)}${url.pathname.slice(1)}${url.search}${url.hash}`;
}
