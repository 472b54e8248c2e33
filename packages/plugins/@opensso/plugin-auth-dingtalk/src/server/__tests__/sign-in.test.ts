import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  people,
  APP_URL,
  CLIENT_SECRET,
  Harness,
  countLinks,
  countUsers,
  createAuthenticator,
  redeem,
  signInWithDingTalk,
  startHarness,
  startSignIn,
} from './harness';

let h: Harness;

const person = people('钉钉用户', '1390000');

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
    // Straight to the page the person wanted, which finishes the sign-in while it loads (one app load).
    expect(landing.pathname).toBe('/admin/abc');
    expect([...landing.searchParams.keys()]).toEqual(['dingtalk_signin']);
    expect(landing.searchParams.get('dingtalk_signin')).toBe('dingtalk');
    expect(callback.headers.location).not.toMatch(/token|authCode|ticket/i);

    expect(signIn!.status).toBe(200);
    expect(signIn!.body.data.token).toBeTruthy();
    expect(await countUsers(h.app)).toBe(usersBefore + 1);
    const user = await h.app.db.getRepository('users').findOne({ filter: { phone: identity.mobile } });
    expect(user.get('nickname')).toBe(identity.nick);
    // DingTalk's unverified email is not copied unless the admin opts in (checklist G9).
    expect(user.get('email') ?? null).toBeNull();
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
    const taken = 'taken@example.com';
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
