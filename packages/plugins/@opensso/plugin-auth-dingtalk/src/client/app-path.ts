import { normalisePublicPath } from '../public-path';

/**
 * The base path of the app this page belongs to, as NocoBase 2.2's v1 client addresses it: the public path for the
 * main app, `<public path>apps/<name>/` for a sub-app of the multi-app manager (`app.getName()`, read by the host
 * from that very path). The server builds its landing URLs under the same base, so paths we send it are relative
 * to it.
 */
export function appBasePath(publicPath: string, appName?: string | null): string {
  const base = normalisePublicPath(publicPath);
  return appName && appName !== 'main' ? `${base}apps/${encodeURIComponent(appName)}/` : base;
}
