import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';
import { accessToken, approve, authCode, exchangeCode, me, REQUEST_ID } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());
afterEach(() => {
  vi.useRealTimers();
});

describe('GET /v1.0/contact/users/me', () => {
  it('returns the full profile of a user with mobile and email', async () => {
    const res = await me(emu, await accessToken(emu, { identity: 'zhangsan' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-acs-request-id')).toMatch(REQUEST_ID);
    expect(await res.json()).toEqual({
      nick: '张三',
      avatarUrl: `${emu.url}/__emulator/avatar/zhangsan.svg`,
      mobile: '13800000001',
      stateCode: '86',
      openId: 'emuOpenZhangsan0001iE',
      unionId: 'emuUnionZhangsan0001iE',
      email: 'zhangsan@example.com',
      visitor: false,
    });
  });

  it('omits email for a user who has none', async () => {
    const body = (await (await me(emu, await accessToken(emu, { identity: 'wangwu' }))).json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('email');
    expect(body).toMatchObject({ nick: '王五', mobile: '13800000004', stateCode: '86' });
  });

  it('omits mobile and stateCode for an identity without a phone', async () => {
    const other = await startEmulator({ identities: [{ id: 'nophone', nick: 'No Phone', unionId: 'u-np', openId: 'o-np' }] });
    try {
      const body = (await (await me(other, await accessToken(other, { identity: 'nophone' }))).json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['avatarUrl', 'nick', 'openId', 'unionId', 'visitor']);
    } finally {
      await other.close();
    }
  });

  it('serves the avatar the profile points at', async () => {
    const body = (await (await me(emu, await accessToken(emu))).json()) as { avatarUrl: string };
    const res = await fetch(body.avatarUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(await res.text()).toContain('张');
  });

  it('a missing x-acs-dingtalk-access-token header answers AuthenticationFailed.MissingParameter', async () => {
    const res = await me(emu);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      requestid: expect.stringMatching(REQUEST_ID),
      code: 'AuthenticationFailed.MissingParameter',
      message: '缺少参数：x-acs-dingtalk-access-token',
    });
  });

  it('a bearer Authorization header is not accepted in place of the DingTalk header', async () => {
    const token = await accessToken(emu);
    const res = await fetch(`${emu.url}/v1.0/contact/users/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'AuthenticationFailed.MissingParameter' });
  });

  it('an unknown access token answers InvalidAuthentication', async () => {
    const res = await me(emu, 'a'.repeat(32));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      requestid: expect.stringMatching(REQUEST_ID),
      code: 'InvalidAuthentication',
      message: '不合法的access_token',
    });
  });

  it('an expired access token answers InvalidAuthentication', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const token = await accessToken(emu);
    expect((await me(emu, token)).status).toBe(200);
    vi.setSystemTime(Date.now() + 7200 * 1000 + 1);
    const res = await me(emu, token);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'InvalidAuthentication' });
  });

  it('reset() forgets issued tokens', async () => {
    const token = await accessToken(emu);
    emu.reset();
    expect((await me(emu, token)).status).toBe(400);
  });
});

describe('custom identities typed on the login page', () => {
  it('signs in as the typed identity and escapes nothing away from the JSON', async () => {
    const nick = '<b>Bob & "Co"</b>';
    const res = await approve(emu, { identity: undefined, action: 'approve-custom', nick, mobile: '13900000009', stateCode: '86', email: 'bob@example.net', unionId: 'uBob', openId: 'oBob' }, 'form');
    expect(res.status).toBe(302);
    const code = new URL(res.headers.get('location') ?? '').searchParams.get('authCode') ?? '';
    const { accessToken: token } = (await (await exchangeCode(emu, code)).json()) as { accessToken: string };
    expect(await (await me(emu, token)).json()).toMatchObject({ nick, mobile: '13900000009', stateCode: '86', email: 'bob@example.net', unionId: 'uBob', openId: 'oBob' });
  });

  it('derives stable unionId and openId from the nick when they are left empty', async () => {
    const profile = async () => {
      const token = await accessToken(emu, { identity: undefined, nick: 'Carol', unionId: '', openId: '' });
      return (await (await me(emu, token)).json()) as Record<string, unknown>;
    };
    const first = await profile();
    const second = await profile();
    expect(first.unionId).toBeTruthy();
    expect(first.unionId).toBe(second.unionId);
    expect(first.openId).toBe(second.openId);
    expect(first).not.toHaveProperty('mobile');
    expect(first).not.toHaveProperty('email');
  });

  it('defaults stateCode to 86 when only a mobile is typed', async () => {
    const token = await accessToken(emu, { identity: undefined, nick: 'Dan', mobile: '13700000000' });
    expect(await (await me(emu, token)).json()).toMatchObject({ mobile: '13700000000', stateCode: '86' });
  });

  it('rejects a custom identity without a nick or with a non-numeric mobile', async () => {
    expect((await approve(emu, { identity: undefined, action: 'approve-custom', nick: '  ' })).status).toBe(400);
    expect((await approve(emu, { identity: undefined, nick: 'Eve', mobile: '+86 139' })).status).toBe(400);
  });

  it('uses the picked identity for the code, not whoever picks next', async () => {
    const lisiCode = await authCode(emu, { identity: 'lisi' });
    const aliceCode = await authCode(emu, { identity: 'alice' });
    const lisi = (await (await exchangeCode(emu, lisiCode)).json()) as { accessToken: string };
    const alice = (await (await exchangeCode(emu, aliceCode)).json()) as { accessToken: string };
    expect(await (await me(emu, lisi.accessToken)).json()).toMatchObject({ unionId: 'emuUnionLisi0002iE' });
    expect(await (await me(emu, alice.accessToken)).json()).toMatchObject({ unionId: 'emuUnionAlice0003iE', stateCode: '33' });
  });
});
