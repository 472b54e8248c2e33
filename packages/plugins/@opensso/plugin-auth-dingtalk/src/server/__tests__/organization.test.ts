/**
 * Organization restriction and directory membership (checklist C4), with the app token cached.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CREDENTIALS,
  Harness,
  countLinks,
  countUsers,
  createAuthenticator,
  signInWithDingTalk,
  startHarness,
} from './harness';

let h: Harness;
const appTokenCalls = () => h.emulator.counters()['POST /v1.0/oauth2/accessToken'] ?? 0;

beforeAll(async () => {
  h = await startHarness();
  await createAuthenticator(h.app, {
    name: 'corp-only',
    options: { ...CREDENTIALS, autoSignup: true, allowedCorpIds: ['dingemulatorcorp'] },
  });
  await createAuthenticator(h.app, {
    name: 'corp-members',
    options: { ...CREDENTIALS, autoSignup: true, allowedCorpIds: ['dingemulatorcorp', 'dingothercorp'], verifyMembership: true },
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.emulator.reset();
});

describe('organization restriction (C4)', () => {
  it('asks DingTalk for the organization, and signs in a person of an allowed one', async () => {
    const { start, signIn } = await signInWithDingTalk(h, { identity: 'lisi', corpId: 'dingemulatorcorp' }, { authenticator: 'corp-only' });
    expect(new URL(start.body.data.url).searchParams.get('scope')).toBe('openid corpid');
    expect(signIn!.status).toBe(200);
    const link = await h.app.db.getRepository('usersAuthenticators').findOne({ filter: { authenticator: 'corp-only', uuid: 'emuUnionLisi0002iE' } });
    expect(link.get('meta')).toMatchObject({ corpId: 'dingemulatorcorp' });
  });

  it('C4 refuses a person signing in with another organization or a personal account, and creates nothing', async () => {
    const users = await countUsers(h.app);
    const links = await countLinks(h.app, 'corp-only');
    const other = await signInWithDingTalk(h, { identity: 'alice', corpId: 'dingothercorp' }, { authenticator: 'corp-only' });
    expect(other.landing.searchParams.get('dingtalk_error')).toBe('ORGANIZATION_NOT_ALLOWED');
    const personal = await signInWithDingTalk(h, { identity: 'zhaoliu' }, { authenticator: 'corp-only' });
    expect(personal.landing.searchParams.get('dingtalk_error')).toBe('ORGANIZATION_NOT_ALLOWED');
    expect(await countUsers(h.app)).toBe(users);
    expect(await countLinks(h.app, 'corp-only')).toBe(links);
    // Refused before the profile was even read.
    expect(h.emulator.counters()['GET /v1.0/contact/users/me'] ?? 0).toBe(0);
  });

  it('C4 with the membership check, a person outside the app organization\'s directory is refused, nothing created', async () => {
    const users = await countUsers(h.app);
    // alice picks an allowed organization, but the app belongs to dingemulatorcorp, whose directory lacks her.
    const outsider = await signInWithDingTalk(h, { identity: 'alice', corpId: 'dingothercorp' }, { authenticator: 'corp-members' });
    expect(outsider.landing.searchParams.get('dingtalk_error')).toBe('NOT_A_MEMBER');
    expect(await countUsers(h.app)).toBe(users);
  });

  it('a member is signed in and their organization userid is kept on the link; the app token is fetched once', async () => {
    for (const identity of ['zhangsan', 'wangwu', 'zhangsan']) {
      const { signIn } = await signInWithDingTalk(h, { identity, corpId: 'dingemulatorcorp' }, { authenticator: 'corp-members' });
      expect(signIn!.status).toBe(200);
    }
    const link = await h.app.db
      .getRepository('usersAuthenticators')
      .findOne({ filter: { authenticator: 'corp-members', uuid: 'emuUnionZhangsan0001iE' } });
    expect(link.get('meta')).toMatchObject({ corpId: 'dingemulatorcorp', userid: 'zhangsan01' });
    // Each sign-in asked the directory; the app token (possibly cached by an earlier test, which the emulator's
    // reset made invalid: then dropped and fetched again once) was fetched at most once for the three.
    expect(h.emulator.counters()['POST /topapi/user/getbyunionid']).toBeGreaterThanOrEqual(3);
    expect(appTokenCalls()).toBeLessThanOrEqual(1);
  });

  it('an app token DingTalk calls invalid is dropped and fetched again once', async () => {
    await signInWithDingTalk(h, { identity: 'lisi', corpId: 'dingemulatorcorp' }, { authenticator: 'corp-members' });
    const before = appTokenCalls();
    h.emulator.setFault({ mode: 'token-invalid', endpoint: 'getbyunionid', times: 1 });
    const { signIn } = await signInWithDingTalk(h, { identity: 'lisi', corpId: 'dingemulatorcorp' }, { authenticator: 'corp-members' });
    expect(signIn!.status).toBe(200);
    expect(appTokenCalls()).toBe(before + 1);
  });

  it('maps the directory\'s IP whitelist refusal to its own message', async () => {
    h.emulator.setFault({ mode: 'ip-whitelist', endpoint: 'getbyunionid' });
    const { landing } = await signInWithDingTalk(h, { identity: 'lisi', corpId: 'dingemulatorcorp' }, { authenticator: 'corp-members' });
    expect(landing.searchParams.get('dingtalk_error')).toBe('DINGTALK_IP_NOT_ALLOWED');
  });
});
