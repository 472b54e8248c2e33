import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';
import { accessToken, authCode, exchangeCode, me, REQUEST_ID } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe('fault modes', () => {
  it('no-mobile drops mobile and stateCode from the profile but keeps everything else', async () => {
    const token = await accessToken(emu);
    emu.setFault({ mode: 'no-mobile' });
    const body = (await (await me(emu, token)).json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('mobile');
    expect(body).not.toHaveProperty('stateCode');
    expect(body).toMatchObject({ nick: '张三', unionId: 'emuUnionZhangsan0001iE', email: 'zhangsan@example.com', visitor: false });
  });

  it('no-mobile leaves the token endpoint alone and does not use up its times there', async () => {
    emu.setFault({ mode: 'no-mobile', times: 1 });
    const token = await accessToken(emu);
    expect(emu.fault()).toMatchObject({ mode: 'no-mobile', times: 1 });
    expect(await (await me(emu, token)).json()).not.toHaveProperty('mobile');
    expect(await (await me(emu, token)).json()).toHaveProperty('mobile', '13800000001');
  });

  it('forbidden answers 403 AccessTokenPermissionDenied naming the missing scope', async () => {
    const token = await accessToken(emu);
    emu.setFault({ mode: 'forbidden', endpoint: 'me' });
    const res = await me(emu, token);
    expect(res.status).toBe(403);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      requestid: expect.stringMatching(REQUEST_ID),
      code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
      message: expect.stringMatching(/^没有调用该接口的权限/),
      accessdenieddetail: { requiredScopes: ['Contact.User.Read'] },
    });
  });

  it('forbidden names the scopes it is given (any name, as DingTalk may name a permission the plugin does not know)', async () => {
    const token = await accessToken(emu);
    emu.setFault({ mode: 'forbidden', endpoint: 'me', scopes: ['Contact.User.Read', 'Some.Future.Scope'] });
    const res = await me(emu, token);
    expect(res.status).toBe(403);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.accessdenieddetail).toEqual({ requiredScopes: ['Contact.User.Read', 'Some.Future.Scope'] });
  });

  it.each([500, 502, 504])('server-error answers %i with a DingTalk-style JSON body', async (status) => {
    emu.setFault({ mode: 'server-error', status });
    const res = await exchangeCode(emu, await authCode(emu));
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ requestid: expect.stringMatching(REQUEST_ID), code: expect.any(String), message: expect.any(String) });
  });

  it('a faulted exchange leaves the auth code unused', async () => {
    const code = await authCode(emu);
    emu.setFault({ mode: 'server-error', endpoint: 'userAccessToken', times: 1 });
    expect((await exchangeCode(emu, code)).status).toBe(500);
    expect((await exchangeCode(emu, code)).status).toBe(200);
  });

  it('slow answers normally, but only after delayMs', async () => {
    const code = await authCode(emu);
    emu.setFault({ mode: 'slow', delayMs: 300 });
    const started = Date.now();
    const res = await exchangeCode(emu, code);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(res.status).toBe(200);
  });

  it('hang never answers, and the client can give up', async () => {
    emu.setFault({ mode: 'hang', endpoint: 'me' });
    const started = Date.now();
    const attempt = fetch(`${emu.url}/v1.0/contact/users/me`, { signal: AbortSignal.timeout(300) });
    await expect(attempt).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(emu.log().at(-1)).toMatchObject({ path: '/v1.0/contact/users/me', status: 0, fault: 'hang' });
  });

  it('close() does not wait for a hung request', async () => {
    const other = await startEmulator();
    other.setFault({ mode: 'hang' });
    const pending = fetch(`${other.url}/v1.0/contact/users/me`).catch((err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
  });

  it('garbage answers 200 with an HTML body', async () => {
    const token = await accessToken(emu);
    emu.setFault({ mode: 'garbage' });
    const res = await me(emu, token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const text = await res.text();
    expect(text).toMatch(/^<html>.*<\/html>$/s);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('bad-json answers a profile without unionId by default', async () => {
    emu.setFault({ mode: 'bad-json', endpoint: 'me' });
    const res = await me(emu, 'any');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('unionId');
    expect(body).toHaveProperty('nick');
  });

  it('bad-json variant array answers a JSON array on both endpoints', async () => {
    emu.setFault({ mode: 'bad-json', variant: 'array' });
    expect(Array.isArray(await (await me(emu, 'x')).json())).toBe(true);
    expect(Array.isArray(await (await exchangeCode(emu, 'x')).json())).toBe(true);
  });

  it('bad-json variant wrong-types answers mistyped fields', async () => {
    emu.setFault({ mode: 'bad-json', variant: 'wrong-types' });
    const profile = (await (await me(emu, 'x')).json()) as Record<string, unknown>;
    expect(typeof profile.unionId).toBe('number');
    expect(typeof profile.nick).toBe('number');
    const tokens = (await (await exchangeCode(emu, 'x')).json()) as Record<string, unknown>;
    expect(typeof tokens.accessToken).toBe('number');
    expect(typeof tokens.expireIn).toBe('string');
  });

  it('bad-json on the token endpoint answers without accessToken by default', async () => {
    emu.setFault({ mode: 'bad-json', endpoint: 'userAccessToken' });
    const body = (await (await exchangeCode(emu, 'x')).json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('accessToken');
    expect(body).toHaveProperty('expireIn', 7200);
  });

  it('rate-limit answers 403 Forbidden.AccessDenied.QpsLimitForApi, or 429 when asked', async () => {
    emu.setFault({ mode: 'rate-limit' });
    const res = await me(emu, 'x');
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      requestid: expect.stringMatching(REQUEST_ID),
      code: 'Forbidden.AccessDenied.QpsLimitForApi',
      message: expect.any(String),
    });
    emu.setFault({ mode: 'rate-limit', status: 429 });
    expect((await me(emu, 'x')).status).toBe(429);
  });

  it('reset destroys the connection without an answer', async () => {
    emu.setFault({ mode: 'reset', endpoint: 'userAccessToken' });
    await expect(exchangeCode(emu, 'x')).rejects.toThrow();
    expect(emu.log().at(-1)).toMatchObject({ status: 0, fault: 'reset' });
  });

  it('endpoint limits the fault to one API and times clears it after that many requests', async () => {
    const token = await accessToken(emu);
    emu.setFault({ mode: 'server-error', endpoint: 'me', times: 2 });
    expect((await exchangeCode(emu, await authCode(emu))).status).toBe(200);
    expect((await me(emu, token)).status).toBe(500);
    expect((await me(emu, token)).status).toBe(500);
    expect((await me(emu, token)).status).toBe(200);
    expect(emu.fault()).toBeNull();
  });

  it('faults never touch the login page', async () => {
    emu.setFault({ mode: 'reset' });
    expect((await authCode(emu)).length).toBe(32);
  });

  it('delayMs also delays an error answer', async () => {
    emu.setFault({ mode: 'server-error', status: 504, delayMs: 200 });
    const started = Date.now();
    expect((await me(emu, 'x')).status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
  });

  it.each([
    [{ mode: 'explode' }],
    [{ mode: 'server-error', status: 404 }],
    [{ mode: 'forbidden', status: 401 }],
    [{ mode: 'slow', times: 0 }],
    [{ mode: 'slow', delayMs: -1 }],
    [{ mode: 'hang', endpoint: 'auth' }],
    [{ mode: 'garbage', variant: 'array' }],
    [{ mode: 'hang', typo: true }],
    [{ mode: 'server-error', scopes: ['Contact.User.Read'] }],
    [{ mode: 'forbidden', scopes: [] }],
    [{ mode: 'forbidden', scopes: 'Contact.User.Read' }],
    [{ mode: 'forbidden', scopes: [''] }],
    [{ mode: 'forbidden', scopes: [42] }],
  ])('setFault rejects the invalid fault %j', (fault) => {
    expect(() => emu.setFault(fault as never)).toThrow();
    expect(emu.fault()).toBeNull();
  });
});
