// Where a NocoBase app of this workspace answers, from the same variables NocoBase reads. Pure functions of an
// environment object, so the scripts and their tests agree on every address.

/** `APP_PUBLIC_PATH` normalised to start and end with one slash (`/`, `/nocobase/`). */
export function publicPath(env) {
  const raw = String(env.APP_PUBLIC_PATH || '/').trim();
  return `/${raw.replace(/^\/+|\/+$/g, '')}/`.replace(/\/{2,}/g, '/');
}

/**
 * The API's path, ending with a slash. NocoBase's CLI prefixes `API_BASE_PATH` (default `/api/`) with the public
 * path when it starts (`/nocobase/` + `/api/` → `/nocobase/api/`); a script that asked `/api/…` under a public path
 * would get the client's HTML page instead of JSON.
 */
export function apiBasePath(env) {
  const api = String(env.API_BASE_PATH || '/api/').trim();
  const joined = `${publicPath(env)}${api.replace(/^\/+/, '')}`;
  return joined.endsWith('/') ? joined : `${joined}/`;
}

/** The URL of an action (`auth:signIn`, `app:getInfo`) of the app listening on `APP_PORT` of this machine. */
export function localApiUrl(env, action) {
  return new URL(`${apiBasePath(env)}${action}`, `http://127.0.0.1:${env.APP_PORT}`);
}

/**
 * The sign-in page people open: on `APP_URL`'s origin (as the plugin builds its Redirect URL), under the public
 * path. `APP_URL` may or may not repeat the public path; only its origin counts.
 */
export function signInAddress(env) {
  const origin = new URL(env.APP_URL || `http://localhost:${env.APP_PORT}`).origin;
  return new URL(`${publicPath(env)}signin`, origin).href;
}
