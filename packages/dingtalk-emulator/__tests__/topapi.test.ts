import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';
import { appToken, CLIENT_ID, CLIENT_SECRET, OAPI_REQUEST_ID, topapi } from './helpers';

const GETUSERINFO = '/topapi/v2/user/getuserinfo';
const GETBYUNIONID = '/topapi/user/getbyunionid';
const USER_GET = '/topapi/v2/user/get';

let emu: Emulator;
let token: string; // the default app, organization dingemulatorcorp
let otherToken: string; // an app of dingothercorp
beforeAll(async () => {
  emu = await startEmulator({
    clients: [
      { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      { clientId: 'other-app', clientSecret: 'other-secret', corpId: 'dingothercorp' },
      { clientId: 'second-app', clientSecret: 'second-secret' },
    ],
  });
});
afterAll(() => emu.close());
beforeEach(async () => {
  emu.reset();
  token = await appToken(emu);
  otherToken = await appToken(emu, 'other-app', 'other-secret');
});
afterEach(() => {
  vi.useRealTimers();
});

/** Every topapi answer is HTTP 200 JSON; returns the body. */
async function ok200(res: Response): Promise<Record<string, unknown>> {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as Record<string, unknown>;
}

async function expectErrcode(res: Response, errcode: number, errmsg: string): Promise<void> {
  expect(await ok200(res)).toEqual({ errcode, errmsg, request_id: expect.stringMatching(OAPI_REQUEST_ID) });
}

const mint = (identity: string, corpId?: string, clientId?: string) => emu.mintJsapiCode({ identity, corpId, clientId }).code;

describe('app token checks on every topapi endpoint', () => {
  it.each([GETUSERINFO, GETBYUNIONID, USER_GET])('%s: an unknown token answers errcode 88, sub_code "40014"', async (path) => {
    expect(await ok200(await topapi(emu, path, { code: 'x', unionid: 'x', userid: 'x' }, 'f'.repeat(32)))).toEqual({
      errcode: 88,
      errmsg: 'ding talk error[subcode=40014,submsg=不合法的access_token]',
      sub_code: '40014',
      sub_msg: '不合法的access_token',
      request_id: expect.stringMatching(OAPI_REQUEST_ID),
    });
  });

  it('an expired app token answers 88/40014', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const fresh = await appToken(emu, 'second-app', 'second-secret');
    vi.setSystemTime(Date.now() + 7200 * 1000 + 1);
    const body = await ok200(await topapi(emu, GETBYUNIONID, { unionid: 'emuUnionZhangsan0001iE' }, fresh));
    expect(body).toMatchObject({ errcode: 88, sub_code: '40014' });
  });

  it('no access_token answers 88 with sub_code "40000" (blank)', async () => {
    expect(await ok200(await topapi(emu, USER_GET, { userid: 'zhangsan01' }))).toEqual({
      errcode: 88,
      errmsg: 'ding talk error[subcode=40000,submsg=access_token is blank]',
      sub_code: '40000',
      sub_msg: 'access_token is blank',
      request_id: expect.stringMatching(OAPI_REQUEST_ID),
    });
  });

  it('the new API header is not read: a token only in x-acs-dingtalk-access-token is blank', async () => {
    const res = await fetch(`${emu.url}${USER_GET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': token },
      body: JSON.stringify({ userid: 'zhangsan01' }),
    });
    expect(await ok200(res)).toMatchObject({ errcode: 88, sub_code: '40000' });
  });

  it('a form-encoded body with access_token works, as with DingTalk\'s old SDKs', async () => {
    const res = await fetch(`${emu.url}${USER_GET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: token, userid: 'lisi02' }),
    });
    expect(await ok200(res)).toMatchObject({ errcode: 0, result: { userid: 'lisi02', name: '李四' } });
  });

  it('a user access token (from the browser flow) is not an app token', async () => {
    const userToken = await (async () => {
      const approve = await fetch(`${emu.url}/oauth2/auth/approve`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ identity: 'zhangsan', redirect_uri: 'http://app.test/cb', client_id: CLIENT_ID, scope: 'openid' }),
      });
      const code = new URL(approve.headers.get('location') ?? '').searchParams.get('authCode');
      const res = await fetch(`${emu.url}/v1.0/oauth2/userAccessToken`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, code, grantType: 'authorization_code' }),
      });
      return ((await res.json()) as { accessToken: string }).accessToken;
    })();
    expect(await ok200(await topapi(emu, GETBYUNIONID, { unionid: 'emuUnionZhangsan0001iE' }, userToken))).toMatchObject({ errcode: 88, sub_code: '40014' });
  });
});

describe('POST /topapi/v2/user/getuserinfo', () => {
  it('exchanges an in-client code for the person in the app\'s organization', async () => {
    const body = await ok200(await topapi(emu, GETUSERINFO, { code: mint('zhangsan') }, token));
    expect(body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      result: {
        userid: 'zhangsan01',
        unionid: 'emuUnionZhangsan0001iE',
        name: '张三',
        device_id: expect.stringMatching(/^[0-9a-f]{32}$/),
        sys: true,
        sys_level: 1,
        associated_unionid: '',
      },
      request_id: expect.stringMatching(OAPI_REQUEST_ID),
    });
  });

  it('answers the userid of the organization the code was minted for', async () => {
    const home = await ok200(await topapi(emu, GETUSERINFO, { code: mint('wangwu', 'dingemulatorcorp') }, token));
    const other = await ok200(await topapi(emu, GETUSERINFO, { code: mint('wangwu', 'dingothercorp') }, otherToken));
    expect(home.result).toMatchObject({ userid: 'wangwu04', unionid: 'emuUnionWangwu0004iE', sys: false, sys_level: 0 });
    expect(other.result).toMatchObject({ userid: 'other-wangwu', unionid: 'emuUnionWangwu0004iE' });
  });

  it('reports a boss with sys_level 100', async () => {
    const body = await ok200(await topapi(emu, GETUSERINFO, { code: mint('alice') }, otherToken));
    expect(body.result).toMatchObject({ userid: 'alice03', sys: false, sys_level: 100 });
  });

  it('a code works once: the second exchange answers errcode 40078', async () => {
    const code = mint('lisi');
    expect(await ok200(await topapi(emu, GETUSERINFO, { code }, token))).toMatchObject({ errcode: 0 });
    await expectErrcode(await topapi(emu, GETUSERINFO, { code }, token), 40078, '不存在的临时授权码');
  });

  it('an unknown code answers errcode 40078', async () => {
    await expectErrcode(await topapi(emu, GETUSERINFO, { code: 'a'.repeat(32) }, token), 40078, '不存在的临时授权码');
  });

  it('a browser auth code is not an in-client code (40078)', async () => {
    const approve = await fetch(`${emu.url}/oauth2/auth/approve`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity: 'zhangsan', redirect_uri: 'http://app.test/cb', client_id: CLIENT_ID, scope: 'openid' }),
    });
    const authCode = new URL(approve.headers.get('location') ?? '').searchParams.get('authCode');
    await expectErrcode(await topapi(emu, GETUSERINFO, { code: authCode }, token), 40078, '不存在的临时授权码');
  });

  it('a code lasts 5 minutes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const good = mint('zhangsan');
    const late = mint('zhangsan');
    vi.setSystemTime(Date.now() + 5 * 60 * 1000 - 1000);
    expect(await ok200(await topapi(emu, GETUSERINFO, { code: good }, token))).toMatchObject({ errcode: 0 });
    vi.setSystemTime(Date.now() + 2000);
    await expectErrcode(await topapi(emu, GETUSERINFO, { code: late }, token), 40078, '不存在的临时授权码');
  });

  it('a code of another organization answers 40078 and stays usable there', async () => {
    const code = mint('wangwu', 'dingothercorp');
    await expectErrcode(await topapi(emu, GETUSERINFO, { code }, token), 40078, '不存在的临时授权码');
    expect(await ok200(await topapi(emu, GETUSERINFO, { code }, otherToken))).toMatchObject({ errcode: 0, result: { userid: 'other-wangwu' } });
  });

  it('a code bound to one app (requestAuthCode with clientId) is refused to another app of the same organization', async () => {
    const code = mint('zhangsan', 'dingemulatorcorp', CLIENT_ID);
    const second = await appToken(emu, 'second-app', 'second-secret');
    await expectErrcode(await topapi(emu, GETUSERINFO, { code }, second), 40078, '不存在的临时授权码');
    expect(await ok200(await topapi(emu, GETUSERINFO, { code }, token))).toMatchObject({ errcode: 0 });
  });

  it('an unbound code works for any app of the organization', async () => {
    const second = await appToken(emu, 'second-app', 'second-secret');
    expect(await ok200(await topapi(emu, GETUSERINFO, { code: mint('lisi') }, second))).toMatchObject({ errcode: 0, result: { userid: 'lisi02' } });
  });

  it('a missing code answers errcode 40035', async () => {
    await expectErrcode(await topapi(emu, GETUSERINFO, {}, token), 40035, '缺少参数 code');
    await expectErrcode(await topapi(emu, GETUSERINFO, '{not json', token), 40035, '缺少参数 code');
  });

  it('logs the app, organization, person and a code hash, never the code or the token', async () => {
    const code = mint('zhangsan');
    await topapi(emu, GETUSERINFO, { code }, token);
    expect(emu.log().at(-1)).toMatchObject({
      method: 'POST',
      path: GETUSERINFO,
      status: 200,
      clientId: CLIENT_ID,
      corpId: 'dingemulatorcorp',
      identity: 'zhangsan',
      userid: 'zhangsan01',
      codeHash: expect.stringMatching(/^[0-9a-f]{8}$/),
      tokenHash: expect.stringMatching(/^[0-9a-f]{8}$/),
    });
    const text = JSON.stringify(emu.log());
    expect(text).not.toContain(code);
    expect(text).not.toContain(token);
  });
});

describe('POST /topapi/user/getbyunionid', () => {
  it('answers { contact_type: 0, userid } for a member of the app\'s organization', async () => {
    const body = await ok200(await topapi(emu, GETBYUNIONID, { unionid: 'emuUnionLisi0002iE' }, token));
    expect(body).toEqual({ errcode: 0, errmsg: 'ok', result: { contact_type: 0, userid: 'lisi02' }, request_id: expect.stringMatching(OAPI_REQUEST_ID) });
  });

  it('answers the userid of the token\'s organization for a person in several', async () => {
    expect((await ok200(await topapi(emu, GETBYUNIONID, { unionid: 'emuUnionWangwu0004iE' }, token))).result).toEqual({ contact_type: 0, userid: 'wangwu04' });
    expect((await ok200(await topapi(emu, GETBYUNIONID, { unionid: 'emuUnionWangwu0004iE' }, otherToken))).result).toEqual({
      contact_type: 0,
      userid: 'other-wangwu',
    });
  });

  it('a person outside the organization answers errcode 60121', async () => {
    await expectErrcode(await topapi(emu, GETBYUNIONID, { unionid: 'emuUnionAlice0003iE' }, token), 60121, '找不到该用户');
    await expectErrcode(await topapi(emu, GETBYUNIONID, { unionid: 'emuUnionZhangsan0001iE' }, otherToken), 60121, '找不到该用户');
  });

  it('a personal account and an unknown unionid answer errcode 60121', async () => {
    await expectErrcode(await topapi(emu, GETBYUNIONID, { unionid: 'emuUnionZhaoliu0005iE' }, token), 60121, '找不到该用户');
    await expectErrcode(await topapi(emu, GETBYUNIONID, { unionid: 'nobody' }, token), 60121, '找不到该用户');
    expect(emu.log().at(-1)).toMatchObject({ status: 200, errorCode: '60121' });
  });

  it('a missing unionid answers errcode 40035', async () => {
    await expectErrcode(await topapi(emu, GETBYUNIONID, { unionId: 'emuUnionLisi0002iE' }, token), 40035, '缺少参数 unionid');
  });
});

describe('POST /topapi/v2/user/get', () => {
  it('answers the member\'s details in the app\'s organization', async () => {
    const body = await ok200(await topapi(emu, USER_GET, { userid: 'zhangsan01', language: 'zh_CN' }, token));
    expect(body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      request_id: expect.stringMatching(OAPI_REQUEST_ID),
      result: {
        userid: 'zhangsan01',
        unionid: 'emuUnionZhangsan0001iE',
        name: '张三',
        avatar: `${emu.url}/__emulator/avatar/zhangsan.svg`,
        state_code: '86',
        mobile: '13800000001',
        hide_mobile: false,
        telephone: '',
        job_number: 'E0001',
        title: '工程师',
        email: 'zhangsan@example.com',
        org_email: 'zhangsan@emulated.example',
        work_place: '',
        remark: '',
        dept_id_list: [1, 2],
        dept_order_list: [
          { dept_id: 1, order: expect.any(Number) },
          { dept_id: 2, order: expect.any(Number) },
        ],
        leader_in_dept: [
          { dept_id: 1, leader: false },
          { dept_id: 2, leader: false },
        ],
        active: true,
        real_authed: true,
        senior: false,
        admin: true,
        boss: false,
        exclusive_account: false,
      },
    });
  });

  it('leaves out email and org_email a member has none of, and defaults to the root department', async () => {
    const body = await ok200(await topapi(emu, USER_GET, { userid: 'other-wangwu' }, otherToken));
    const result = body.result as Record<string, unknown>;
    expect(result).not.toHaveProperty('email');
    expect(result).not.toHaveProperty('org_email');
    expect(result).toMatchObject({ userid: 'other-wangwu', unionid: 'emuUnionWangwu0004iE', dept_id_list: [1], title: '', job_number: '', admin: false });
  });

  it('leaves out mobile and state_code for a member without a phone', async () => {
    const other = await startEmulator({ identities: [{ id: 'nophone', nick: 'No Phone', unionId: 'u-np', openId: 'o-np', corpId: 'dingemulatorcorp' }] });
    try {
      const body = await ok200(await topapi(other, USER_GET, { userid: 'nophone' }, await appToken(other)));
      expect(body.result).not.toHaveProperty('mobile');
      expect(body.result).not.toHaveProperty('state_code');
    } finally {
      await other.close();
    }
  });

  it('an unknown userid, or one of another organization, answers errcode 60121', async () => {
    await expectErrcode(await topapi(emu, USER_GET, { userid: 'nobody' }, token), 60121, '找不到该用户');
    await expectErrcode(await topapi(emu, USER_GET, { userid: 'alice03' }, token), 60121, '找不到该用户');
    await expectErrcode(await topapi(emu, USER_GET, { userid: 'wangwu04' }, otherToken), 60121, '找不到该用户');
  });

  it('a missing userid answers errcode 40035', async () => {
    await expectErrcode(await topapi(emu, USER_GET, { language: 'zh_CN' }, token), 40035, '缺少参数 userid');
  });
});

describe('the old host\'s other paths', () => {
  it('an unknown topapi name answers HTTP 200 errcode 22, not a 404', async () => {
    const body = await ok200(await topapi(emu, '/topapi/v2/user/notexist', {}, token));
    expect(body).toEqual({
      errcode: 22,
      errmsg: '不合法ApiName',
      sub_msg: '不合法ApiName，ApiName = dingtalk.oapi.v2.user.notexist',
      request_id: expect.stringMatching(OAPI_REQUEST_ID),
    });
  });

  it('a known topapi path with GET is not routed (404)', async () => {
    expect((await fetch(`${emu.url}${USER_GET}?access_token=${token}`)).status).toBe(404);
  });

  it('counts each topapi endpoint separately, without the query string', async () => {
    emu.reset();
    const fresh = await appToken(emu);
    await topapi(emu, USER_GET, { userid: 'lisi02' }, fresh);
    await topapi(emu, USER_GET, { userid: 'nobody' }, fresh);
    await topapi(emu, GETBYUNIONID, { unionid: 'x' }, fresh);
    await topapi(emu, GETUSERINFO, { code: 'x' }, fresh);
    expect(emu.counters()).toEqual({
      'POST /v1.0/oauth2/accessToken': 1,
      'POST /topapi/v2/user/get': 2,
      'POST /topapi/user/getbyunionid': 1,
      'POST /topapi/v2/user/getuserinfo': 1,
    });
  });
});
