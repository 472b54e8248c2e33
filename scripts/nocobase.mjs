// Drives a NocoBase app of this workspace: install (idempotent), start, and the admin calls the demo and the
// browser test need. NocoBase's own CLI (`nocobase-v1`) does the work; it wants `yarn` on PATH.
import { join } from 'node:path';
import { launch, log, pluginName, root, run, waitFor } from './lib.mjs';
import { localApiUrl } from './urls.mjs';

/** NocoBase's CLI of the app in `cwd` (this workspace by default, or a user app made by the browser tests). */
const cli = (cwd) => join(cwd, 'node_modules/.bin/nocobase-v1');

/** The environment NocoBase's CLI runs with: yarn on PATH, and each app in its own storage folder. */
export function nocobaseEnv(env) {
  return { ...env, PATH: `${join(root, '.tools/node_modules/.bin')}:${env.PATH ?? process.env.PATH}` };
}

/** Installs NocoBase into the configured database; a no-op ("app is installed") when it already is. */
export function install(env, cwd = root) {
  run(cli(cwd), ['install'], { cwd, env: nocobaseEnv(env), stdio: env.NOCOBASE_VERBOSE ? 'inherit' : 'ignore' });
}

/** Adds a plugin from a .tgz the way `yarn pm add <file>` does: unpacked under storage/plugins, linked. */
export function addPlugin(env, tarball, cwd = root) {
  run(cli(cwd), ['pm', 'add', tarball], { cwd, env: nocobaseEnv(env), stdio: env.NOCOBASE_VERBOSE ? 'inherit' : 'ignore' });
}

/** Enables a plugin with the server stopped (NocoBase records it; the next start loads it). */
export function enablePlugin(env, name = pluginName, cwd = root) {
  run(cli(cwd), ['pm', 'enable', name], { cwd, env: nocobaseEnv(env), stdio: env.NOCOBASE_VERBOSE ? 'inherit' : 'ignore' });
}

/** Starts NocoBase in the foreground (no pm2 daemon) and resolves once it answers. */
export async function start(env, { logFile, cwd = root, onSpawn } = {}) {
  const child = launch('nocobase', cli(cwd), ['start', '--launch-mode', 'node'], {
    cwd,
    env: nocobaseEnv(env),
    logFile,
    detached: true,
  });
  // A caller that stops everything on Ctrl+C needs the process before it answers.
  onSpawn?.(child);
  const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`NocoBase exited with ${code}`))));
  await Promise.race([
    // JSON only: under a wrong path the server answers 200 with the client's HTML page.
    waitFor(localApiUrl(env, 'app:getInfo').href, { timeoutMs: 180_000, ok: (res) => res.ok && isJson(res) }),
    exited,
  ]);
  return child;
}

function isJson(res) {
  return (res.headers.get('content-type') ?? '').includes('application/json');
}

/** Stops a process started with `start` and everything it spawned. */
export function stop(child) {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      resolve();
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, 10_000).unref();
  });
}

/** A tiny client of the HTTP API of the app on `env.APP_PORT` (under its public path), signed in as an admin. */
export async function adminClient(env, { email, password }) {
  const call = async (action, { method = 'POST', body, token, params } = {}) => {
    const url = localApiUrl(env, action);
    for (const [k, v] of Object.entries(params ?? {})) url.searchParams.set(k, String(v));
    const res = await fetch(url, {
      method,
      headers: {
        'content-type': 'application/json',
        'x-authenticator': 'basic',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) throw new Error(`${action} answered ${res.status}: ${text.slice(0, 300)}`);
    if (json === undefined) throw new Error(`${url.pathname} answered ${res.status} without JSON (is APP_PUBLIC_PATH or API_BASE_PATH right?)`);
    return json.data;
  };
  const session = await call('auth:signIn', { body: { account: email, password } });
  const token = session.token;
  return {
    token,
    call: (action, options = {}) => call(action, { ...options, token }),
  };
}

/** Creates the authenticator unless one of that name exists: an admin's later changes are kept. */
export async function ensureAuthenticator(admin, values) {
  const existing = await admin.call('authenticators:list', {
    method: 'GET',
    params: { filter: JSON.stringify({ name: values.name }) },
  });
  if (existing?.length) return 'kept';
  await admin.call('authenticators:create', { body: values });
  return 'created';
}

export { log };
