/**
 * Sign-in inside the DingTalk app (免登): a one-time JSAPI code, resolved with the organization app's cached
 * token through the same identity and matching code as the browser flow.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  Harness,
  SECOND_CLIENT,
  countUsers,
  createAuthenticator,
  signInWithDingTalk,
  startHarness,
} from './harness';

let h: Harness;
const corpId = 'dingemulatorcorp';
const appTokenCalls = () => h.emulator.counters()['POST /v1.0/oauth2/accessToken'] ?? 0;

async function inAppSignIn(code: string, authenticator = 'dingtalk-in-app') {
  return h.app.agent().post('/api/auth:signIn').set('X-Authenticator', authenticator).send({ inAppCode: code });
}

const code = (identity: string, clientId = CLIENT_ID) => h.emulator.mintJsapiCode({ identity, corpId, clientId }).code;

beforeAll(async () => {
  // Concurrent first sign-ins need real transactions.
  h = await startHarness({ databaseFile: true });
  await createAuthenticator(h.app, {
    name: 'dingtalk-in-app',
    options: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, autoSignup: true, inAppSignIn: true, corpId },
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.emulator.setFault(null);
});

describe('in-app sign-in', () => {
  it('signs a member in with a JSAPI code, as the same user the browser flow finds', async () => {
    const inApp = await inAppSignIn(code('zhangsan'));
    expect(inApp.status).toBe(200);
    expect(inApp.body.data.token).toBeTruthy();
    expect(inApp.body.data.user.phone).toBe('13800000001');
    const browser = await signInWithDingTalk(h, 'zhangsan', { authenticator: 'dingtalk-in-app' });
    expect(browser.signIn!.body.data.user.id).toBe(inApp.body.data.user.id);
    const link = await h.app.db.getRepository('usersAuthenticators').findOne({ filter: { authenticator: 'dingtalk-in-app', uuid: 'emuUnionZhangsan0001iE' } });
    expect(link.get('meta')).toMatchObject({ corpId, userid: 'zhangsan01', openId: 'emuOpenZhangsan0001iE' });
  });

  it('refuses a replayed code without creating anything', async () => {
    const once = code('lisi');
    expect((await inAppSignIn(once)).status).toBe(200);
    const users = await countUsers(h.app);
    const replay = await inAppSignIn(once);
    expect(replay.status).toBe(401);
    expect(replay.body.errors[0].code).toBe('DINGTALK_CODE_INVALID');
    expect(await countUsers(h.app)).toBe(users);
  });

  it('is refused by an authenticator without in-app sign-in', async () => {
    await createAuthenticator(h.app, { name: 'browser-only', options: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, autoSignup: true } });
    const res = await inAppSignIn(code('lisi'), 'browser-only');
    expect(res.body.errors[0].code).toBe('AUTHENTICATOR_INVALID');
  });

  it.each([
    [{ mode: 'ip-whitelist', endpoint: 'getuserinfo' }, 'DINGTALK_IP_NOT_ALLOWED'],
    [{ mode: 'not-member', endpoint: 'userGet' }, 'NOT_A_MEMBER'],
    [{ mode: 'errcode', endpoint: 'getuserinfo', errcode: 40078 }, 'DINGTALK_CODE_INVALID'],
    [{ mode: 'rate-limit', endpoint: 'getuserinfo' }, 'DINGTALK_RATE_LIMITED'],
    [{ mode: 'errcode', endpoint: 'userGet', errcode: 90018 }, 'DINGTALK_RATE_LIMITED'],
    [{ mode: 'errcode', endpoint: 'getuserinfo', errcode: 90020 }, 'DINGTALK_QUOTA_EXCEEDED'],
    [{ mode: 'errcode', endpoint: 'getuserinfo', errcode: 12345 }, 'DINGTALK_ERROR'],
    [{ mode: 'server-error', endpoint: 'appAccessToken' }, 'DINGTALK_UNAVAILABLE'],
    [{ mode: 'garbage', endpoint: 'userGet' }, 'DINGTALK_BAD_RESPONSE'],
  ] as const)('maps %j to %s, with a translated message and nothing created', async (fault, expected) => {
    // A fresh app token each time, so faults on the token endpoint are reached.
    h.emulator.reset();
    await h.app.cache.reset();
    h.emulator.setFault(fault as never);
    const users = await countUsers(h.app);
    const res = await inAppSignIn(code('wangwu'));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body.errors[0].code).toBe(expected);
    expect(res.body.errors[0].message).not.toMatch(/errcode|\{|Error:/);
    expect(await countUsers(h.app)).toBe(users);
  });

  it('drops an app token DingTalk calls invalid (88 / 40014) and fetches a new one once', async () => {
    expect((await inAppSignIn(code('zhangsan'))).status).toBe(200);
    const before = appTokenCalls();
    h.emulator.setFault({ mode: 'token-invalid', endpoint: 'getuserinfo', times: 1 });
    expect((await inAppSignIn(code('zhangsan'))).status).toBe(200);
    expect(appTokenCalls()).toBe(before + 1);
  });

  it('100 in-app sign-ins arriving together make exactly one app-token request', async () => {
    await createAuthenticator(h.app, {
      name: 'in-app-burst',
      options: { ...SECOND_CLIENT, autoSignup: true, inAppSignIn: true, corpId },
      enabled: false,
    });
    await h.app.db.getRepository('authenticators').update({ filter: { name: 'dingtalk-in-app' }, values: { enabled: false } });
    await h.app.db.getRepository('authenticators').update({ filter: { name: 'in-app-burst' }, values: { enabled: true } });
    const before = appTokenCalls();
    const people = ['zhangsan', 'lisi', 'wangwu'];
    const codes = Array.from({ length: 100 }, (_, i) => code(people[i % 3], SECOND_CLIENT.clientId));
    const server: Server = createServer(h.app.callback()).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const started = Date.now();
    let statuses: number[];
    try {
      statuses = await Promise.all(
        codes.map(async (inAppCode) => {
          const res = await fetch(`${base}/api/auth:signIn`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-authenticator': 'in-app-burst' },
            body: JSON.stringify({ inAppCode }),
          });
          if (res.status !== 200) console.log('in-app failure', res.status, await res.text());
          return res.status;
        }),
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const tokenRequests = appTokenCalls() - before;
    console.log(`100 in-app sign-ins: ${statuses.filter((s) => s === 200).length} signed in, app-token requests ${tokenRequests}, ${Date.now() - started} ms`);
    expect(tokenRequests).toBe(1);
    expect(statuses.filter((s) => s === 200).length).toBe(100);
  }, 180_000);

  it('refuses saving a second enabled authenticator with in-app sign-in, and one without its organization', async () => {
    await h.app.db.getRepository('authenticators').update({ filter: { name: 'in-app-burst' }, values: { enabled: true } });
    const admin = await h.app.agent().login(await h.app.db.getRepository('users').findOne({ filter: { email: 'admin@nocobase.com' } }), 'root');
    const second = await admin.post('/api/authenticators:create').send({
      name: 'in-app-second',
      authType: 'dingtalk',
      enabled: true,
      options: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, inAppSignIn: true, corpId },
    });
    expect(second.status).toBe(400);
    expect(second.body.errors[0].message).toContain('"in-app-burst" already does');
    const noCorp = await admin.post('/api/authenticators:create').send({
      name: 'in-app-nocorp',
      authType: 'dingtalk',
      enabled: false,
      options: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, inAppSignIn: true },
    });
    expect(noCorp.body.errors[0]).toMatchObject({ message: 'Invalid DingTalk setting: Organization corpId', code: 'CONFIG_INVALID', detail: 'corpId' });
  });

  it('publicList shows the organization and Client ID of the in-app authenticator only, never its secret', async () => {
    const res = await h.app.agent().resource('authenticators').publicList();
    const burst = res.body.data.find((a: { name: string }) => a.name === 'in-app-burst');
    expect(burst.options).toEqual({ inAppSignIn: true, corpId, clientId: SECOND_CLIENT.clientId, signInWindow: 'popup' });
    expect(JSON.stringify(res.body)).not.toContain(SECOND_CLIENT.clientSecret);
    expect(JSON.stringify(res.body)).not.toContain(CLIENT_SECRET);
  });
});
