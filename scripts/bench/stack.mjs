// What the bench runs against, all private to it: the DingTalk emulator, PostgreSQL with `--pg` (a cluster of its
// own, started as the tests start theirs), and NocoBase of this workspace with the plugin built and enabled, an
// authenticator configured as `npm start` configures it, its storage under test-results/bench/. `stopAll` stops
// every process it started, in reverse order.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { bin, buildPlugin, emulatorDir, launch, loadEnv, pluginName, root, waitFor } from '../lib.mjs';
import { adminClient, enablePlugin, ensureAuthenticator, install, start, stop } from '../nocobase.mjs';

export const ADMIN = { email: 'admin@nocobase.com', password: 'admin123' };
/** The emulator's default DingTalk app (packages/dingtalk-emulator README). */
const CLIENT = { clientId: 'dingemulatorclient', clientSecret: 'emulator-secret' };
export const AUTHENTICATOR = 'dingtalk';
export const AUTHENTICATOR_TITLE = 'Sign in with DingTalk';
export const SAME_TAB_AUTHENTICATOR = 'dingtalk-same-tab';
export const SAME_TAB_TITLE = 'DingTalk in the same tab';

const stoppers = [];

export async function stopAll() {
  while (stoppers.length) {
    try {
      await stoppers.pop()();
    } catch (error) {
      console.error(`bench: while stopping: ${error.message}`);
    }
  }
}

/**
 * `ports`: base, base+1 (emulator), base+2 (PostgreSQL). Returns the app's URL, its environment, the emulator's URL
 * and a signed-in admin.
 */
export async function startStack({ dir, basePort, postgres: usePostgres, log }) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  buildPlugin();

  const emulatorPort = basePort + 1;
  const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  const emulator = launch('dingtalk-emulator', bin('tsx'), [join(emulatorDir, 'src/cli.ts'), '--port', String(emulatorPort)], {
    detached: true,
    logFile: join(dir, 'logs/emulator.log'),
  });
  stoppers.push(() => stop(emulator));
  await waitFor(`${emulatorUrl}/__emulator/health`, { timeoutMs: 30_000 });

  const appUrl = `http://127.0.0.1:${basePort}`;
  const env = {
    ...loadEnv(),
    // As an admin would run it, not a developer's console (no dev-mode logging or checks in the figures).
    APP_ENV: 'production',
    APP_PORT: String(basePort),
    APP_URL: appUrl,
    STORAGE_PATH: join(dir, 'storage'),
    SOCKET_PATH: join(dir, 'storage/gateway.sock'),
    PM2_HOME: join(dir, 'pm2'),
    INIT_ROOT_EMAIL: ADMIN.email,
    INIT_ROOT_PASSWORD: ADMIN.password,
    DINGTALK_LOGIN_URL: emulatorUrl,
    DINGTALK_API_URL: emulatorUrl,
    DINGTALK_OAPI_URL: emulatorUrl,
    // Every person of the bench starts from 127.0.0.1: the per-address limit on sign-in starts (abuse protection)
    // would otherwise be what the race measures.
    DINGTALK_START_LIMIT_PER_MINUTE: '1000000',
  };
  delete env.NODE_OPTIONS;
  let db;
  if (usePostgres) {
    const { startPostgres, PG_USER, psql } = await tsImport(
      '../../packages/plugins/@opensso/plugin-auth-dingtalk/src/server/__tests__/postgres.ts',
      import.meta.url,
    );
    log('starting a private PostgreSQL');
    const pg = await startPostgres(basePort + 2);
    stoppers.push(() => pg.stop());
    Object.assign(env, { DB_DIALECT: 'postgres', DB_HOST: pg.host, DB_PORT: String(pg.port), DB_USER: PG_USER, DB_PASSWORD: '', DB_DATABASE: 'bench' });
    psql('CREATE DATABASE bench', env);
    db = { dialect: 'postgres', host: pg.host, port: pg.port, user: PG_USER, database: 'bench' };
  } else {
    const storage = join(dir, 'storage/db/bench.sqlite');
    mkdirSync(join(dir, 'storage/db'), { recursive: true });
    Object.assign(env, { DB_DIALECT: 'sqlite', DB_STORAGE: storage });
    for (const key of ['DB_HOST', 'DB_PORT', 'DB_USER', 'DB_PASSWORD', 'DB_DATABASE']) delete env[key];
    db = { dialect: 'sqlite', file: storage };
  }

  log(`installing NocoBase (${env.DB_DIALECT}) under ${dir}, enabling ${pluginName}`);
  install(env);
  enablePlugin(env);
  log('starting NocoBase');
  const nocobase = await start(env, { logFile: join(dir, 'logs/nocobase.log'), onSpawn: (child) => stoppers.push(() => stop(child)) });

  const admin = await adminClient(env, ADMIN);
  // As `npm start` makes it: the default sign-in window (a popup on desktop browsers).
  await ensureAuthenticator(admin, {
    name: AUTHENTICATOR,
    authType: 'dingtalk',
    title: AUTHENTICATOR_TITLE,
    enabled: true,
    options: { ...CLIENT, autoSignup: true },
  });
  // The same DingTalk app in the same tab (`signInWindow: 'page'`), for the browser comparison.
  await ensureAuthenticator(admin, {
    name: SAME_TAB_AUTHENTICATOR,
    authType: 'dingtalk',
    title: SAME_TAB_TITLE,
    enabled: true,
    options: { ...CLIENT, autoSignup: true, signInWindow: 'page' },
  });
  return { appUrl, emulatorUrl, env, db, admin, nocobasePid: nocobase.pid, root };
}
