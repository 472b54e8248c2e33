import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';
import { authCode, CLIENT_ID, CLIENT_SECRET, exchange, exchangeCode, me, REQUEST_ID } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({
    clients: [
      { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      { clientId: 'other-app', clientSecret: 'other-secret' },
    ],
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());
afterEach(() => {
  vi.useRealTimers();
});

async function expectError(res: Response, status: number, code: string, message: string): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toEqual({ requestid: expect.stringMatching(REQUEST_ID), code, message });
  expect(res.headers.get('x-acs-request-id')).toBe(body.requestid);
}

describe('POST /v1.0/oauth2/userAccessToken', () => {
  it('exchanges an auth code for accessToken, refreshToken and expireIn 7200 (no corpId without the corpid scope)', async () => {
    const res = await exchangeCode(emu, await authCode(emu));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-acs-request-id')).toMatch(REQUEST_ID);
    const body = await res.json();
    expect(body).toEqual({
      accessToken: expect.stringMatching(/^[0-9a-f]{32}$/),
      refreshToken: expect.stringMatching(/^[0-9a-f]{32}$/),
      expireIn: 7200,
    });
  });

  it('adds corpId when the scope included corpid', async () => {
    const zhang = await exchangeCode(emu, await authCode(emu, { scope: 'openid corpid' }));
    expect(await zhang.json()).toMatchObject({ corpId: 'dingemulatorcorp' });
    const wang = await exchangeCode(emu, await authCode(emu, { identity: 'wangwu', scope: 'openid corpid' }));
    expect(await wang.json()).toMatchObject({ corpId: 'dingemulatorcorp' });
    const alice = await exchangeCode(emu, await authCode(emu, { identity: 'alice', scope: 'openid corpid' }));
    expect(await alice.json()).toMatchObject({ corpId: 'dingothercorp' });
  });

  it('reports the configured token lifetime as expireIn', async () => {
    const short = await startEmulator({ tokenTtlSeconds: 60 });
    try {
      const res = await exchangeCode(short, await authCode(short));
      expect(await res.json()).toMatchObject({ expireIn: 60 });
    } finally {
      await short.close();
    }
  });

  it('a used auth code answers invalidParameter.authCode.notFound', async () => {
    const code = await authCode(emu);
    expect((await exchangeCode(emu, code)).status).toBe(200);
    await expectError(await exchangeCode(emu, code), 400, 'invalidParameter.authCode.notFound', '不合法的临时授权码');
  });

  it('an unknown auth code answers invalidParameter.authCode.notFound', async () => {
    await expectError(await exchangeCode(emu, 'f'.repeat(32)), 400, 'invalidParameter.authCode.notFound', '不合法的临时授权码');
  });

  it('an expired auth code answers invalidParameter.authCode.notFound', async () => {
    const quick = await startEmulator({ codeTtlMs: 30 });
    try {
      const code = await authCode(quick);
      await new Promise((resolve) => setTimeout(resolve, 60));
      await expectError(await exchangeCode(quick, code), 400, 'invalidParameter.authCode.notFound', '不合法的临时授权码');
    } finally {
      await quick.close();
    }
  });

  it('a code is still good just before it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const code = await authCode(emu);
    vi.setSystemTime(Date.now() + 5 * 60 * 1000 - 1000);
    expect((await exchangeCode(emu, code)).status).toBe(200);
  });

  it('a code issued to another client answers notFound and stays usable by its own client', async () => {
    const code = await authCode(emu);
    await expectError(
      await exchangeCode(emu, code, { clientId: 'other-app', clientSecret: 'other-secret' }),
      400,
      'invalidParameter.authCode.notFound',
      '不合法的临时授权码',
    );
    expect((await exchangeCode(emu, code)).status).toBe(200);
  });

  it('a wrong clientSecret answers invalidClientIdOrSecret and does not burn the code', async () => {
    const code = await authCode(emu);
    await expectError(await exchangeCode(emu, code, { clientSecret: 'wrong' }), 400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');
    expect((await exchangeCode(emu, code)).status).toBe(200);
  });

  it('an unknown clientId answers invalidClientIdOrSecret', async () => {
    await expectError(
      await exchangeCode(emu, 'x', { clientId: 'nobody', clientSecret: 'x' }),
      400,
      'invalidClientIdOrSecret',
      '无效的clientId或者clientSecret',
    );
  });

  it.each([
    ['malformed JSON', '{"clientId":', 'request body (JSON object)'],
    ['a JSON array', '[]', 'request body (JSON object)'],
    ['a missing clientSecret', { clientId: CLIENT_ID, code: 'x', grantType: 'authorization_code' }, 'clientSecret'],
    ['a missing code', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, grantType: 'authorization_code' }, 'code'],
    ['a missing grantType', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, code: 'x' }, 'grantType'],
  ])('%s answers 400 MissingParameter', async (_label, body, name) => {
    await expectError(await exchange(emu, body), 400, 'MissingParameter', `缺少参数：${name}`);
  });

  it('a form-encoded body is not understood (DingTalk wants JSON)', async () => {
    const res = await fetch(`${emu.url}/v1.0/oauth2/userAccessToken`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, code: 'x', grantType: 'authorization_code' }),
    });
    await expectError(res, 400, 'MissingParameter', '缺少参数：request body (JSON object)');
  });

  it('an unsupported grantType answers invalidParameter.grantType', async () => {
    await expectError(
      await exchange(emu, { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, grantType: 'password' }),
      400,
      'invalidParameter.grantType',
      '不支持的grantType',
    );
  });

  it('grantType refresh_token issues a new access token and retires the old refresh token', async () => {
    const first = (await (await exchangeCode(emu, await authCode(emu, { identity: 'alice' }))).json()) as { refreshToken: string };
    const refresh = () => exchange(emu, { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: first.refreshToken, grantType: 'refresh_token' });
    const res = await refresh();
    expect(res.status).toBe(200);
    const renewed = (await res.json()) as { accessToken: string; refreshToken: string; expireIn: number };
    expect(renewed.expireIn).toBe(7200);
    expect(renewed.refreshToken).not.toBe(first.refreshToken);
    expect(await (await me(emu, renewed.accessToken)).json()).toMatchObject({ nick: 'Alice Martin' });
    await expectError(await refresh(), 400, 'invalidParameter.refreshToken.notFound', '不合法的refresh_token');
  });

  it('never writes the secret, the code or the token into the log', async () => {
    const code = await authCode(emu);
    const body = (await (await exchangeCode(emu, code)).json()) as { accessToken: string; refreshToken: string };
    await me(emu, body.accessToken);
    const text = JSON.stringify(emu.log());
    for (const secret of [CLIENT_SECRET, code, body.accessToken, body.refreshToken]) expect(text).not.toContain(secret);
    const tokenEntry = emu.log().find((entry) => entry.path === '/v1.0/oauth2/userAccessToken');
    expect(tokenEntry).toMatchObject({
      status: 200,
      clientId: CLIENT_ID,
      clientSecretPresent: true,
      grantType: 'authorization_code',
      codeHash: expect.stringMatching(/^[0-9a-f]{8}$/),
      identity: 'zhangsan',
    });
  });

  it('logs a token request without a secret as clientSecretPresent false', async () => {
    await exchange(emu, { clientId: CLIENT_ID, code: 'x', grantType: 'authorization_code' });
    expect(emu.log().at(-1)).toMatchObject({ clientSecretPresent: false, status: 400, errorCode: 'MissingParameter' });
  });

  it('answers other methods and unknown paths with 404 InvalidAction.NotFound', async () => {
    const res = await fetch(`${emu.url}/v1.0/oauth2/userAccessToken`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'InvalidAction.NotFound', requestid: expect.stringMatching(REQUEST_ID) });
    expect((await fetch(`${emu.url}/v1.0/oauth2/accessToken`)).status).toBe(404);
    expect((await fetch(`${emu.url}/v1.0/oauth2/nothingHere`, { method: 'POST' })).status).toBe(404);
  });
});
