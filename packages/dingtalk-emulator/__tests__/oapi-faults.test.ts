import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type Fault } from '../src/index';
import { appAccessToken, appToken, gettoken, me, OAPI_REQUEST_ID, REQUEST_ID, topapi } from './helpers';

const GETUSERINFO = '/topapi/v2/user/getuserinfo';
const GETBYUNIONID = '/topapi/user/getbyunionid';
const USER_GET = '/topapi/v2/user/get';

let emu: Emulator;
let token: string;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(async () => {
  emu.reset();
  token = await appToken(emu);
});

const byUnionId = () => topapi(emu, GETBYUNIONID, { unionid: 'emuUnionZhangsan0001iE' }, token);
const userGet = (userid = 'zhangsan01') => topapi(emu, USER_GET, { userid }, token);
const getUserInfo = (code: string) => topapi(emu, GETUSERINFO, { code }, token);

async function body200(res: Response): Promise<Record<string, unknown>> {
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('old-API fault modes (HTTP 200 + errcode)', () => {
  it('token-invalid answers errcode 88 / sub_code "40014" on a valid token, then clears after times', async () => {
    emu.setFault({ mode: 'token-invalid', endpoint: 'topapi', times: 1 });
    expect(await body200(await byUnionId())).toEqual({
      errcode: 88,
      errmsg: 'ding talk error[subcode=40014,submsg=不合法的access_token]',
      sub_code: '40014',
      sub_msg: '不合法的access_token',
      request_id: expect.stringMatching(OAPI_REQUEST_ID),
    });
    expect(emu.log().at(-1)).toMatchObject({ fault: 'token-invalid', errorCode: '88', subCode: '40014', status: 200 });
    // The plugin's recovery: fetch the app token again (the same one, still valid) and retry once.
    expect(await appToken(emu)).toBe(token);
    expect(await body200(await byUnionId())).toMatchObject({ errcode: 0, result: { userid: 'zhangsan01' } });
  });

  it('ip-whitelist answers errcode 60020 on topapi and gettoken, naming the caller', async () => {
    emu.setFault({ mode: 'ip-whitelist' });
    expect(await body200(await userGet())).toEqual({
      errcode: 60020,
      errmsg: expect.stringMatching(/^访问ip不在白名单之中,request ip=127\.0\.0\.1 appKey\(dingemulatorclient\)$/),
      request_id: expect.stringMatching(OAPI_REQUEST_ID),
    });
    expect(await body200(await gettoken(emu))).toMatchObject({ errcode: 60020 });
  });

  it('ip-whitelist on the new API answers 403 Forbidden.AccessDenied.IpNotInWhiteList', async () => {
    emu.setFault({ mode: 'ip-whitelist', endpoint: 'appAccessToken' });
    const res = await appAccessToken(emu);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ requestid: expect.stringMatching(REQUEST_ID), code: 'Forbidden.AccessDenied.IpNotInWhiteList', message: expect.any(String) });
  });

  it('not-member answers errcode 60121 for someone who is a member', async () => {
    emu.setFault({ mode: 'not-member', endpoint: 'getbyunionid' });
    expect(await body200(await byUnionId())).toEqual({ errcode: 60121, errmsg: '找不到该用户', request_id: expect.stringMatching(OAPI_REQUEST_ID) });
    expect(await body200(await userGet())).toMatchObject({ errcode: 0 });
  });

  it('rate-limit answers errcode 90002 with HTTP 200 on topapi', async () => {
    emu.setFault({ mode: 'rate-limit', endpoint: 'topapi' });
    const body = await body200(await userGet());
    expect(body).toEqual({ errcode: 90002, errmsg: expect.any(String), request_id: expect.stringMatching(OAPI_REQUEST_ID) });
  });

  it('rate-limit keeps the new API\'s 403 QpsLimitForApi on the app token endpoint', async () => {
    emu.setFault({ mode: 'rate-limit', endpoint: 'appAccessToken' });
    const res = await appAccessToken(emu);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'Forbidden.AccessDenied.QpsLimitForApi' });
  });

  it('errcode answers any errcode with the given errmsg, sub_code and sub_msg', async () => {
    emu.setFault({ mode: 'errcode', errcode: 88, errmsg: 'ding talk error[subcode=90018,submsg=x]', sub_code: '90018', sub_msg: 'x', endpoint: 'userGet' });
    expect(await body200(await userGet())).toEqual({
      errcode: 88,
      errmsg: 'ding talk error[subcode=90018,submsg=x]',
      sub_code: '90018',
      sub_msg: 'x',
      request_id: expect.stringMatching(OAPI_REQUEST_ID),
    });
    emu.setFault({ mode: 'errcode', errcode: 40078 });
    expect(await body200(await getUserInfo('x'))).toEqual({ errcode: 40078, errmsg: 'emulated error', request_id: expect.stringMatching(OAPI_REQUEST_ID) });
    expect(await body200(await gettoken(emu))).toMatchObject({ errcode: 40078 });
  });

  it('forbidden answers errcode 60011 on topapi', async () => {
    emu.setFault({ mode: 'forbidden', endpoint: 'userGet' });
    expect(await body200(await userGet())).toMatchObject({ errcode: 60011, errmsg: expect.stringMatching(/^没有调用该接口的权限/) });
  });

  it('a faulted getuserinfo leaves the in-client code unused', async () => {
    const { code } = emu.mintJsapiCode({ identity: 'zhangsan' });
    emu.setFault({ mode: 'token-invalid', endpoint: 'getuserinfo', times: 1 });
    expect(await body200(await getUserInfo(code))).toMatchObject({ errcode: 88 });
    expect(await body200(await getUserInfo(code))).toMatchObject({ errcode: 0, result: { userid: 'zhangsan01' } });
  });

  it('no-mobile drops mobile and state_code from topapi/v2/user/get', async () => {
    emu.setFault({ mode: 'no-mobile' });
    const result = (await body200(await userGet())).result as Record<string, unknown>;
    expect(result).not.toHaveProperty('mobile');
    expect(result).not.toHaveProperty('state_code');
    expect(result).toMatchObject({ userid: 'zhangsan01', email: 'zhangsan@example.com' });
  });

  it('a topapi-only mode neither fires nor uses up times on the other endpoints', async () => {
    emu.setFault({ mode: 'token-invalid', times: 1 });
    expect((await appAccessToken(emu)).status).toBe(200);
    expect(await body200(await gettoken(emu))).toMatchObject({ errcode: 0 });
    expect((await me(emu, 'x')).status).toBe(400);
    expect(emu.fault()).toMatchObject({ mode: 'token-invalid', times: 1 });
    expect(await body200(await byUnionId())).toMatchObject({ errcode: 88 });
    expect(emu.fault()).toBeNull();
  });

  it('endpoint topapi covers the three topapi endpoints and not gettoken', async () => {
    emu.setFault({ mode: 'server-error', endpoint: 'topapi' });
    expect(await body200(await gettoken(emu))).toMatchObject({ errcode: 0 });
    expect((await appAccessToken(emu)).status).toBe(200);
    for (const res of [await byUnionId(), await userGet(), await getUserInfo('x')]) expect(res.status).toBe(500);
  });
});

describe('transport fault modes on the new endpoints', () => {
  it.each([
    ['appAccessToken', () => appAccessToken(emu)],
    ['gettoken', () => gettoken(emu)],
    ['getbyunionid', () => byUnionId()],
  ] as const)('server-error on %s answers the status with a JSON body', async (endpoint, call) => {
    emu.setFault({ mode: 'server-error', endpoint, status: 503 });
    const res = await call();
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    if (endpoint === 'appAccessToken') expect(body).toMatchObject({ code: 'ServiceUnavailable', requestid: expect.stringMatching(REQUEST_ID) });
    else expect(body).toEqual({ errcode: -1, errmsg: '系统繁忙', request_id: expect.stringMatching(OAPI_REQUEST_ID) });
  });

  it.each([
    ['appAccessToken', () => appAccessToken(emu)],
    ['gettoken', () => gettoken(emu)],
    ['userGet', () => userGet()],
  ] as const)('garbage on %s answers 200 HTML', async (endpoint, call) => {
    emu.setFault({ mode: 'garbage', endpoint });
    const res = await call();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const text = await res.text();
    expect(text).toMatch(/^<html>/);
    expect(() => JSON.parse(text)).toThrow();
  });

  it.each([
    ['appAccessToken', () => appAccessToken(emu), (b: any) => expect(b).not.toHaveProperty('accessToken')],
    [
      'gettoken',
      () => gettoken(emu),
      (b: any) => {
        expect(b).toMatchObject({ errcode: 0 });
        expect(b).not.toHaveProperty('access_token');
      },
    ],
    ['getuserinfo', () => getUserInfo('x'), (b: any) => expect(b.result).not.toHaveProperty('userid')],
    ['getbyunionid', () => byUnionId(), (b: any) => expect(b.result).not.toHaveProperty('userid')],
    ['userGet', () => userGet(), (b: any) => expect(b.result).not.toHaveProperty('unionid')],
  ] as const)('bad-json missing-field on %s leaves out the field the plugin needs', async (endpoint, call, check) => {
    emu.setFault({ mode: 'bad-json', endpoint });
    const res = await call();
    expect(res.status).toBe(200);
    check(await res.json());
  });

  it('bad-json wrong-types and array on the new endpoints', async () => {
    emu.setFault({ mode: 'bad-json', variant: 'wrong-types' });
    expect(typeof ((await (await appAccessToken(emu)).json()) as Record<string, unknown>).accessToken).toBe('number');
    expect(typeof ((await (await gettoken(emu)).json()) as Record<string, unknown>).errcode).toBe('string');
    expect(typeof (((await (await userGet()).json()) as { result: Record<string, unknown> }).result.userid)).toBe('number');
    emu.setFault({ mode: 'bad-json', variant: 'array' });
    expect(Array.isArray(await (await getUserInfo('x')).json())).toBe(true);
    expect(Array.isArray(await (await byUnionId()).json())).toBe(true);
  });

  it('hang never answers on topapi, and the client can give up', async () => {
    emu.setFault({ mode: 'hang', endpoint: 'getuserinfo' });
    const attempt = fetch(`${emu.url}${GETUSERINFO}?access_token=${token}`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(300) });
    await expect(attempt).rejects.toThrow();
    expect(emu.log().at(-1)).toMatchObject({ path: GETUSERINFO, status: 0, fault: 'hang' });
  });

  it('reset destroys the connection on gettoken', async () => {
    emu.setFault({ mode: 'reset', endpoint: 'gettoken' });
    await expect(gettoken(emu)).rejects.toThrow();
    expect(emu.log().at(-1)).toMatchObject({ path: '/gettoken', status: 0, fault: 'reset' });
  });

  it('slow answers the app token normally after delayMs', async () => {
    emu.setFault({ mode: 'slow', endpoint: 'appAccessToken', delayMs: 250 });
    const started = Date.now();
    const res = await appAccessToken(emu);
    expect(Date.now() - started).toBeGreaterThanOrEqual(230);
    expect(await res.json()).toMatchObject({ accessToken: token });
  });

  it('delayMs delays an errcode answer too', async () => {
    emu.setFault({ mode: 'rate-limit', endpoint: 'getbyunionid', delayMs: 200 });
    const started = Date.now();
    expect(await body200(await byUnionId())).toMatchObject({ errcode: 90002 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
  });
});

describe('validating the new fault fields', () => {
  it.each([
    [{ mode: 'errcode' }],
    [{ mode: 'errcode', errcode: 0 }],
    [{ mode: 'errcode', errcode: '88' }],
    [{ mode: 'errcode', errcode: 88, sub_code: 40014 }],
    [{ mode: 'token-invalid', sub_code: '40014' }],
    [{ mode: 'server-error', errcode: 88 }],
    [{ mode: 'token-invalid', endpoint: 'me' }],
    [{ mode: 'not-member', endpoint: 'gettoken' }],
    [{ mode: 'errcode', errcode: 1, endpoint: 'appAccessToken' }],
    [{ mode: 'no-mobile', endpoint: 'getbyunionid' }],
    [{ mode: 'hang', endpoint: 'oapi' }],
  ])('setFault rejects %j', (fault) => {
    expect(() => emu.setFault(fault as unknown as Fault)).toThrow();
    expect(emu.fault()).toBeNull();
  });

  it.each([
    [{ mode: 'token-invalid', endpoint: 'topapi' }],
    [{ mode: 'not-member', endpoint: 'userGet' }],
    [{ mode: 'errcode', errcode: 60020, endpoint: 'gettoken' }],
    [{ mode: 'ip-whitelist', endpoint: 'me' }],
    [{ mode: 'no-mobile', endpoint: 'topapi' }],
    [{ mode: 'rate-limit', endpoint: 'getuserinfo', status: 429 }],
  ])('setFault accepts %j', (fault) => {
    emu.setFault(fault as Fault);
    expect(emu.fault()).toEqual(fault);
  });
});
