import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  APP_URL,
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
let seq = 0;

/** A DingTalk identity nobody has seen yet. */
function person(overrides: Record<string, string> = {}) {
  seq += 1;
  return {
    nick: `钉钉用户${seq}`,
    mobile: `1390000${String(1000 + seq)}`,
    stateCode: '86',
    email: `dt${seq}@example.com`,
    unionId: `union-${seq}-${Math.random().toString(36).slice(2)}`,
    openId: `open-${seq}`,
    ...overrides,
  };
}

beforeAll(async () => {
  h = await startHarness();
  await createAuthenticator(h.app);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.emulator.reset();
});

describe('browser sign-in', () => {
  it('signs up a new DingTalk user when auto sign-up is on, and lands where the user started', async () => {
    const identity = person();
    const usersBefore = await countUsers(h.app);
    const { start, callback, landing, signIn } = await signInWithDingTalk(h, identity, { redirect: '/admin/abc' });

    const authUrl = new URL(start.body.data.url);
    expect(authUrl.origin + authUrl.pathname).toBe(`${h.emulator.url}/oauth2/auth`);
    expect(authUrl.searchParams.get('redirect_uri')).toBe(`${APP_URL}/api/dingtalk:redirect`);
    expect(authUrl.searchParams.get('response_type')).toBe('code');
    expect(authUrl.searchParams.get('scope')).toBe('openid');
    expect(authUrl.searchParams.get('prompt')).toBe('consent');
    expect(authUrl.searchParams.get('state')!.length).toBeGreaterThanOrEqual(43);

    expect(callback.status).toBe(302);
    expect(landing.pathname).toBe('/signin');
    expect(landing.searchParams.get('redirect')).toBe('/admin/abc');
    expect(landing.searchParams.get('dingtalk_signin')).toBe('dingtalk');
    expect(callback.headers.location).not.toMatch(/token|authCode|ticket/i);

    expect(signIn!.status).toBe(200);
    expect(signIn!.body.data.token).toBeTruthy();
    expect(await countUsers(h.app)).toBe(usersBefore + 1);
    const user = await h.app.db.getRepository('users').findOne({ filter: { phone: identity.mobile } });
    expect(user.get('nickname')).toBe(identity.nick);
    expect(user.get('email')).toBe(identity.email);
    const link = await h.app.db
      .getRepository('usersAuthenticators')
      .findOne({ filter: { authenticator: 'dingtalk', uuid: identity.unionId } });
    expect(link.get('userId')).toBe(user.get('id'));
    expect(link.get('nickname')).toBe(identity.nick);
    expect(link.get('meta')).toMatchObject({ unionId: identity.unionId, openId: identity.openId });

    // The token NocoBase issued works.
    const check = await h.app
      .agent()
      .get('/api/auth:check')
      .set('Authorization', `Bearer ${signIn!.body.data.token}`)
      .set('X-Authenticator', 'dingtalk');
    expect(check.status).toBe(200);
    expect(check.body.data.id).toBe(user.get('id'));
  });

  it('a second sign-in of the same DingTalk identity is the same NocoBase user, even with a new nick and mobile', async () => {
    const identity = person();
    const first = await signInWithDingTalk(h, identity);
    const users = await countUsers(h.app);
    const second = await signInWithDingTalk(h, { ...identity, nick: 'Renamed', mobile: '13911112222', openId: 'other' });
    expect(second.signIn!.status).toBe(200);
    expect(second.signIn!.body.data.user.id).toBe(first.signIn!.body.data.user.id);
    expect(await countUsers(h.app)).toBe(users);
  });

  it('links an existing user with the same phone number instead of creating one', async () => {
    const identity = person();
    const existing = await h.app.db
      .getRepository('users')
      .create({ values: { nickname: 'Local', phone: identity.mobile, email: 'local@example.com' } });
    const users = await countUsers(h.app);
    const { signIn } = await signInWithDingTalk(h, identity);
    expect(signIn!.status).toBe(200);
    expect(signIn!.body.data.user.id).toBe(existing.get('id'));
    expect(await countUsers(h.app)).toBe(users);
  });

  it('matches a user whose phone is stored with the country code', async () => {
    const identity = person();
    const existing = await h.app.db
      .getRepository('users')
      .create({ values: { nickname: 'Intl', phone: `+86${identity.mobile}` } });
    const { signIn } = await signInWithDingTalk(h, identity);
    expect(signIn!.body.data.user.id).toBe(existing.get('id'));
  });

  it('does not put an email that another user holds on the new account', async () => {
    const taken = `taken${seq}@example.com`;
    await h.app.db.getRepository('users').create({ values: { nickname: 'Owner', email: taken } });
    const identity = person({ email: taken });
    const { signIn } = await signInWithDingTalk(h, identity);
    expect(signIn!.status).toBe(200);
    const user = await h.app.db.getRepository('users').findOne({ filter: { phone: identity.mobile } });
    expect(user.get('email')).toBeFalsy();
  });
});

describe('refusals', () => {
  it('refuses an unknown user when auto sign-up is off, and creates nothing', async () => {
    await createAuthenticator(h.app, {
      name: 'dingtalk-closed',
      options: { clientId: 'dingtestclient', clientSecret: CLIENT_SECRET },
    });
    const users = await countUsers(h.app);
    const { landing, signIn } = await signInWithDingTalk(h, person(), { authenticator: 'dingtalk-closed' });
    expect(landing.searchParams.get('dingtalk_error')).toBe('USER_NOT_FOUND');
    expect(landing.searchParams.get('dingtalk_authenticator')).toBe('dingtalk-closed');
    expect(signIn).toBeUndefined();
    expect(await countUsers(h.app)).toBe(users);
    expect(await countLinks(h.app, 'dingtalk-closed')).toBe(0);
  });

  it('refuses an unlinked identity without a mobile number, naming the missing permission', async () => {
    h.emulator.setFault({ mode: 'no-mobile' });
    const users = await countUsers(h.app);
    const { landing } = await signInWithDingTalk(h, person());
    expect(landing.searchParams.get('dingtalk_error')).toBe('MOBILE_PERMISSION_MISSING');
    expect(landing.searchParams.get('dingtalk_detail')).toBe('Contact.User.mobile');
    expect(await countUsers(h.app)).toBe(users);
  });

  it('still signs in an already linked identity when the mobile number is missing', async () => {
    const identity = person();
    const first = await signInWithDingTalk(h, identity);
    h.emulator.setFault({ mode: 'no-mobile' });
    const second = await signInWithDingTalk(h, identity);
    expect(second.signIn!.status).toBe(200);
    expect(second.signIn!.body.data.user.id).toBe(first.signIn!.body.data.user.id);
  });

  it('refuses a callback without state and calls DingTalk zero times', async () => {
    const browser = h.app.agent();
    const start = await startSignIn(browser);
    const callbackUrl = await approveAtDingTalk(h.emulator, start.body.data.url, person());
    callbackUrl.searchParams.delete('state');
    const res = await followCallback(browser, callbackUrl);
    expect(res.status).toBe(302);
    expect(new URL(res.headers.location, APP_URL).searchParams.get('dingtalk_error')).toBe('STATE_MISSING');
    expect(h.emulator.counters()['POST /v1.0/oauth2/userAccessToken'] ?? 0).toBe(0);
  });

  it('refuses a wrong state and calls DingTalk zero times', async () => {
    const browser = h.app.agent();
    const start = await startSignIn(browser);
    const callbackUrl = await approveAtDingTalk(h.emulator, start.body.data.url, person());
    callbackUrl.searchParams.set('state', 'x'.repeat(43));
    const res = await followCallback(browser, callbackUrl);
    expect(new URL(res.headers.location, APP_URL).searchParams.get('dingtalk_error')).toBe('STATE_INVALID');
    expect(h.emulator.counters()['POST /v1.0/oauth2/userAccessToken'] ?? 0).toBe(0);
  });

  it('refuses a state used twice', async () => {
    const first = await signInWithDingTalk(h, person());
    expect(first.signIn!.status).toBe(200);
    const replay = await followCallback(first.browser, first.callbackUrl);
    expect(new URL(replay.headers.location, APP_URL).searchParams.get('dingtalk_error')).toBe('STATE_INVALID');
    expect(h.emulator.counters()['POST /v1.0/oauth2/userAccessToken']).toBe(1);
  });

  it("refuses a state presented by another browser", async () => {
    const victim = h.app.agent();
    const start = await startSignIn(victim);
    const callbackUrl = await approveAtDingTalk(h.emulator, start.body.data.url, person());
    const attacker = h.app.agent();
    await startSignIn(attacker); // the attacker has a binding cookie of its own
    const res = await followCallback(attacker, callbackUrl);
    expect(new URL(res.headers.location, APP_URL).searchParams.get('dingtalk_error')).toBe('STATE_INVALID');
    expect(h.emulator.counters()['POST /v1.0/oauth2/userAccessToken'] ?? 0).toBe(0);
  });

  it('shows "you cancelled" when the person cancels at DingTalk', async () => {
    const browser = h.app.agent();
    const start = await startSignIn(browser);
    const state = new URL(start.body.data.url).searchParams.get('state')!;
    const res = await browser.get(`/api/dingtalk:redirect?error=access_denied&state=${encodeURIComponent(state)}`);
    const landing = new URL(res.headers.location, APP_URL);
    expect(landing.searchParams.get('dingtalk_error')).toBe('CANCELLED');
    expect(landing.searchParams.get('dingtalk_authenticator')).toBe('dingtalk');
    expect(h.emulator.counters()['POST /v1.0/oauth2/userAccessToken'] ?? 0).toBe(0);
  });

  it('maps a DingTalk 5xx to "DingTalk is unavailable" and creates nothing', async () => {
    h.emulator.setFault({ mode: 'server-error', endpoint: 'userAccessToken' });
    const users = await countUsers(h.app);
    const { landing } = await signInWithDingTalk(h, person());
    expect(landing.searchParams.get('dingtalk_error')).toBe('DINGTALK_UNAVAILABLE');
    expect(await countUsers(h.app)).toBe(users);
    // The code exchange is not retried.
    expect(h.emulator.counters()['POST /v1.0/oauth2/userAccessToken']).toBe(1);
  });

  it('gives up on a DingTalk that hangs after the configured timeout', async () => {
    h.emulator.setFault({ mode: 'hang', endpoint: 'me' });
    const started = Date.now();
    const { landing } = await signInWithDingTalk(h, person());
    expect(landing.searchParams.get('dingtalk_error')).toBe('DINGTALK_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 20_000);

  it('maps a 403 from the profile endpoint to the missing permission', async () => {
    h.emulator.setFault({ mode: 'forbidden', endpoint: 'me' });
    const { landing } = await signInWithDingTalk(h, person());
    expect(landing.searchParams.get('dingtalk_error')).toBe('DINGTALK_PERMISSION_DENIED');
    expect(landing.searchParams.get('dingtalk_detail')).toBe('Contact.User.Read');
  });

  it('maps an HTML answer to "unexpected answer"', async () => {
    h.emulator.setFault({ mode: 'garbage', endpoint: 'me' });
    const { landing } = await signInWithDingTalk(h, person());
    expect(landing.searchParams.get('dingtalk_error')).toBe('DINGTALK_BAD_RESPONSE');
  });

  it('refuses a disabled authenticator', async () => {
    await createAuthenticator(h.app, { name: 'dingtalk-off', enabled: false });
    const res = await startSignIn(h.app.agent(), 'dingtalk-off');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].code).toBe('AUTHENTICATOR_INVALID');
    expect(res.body.errors[0].message).toMatch(/not available/);
  });

  it('refuses to start with a non-DingTalk authenticator name', async () => {
    const res = await startSignIn(h.app.agent(), 'basic');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].code).toBe('AUTHENTICATOR_INVALID');
  });

  it('a ticket is single-use and bound to the browser', async () => {
    const { browser, signIn } = await signInWithDingTalk(h, person());
    expect(signIn!.status).toBe(200);
    const again = await redeem(browser);
    expect(again.status).toBe(401);
    expect(again.body.errors[0].code).toBe('TICKET_INVALID');
  });
});

describe('public surface', () => {
  it('publicList shows no DingTalk option, and never the client secret', async () => {
    const res = await h.app.agent().resource('authenticators').publicList();
    expect(res.status).toBe(200);
    const ours = res.body.data.filter((a: { authType: string }) => a.authType === 'dingtalk');
    expect(ours.length).toBeGreaterThan(0);
    for (const a of ours) expect(a.options).toEqual({});
    expect(JSON.stringify(res.body)).not.toContain(CLIENT_SECRET);
  });

  it('sends DingTalk the configured Redirect URL whatever Host the request claims', async () => {
    const res = await h.app
      .agent()
      .post('/api/dingtalk:getAuthUrl')
      .set('X-Authenticator', 'dingtalk')
      .set('Host', 'evil.example')
      .set('X-Forwarded-Host', 'evil.example')
      .send({ redirect: '/admin' });
    expect(new URL(res.body.data.url).searchParams.get('redirect_uri')).toBe(`${APP_URL}/api/dingtalk:redirect`);
  });

  it('keeps only same-origin return paths', async () => {
    for (const evil of ['//evil.example', '/\\evil.example', 'https://evil.example', '%2F%2Fevil.example', 'javascript:alert(1)']) {
      const { landing } = await signInWithDingTalk(h, person(), { redirect: evil });
      expect(landing.searchParams.get('redirect')).toBe('/admin');
    }
  });
});
