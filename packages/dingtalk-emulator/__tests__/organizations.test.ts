import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IdentityError, memberships, parseIdentities, startEmulator, type Emulator } from '../src/index';
import { appToken, approve, authCode, authorizeUrl, CLIENT_ID, exchangeCode, topapi } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function tokenCorpId(input: Record<string, string | undefined>): Promise<unknown> {
  const res = await exchangeCode(emu, await authCode(emu, { scope: 'openid corpid', ...input }));
  return ((await res.json()) as { corpId?: unknown }).corpId;
}

describe('identities with organizations', () => {
  it('ships two organizations: zhangsan and lisi in the first, alice in the second, wangwu in both, zhaoliu in none', () => {
    const orgs = Object.fromEntries(emu.identities().map((identity) => [identity.id, memberships(identity).map((org) => org.corpId)]));
    expect(orgs).toEqual({
      zhangsan: ['dingemulatorcorp'],
      lisi: ['dingemulatorcorp'],
      alice: ['dingothercorp'],
      wangwu: ['dingemulatorcorp', 'dingothercorp'],
      zhaoliu: [],
    });
    const wangwu = emu.identities().find((identity) => identity.id === 'wangwu');
    expect(memberships(wangwu!).map((org) => org.userid)).toEqual(['wangwu04', 'other-wangwu']);
  });

  it('keeps the corpId/userid shorthand: one organization, userid defaulting to the id', () => {
    const [short, withUserid] = parseIdentities([
      { id: 'solo', nick: 'Solo', unionId: 'u1', openId: 'o1', corpId: 'dingsolo' },
      { id: 'duo', nick: 'Duo', unionId: 'u2', openId: 'o2', corpId: 'dingsolo', userid: 'duo-7' },
    ]);
    expect(memberships(short)).toEqual([{ corpId: 'dingsolo', userid: 'solo' }]);
    expect(memberships(withUserid)).toEqual([{ corpId: 'dingsolo', userid: 'duo-7' }]);
  });

  it.each([
    ['userid without corpId', [{ id: 'a', nick: 'A', unionId: 'u', openId: 'o', userid: 'x' }], /needs "corpId"/],
    ['orgs and the shorthand together', [{ id: 'a', nick: 'A', unionId: 'u', openId: 'o', corpId: 'c', orgs: [] }], /either "orgs"/],
    ['an org without userid', [{ id: 'a', nick: 'A', unionId: 'u', openId: 'o', orgs: [{ corpId: 'c' }] }], /"corpId" and "userid" are required/],
    ['a misspelt org field', [{ id: 'a', nick: 'A', unionId: 'u', openId: 'o', orgs: [{ corpId: 'c', userId: 'x' }] }], /unknown field "userId"/],
    ['the same org twice', [{ id: 'a', nick: 'A', unionId: 'u', openId: 'o', orgs: [{ corpId: 'c', userid: 'x' }, { corpId: 'c', userid: 'y' }] }], /listed twice/],
    ['admin that is not a boolean', [{ id: 'a', nick: 'A', unionId: 'u', openId: 'o', orgs: [{ corpId: 'c', userid: 'x', admin: 'yes' }] }], /"admin"/],
    ['empty deptIds', [{ id: 'a', nick: 'A', unionId: 'u', openId: 'o', orgs: [{ corpId: 'c', userid: 'x', deptIds: [] }] }], /deptIds/],
    [
      'one userid for two people in one org',
      [
        { id: 'a', nick: 'A', unionId: 'u1', openId: 'o1', orgs: [{ corpId: 'c', userid: 'same' }] },
        { id: 'b', nick: 'B', unionId: 'u2', openId: 'o2', corpId: 'c', userid: 'same' },
      ],
      /userid "same" is used twice/,
    ],
    [
      'two names for one organization',
      [
        { id: 'a', nick: 'A', unionId: 'u1', openId: 'o1', orgs: [{ corpId: 'c', userid: 'a', name: 'One' }] },
        { id: 'b', nick: 'B', unionId: 'u2', openId: 'o2', orgs: [{ corpId: 'c', userid: 'b', name: 'Two' }] },
      ],
      /named both "One" and "Two"/,
    ],
  ])('rejects %s', (_label, raw, message) => {
    expect(() => parseIdentities(raw)).toThrow(IdentityError);
    expect(() => parseIdentities(raw)).toThrow(message);
  });

  it('allows the same userid in two different organizations', () => {
    expect(() =>
      parseIdentities([
        { id: 'a', nick: 'A', unionId: 'u1', openId: 'o1', corpId: 'c1', userid: 'same' },
        { id: 'b', nick: 'B', unionId: 'u2', openId: 'o2', corpId: 'c2', userid: 'same' },
      ]),
    ).not.toThrow();
  });
});

describe('picking the organization on the login page (scope openid corpid)', () => {
  it('offers each member one select of their organizations, the first preselected', async () => {
    const html = await (await fetch(authorizeUrl(emu, { scope: 'openid corpid' }))).text();
    expect(html).toContain('data-org-select="wangwu"');
    const wangwu = /<select name="corpId" data-org-select="wangwu">(.*?)<\/select>/s.exec(html)?.[1] ?? '';
    expect(wangwu).toContain('<option value="dingemulatorcorp" data-corp-id="dingemulatorcorp" selected>Emulated Co. (dingemulatorcorp)</option>');
    expect(wangwu).toContain('<option value="dingothercorp" data-corp-id="dingothercorp">Other Org (dingothercorp)</option>');
    expect(html).toContain('data-personal="zhaoliu"');
    expect(html).not.toContain('data-org-select="zhaoliu"');
  });

  it('preselects the organization named by the authorization URL when the person belongs to it', async () => {
    const html = await (await fetch(authorizeUrl(emu, { scope: 'openid corpid', corpId: 'dingothercorp' }))).text();
    const wangwu = /data-org-select="wangwu">(.*?)<\/select>/s.exec(html)?.[1] ?? '';
    expect(wangwu).toContain('data-corp-id="dingothercorp" selected');
    const zhangsan = /data-org-select="zhangsan">(.*?)<\/select>/s.exec(html)?.[1] ?? '';
    expect(zhangsan).toContain('data-corp-id="dingemulatorcorp" selected');
  });

  it('asks nothing about organizations without the corpid scope', async () => {
    const html = await (await fetch(authorizeUrl(emu))).text();
    expect(html).not.toContain('<select');
    expect(html).not.toContain('data-personal=');
  });

  it('keeps every person in a form of their own that posts the carried parameters', async () => {
    const html = await (await fetch(authorizeUrl(emu, { scope: 'openid corpid' }))).text();
    const forms = html.match(/<form method="post" action="\/oauth2\/auth\/approve" class="pick">[\s\S]*?<\/form>/g) ?? [];
    expect(forms).toHaveLength(5);
    for (const form of forms) expect(form).toContain('name="scope" value="openid corpid"');
  });

  it('the token answer carries the picked organization, by default the first', async () => {
    expect(await tokenCorpId({ identity: 'wangwu' })).toBe('dingemulatorcorp');
    expect(await tokenCorpId({ identity: 'wangwu', corpId: 'dingothercorp' })).toBe('dingothercorp');
    expect(await tokenCorpId({ identity: 'alice' })).toBe('dingothercorp');
  });

  it('accepts the pick from the login page form encoding', async () => {
    const res = await approve(emu, { identity: 'wangwu', scope: 'openid corpid', corpId: 'dingothercorp' }, 'form');
    const code = new URL(res.headers.get('location') ?? '').searchParams.get('authCode') ?? '';
    expect(await (await exchangeCode(emu, code)).json()).toMatchObject({ corpId: 'dingothercorp' });
    expect(emu.log().at(-2)).toMatchObject({ path: '/oauth2/auth/approve', identity: 'wangwu', corpId: 'dingothercorp' });
  });

  it('refuses an organization the person does not belong to with an error page', async () => {
    const res = await approve(emu, { identity: 'alice', scope: 'openid corpid', corpId: 'dingemulatorcorp' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('not a member of organization');
  });

  it('a personal account signs in under corpid without a corpId in the token answer', async () => {
    const res = await exchangeCode(emu, await authCode(emu, { identity: 'zhaoliu', scope: 'openid corpid' }));
    expect(res.status).toBe(200);
    expect(await res.json()).not.toHaveProperty('corpId');
  });

  it('ignores a corpId field when the scope did not ask for one', async () => {
    const res = await exchangeCode(emu, await authCode(emu, { identity: 'alice', corpId: 'dingemulatorcorp' }));
    expect(await res.json()).not.toHaveProperty('corpId');
  });

  it('a refresh keeps the organization picked at sign-in', async () => {
    const first = (await (await exchangeCode(emu, await authCode(emu, { identity: 'wangwu', scope: 'openid corpid', corpId: 'dingothercorp' }))).json()) as {
      refreshToken: string;
    };
    const res = await fetch(`${emu.url}/v1.0/oauth2/userAccessToken`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: CLIENT_ID, clientSecret: 'emulator-secret', refreshToken: first.refreshToken, grantType: 'refresh_token' }),
    });
    expect(await res.json()).toMatchObject({ corpId: 'dingothercorp' });
  });

  it('a custom identity with a corpId belongs to that organization and joins its directory', async () => {
    expect(
      await tokenCorpId({ identity: undefined, action: 'approve-custom', nick: 'Frank', corpId: 'dingemulatorcorp', userid: 'frank9', unionId: 'uFrank' }),
    ).toBe('dingemulatorcorp');
    const res = await topapi(emu, '/topapi/user/getbyunionid', { unionid: 'uFrank' }, await appToken(emu));
    expect(await res.json()).toMatchObject({ errcode: 0, result: { contact_type: 0, userid: 'frank9' } });
    emu.reset();
    const after = await topapi(emu, '/topapi/user/getbyunionid', { unionid: 'uFrank' }, await appToken(emu));
    expect(await after.json()).toMatchObject({ errcode: 60121 });
  });

  it('a custom identity without a corpId is a personal account', async () => {
    expect(await tokenCorpId({ identity: undefined, nick: 'Grace' })).toBeUndefined();
  });
});

describe('GET /__emulator/organizations', () => {
  it('lists each organization with its name, apps and members (userid per organization)', async () => {
    const list = await (await fetch(`${emu.url}/__emulator/organizations`)).json();
    expect(list).toEqual([
      {
        corpId: 'dingemulatorcorp',
        name: 'Emulated Co.',
        apps: [CLIENT_ID],
        members: [
          { id: 'zhangsan', userid: 'zhangsan01', nick: '张三', unionId: 'emuUnionZhangsan0001iE' },
          { id: 'lisi', userid: 'lisi02', nick: '李四', unionId: 'emuUnionLisi0002iE' },
          { id: 'wangwu', userid: 'wangwu04', nick: '王五', unionId: 'emuUnionWangwu0004iE' },
        ],
      },
      {
        corpId: 'dingothercorp',
        name: 'Other Org',
        apps: [],
        members: [
          { id: 'alice', userid: 'alice03', nick: 'Alice Martin', unionId: 'emuUnionAlice0003iE' },
          { id: 'wangwu', userid: 'other-wangwu', nick: '王五', unionId: 'emuUnionWangwu0004iE' },
        ],
      },
    ]);
    expect(emu.organizations()).toEqual(list);
    expect(emu.counters()).toEqual({});
  });

  it('lists an app\'s organization even when nobody belongs to it', async () => {
    const other = await startEmulator({ identities: [], clients: [{ clientId: 'a', clientSecret: 's', corpId: 'dingempty' }] });
    try {
      expect(other.organizations()).toEqual([{ corpId: 'dingempty', name: 'dingempty', apps: ['a'], members: [] }]);
    } finally {
      await other.close();
    }
  });
});
