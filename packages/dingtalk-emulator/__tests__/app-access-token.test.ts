import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';
import { appAccessToken, CLIENT_ID, CLIENT_SECRET, gettoken, REQUEST_ID, topapi } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({
    clients: [
      { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      { clientId: 'other-app', clientSecret: 'other-secret', corpId: 'dingothercorp' },
    ],
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());
afterEach(() => {
  vi.useRealTimers();
});

async function newApiError(res: Response, status: number, code: string, message: string): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toEqual({ requestid: expect.stringMatching(REQUEST_ID), code, message });
  expect(res.headers.get('x-acs-request-id')).toBe(body.requestid);
}

describe('POST /v1.0/oauth2/accessToken', () => {
  it('answers an app token as { accessToken, expireIn: 7200 }', async () => {
    const res = await appAccessToken(emu);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ accessToken: expect.stringMatching(/^[0-9a-f]{32}$/), expireIn: 7200 });
  });

  it('answers the same token again inside its lifetime', async () => {
    const first = (await (await appAccessToken(emu)).json()) as { accessToken: string };
    const second = (await (await appAccessToken(emu)).json()) as { accessToken: string };
    expect(second.accessToken).toBe(first.accessToken);
  });

  it('gives each app its own token', async () => {
    const mine = (await (await appAccessToken(emu)).json()) as { accessToken: string };
    const other = (await (await appAccessToken(emu, { appKey: 'other-app', appSecret: 'other-secret' })).json()) as { accessToken: string };
    expect(other.accessToken).not.toBe(mine.accessToken);
  });

  it('renews the lifetime when asked again, and issues a new token once one has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const first = ((await (await appAccessToken(emu)).json()) as { accessToken: string }).accessToken;
    vi.setSystemTime(Date.now() + 7000 * 1000);
    expect(((await (await appAccessToken(emu)).json()) as { accessToken: string }).accessToken).toBe(first);
    vi.setSystemTime(Date.now() + 7000 * 1000); // 14000 s after the first, 7000 s after the renewal
    expect(((await (await appAccessToken(emu)).json()) as { accessToken: string }).accessToken).toBe(first);
    vi.setSystemTime(Date.now() + 7201 * 1000);
    const fresh = ((await (await appAccessToken(emu)).json()) as { accessToken: string }).accessToken;
    expect(fresh).not.toBe(first);
    const old = await topapi(emu, '/topapi/user/getbyunionid', { unionid: 'emuUnionZhangsan0001iE' }, first);
    expect(await old.json()).toMatchObject({ errcode: 88, sub_code: '40014' });
  });

  it('reports the configured app token lifetime', async () => {
    const short = await startEmulator({ appTokenTtlSeconds: 60 });
    try {
      expect(await (await appAccessToken(short)).json()).toMatchObject({ expireIn: 60 });
      expect(await (await gettoken(short)).json()).toMatchObject({ expires_in: 60 });
    } finally {
      await short.close();
    }
  });

  it('a wrong appSecret answers 400 invalidClientIdOrSecret', async () => {
    await newApiError(await appAccessToken(emu, { appKey: CLIENT_ID, appSecret: 'wrong' }), 400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');
  });

  it('an unknown appKey answers 400 invalidClientIdOrSecret', async () => {
    await newApiError(await appAccessToken(emu, { appKey: 'nobody', appSecret: 'x' }), 400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');
  });

  it('the userAccessToken field names are not accepted here (appKey/appSecret, not clientId/clientSecret)', async () => {
    await newApiError(await appAccessToken(emu, { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }), 400, 'MissingParameter', '缺少参数：appKey');
  });

  it('a missing appSecret answers 400 MissingParameter', async () => {
    await newApiError(await appAccessToken(emu, { appKey: CLIENT_ID }), 400, 'MissingParameter', '缺少参数：appSecret');
  });

  it('a body that is not a JSON object answers 400 Missingbody, as DingTalk does for a form post', async () => {
    const form = await fetch(`${emu.url}/v1.0/oauth2/accessToken`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ appKey: CLIENT_ID, appSecret: CLIENT_SECRET }),
    });
    await newApiError(form, 400, 'Missingbody', 'body is mandatory for this action.');
    await newApiError(await appAccessToken(emu, '[]'), 400, 'Missingbody', 'body is mandatory for this action.');
  });

  it('logs the appKey and a token hash, never the secret or the token', async () => {
    const { accessToken } = (await (await appAccessToken(emu)).json()) as { accessToken: string };
    const entry = emu.log().at(-1);
    expect(entry).toMatchObject({
      method: 'POST',
      path: '/v1.0/oauth2/accessToken',
      status: 200,
      clientId: CLIENT_ID,
      clientSecretPresent: true,
      corpId: 'dingemulatorcorp',
      tokenHash: expect.stringMatching(/^[0-9a-f]{8}$/),
    });
    const text = JSON.stringify(emu.log());
    expect(text).not.toContain(CLIENT_SECRET);
    expect(text).not.toContain(accessToken);
  });
});

describe('GET /gettoken (legacy)', () => {
  it('answers { errcode: 0, errmsg: "ok", access_token, expires_in: 7200 }', async () => {
    const res = await gettoken(emu);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ errcode: 0, errmsg: 'ok', access_token: expect.stringMatching(/^[0-9a-f]{32}$/), expires_in: 7200 });
  });

  it('shares the app token with the new endpoint', async () => {
    const legacy = (await (await gettoken(emu)).json()) as { access_token: string };
    const modern = (await (await appAccessToken(emu)).json()) as { accessToken: string };
    expect(modern.accessToken).toBe(legacy.access_token);
    expect(((await (await gettoken(emu)).json()) as { access_token: string }).access_token).toBe(legacy.access_token);
  });

  it('bad credentials still answer HTTP 200, with errcode 40096', async () => {
    for (const res of [await gettoken(emu, CLIENT_ID, 'wrong'), await gettoken(emu, 'nobody', 'x')]) {
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ errcode: 40096, errmsg: '不合法的appKey或appSecret' });
    }
    expect(emu.log().at(-1)).toMatchObject({ path: '/gettoken', status: 200, errorCode: '40096', clientId: 'nobody' });
  });

  it('a missing appkey or appsecret answers errcode 40035', async () => {
    for (const res of [await gettoken(emu, null, CLIENT_SECRET), await gettoken(emu, CLIENT_ID, null)]) {
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ errcode: 40035, errmsg: '缺少参数 corpid or appkey' });
    }
  });

  it('counts each endpoint as method + path, without the query', async () => {
    await gettoken(emu);
    await gettoken(emu, CLIENT_ID, 'wrong');
    await appAccessToken(emu);
    expect(emu.counters()).toEqual({ 'GET /gettoken': 2, 'POST /v1.0/oauth2/accessToken': 1 });
    expect(JSON.stringify(emu.log())).not.toContain(CLIENT_SECRET);
  });

  it('reset() forgets app tokens', async () => {
    const { access_token: token } = (await (await gettoken(emu)).json()) as { access_token: string };
    emu.reset();
    const res = await topapi(emu, '/topapi/user/getbyunionid', { unionid: 'emuUnionZhangsan0001iE' }, token);
    expect(await res.json()).toMatchObject({ errcode: 88, sub_code: '40014' });
    expect(((await (await gettoken(emu)).json()) as { access_token: string }).access_token).not.toBe(token);
  });
});
