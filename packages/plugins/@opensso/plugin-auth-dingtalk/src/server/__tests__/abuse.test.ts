/**
 * Checklist G3 and G4: strangers flooding the anonymous entry points. A flood of sign-in starts must not cost anyone
 * a pending sign-in, nor grow the server's memory or cache; a flood of in-app codes must not spend the organization's
 * DingTalk quota. Limits are per network address; the harness connects from loopback, where the address a proxy
 * appends to `X-Forwarded-For` is the one counted, so each test plays its strangers from addresses of its own.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_MESSAGES } from '../../errors';
import { flood, startFrom, survivesFlood } from './flood';
import { CLIENT_ID, CLIENT_SECRET, Harness, createAuthenticator, people, startHarness } from './harness';

let h: Harness;
let server: Server;
let base: string;
const person = people('洪水', '1370000');
const corpId = 'dingemulatorcorp';

const userInfoCalls = () => h.emulator.counters()['POST /topapi/v2/user/getuserinfo'] ?? 0;
const dingtalkCalls = () =>
  Object.entries(h.emulator.counters())
    .filter(([key]) => !key.includes('/oauth2/auth'))
    .reduce((sum, [, n]) => sum + n, 0);

const start = (address: string) => startFrom(base, address);

const inApp = (code: string, address: string, authenticator = 'dingtalk-in-app') =>
  fetch(`${base}/api/auth:signIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-authenticator': authenticator, 'x-forwarded-for': address },
    body: JSON.stringify({ inAppCode: code }),
  });

/** Made-up codes shaped like DingTalk's (32 hex characters). */
const wellShaped = (i: number) => `${i.toString(16).padStart(8, '0')}${'c0ffee00'.repeat(3)}`;

beforeAll(async () => {
  h = await startHarness();
  await createAuthenticator(h.app);
  for (const name of ['dingtalk-in-app', 'dingtalk-in-app-quota']) {
    await createAuthenticator(h.app, {
      name,
      options: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, autoSignup: true, inAppSignIn: name === 'dingtalk-in-app', corpId },
    });
  }
  server = createServer(h.app.callback()).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await h?.close();
});

beforeEach(() => {
  h.emulator.reset();
  h.emulator.setFault(null);
});

describe('G3 a flood of anonymous sign-in starts', () => {
  it('G3 5,000 starts from 5,000 addresses lose no pending sign-in or ticket, and memory and cache entries stay bounded', async () => {
    await survivesFlood(h, base, person, 'memory');
  }, 300_000);

  it('G3 one address gets 300 starts a minute, then a translated "too many attempts" (429) while others go on', async () => {
    const statuses = await flood(320, 40, () => start('203.0.113.7'));
    expect(statuses.get(200)).toBe(300);
    expect(statuses.get(429)).toBe(20);
    const refused = await start('203.0.113.7');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as { errors: Array<{ code: string; message: string }> };
    // The sentence is the i18n key; every shipped language translates it (locale tests).
    expect(body.errors[0]).toEqual({ code: 'TOO_MANY_ATTEMPTS', message: ERROR_MESSAGES.TOO_MANY_ATTEMPTS });
    expect((await start('203.0.113.8')).status).toBe(200);
  }, 120_000);
});

describe('G4 a flood of in-app codes', () => {
  it('G4 codes that cannot be DingTalk\'s are refused without asking DingTalk', async () => {
    const junk = ['x', 'short', "' OR 1=1 --", 'a'.repeat(5000), '../../etc/passwd', '代码代码代码代码代码代码代码代码', '<script>alert(1)</script>'];
    const statuses = await flood(200, 20, (i) => inApp(i < junk.length ? junk[i] : `junk code ${i}!`, '203.0.113.20'));
    expect(Object.fromEntries(statuses)).toEqual({ 401: 200 });
    expect(dingtalkCalls()).toBe(0);
    const res = await inApp('nope', '203.0.113.20');
    expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0].code).toBe('DINGTALK_CODE_INVALID');
  }, 120_000);

  it('G4 an address whose codes DingTalk keeps refusing is made to wait: 200 made-up codes cost 20 calls', async () => {
    const statuses = await flood(200, 10, (i) => inApp(wellShaped(i), '203.0.113.30'));
    console.log(`G4 junk codes: 200 well-shaped codes from one address → ${JSON.stringify(Object.fromEntries(statuses))}; getuserinfo calls ${userInfoCalls()}`);
    expect(userInfoCalls()).toBeLessThanOrEqual(20);
    expect(statuses.get(429)).toBeGreaterThanOrEqual(180);
    // A member elsewhere is not held up.
    const member = h.emulator.mintJsapiCode({ identity: 'zhangsan', corpId, clientId: CLIENT_ID }).code;
    expect((await inApp(member, '203.0.113.31')).status).toBe(200);
  }, 120_000);

  it('G4 per-address and per-authenticator limits (set low through the environment)', async () => {
    // A member signs in first, so the app token (which the emulator forgot when reset) is fresh before counting.
    const member = h.emulator.mintJsapiCode({ identity: 'lisi', corpId, clientId: CLIENT_ID }).code;
    expect((await inApp(member, '203.0.113.39')).status).toBe(200);
    const calls = userInfoCalls();
    try {
      process.env.DINGTALK_IN_APP_LIMIT_PER_MINUTE = '5';
      const one = await flood(6, 1, (i) => inApp(wellShaped(1000 + i), '203.0.113.40'));
      expect(Object.fromEntries(one)).toEqual({ 401: 5, 429: 1 });
      expect((await inApp(wellShaped(1100), '203.0.113.41')).status).toBe(401);

      // The authenticator's own minute budget, whatever the addresses (DingTalk's quota is the app's).
      // Only one enabled authenticator may sign in inside DingTalk: the first one steps aside for this part.
      await h.app.db.getRepository('authenticators').update({ filter: { name: 'dingtalk-in-app' }, values: { enabled: false } });
      await h.app.db.getRepository('authenticators').update({
        filter: { name: 'dingtalk-in-app-quota' },
        values: { options: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, autoSignup: true, inAppSignIn: true, corpId } },
      });
      process.env.DINGTALK_IN_APP_APP_LIMIT_PER_MINUTE = '8';
      const spread = await flood(10, 1, (i) => inApp(wellShaped(2000 + i), `203.0.114.${i}`, 'dingtalk-in-app-quota'));
      expect(Object.fromEntries(spread)).toEqual({ 401: 8, 429: 2 });
      expect(userInfoCalls() - calls).toBe(5 + 1 + 8);
    } finally {
      delete process.env.DINGTALK_IN_APP_LIMIT_PER_MINUTE;
      delete process.env.DINGTALK_IN_APP_APP_LIMIT_PER_MINUTE;
      await h.app.db.getRepository('authenticators').update({
        filter: { name: 'dingtalk-in-app-quota' },
        values: { options: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, autoSignup: true, inAppSignIn: false, corpId } },
      });
      await h.app.db.getRepository('authenticators').update({ filter: { name: 'dingtalk-in-app' }, values: { enabled: true } });
    }
  }, 120_000);
});
