import { DEFAULT_RETURN_PATH } from './constants';

/**
 * The one rule for where a browser may be sent after signing in or linking, shared by the server (the return path
 * kept with a state) and the browser bundle (the sign-in page's `?redirect=`), so no page of ours navigates to a
 * value the other side would have refused. Plain JavaScript: no Node API, so it runs in both.
 */

/** Resolves paths only; never requested or shown. */
const BASE = 'http://app.invalid';
const MAX_LENGTH = 2048;

/**
 * A post-login return path, kept only when it is a path of this app, and returned in the URL-normalised form that
 * was checked (dot segments resolved, as every browser and `new URL` resolve them). Anyone can craft the value and
 * the browser is sent there once signed in: protocol-relative (`//evil`), backslash (`/\evil`, which browsers read
 * as `//`), absolute, scheme (`javascript:`), encoded-slash, control-character and dot-segment forms (`/.//evil`,
 * `/%2e//evil`, `/admin/..//evil`, which normalise to `//evil`) all fall back. (NocoBase's `buildRedirectPath`
 * does not reject `//host`.)
 */
export function sanitizeReturnPath(value: unknown, fallback: string = DEFAULT_RETURN_PATH): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return fallback;
  const normalised = normalise(value);
  const decoded = decode(value);
  if (normalised === undefined || decoded === undefined) return fallback;
  // Every form something downstream may act on: a browser normalises, a router or a server may decode once, and a
  // path that only turns into `//host` once decoded then normalised (`/%2e%2e/%2fevil`) is as dangerous.
  const forms = [value, decoded, normalised, decode(normalised), normalise(decoded)];
  return forms.every(isLocalPath) ? normalised : fallback;
}

function isLocalPath(path: string | undefined): boolean {
  if (path === undefined || !path.startsWith('/')) return false;
  if (path.startsWith('//') || path.startsWith('/\\')) return false;
  // Control characters (CR/LF header splitting, tabs browsers strip) and backslashes anywhere.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(path)) return false;
  return true;
}

function decode(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

/** The path as a browser resolves it against the app (`/a/../b` is `/b`, `%2e` segments count as dots). */
function normalise(path: string): string | undefined {
  // Only a local path is resolved: the parser would read `//host` as a host and silently drop tabs and newlines.
  if (!isLocalPath(path)) return undefined;
  try {
    const url = new URL(path, BASE);
    return url.origin === BASE ? `${url.pathname}${url.search}${url.hash}` : undefined;
  } catch {
    return undefined;
  }
}
