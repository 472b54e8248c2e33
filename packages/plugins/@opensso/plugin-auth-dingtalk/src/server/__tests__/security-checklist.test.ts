/**
 * The security checklist (docs/security.md, "The checklist, row by row"), against a real NocoBase app and the DingTalk emulator over HTTP.
 * Each test is named after its row; docs/security.md maps every row to its test. Rows proven by unit tests
 * (A8, B1's table, E2–E4 per answer) are named the same way in one-time-store, return-path and dingtalk-api tests.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ERROR_CODES } from '../../errors';
import { sha256 } from '../one-time-store';
import {
  people,
  APP_URL,
  CLIENT_ID,
  CLIENT_SECRET,
  Harness,
  approveAtDingTalk,
  countLinks,
  countUsers,
  createAuthenticator,
  followCallback,
  redeem,
  signInWithDingTalk,
  startHarness,
  startSignIn,
} from './harness';

let h: Harness;

const person = people('检查', '1350000');

const tokenCalls = () => h.emulator.counters()['POST /v1.0/oauth2/userAccessToken'] ?? 0;
const dingtalkCalls = () =>
  Object.entries(h.emulator.counters())
    .filter(([key]) => !key.includes('/oauth2/auth'))
    .reduce((sum, [, n]) => sum + n, 0);
const landingOf = (res: { headers: Record<string, string> }) => new URL(res.headers.location, APP_URL);
const errorOf = (res: { headers: Record<string, string> }) => landingOf(res).searchParams.get('dingtalk_error');
const bindingOf = (setCookie: string[] | string | undefined) =>
  ([] as string[]).concat(setCookie ?? []).map((c) => c.match(/^dingtalk_binding=([^;]+)/)?.[1]).find(Boolean);

/** A started sign-in approved at DingTalk, with the callback not yet followed. */
async function approved(identity = person(), authenticator = 'dingtalk') {
  const browser = h.app.agent();
  const start = await startSignIn(browser, authenticator);
  const callback = await approveAtDingTalk(h.emulator, start.body.data.url, identity);
  return { browser, callback, identity };
}

beforeAll(async () => {
  h = await startHarness();
  await createAuthenticator(h.app);
  await createAuthenticator(h.app, { name: 'dingtalk-b' });
  await createAuthenticator(h.app, { name: 'dingtalk-closed', options: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.emulator.reset();
});

describe('A. State, CSRF, code injection', () => {
  it('A1 a callback with no state, a wrong state or no cookie is refused, with zero calls to DingTalk and nothing created', async () => {
    const users = await countUsers(h.app);
    const links = await countLinks(h.app);
    const noState = await approved();
    noState.callback.searchParams.delete('state');
    expect(errorOf(await followCallback(noState.browser, noState.callback))).toBe('STATE_MISSING');

    const wrongState = await approved();
    wrongState.callback.searchParams.set('state', 'A'.repeat(43));
    expect(errorOf(await followCallback(wrongState.browser, wrongState.callback))).toBe('STATE_INVALID');

    // Without the cookie the person is told so (another address of the app, cookies blocked), under its button.
    const noCookie = await approved();
    const res = await h.app.agent().get(`${noCookie.callback.pathname}${noCookie.callback.search}`);
    expect(errorOf(res)).toBe('COOKIE_MISSING');
    expect(landingOf(res).searchParams.get('dingtalk_authenticator')).toBe('dingtalk');

    expect(dingtalkCalls()).toBe(0);
    expect(await countUsers(h.app)).toBe(users);
    expect(await countLinks(h.app)).toBe(links);
  });

  it('A2 the same state, or the same callback URL, works once', async () => {
    const { browser, callback } = await approved();
    const first = await followCallback(browser, callback);
    expect(landingOf(first).searchParams.get('dingtalk_signin')).toBe('dingtalk');
    expect(errorOf(await followCallback(browser, callback))).toBe('STATE_INVALID');
    expect(tokenCalls()).toBe(1);
  });

  it('A3 a state minted for authenticator A cannot sign in through B', async () => {
    const { browser, callback } = await approved(person(), 'dingtalk');
    // Whatever the callback request claims, the state decides the authenticator...
    const res = await browser.get(`${callback.pathname}${callback.search}&authenticator=dingtalk-b`).set('X-Authenticator', 'dingtalk-b');
    expect(landingOf(res).searchParams.get('dingtalk_signin')).toBe('dingtalk');
    // ...and its ticket is refused by B.
    const viaB = await redeem(browser, 'dingtalk-b');
    expect(viaB.status).toBe(401);
    expect(viaB.body.errors[0].code).toBe('TICKET_INVALID');
    // An authenticator disabled between the start and the callback refuses too.
    const later = await approved(person(), 'dingtalk-b');
    await h.app.db.getRepository('authenticators').update({ filter: { name: 'dingtalk-b' }, values: { enabled: false } });
    try {
      expect(errorOf(await followCallback(later.browser, later.callback))).toBe('AUTHENTICATOR_INVALID');
    } finally {
      await h.app.db.getRepository('authenticators').update({ filter: { name: 'dingtalk-b' }, values: { enabled: true } });
    }
  });

  it('A4 a state older than its lifetime is refused; 30 s of clock skew between nodes is tolerated', async () => {
    /** A sign-in started `ageMs` past the 10-minute lifetime ago (the node's clock set back for the start only). */
    const startedAgo = async (ageMs: number) => {
      const browser = h.app.agent();
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() - 10 * 60_000 - ageMs);
      let start;
      try {
        start = await startSignIn(browser);
      } finally {
        vi.useRealTimers();
      }
      // The binding cookie expired with the state in this browser's eyes; a node's late clock is what is tested here.
      const binding = bindingOf(start.headers['set-cookie']);
      const callback = await approveAtDingTalk(h.emulator, start.body.data.url, person());
      return browser.get(`${callback.pathname}${callback.search}`).set('Cookie', `dingtalk_binding=${binding}`);
    };
    expect(landingOf(await startedAgo(20_000)).searchParams.get('dingtalk_signin')).toBe('dingtalk');
    expect(errorOf(await startedAgo(40_000))).toBe('STATE_INVALID');
    expect(tokenCalls()).toBe(1);
  });

  it('A5 a tampered state, or another browser\'s state, is refused', async () => {
    const tampered = await approved();
    const state = tampered.callback.searchParams.get('state')!;
    tampered.callback.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
    expect(errorOf(await followCallback(tampered.browser, tampered.callback))).toBe('STATE_INVALID');

    const victim = await approved();
    const attacker = h.app.agent();
    await startSignIn(attacker); // the attacker's own binding cookie
    expect(errorOf(await followCallback(attacker, victim.callback))).toBe('STATE_INVALID');
    expect(dingtalkCalls()).toBe(0);
  });

  it('A6 duplicated state or authCode parameters are refused without calling DingTalk', async () => {
    const dupState = await approved();
    const state = dupState.callback.searchParams.get('state')!;
    const res1 = await dupState.browser.get(`${dupState.callback.pathname}${dupState.callback.search}&state=${state}`);
    expect(errorOf(res1)).toBe('REQUEST_INVALID');
    const dupCode = await approved();
    const res2 = await dupCode.browser.get(`${dupCode.callback.pathname}${dupCode.callback.search}&authCode=other`);
    expect(errorOf(res2)).toBe('REQUEST_INVALID');
    expect(dingtalkCalls()).toBe(0);
  });

  it('A7 error=access_denied with a valid state says "you cancelled"; with a bad state it is A1', async () => {
    const browser = h.app.agent();
    const state = new URL((await startSignIn(browser)).body.data.url).searchParams.get('state')!;
    const cancelled = await browser.get(`/api/dingtalk:redirect?error=access_denied&state=${state}`);
    expect(errorOf(cancelled)).toBe('CANCELLED');
    expect(landingOf(cancelled).searchParams.get('dingtalk_authenticator')).toBe('dingtalk');
    const forged = await browser.get(`/api/dingtalk:redirect?error=access_denied&state=${'Z'.repeat(43)}`);
    expect(errorOf(forged)).toBe('STATE_INVALID');
    expect(dingtalkCalls()).toBe(0);
  });

  it('A10 anything but the auth code offered as proof is ignored: a token, a profile, a user id', async () => {
    const victim = await signInWithDingTalk(h, person());
    const victimId = victim.signIn!.body.data.user.id;
    // The sign-in action, with a valid NocoBase token of someone else and a made-up profile, but no ticket.
    const forged = await h.app
      .agent()
      .post('/api/auth:signIn')
      .set('X-Authenticator', 'dingtalk')
      .set('Authorization', `Bearer ${victim.signIn!.body.data.token}`)
      .send({ token: victim.signIn!.body.data.token, userId: victimId, unionId: victim.signIn!.body.data.user.id, profile: { unionId: 'x' } });
    expect(forged.status).toBe(401);
    expect(forged.body.errors[0].code).toBe('TICKET_INVALID');
    // The callback, with an access token instead of a code.
    const browser = h.app.agent();
    const state = new URL((await startSignIn(browser)).body.data.url).searchParams.get('state')!;
    h.emulator.reset();
    const res = await browser.get(`/api/dingtalk:redirect?state=${state}&accessToken=abc&access_token=abc&unionId=x`);
    expect(errorOf(res)).toBe('CODE_MISSING');
    expect(dingtalkCalls()).toBe(0);
  });
});

describe('B. Redirects and leakage', () => {
  it('B1 a hostile return path falls back to a path of the app', async () => {
    for (const evil of ['//evil.example', '/\\evil.example', 'https://evil.example', '%2F%2Fevil.example', 'javascript:alert(1)', '/admin\r\nX: y']) {
      const { landing } = await signInWithDingTalk(h, person(), { redirect: evil });
      expect(landing.origin).toBe(APP_URL);
      expect(landing.pathname).toBe('/admin');
    }
  });

  it('B2 the callback answers with a no-store, no-referrer redirect that holds no bearer token', async () => {
    const { browser, callback } = await approved();
    const res = await followCallback(browser, callback);
    expect(res.status).toBe(302);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    const location = landingOf(res);
    expect([...location.searchParams.keys()]).toEqual(['dingtalk_signin']);
    const ticketCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('dingtalk_ticket='));
    expect(ticketCookie).toMatch(/httponly/i);
    expect(ticketCookie).toMatch(/samesite=lax/i);
    // Failures answer the same way.
    const failed = await browser.get('/api/dingtalk:redirect?state=nope');
    expect(failed.headers['cache-control']).toBe('no-store');
    expect(failed.headers['referrer-policy']).toBe('no-referrer');
  });

  it('B3 error redirects carry a code, never exception text or DingTalk\'s message', async () => {
    const faults = [
      { mode: 'forbidden', endpoint: 'me' },
      { mode: 'server-error', endpoint: 'userAccessToken' },
      { mode: 'garbage', endpoint: 'me' },
      { mode: 'bad-json', endpoint: 'me', variant: 'wrong-types' },
    ] as const;
    for (const fault of faults) {
      h.emulator.setFault(fault);
      const { callback } = await signInWithDingTalk(h, person());
      const landing = landingOf(callback);
      for (const key of landing.searchParams.keys()) {
        expect(['redirect', 'dingtalk_error', 'dingtalk_authenticator', 'dingtalk_detail']).toContain(key);
      }
      expect(ERROR_CODES).toContain(landing.searchParams.get('dingtalk_error'));
      expect(callback.headers.location).not.toMatch(/Error|error:|权限|<|\{/);
    }
  });

  it('B4 a spoofed Host or X-Forwarded-Host does not change the redirect_uri sent to DingTalk', async () => {
    const res = await h.app
      .agent()
      .post('/api/dingtalk:getAuthUrl')
      .set('X-Authenticator', 'dingtalk')
      .set('Host', 'evil.example')
      .set('X-Forwarded-Host', 'evil.example')
      .set('X-Forwarded-Proto', 'https')
      .send({ redirect: '/admin' });
    expect(new URL(res.body.data.url).searchParams.get('redirect_uri')).toBe(`${APP_URL}/api/dingtalk:redirect`);
  });
});

describe('C. Account takeover', () => {
  it('C1 a local user with the same email is not linked by email', async () => {
    const holder = await h.app.db.getRepository('users').create({ values: { nickname: 'Holder', email: 'shared@example.com' } });
    const open = await signInWithDingTalk(h, person({ email: 'shared@example.com' }));
    expect(open.signIn!.body.data.user.id).not.toBe(holder.get('id'));
    expect(open.signIn!.body.data.user.email ?? null).toBeNull();
    const closed = await signInWithDingTalk(h, person({ email: 'shared@example.com' }), { authenticator: 'dingtalk-closed' });
    expect(closed.landing.searchParams.get('dingtalk_error')).toBe('USER_NOT_FOUND');
    expect(await countLinks(h.app, 'dingtalk')).toBeGreaterThan(0);
    expect(await h.app.db.getRepository('usersAuthenticators').count({ filter: { userId: holder.get('id') } })).toBe(0);
  });

  it('C2 a phone matching two users is refused; a number of another country is not a match', async () => {
    const identity = person();
    await h.app.db.getRepository('users').create({ values: { nickname: 'One', phone: identity.mobile } });
    await h.app.db.getRepository('users').create({ values: { nickname: 'Two', phone: `+86${identity.mobile}` } });
    const users = await countUsers(h.app);
    const ambiguous = await signInWithDingTalk(h, identity);
    expect(ambiguous.landing.searchParams.get('dingtalk_error')).toBe('PHONE_AMBIGUOUS');
    expect(await countUsers(h.app)).toBe(users);

    const other = person();
    const foreign = await h.app.db.getRepository('users').create({ values: { nickname: 'US', phone: `+1${other.mobile}` } });
    const signedIn = await signInWithDingTalk(h, other);
    expect(signedIn.signIn!.body.data.user.id).not.toBe(foreign.get('id'));
  });

  it('C3 the key is (authenticator, unionId): new nick, email, mobile or openId is the same user; no unionId is refused', async () => {
    const identity = person();
    const first = await signInWithDingTalk(h, identity);
    const users = await countUsers(h.app);
    const changed = await signInWithDingTalk(h, { ...identity, nick: 'New nick', email: 'new@example.com', mobile: '13999999999', openId: 'new-open' });
    expect(changed.signIn!.body.data.user.id).toBe(first.signIn!.body.data.user.id);
    expect(await countUsers(h.app)).toBe(users);

    h.emulator.setFault({ mode: 'bad-json', endpoint: 'me', variant: 'missing-field' });
    const anonymous = await signInWithDingTalk(h, person());
    expect(anonymous.landing.searchParams.get('dingtalk_error')).toBe('PROFILE_INCOMPLETE');
    expect(await countUsers(h.app)).toBe(users);
  });
});

describe('D. Secrets and logs', () => {
  it('D1 anonymous publicList holds no option of ours but the window the button opens, so no client secret', async () => {
    const res = await h.app.agent().resource('authenticators').publicList();
    const ours = res.body.data.filter((a: { authType: string }) => a.authType === 'dingtalk');
    expect(ours.map((a: { name: string }) => a.name)).toContain('dingtalk');
    // `signInWindow: 'popup'` is the default; the button needs it before anyone signs in.
    for (const a of ours) expect(a.options).toEqual({ signInWindow: 'popup' });
    expect(JSON.stringify(res.body)).not.toContain(CLIENT_SECRET);
  });

  it('D3 the secret leaves the server only in the body of the token request', async () => {
    const { start, callback, signIn } = await signInWithDingTalk(h, person());
    for (const text of [JSON.stringify(start.body), start.body.data.url, callback.headers.location, JSON.stringify(signIn!.body)]) {
      expect(text).not.toContain(CLIENT_SECRET);
    }
    const user = await h.app.db.getRepository('users').findOne({ filterByTk: signIn!.body.data.user.id });
    const redirectUrl = await (await h.app.agent().login(user)).get('/api/dingtalk:getRedirectUrl');
    expect(redirectUrl.status).toBe(200);
    expect(JSON.stringify(redirectUrl.body)).not.toContain(CLIENT_SECRET);
    const requests = h.emulator.log();
    expect(requests.filter((r) => r.clientSecretPresent).map((r) => r.path)).toEqual(['/v1.0/oauth2/userAccessToken']);
  });
});

describe('E. Provider faults', () => {
  it('E1 a hanging DingTalk is abandoned after the timeout with "DingTalk is unavailable", nothing created', async () => {
    h.emulator.setFault({ mode: 'hang', endpoint: 'me' });
    const users = await countUsers(h.app);
    const started = Date.now();
    const { landing } = await signInWithDingTalk(h, person());
    expect(landing.searchParams.get('dingtalk_error')).toBe('DINGTALK_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(await countUsers(h.app)).toBe(users);
  }, 20_000);

  it('E2 a 5xx on the code exchange is not retried; on the profile read it is retried once', async () => {
    h.emulator.setFault({ mode: 'server-error', endpoint: 'userAccessToken' });
    const failed = await signInWithDingTalk(h, person());
    expect(failed.landing.searchParams.get('dingtalk_error')).toBe('DINGTALK_UNAVAILABLE');
    expect(tokenCalls()).toBe(1);
    h.emulator.reset();
    h.emulator.setFault({ mode: 'reset', endpoint: 'me', times: 1 });
    const recovered = await signInWithDingTalk(h, person());
    expect(recovered.signIn!.status).toBe(200);
    expect(h.emulator.counters()['GET /v1.0/contact/users/me']).toBe(2);
  });

  it('E3 HTML, an array, mistyped fields or no unionId become a controlled error, nothing created', async () => {
    const users = await countUsers(h.app);
    for (const [fault, code] of [
      [{ mode: 'garbage', endpoint: 'me' }, 'DINGTALK_BAD_RESPONSE'],
      [{ mode: 'garbage', endpoint: 'userAccessToken' }, 'DINGTALK_BAD_RESPONSE'],
      [{ mode: 'bad-json', endpoint: 'me', variant: 'array' }, 'DINGTALK_BAD_RESPONSE'],
      [{ mode: 'bad-json', endpoint: 'me', variant: 'wrong-types' }, 'DINGTALK_BAD_RESPONSE'],
      [{ mode: 'bad-json', endpoint: 'userAccessToken', variant: 'missing-field' }, 'DINGTALK_BAD_RESPONSE'],
      [{ mode: 'bad-json', endpoint: 'me', variant: 'missing-field' }, 'PROFILE_INCOMPLETE'],
    ] as const) {
      h.emulator.setFault(fault);
      const { landing } = await signInWithDingTalk(h, person());
      expect(landing.searchParams.get('dingtalk_error')).toBe(code);
    }
    expect(await countUsers(h.app)).toBe(users);
  });

  it('E4 403, rate limiting and a refused client secret each have their own message; 403 names the permission', async () => {
    h.emulator.setFault({ mode: 'forbidden', endpoint: 'me' });
    const forbidden = await signInWithDingTalk(h, person());
    expect(forbidden.landing.searchParams.get('dingtalk_error')).toBe('DINGTALK_PERMISSION_DENIED');
    expect(forbidden.landing.searchParams.get('dingtalk_detail')).toBe('Contact.User.Read');
    h.emulator.setFault({ mode: 'rate-limit', endpoint: 'userAccessToken' });
    expect((await signInWithDingTalk(h, person())).landing.searchParams.get('dingtalk_error')).toBe('DINGTALK_RATE_LIMITED');
    h.emulator.setFault(null);
    await createAuthenticator(h.app, { name: 'dingtalk-wrong-secret', options: { clientId: CLIENT_ID, clientSecret: 'wrong', autoSignup: true } });
    const wrong = await signInWithDingTalk(h, person(), { authenticator: 'dingtalk-wrong-secret' });
    expect(wrong.landing.searchParams.get('dingtalk_error')).toBe('DINGTALK_CREDENTIALS_INVALID');
  });
});

describe('F. Concurrency and scale', () => {
  it('F3 a flood of callbacks with invalid states makes zero calls to DingTalk', async () => {
    // One listening server and plain fetch: 200 forged callbacks, 20 at a time, half carrying a real binding cookie.
    const start = await startSignIn(h.app.agent());
    const binding = ([] as string[]).concat(start.headers['set-cookie'] ?? []).find((c) => c.startsWith('dingtalk_binding='))!;
    const server = createServer(h.app.callback()).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const codes: Array<string | null> = [];
    try {
      for (let batch = 0; batch < 10; batch += 1) {
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, j) => {
            const i = batch * 20 + j;
            return fetch(`${base}/api/dingtalk:redirect?authCode=code${i}&state=${sha256(String(i)).slice(0, 43)}`, {
              redirect: 'manual',
              headers: i % 2 ? { cookie: binding.split(';')[0] } : {},
            });
          }),
        );
        codes.push(...answers.map((res) => new URL(res.headers.get('location')!, APP_URL).searchParams.get('dingtalk_error')));
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(codes).toHaveLength(200);
    // Half came with a binding cookie (their state is refused), half without (told the cookie is missing).
    expect(codes.filter((code) => code === 'STATE_INVALID')).toHaveLength(100);
    expect(codes.filter((code) => code === 'COOKIE_MISSING')).toHaveLength(100);
    expect(dingtalkCalls()).toBe(0);
  });
});
