/**
 * Who a DingTalk sign-in becomes: matching rules in the admin's order, phone formats, phone-less accounts,
 * profile sync, and self-service linking (checklist A9).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// The browser's readers of these answers, run on what the server really sends (the types are shared: src/api-answers.ts).
import { completedLinkFromBody, linksPageFromBody, myLinksFromBody } from '../../client/links';
import {
  people,
  APP_URL,
  CREDENTIALS,
  Harness,
  approveAtDingTalk,
  countUsers,
  createAuthenticator,
  followCallback,
  signInWithDingTalk,
  startHarness,
} from './harness';

let h: Harness;
let seq = 0;

const person = people('账号', '1340000');

async function authenticator(name: string, options: Record<string, unknown>) {
  await createAuthenticator(h.app, { name, options: { ...CREDENTIALS, ...options } });
  return name;
}

const users = () => h.app.db.getRepository('users');
const links = () => h.app.db.getRepository('usersAuthenticators');

beforeAll(async () => {
  h = await startHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.emulator.reset();
});

describe('matching an unlinked identity', () => {
  it.each(['13400009991', '+86 134 0000 9991', '+8613400009991', '0086 134-0000-9991'])(
    'links the one user whose phone is stored as %s',
    async (stored) => {
      const name = await authenticator(`match-phone-${++seq}`, { autoSignup: true });
      const local = await users().create({ values: { nickname: 'Local', phone: stored } });
      const { signIn } = await signInWithDingTalk(h, person({ mobile: '13400009991' }), { authenticator: name });
      expect(signIn!.body.data.user.id).toBe(local.get('id'));
      await users().destroy({ filterByTk: local.get('id') });
    },
  );

  it('does not match by email unless the admin chose it, then links exactly one user', async () => {
    const byPhone = await authenticator('match-default', { autoSignup: false });
    await users().create({ values: { nickname: 'Mail', email: 'mail.match@example.com' } });
    const refused = await signInWithDingTalk(h, person({ email: 'Mail.Match@example.com' }), { authenticator: byPhone });
    expect(refused.landing.searchParams.get('dingtalk_error')).toBe('USER_NOT_FOUND');

    const byEmail = await authenticator('match-email', { matchBy: ['phone', 'email'] });
    const local = await users().findOne({ filter: { email: 'mail.match@example.com' } });
    const matched = await signInWithDingTalk(h, person({ email: 'Mail.Match@example.com' }), { authenticator: byEmail });
    expect(matched.signIn!.body.data.user.id).toBe(local.get('id'));
  });

  it('tries the rules in order: email before phone when the admin says so', async () => {
    const name = await authenticator('match-order', { matchBy: ['email', 'phone'] });
    const identity = person();
    const phoneHolder = await users().create({ values: { nickname: 'Phone', phone: identity.mobile } });
    const emailHolder = await users().create({ values: { nickname: 'Email', email: identity.email } });
    const { signIn } = await signInWithDingTalk(h, identity, { authenticator: name });
    expect(signIn!.body.data.user.id).toBe(emailHolder.get('id'));
    expect(signIn!.body.data.user.id).not.toBe(phoneHolder.get('id'));
  });

  it('refuses when an email matches two users', async () => {
    const name = await authenticator('match-email-twice', { matchBy: ['email'], autoSignup: true });
    await users().create({ values: { nickname: 'A', email: 'twice@example.com' } });
    await users().create({ values: { nickname: 'B', email: 'TWICE@example.com' } });
    const before = await countUsers(h.app);
    const { landing } = await signInWithDingTalk(h, person({ email: 'twice@example.com' }), { authenticator: name });
    expect(landing.searchParams.get('dingtalk_error')).toBe('EMAIL_AMBIGUOUS');
    expect(await countUsers(h.app)).toBe(before);
  });

  it('with no matching rule, a person with a local twin signs up as a new user (phone left out) or is refused', async () => {
    const open = await authenticator('match-none', { matchBy: [], autoSignup: true });
    const identity = person();
    const twin = await users().create({ values: { nickname: 'Twin', phone: identity.mobile } });
    const { signIn } = await signInWithDingTalk(h, identity, { authenticator: open });
    expect(signIn!.body.data.user.id).not.toBe(twin.get('id'));
    expect(signIn!.body.data.user.phone ?? null).toBeNull();
    const closed = await authenticator('match-none-closed', { matchBy: [] });
    const refused = await signInWithDingTalk(h, person({ mobile: identity.mobile }), { authenticator: closed });
    expect(refused.landing.searchParams.get('dingtalk_error')).toBe('USER_NOT_FOUND');
  });
});

describe('users without a phone number', () => {
  it('are refused by default, naming the permission', async () => {
    const name = await authenticator('nophone-default', { autoSignup: true });
    h.emulator.setFault({ mode: 'no-mobile' });
    const { landing } = await signInWithDingTalk(h, person(), { authenticator: name });
    expect(landing.searchParams.get('dingtalk_error')).toBe('MOBILE_PERMISSION_MISSING');
  });

  it('sign up by unionId alone when the admin allows it, and are the same user next time', async () => {
    const name = await authenticator('nophone-allowed', { autoSignup: true, signupWithoutPhone: true });
    h.emulator.setFault({ mode: 'no-mobile' });
    const identity = person();
    const first = await signInWithDingTalk(h, identity, { authenticator: name });
    expect(first.signIn!.status).toBe(200);
    expect(first.signIn!.body.data.user.phone ?? null).toBeNull();
    const second = await signInWithDingTalk(h, identity, { authenticator: name });
    expect(second.signIn!.body.data.user.id).toBe(first.signIn!.body.data.user.id);
  });
});

describe('profile sync', () => {
  it('by default sets nickname, email and phone at sign-up only', async () => {
    const name = await authenticator('sync-default', { autoSignup: true, copyEmailAtSignup: true });
    const identity = person();
    const first = await signInWithDingTalk(h, identity, { authenticator: name });
    await signInWithDingTalk(h, { ...identity, nick: 'Changed', email: 'changed@example.com' }, { authenticator: name });
    const user = await users().findOne({ filterByTk: first.signIn!.body.data.user.id });
    expect(user.get('nickname')).toBe(identity.nick);
    expect(user.get('email')).toBe(identity.email);
  });

  it('"fill" fills empty fields, "overwrite" replaces them, and a taken email is skipped without failing', async () => {
    const name = await authenticator('sync-modes', {
      autoSignup: true,
      copyEmailAtSignup: true,
      profileSync: { nickname: 'overwrite', email: 'fill', phone: 'overwrite' },
    });
    const identity = person();
    const local = await users().create({ values: { nickname: 'Old', phone: `+86 ${identity.mobile}` } });
    await users().create({ values: { nickname: 'Holder', email: 'held@example.com' } });
    const held = await signInWithDingTalk(h, { ...identity, email: 'held@example.com' }, { authenticator: name });
    expect(held.signIn!.status).toBe(200);
    let user = await users().findOne({ filterByTk: local.get('id') });
    expect(user.get('nickname')).toBe(identity.nick);
    expect(user.get('email') ?? null).toBeNull();
    // The same number in another format is not rewritten.
    expect(user.get('phone')).toBe(`+86 ${identity.mobile}`);
    await signInWithDingTalk(h, identity, { authenticator: name });
    user = await users().findOne({ filterByTk: local.get('id') });
    expect(user.get('email')).toBe(identity.email);
    await signInWithDingTalk(h, { ...identity, email: 'newer@example.com', mobile: '13999990000' }, { authenticator: name });
    user = await users().findOne({ filterByTk: local.get('id') });
    expect(user.get('email')).toBe(identity.email);
    expect(user.get('phone')).toBe('13999990000');
  });
});

describe('the link record', () => {
  it('keeps unionId as the key and openId, nickname in the meta; a new openId updates it, not the key', async () => {
    const name = await authenticator('link-meta', { autoSignup: true });
    const identity = person();
    await signInWithDingTalk(h, identity, { authenticator: name });
    await signInWithDingTalk(h, { ...identity, openId: 'rotated-open', nick: 'Renamed' }, { authenticator: name });
    const rows = await links().find({ filter: { authenticator: name } });
    expect(rows).toHaveLength(1);
    expect(rows[0].get('uuid')).toBe(identity.unionId);
    expect(rows[0].get('nickname')).toBe('Renamed');
    expect(rows[0].get('meta')).toMatchObject({ unionId: identity.unionId, openId: 'rotated-open' });
  });
});

describe('self-service linking (checklist A9)', () => {
  async function signedIn(values: Record<string, unknown> = {}) {
    const user = await users().create({ values: { nickname: `Linker${++seq}`, password: 'secret-pass-1', ...values } });
    const agent = await h.app.agent().login(user);
    return { user, agent };
  }

  async function linkRoundTrip(agent: ReturnType<Harness['app']['agent']>, name: string, identity: Record<string, string>) {
    const start = await agent.post('/api/dingtalk:getLinkUrl').set('X-Authenticator', name).send({ redirect: '/admin/profile' });
    expect(start.status).toBe(200);
    const callback = await approveAtDingTalk(h.emulator, start.body.data.url, identity);
    const landed = await followCallback(agent, callback);
    return { start, landing: new URL(landed.headers.location, APP_URL) };
  }

  it('A9 links DingTalk to the signed-in user who started it, and that person then signs in with DingTalk', async () => {
    const name = await authenticator('link-self', {});
    const { user, agent } = await signedIn();
    const identity = person();
    const { landing } = await linkRoundTrip(agent, name, identity);
    expect(landing.pathname).toBe('/admin/profile');
    expect(landing.searchParams.get('dingtalk_link')).toBe(name);
    const done = await agent.post('/api/dingtalk:completeLink').send({ authenticator: name });
    expect(done.status).toBe(200);
    expect(done.body.data.nickname).toBe(identity.nick);
    expect(completedLinkFromBody(done.body)).toEqual({ authenticator: name, nickname: identity.nick });
    const mine = await agent.get('/api/dingtalk:listMyLinks');
    expect(mine.body.data.map((l: { authenticator: string }) => l.authenticator)).toEqual([name]);
    const [read] = myLinksFromBody(mine.body);
    // The user has a password (signedIn above), so the link may be removed.
    expect(read).toEqual({ authenticator: name, nickname: identity.nick, linkedAt: expect.any(String), canUnlink: true });
    expect(Number.isNaN(Date.parse(read.linkedAt!))).toBe(false);
    const { signIn } = await signInWithDingTalk(h, identity, { authenticator: name });
    expect(signIn!.body.data.user.id).toBe(user.get('id'));
  });

  it('A9 starting a link needs a signed-in user', async () => {
    const name = await authenticator('link-anon', {});
    const res = await h.app.agent().post('/api/dingtalk:getLinkUrl').set('X-Authenticator', name).send({ redirect: '/admin' });
    expect(res.status).toBe(401);
  });

  it('A9 the link is refused to another signed-in user than the one who started it', async () => {
    const name = await authenticator('link-mismatch', {});
    const { agent } = await signedIn();
    await linkRoundTrip(agent, name, person());
    // The browser now belongs to someone else (another sign-in in the same browser).
    const other = await users().create({ values: { nickname: 'Other', password: 'secret-pass-2' } });
    const switched = await agent.login(other);
    const res = await switched.post('/api/dingtalk:completeLink').send({ authenticator: name });
    expect(res.status).toBe(403);
    expect(res.body.errors[0].code).toBe('LINK_USER_MISMATCH');
    expect(await links().count({ filter: { authenticator: name } })).toBe(0);
  });

  it('A9 the link ticket only works in the browser that started linking', async () => {
    const name = await authenticator('link-browser', {});
    const { user, agent } = await signedIn();
    await linkRoundTrip(agent, name, person());
    const elsewhere = await h.app.agent().login(user);
    const res = await elsewhere.post('/api/dingtalk:completeLink').send({ authenticator: name });
    expect(res.body.errors[0].code).toBe('TICKET_INVALID');
  });

  it('refuses a DingTalk account already linked to someone else, and a second link of the same user', async () => {
    const name = await authenticator('link-taken', { autoSignup: true });
    const identity = person();
    await signInWithDingTalk(h, identity, { authenticator: name });
    const { agent } = await signedIn();
    await linkRoundTrip(agent, name, identity);
    const taken = await agent.post('/api/dingtalk:completeLink').send({ authenticator: name });
    expect(taken.body.errors[0].code).toBe('IDENTITY_LINKED_ELSEWHERE');

    await linkRoundTrip(agent, name, person());
    expect((await agent.post('/api/dingtalk:completeLink').send({ authenticator: name })).status).toBe(200);
    await linkRoundTrip(agent, name, person());
    const again = await agent.post('/api/dingtalk:completeLink').send({ authenticator: name });
    expect(again.body.errors[0].code).toBe('ALREADY_LINKED');
  });

  it('a failed linking goes back to the page it started from with the error', async () => {
    const name = await authenticator('link-cancel', {});
    const { agent } = await signedIn();
    const start = await agent.post('/api/dingtalk:getLinkUrl').set('X-Authenticator', name).send({ redirect: '/admin/x?tab=1' });
    const state = new URL(start.body.data.url).searchParams.get('state');
    const res = await agent.get(`/api/dingtalk:redirect?error=access_denied&state=${state}`);
    const landing = new URL(res.headers.location, APP_URL);
    expect(landing.pathname).toBe('/admin/x');
    expect(landing.searchParams.get('tab')).toBe('1');
    expect(landing.searchParams.get('dingtalk_error')).toBe('CANCELLED');
  });

  it('unlinking: refused when it would leave no way to sign in, done otherwise', async () => {
    const name = await authenticator('unlink', { autoSignup: true });
    const identity = person();
    const { signIn } = await signInWithDingTalk(h, identity, { authenticator: name });
    const dingtalkOnly = await h.app.agent().login(await users().findOne({ filterByTk: signIn!.body.data.user.id }));
    // Told up front, before any click.
    expect((await dingtalkOnly.get('/api/dingtalk:listMyLinks')).body.data).toMatchObject([{ authenticator: name, canUnlink: false }]);
    const refused = await dingtalkOnly.post('/api/dingtalk:unlinkMe').send({ authenticator: name });
    expect(refused.body.errors[0].code).toBe('UNLINK_WOULD_LOCK_OUT');
    expect(refused.body.errors[0].message).toContain('Ask an administrator to set a password');

    // What the message says works: an administrator sets a password (Users & Permissions → Users → Change password,
    // which sends `users:update`), and the user can unlink.
    const admin = await h.app.agent().login(await users().findOne({ filter: { email: 'admin@nocobase.com' } }), 'root');
    const setByAdmin = await admin.post('/api/users:update').query({ filterByTk: signIn!.body.data.user.id }).send({ password: 'set-by-admin-1' });
    expect(setByAdmin.status).toBe(200);
    // NocoBase signs the user out everywhere when their password changes: they sign in again. Its check compares the
    // token's `iat`, in whole seconds, with the change time in milliseconds, so a token issued in the same second as
    // the change is refused: sign in from the next second on.
    await new Promise((resolve) => setTimeout(resolve, 1005 - (Date.now() % 1000)));
    const withPassword = await h.app.agent().login(await users().findOne({ filterByTk: signIn!.body.data.user.id }));
    const relisted = await withPassword.get('/api/dingtalk:listMyLinks');
    expect(relisted.body.data, `${relisted.status} ${JSON.stringify(relisted.body)}`).toMatchObject([{ authenticator: name, canUnlink: true }]);
    expect((await withPassword.post('/api/dingtalk:unlinkMe').send({ authenticator: name })).status).toBe(200);

    const { agent } = await signedIn();
    await linkRoundTrip(agent, name, person());
    await agent.post('/api/dingtalk:completeLink').send({ authenticator: name });
    expect((await agent.post('/api/dingtalk:unlinkMe').send({ authenticator: name })).status).toBe(200);
    expect((await agent.get('/api/dingtalk:listMyLinks')).body.data).toEqual([]);
    expect((await agent.post('/api/dingtalk:unlinkMe').send({ authenticator: name })).body.errors[0].code).toBe('NOT_LINKED');
  });

  it('admins list links with their users and remove one; members cannot', async () => {
    const name = await authenticator('admin-links', { autoSignup: true });
    const identity = person();
    const { signIn } = await signInWithDingTalk(h, identity, { authenticator: name });
    const admin = await h.app.agent().login(await users().findOne({ filter: { email: 'admin@nocobase.com' } }), 'root');
    const list = await admin.get(`/api/dingtalk:listLinks?authenticator=${name}`);
    expect(list.status).toBe(200);
    expect(list.body.meta.count).toBe(1);
    expect(list.body.data[0]).toMatchObject({ uuid: identity.unionId, user: { id: signIn!.body.data.user.id } });
    const page = linksPageFromBody(list.body);
    expect(page.count).toBe(1);
    expect(page.rows[0]).toMatchObject({ userId: signIn!.body.data.user.id, uuid: identity.unionId, unionId: identity.unionId, nickname: identity.nick });
    expect(page.rows[0].user?.id).toBe(signIn!.body.data.user.id);

    // NocoBase's "admin" role holds `pm.*`, hence the `pm.auth.dingtalk` snippet; a member does not.
    const adminUser = await users().create({ values: { nickname: 'Admin', roles: ['admin'] } });
    const asAdmin = await h.app.agent().login(adminUser, 'admin');
    expect((await asAdmin.get(`/api/dingtalk:listLinks?authenticator=${name}`)).status).toBe(200);
    const member = await h.app.agent().login(await users().findOne({ filterByTk: signIn!.body.data.user.id }));
    const forbidden = await member.get(`/api/dingtalk:listLinks?authenticator=${name}`);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.errors[0].code).toBe('FORBIDDEN');
    expect((await member.post('/api/dingtalk:removeLink').send({ authenticator: name, userId: 1 })).status).toBe(403);

    const removed = await admin.post('/api/dingtalk:removeLink').send({ authenticator: name, userId: signIn!.body.data.user.id });
    expect(removed.status).toBe(200);
    expect(await links().count({ filter: { authenticator: name } })).toBe(0);
  });
});

describe('phone numbers of different countries (checklist G2)', () => {
  it('G2 default country 86: a +1 DingTalk number never matches a user stored as the bare 186…, whose Chinese owner does', async () => {
    const name = await authenticator(`g2-cn-${++seq}`, {});
    const local = await users().create({ values: { nickname: 'Bare CN', phone: '18645678901' } });
    const refused = await signInWithDingTalk(h, person({ mobile: '8645678901', stateCode: '1' }), { authenticator: name });
    expect(refused.landing.searchParams.get('dingtalk_error')).toBe('USER_NOT_FOUND');
    expect(await links().count({ filter: { userId: local.get('id') } })).toBe(0);
    const owner = await signInWithDingTalk(h, person({ mobile: '18645678901', stateCode: '86' }), { authenticator: name });
    expect(owner.signIn!.body.data.user.id).toBe(local.get('id'));
  });

  it('G2 default country 1: a Chinese number never matches a US user stored as 1-864-…, whose US owner does', async () => {
    const name = await authenticator(`g2-us-${++seq}`, { defaultCountryCode: '1' });
    const local = await users().create({ values: { nickname: 'Bare US', phone: '1-864-555-0199' } });
    const refused = await signInWithDingTalk(h, person({ mobile: '18645550199', stateCode: '86' }), { authenticator: name });
    expect(refused.landing.searchParams.get('dingtalk_error')).toBe('USER_NOT_FOUND');
    expect(await links().count({ filter: { userId: local.get('id') } })).toBe(0);
    const owner = await signInWithDingTalk(h, person({ mobile: '8645550199', stateCode: '1' }), { authenticator: name });
    expect(owner.signIn!.body.data.user.id).toBe(local.get('id'));
  });

  it('G2 numbers written by sign-up and profile sync are bare in the default country, +<cc> otherwise, and match only their owner', async () => {
    const signup = await authenticator(`g2-signup-${++seq}`, { autoSignup: true, defaultCountryCode: '1', profileSync: { phone: 'overwrite' } });
    const american = person({ mobile: '8645557701', stateCode: '1' });
    const chinese = person({ mobile: '13400007702', stateCode: '86' });
    const us = await signInWithDingTalk(h, american, { authenticator: signup });
    const cn = await signInWithDingTalk(h, chinese, { authenticator: signup });
    expect(us.signIn!.body.data.user.phone).toBe('8645557701');
    expect(cn.signIn!.body.data.user.phone).toBe('+8613400007702');
    // The Chinese person's DingTalk number changes to a US one: profile sync writes it in the default country's form.
    await signInWithDingTalk(h, { ...chinese, mobile: '8645557703', stateCode: '1' }, { authenticator: signup });
    expect((await users().findOne({ filterByTk: cn.signIn!.body.data.user.id })).get('phone')).toBe('8645557703');

    // Another authenticator with the same default country matches those numbers to their owners only.
    const matcher = await authenticator(`g2-match-${++seq}`, { defaultCountryCode: '1' });
    const again = await signInWithDingTalk(h, person({ mobile: '8645557701', stateCode: '1' }), { authenticator: matcher });
    expect(again.signIn!.body.data.user.id).toBe(us.signIn!.body.data.user.id);
    const foreign = await signInWithDingTalk(h, person({ mobile: '8645557701', stateCode: '86' }), { authenticator: matcher });
    expect(foreign.landing.searchParams.get('dingtalk_error')).toBe('USER_NOT_FOUND');
  });
});

describe("DingTalk's unverified email (checklist G9)", () => {
  it("G9 a colleague's address given at DingTalk is not stored at sign-up, so the colleague is not matched to that account later", async () => {
    const open = await authenticator(`g9-open-${++seq}`, { autoSignup: true });
    const attacker = await signInWithDingTalk(h, person({ email: 'colleague.g9@example.com' }), { authenticator: open });
    expect(attacker.signIn!.status).toBe(200);
    expect((await users().findOne({ filterByTk: attacker.signIn!.body.data.user.id })).get('email') ?? null).toBeNull();
    // Another sign-in method that matches by email: the colleague gets their own account.
    const byEmail = await authenticator(`g9-email-${++seq}`, { autoSignup: true, matchBy: ['email'], copyEmailAtSignup: true });
    const colleague = await signInWithDingTalk(h, person({ email: 'colleague.g9@example.com' }), { authenticator: byEmail });
    expect(colleague.signIn!.body.data.user.id).not.toBe(attacker.signIn!.body.data.user.id);
  });

  it('G9 the email is stored at sign-up when the admin opts in, or when sign-in is restricted to allowed organizations', async () => {
    const optIn = await authenticator(`g9-optin-${++seq}`, { autoSignup: true, copyEmailAtSignup: true });
    const first = person();
    const opted = await signInWithDingTalk(h, first, { authenticator: optIn });
    expect(opted.signIn!.body.data.user.email).toBe(first.email);

    const corp = await authenticator(`g9-corp-${++seq}`, { autoSignup: true, allowedCorpIds: ['dingemulatorcorp'] });
    const member = person();
    const restricted = await signInWithDingTalk(h, { ...member, corpId: 'dingemulatorcorp' }, { authenticator: corp });
    expect(restricted.signIn!.body.data.user.email).toBe(member.email);
  });

  it("G9 profile sync takes DingTalk's email under the same rule", async () => {
    const plain = await authenticator(`g9-sync-${++seq}`, { profileSync: { email: 'overwrite' } });
    const identity = person();
    const local = await users().create({ values: { nickname: 'Sync', phone: identity.mobile } });
    await signInWithDingTalk(h, identity, { authenticator: plain });
    expect((await users().findOne({ filterByTk: local.get('id') })).get('email') ?? null).toBeNull();

    const optIn = await authenticator(`g9-sync-optin-${++seq}`, { profileSync: { email: 'fill' }, copyEmailAtSignup: true });
    await signInWithDingTalk(h, { ...identity, unionId: `${identity.unionId}-b` }, { authenticator: optIn });
    expect((await users().findOne({ filterByTk: local.get('id') })).get('email')).toBe(identity.email);
  });
});

describe('saving settings', () => {
  it('refuses a wrong DingTalk setting with the field named, and accepts a good one', async () => {
    const admin = await h.app.agent().login(await users().findOne({ filter: { email: 'admin@nocobase.com' } }), 'root');
    const bad = await admin.post('/api/authenticators:create').send({
      name: 'bad-settings',
      authType: 'dingtalk',
      options: { ...CREDENTIALS, matchBy: ['phone', 'username'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ message: 'Invalid DingTalk setting: Match existing users by', code: 'CONFIG_INVALID', detail: 'matchBy' });
    expect(await h.app.db.getRepository('authenticators').count({ filter: { name: 'bad-settings' } })).toBe(0);
    const good = await admin.post('/api/authenticators:create').send({
      name: 'good-settings',
      authType: 'dingtalk',
      options: { ...CREDENTIALS, matchBy: ['email'], profileSync: { email: 'fill' }, allowedCorpIds: ['dingcorp'] },
    });
    expect(good.status).toBe(200);
  });
});
