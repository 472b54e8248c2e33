/**
 * How NocoBase's public path and the modern client's prefix are read, shared by the server (the URLs it builds) and
 * both browser bundles (the paths they send and follow), so the two sides never disagree on where a page is.
 * No Node API here: it runs in the browser too.
 */

/**
 * A public path (`APP_PUBLIC_PATH`, `app.getPublicPath()`) with exactly one slash at each end: `nocobase` and
 * `/nocobase//` are `/nocobase/`, an empty one is `/`. NocoBase itself accepts all these spellings.
 */
export function normalisePublicPath(value: string): string {
  return `/${value.trim().replace(/^\/+|\/+$/g, '')}/`.replace(/\/{2,}/g, '/');
}

/** The modern client's first path segment, as NocoBase's gateway reads `APP_MODERN_CLIENT_PREFIX` (default `v`). */
export function modernClientPrefix(value: unknown): string {
  const segment = typeof value === 'string' ? value.trim().replace(/^\/+|\/+$/g, '') : '';
  return segment || 'v';
}
