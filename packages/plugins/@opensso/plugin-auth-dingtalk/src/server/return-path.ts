import { DEFAULT_RETURN_PATH } from '../constants';

/**
 * Keeps a post-login return path only when it is a path of this app. The path comes from the sign-in page's
 * `?redirect=`, which anyone can craft, and the browser will be sent there after signing in: protocol-relative
 * (`//evil`), backslash (`/\evil`, which browsers read as `//`), absolute, scheme (`javascript:`), encoded-slash and
 * control-character forms all fall back to the default. (NocoBase's `buildRedirectPath` does not reject `//host`.)
 */
export function sanitizeReturnPath(value: unknown, fallback = DEFAULT_RETURN_PATH): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return fallback;
  if (!isLocalPath(value)) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return fallback;
  }
  // A path that only becomes dangerous once decoded (`/%2F%2Fevil`, `/%5Cevil`) is refused too.
  if (!isLocalPath(decoded)) return fallback;
  return value;
}

function isLocalPath(path: string): boolean {
  if (!path.startsWith('/')) return false;
  if (path.startsWith('//') || path.startsWith('/\\')) return false;
  // Control characters (CR/LF header splitting, tabs browsers strip) and backslashes anywhere.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(path)) return false;
  return true;
}
