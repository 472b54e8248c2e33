/**
 * A real NocoBase app (SQLite in memory, NocoBase's own users/auth/acl plugins and ours) and the DingTalk
 * emulator on a loopback port; the plugin reaches the emulator over HTTP exactly as it would reach DingTalk.
 * A "browser" is a supertest agent: it keeps its own cookies, so two agents are two browsers.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMockServer, MockServer } from '@nocobase/test';
import { startEmulator, type Emulator } from '@opensso/dingtalk-emulator';
import PluginAuthDingTalkServer from '../plugin';
import { psql } from './postgres';

export const CLIENT_ID = 'dingtestclient';
export const CLIENT_SECRET = 'test-client-secret-7f3a9c';
export const CREDENTIALS = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
export const APP_URL = 'http://nocobase.test:13000';

export interface Harness {
  app: MockServer;
  emulator: Emulator;
  close(): Promise<void>;
}

/** A second DingTalk app of the same organization, for tests that need an app token nobody fetched yet. */
export const SECOND_CLIENT = { clientId: 'dingtestclient2', clientSecret: 'test-client-secret-2b8e' };

/**
 * `databaseFile`: SQLite in a file rather than in memory, for tests of concurrent writes. In memory every
 * transaction shares one connection, which no deployment does, and concurrent transactions trample each other.
 * `redisUrl`: NocoBase's cache in that Redis instead of in memory, as in a cluster.
 * `appName`: the app's name, as the multi-app manager names a sub-app.
 * `extraPlugins`: more of NocoBase's own plugins by name, loaded before ours (e.g. user-data-sync, departments).
 * `emulatorOptions`: more options of the emulator (e.g. its directory QPS limit).
 */
export async function startHarness(
  options: { databaseFile?: boolean; redisUrl?: string; appName?: string; extraPlugins?: string[]; emulatorOptions?: { directoryQps?: number } } = {},
): Promise<Harness> {
  // On PostgreSQL (vitest.postgres.config.mts) each test file has a database of its own in the run's cluster, and
  // concurrent transactions are real already: no file needed.
  const postgresDatabase = process.env.DB_DIALECT === 'postgres' ? `dingtalk_${process.pid}_${Date.now()}` : undefined;
  if (postgresDatabase) {
    psql(`CREATE DATABASE ${postgresDatabase}`);
    process.env.DB_DATABASE = postgresDatabase;
  }
  const databaseFile = options.databaseFile && !postgresDatabase ? join(tmpdir(), `auth-dingtalk-${process.pid}-${Date.now()}.sqlite`) : undefined;
  if (databaseFile) process.env.DB_STORAGE = databaseFile;
  const emulator = await startEmulator({
    port: 0,
    clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, SECOND_CLIENT],
    ...options.emulatorOptions,
  });
  process.env.DINGTALK_LOGIN_URL = emulator.url;
  process.env.DINGTALK_API_URL = emulator.url;
  process.env.DINGTALK_OAPI_URL = emulator.url;
  process.env.APP_URL = APP_URL;
  process.env.DINGTALK_TIMEOUT_MS = '1500';
  const app = await createMockServer({
    // `appName`: the app as a sub-app of the multi-app manager would be named (`main` otherwise).
    ...(options.appName ? { name: options.appName } : {}),
    // As in a real app, where API_BASE_PATH is /api/: the cookie paths and the Redirect URL depend on it.
    resourcer: { prefix: '/api' },
    ...(options.redisUrl ? { cacheManager: { defaultStore: 'redis', stores: { redis: { url: options.redisUrl } } } } : {}),
    // `extraPlugins`: NocoBase plugins a test needs besides these (e.g. notification-manager), loaded before ours.
    plugins: ['field-sort', 'error-handler', 'data-source-main', 'data-source-manager', 'users', 'acl', 'auth', ...(options.extraPlugins ?? []), PluginAuthDingTalkServer],
  });
  return {
    app,
    emulator,
    async close() {
      await app.destroy();
      await emulator.close();
      if (databaseFile) rmSync(databaseFile, { force: true });
      if (postgresDatabase) psql(`DROP DATABASE ${postgresDatabase} WITH (FORCE)`);
    },
  };
}

export async function createAuthenticator(
  app: MockServer,
  values: { name?: string; enabled?: boolean; options?: Record<string, unknown> } = {},
) {
  return app.db.getRepository('authenticators').create({
    values: {
      name: values.name ?? 'dingtalk',
      authType: 'dingtalk',
      enabled: values.enabled ?? true,
      options: values.options ?? { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, autoSignup: true },
    },
  });
}

export type Browser = ReturnType<MockServer['agent']>;

/**
 * A factory of DingTalk identities nobody has seen yet. Each test file passes its own tag and 7-digit phone
 * prefix, so the people of one file never match another's users.
 */
export function people(tag: string, phonePrefix: string) {
  let seq = 0;
  return (overrides: Record<string, string> = {}) => {
    seq += 1;
    return {
      nick: `${tag}${seq}`,
      mobile: `${phonePrefix}${String(1000 + seq)}`,
      stateCode: '86',
      email: `${phonePrefix}.${seq}@example.com`,
      unionId: `${phonePrefix}-union-${seq}`,
      openId: `${phonePrefix}-open-${seq}`,
      ...overrides,
    };
  };
}

/** Step 1: the sign-in button asks for DingTalk's authorization URL. */
export async function startSignIn(browser: Browser, authenticator = 'dingtalk', redirect: unknown = '/admin/settings') {
  const res = await browser
    .post('/api/dingtalk:getAuthUrl')
    .set('X-Authenticator', authenticator)
    .send({ redirect });
  return res;
}

/** Step 2: the person approves at the emulator's login page; returns the callback URL DingTalk redirects to. */
export async function approveAtDingTalk(emulator: Emulator, authUrl: string, identity: string | Record<string, string>) {
  const url = new URL(authUrl);
  const body: Record<string, string> = {
    redirect_uri: url.searchParams.get('redirect_uri') ?? '',
    client_id: url.searchParams.get('client_id') ?? '',
    state: url.searchParams.get('state') ?? '',
    scope: url.searchParams.get('scope') ?? '',
    ...(typeof identity === 'string' ? { identity } : identity),
  };
  const res = await fetch(`${emulator.url}/oauth2/auth/approve`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    redirect: 'manual',
  });
  if (res.status !== 302) throw new Error(`emulator answered ${res.status}: ${await res.text()}`);
  return new URL(res.headers.get('location') ?? '');
}

/** Step 3: the browser follows DingTalk's redirect to our callback (path and query of the registered URL). */
export async function followCallback(browser: Browser, callback: URL) {
  return browser.get(`${callback.pathname}${callback.search}`);
}

/** Step 4: the landing page redeems the ticket through NocoBase's own sign-in action. */
export async function redeem(browser: Browser, authenticator = 'dingtalk') {
  return browser.post('/api/auth:signIn').set('X-Authenticator', authenticator).send({});
}

/** The whole browser flow; returns every answer so tests can look at each step. */
export async function signInWithDingTalk(
  h: Harness,
  identity: string | Record<string, string>,
  options: { browser?: Browser; authenticator?: string; redirect?: unknown } = {},
) {
  const browser = options.browser ?? h.app.agent();
  const start = await startSignIn(browser, options.authenticator, options.redirect);
  if (start.status !== 200) throw new Error(`getAuthUrl answered ${start.status}: ${JSON.stringify(start.body)}`);
  const callbackUrl = await approveAtDingTalk(h.emulator, start.body.data.url, identity);
  const callback = await followCallback(browser, callbackUrl);
  const landing = new URL(callback.headers.location ?? '', APP_URL);
  const signIn = landing.searchParams.has('dingtalk_signin') ? await redeem(browser, options.authenticator) : undefined;
  return { browser, start, callbackUrl, callback, landing, signIn };
}

export async function countUsers(app: MockServer) {
  return app.db.getRepository('users').count();
}

export async function countLinks(app: MockServer, authenticator = 'dingtalk') {
  return app.db.getRepository('usersAuthenticators').count({ filter: { authenticator } });
}

/** Everything NocoBase wrote under a log folder (its files in every subfolder), as one text to search. */
export function readLogs(dir: string): string {
  let text = '';
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    text += statSync(path).isDirectory() ? readLogs(path) : readFileSync(path, 'utf8');
  }
  return text;
}
