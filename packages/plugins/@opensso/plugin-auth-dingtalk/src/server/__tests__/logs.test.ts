/**
 * Checklist D4 and "log hygiene": the logs of a whole success and of every failure path carry the
 * authenticator, the outcome or error code and DingTalk's request id, and no client secret, auth code, state,
 * ticket, DingTalk token or NocoBase token. G6: nor NocoBase's request log of an admin saving a client secret, or
 * of an in-app sign-in with its code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shortHash } from '@opensso/dingtalk-emulator';
import {
  CLIENT_SECRET,
  Harness,
  SECOND_CLIENT,
  approveAtDingTalk,
  createAuthenticator,
  followCallback,
  redeem,
  signInWithDingTalk,
  startHarness,
  startSignIn,
  readLogs,
} from './harness';

const storage = mkdtempSync(join(tmpdir(), 'auth-dingtalk-logs-'));
let h: Harness;
let logs = '';
/** Every secret a flow handled; none may appear in a log. */
const secrets = new Set<string>([CLIENT_SECRET]);

/** G6: the secrets of the admin's requests and of an in-app sign-in. */
const requestSecrets = new Set<string>();

function remember(...values: Array<string | null | undefined>) {
  for (const value of values) if (value) secrets.add(value);
}

function cookieValue(setCookie: string[] | string | undefined, name: string) {
  const lines = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return lines.map((line) => line.match(new RegExp(`^${name}=([^;]+)`))?.[1]).find(Boolean);
}


/** Runs one flow, remembering the state, auth code, ticket and NocoBase token it involved. */
async function flow(identity: Record<string, string>, options: { authenticator?: string } = {}) {
  const result = await signInWithDingTalk(h, identity, options);
  remember(
    new URL(result.start.body.data.url).searchParams.get('state'),
    result.callbackUrl.searchParams.get('authCode'),
    cookieValue(result.callback.headers['set-cookie'], 'dingtalk_ticket'),
    result.signIn?.body?.data?.token,
  );
  return result;
}

beforeAll(async () => {
  Object.assign(process.env, {
    STORAGE_PATH: storage,
    LOGGER_SILENT: 'false',
    LOGGER_TRANSPORT: 'file',
    LOGGER_FORMAT: 'json',
    LOGGER_LEVEL: 'debug',
  });
  h = await startHarness();
  await createAuthenticator(h.app);
  await createAuthenticator(h.app, { name: 'dingtalk-closed', options: { clientId: 'dingtestclient', clientSecret: CLIENT_SECRET } });

  const person = (n: number, extra: Record<string, string> = {}) => ({
    nick: `日志${n}`,
    mobile: `1360000${1000 + n}`,
    stateCode: '86',
    unionId: `log-union-${n}`,
    openId: `log-open-${n}`,
    ...extra,
  });

  // Success: a sign-up, then the same person again.
  const first = await flow(person(1));
  expect(first.signIn?.status).toBe(200);
  await flow(person(1));
  // The ticket replayed.
  await redeem(first.browser);
  // Every failure path of the callback.
  await flow(person(2), { authenticator: 'dingtalk-closed' });
  for (const fault of [
    { mode: 'no-mobile' },
    { mode: 'forbidden', endpoint: 'me' },
    { mode: 'server-error', endpoint: 'userAccessToken' },
    { mode: 'garbage', endpoint: 'me' },
    { mode: 'rate-limit', endpoint: 'userAccessToken' },
    { mode: 'hang', endpoint: 'me' },
  ] as const) {
    h.emulator.setFault(fault);
    await flow(person(3));
    h.emulator.setFault(null);
  }
  const browser = h.app.agent();
  const start = await startSignIn(browser);
  const callback = await approveAtDingTalk(h.emulator, start.body.data.url, person(4));
  remember(callback.searchParams.get('authCode'), callback.searchParams.get('state'));
  await followCallback(browser, callback);
  // The same callback again (used state), and from another browser.
  await followCallback(browser, callback);
  await followCallback(h.app.agent(), callback);
  // Cancelled at DingTalk.
  const cancelled = new URL((await startSignIn(browser)).body.data.url).searchParams.get('state');
  remember(cancelled);
  await browser.get(`/api/dingtalk:redirect?error=access_denied&state=${cancelled}`);
  await startSignIn(h.app.agent(), 'no-such-authenticator');

  // G6: an admin creates an authenticator (with a wrong secret), then corrects its secret; a member signs in
  // inside the DingTalk app with a JSAPI code.
  const wrongSecret = 'g6-secret-typed-first-5d1c';
  requestSecrets.add(wrongSecret).add(SECOND_CLIENT.clientSecret);
  const adminUser = await h.app.db.getRepository('users').findOne({ filter: { email: 'admin@nocobase.com' } });
  const admin = await h.app.agent().login(adminUser, 'root');
  const corpId = 'dingemulatorcorp';
  const created = await admin.post('/api/authenticators:create').send({
    name: 'dingtalk-in-app',
    authType: 'dingtalk',
    enabled: true,
    options: { clientId: SECOND_CLIENT.clientId, clientSecret: wrongSecret, autoSignup: true, inAppSignIn: true, corpId },
  });
  expect(created.status).toBe(200);
  // Refused by the save hook (in-app sign-in needs the organization): the request is logged all the same.
  const refusedSecret = 'g6-secret-of-a-refused-save-8e2a';
  requestSecrets.add(refusedSecret);
  const refused = await admin.post('/api/authenticators:create').send({
    name: 'dingtalk-refused',
    authType: 'dingtalk',
    options: { clientId: SECOND_CLIENT.clientId, clientSecret: refusedSecret, inAppSignIn: true },
  });
  expect(refused.status).toBe(400);
  // The settings form sends the whole record (NocoBase refuses an update that leaves no authenticator enabled).
  const updated = await admin.post('/api/authenticators:update').query({ filterByTk: created.body.data.id }).send({
    enabled: true,
    options: { clientId: SECOND_CLIENT.clientId, clientSecret: SECOND_CLIENT.clientSecret, autoSignup: true, inAppSignIn: true, corpId },
  });
  expect(updated.status, JSON.stringify(updated.body)).toBe(200);
  const inAppCode = h.emulator.mintJsapiCode({ identity: 'zhangsan', corpId, clientId: SECOND_CLIENT.clientId }).code;
  requestSecrets.add(inAppCode);
  const inApp = await h.app.agent().post('/api/auth:signIn').set('X-Authenticator', 'dingtalk-in-app').send({ inAppCode });
  expect(inApp.status).toBe(200);
  remember(inApp.body.data.token);

  // Every DingTalk token the plugin presented, as the emulator saw it (it keeps only hashes).
  const tokenHashes = new Set(h.emulator.log().map((entry) => entry.tokenHash).filter(Boolean));
  expect(tokenHashes.size).toBeGreaterThan(0);
  await h.close();
  logs = readLogs(join(storage, 'logs'));
  for (const candidate of logs.match(/[0-9a-f]{32}/g) ?? []) {
    if (tokenHashes.has(shortHash(candidate))) secrets.add(candidate);
  }
}, 120_000);

afterAll(() => {
  rmSync(storage, { recursive: true, force: true });
});

describe('logs of a whole flow (D4)', () => {
  it('D4 record each sign-in with the authenticator, the outcome or the error code, and DingTalk request ids', () => {
    expect(logs).toContain('dingtalk: sign-in callback succeeded');
    expect(logs).toMatch(/"outcome":"signed-up"/);
    expect(logs).toMatch(/"outcome":"linked-user"/);
    for (const code of [
      'USER_NOT_FOUND',
      'MOBILE_PERMISSION_MISSING',
      'DINGTALK_PERMISSION_DENIED',
      'DINGTALK_UNAVAILABLE',
      'DINGTALK_BAD_RESPONSE',
      'DINGTALK_RATE_LIMITED',
      'STATE_INVALID',
      'CANCELLED',
      'TICKET_INVALID',
      'AUTHENTICATOR_INVALID',
    ]) {
      expect(logs).toContain(`"code":"${code}"`);
    }
    expect(logs).toMatch(/"authenticator":"dingtalk-closed"/);
    // The 403 came with a DingTalk request id, and the log keeps it.
    const refusal = logs.split('\n').find((line) => line.includes('"code":"DINGTALK_PERMISSION_DENIED"'));
    expect(refusal).toMatch(/"requestIds":\["[^"]+"/);
  });

  it('D4 contain no client secret, auth code, state, ticket, DingTalk token or NocoBase token', () => {
    expect(secrets.size).toBeGreaterThan(10);
    const found = [...secrets].filter((secret) => logs.includes(secret));
    expect(found).toEqual([]);
  });

  it('D4 show the callback URL redacted in NocoBase request log', () => {
    expect(logs).toMatch(/dingtalk:redirect\?authCode=redacted&state=redacted/);
  });
});

describe('request logs of secrets in action parameters (G6)', () => {
  it('G6 NocoBase request log holds no client secret of authenticators:create or update, and no in-app code', () => {
    const found = [...requestSecrets].filter((secret) => logs.includes(secret));
    expect(found).toEqual([]);
    // The requests were logged, with their parameters: only the secrets are gone.
    expect(logs).toMatch(/"actionName":"create","resourceName":"authenticators".*"clientSecret":"redacted"/);
    expect(logs).toMatch(/"actionName":"update","resourceName":"authenticators".*"clientSecret":"redacted"/);
    expect(logs).toMatch(/"actionName":"signIn","resourceName":"auth".*"inAppCode":"redacted"/);
  });
});
