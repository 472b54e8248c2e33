import { get } from 'node:http';
import { createContext, runInContext } from 'node:vm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DINGTALK_ANDROID_USER_AGENT,
  DINGTALK_IOS_USER_AGENT,
  DINGTALK_PC_USER_AGENT,
  dingTalkUserAgent,
  JsapiError,
  PC_CLIENT_PATH,
  PC_CONTAINER_ID,
  startEmulator,
  type Emulator,
} from '../src/index';
import { appToken, CLIENT_ID, CLIENT_SECRET, topapi } from './helpers';

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

const mintOverHttp = (body: unknown, contentType = 'application/json') =>
  fetch(`${emu.url}/__emulator/jsapi/code`, {
    method: 'POST',
    headers: { 'content-type': contentType, origin: 'http://app.test' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function exchange(code: string, clientId = CLIENT_ID, secret = CLIENT_SECRET): Promise<Record<string, unknown>> {
  const res = await topapi(emu, '/topapi/v2/user/getuserinfo', { code }, await appToken(emu, clientId, secret));
  return (await res.json()) as Record<string, unknown>;
}

describe('POST /__emulator/jsapi/code', () => {
  it('mints a one-time in-client code for a member, defaulting to their first organization', async () => {
    const res = await mintOverHttp({ identity: 'wangwu' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { code: string };
    expect(body).toEqual({ ok: true, code: expect.stringMatching(/^[0-9a-f]{32}$/), identity: 'wangwu', corpId: 'dingemulatorcorp', userid: 'wangwu04', expiresIn: 300 });
    expect(await exchange(body.code)).toMatchObject({ errcode: 0, result: { userid: 'wangwu04' } });
  });

  it('mints for the organization asked for', async () => {
    const body = (await (await mintOverHttp({ identity: 'wangwu', corpId: 'dingothercorp' })).json()) as { code: string; userid: string };
    expect(body.userid).toBe('other-wangwu');
    expect(await exchange(body.code, 'other-app', 'other-secret')).toMatchObject({ errcode: 0, result: { userid: 'other-wangwu' } });
  });

  it.each([
    ['a person outside the organization', { identity: 'alice', corpId: 'dingemulatorcorp' }, /not a member of organization "dingemulatorcorp"/],
    ['a personal account', { identity: 'zhaoliu' }, /personal account/],
    ['an unknown identity', { identity: 'nobody' }, /unknown identity/],
    ['no identity', { corpId: 'dingemulatorcorp' }, /"identity"/],
    ['an unknown clientId', { identity: 'zhangsan', clientId: 'ghost' }, /unknown clientId/],
    ['a body that is not JSON', '{oops', /must be JSON/],
  ])('refuses %s with 400', async (_label, body, message) => {
    const res = await mintOverHttp(body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ ok: false, error: expect.stringMatching(message) });
  });

  it('answers any origin, reads a text/plain body, and answers the CORS preflight', async () => {
    const res = await mintOverHttp({ identity: 'zhangsan' }, 'text/plain;charset=UTF-8');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const preflight = await fetch(`${emu.url}/__emulator/jsapi/code`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type');
  });

  it('is a control call: neither counted nor logged', async () => {
    await mintOverHttp({ identity: 'zhangsan' });
    expect(emu.counters()).toEqual({});
    expect(emu.log()).toEqual([]);
  });

  it('emu.mintJsapiCode() does the same and throws JsapiError on a refusal', async () => {
    const minted = emu.mintJsapiCode({ identity: 'alice' });
    expect(minted).toMatchObject({ corpId: 'dingothercorp', userid: 'alice03' });
    expect(await exchange(minted.code, 'other-app', 'other-secret')).toMatchObject({ errcode: 0 });
    expect(() => emu.mintJsapiCode({ identity: 'zhaoliu' })).toThrow(JsapiError);
  });

  it('reset() forgets minted codes', async () => {
    const { code } = emu.mintJsapiCode({ identity: 'zhangsan' });
    emu.reset();
    expect(await exchange(code)).toMatchObject({ errcode: 40078 });
  });
});

/** A minimal page global: what the bridge touches (window, navigator, fetch) and nothing else. */
function pageWith(config: unknown, userAgent = 'Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0.0.0'): Record<string, any> {
  const sandbox: Record<string, any> = { navigator: { userAgent }, fetch, console };
  sandbox.window = sandbox;
  if (config !== undefined) sandbox.__DINGTALK_EMULATOR__ = config;
  createContext(sandbox);
  return sandbox;
}

async function loadBridge(page: Record<string, any>, query = ''): Promise<void> {
  const res = await fetch(`${emu.url}/__emulator/jsapi-bridge.js${query}`);
  runInContext(await res.text(), page);
}

/** What dingtalk-jsapi's iOS transport (lib/bridge/h5Ios) does: callHandler and wait for the callback. */
function iosCall(page: Record<string, any>, method: string, params: Record<string, unknown>): Promise<{ errorCode: string; result?: { code: string }; errorMessage?: string }> {
  return new Promise((resolve) => page.WebViewJavascriptBridge.callHandler(method, { ...params, onSuccess() {} }, resolve));
}

describe('GET /__emulator/jsapi-bridge.js', () => {
  it('serves JavaScript, uncounted', async () => {
    const res = await fetch(`${emu.url}/__emulator/jsapi-bridge.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(await res.text()).toContain('WebViewJavascriptBridge');
    expect(emu.counters()).toEqual({});
  });

  it('makes the page look like the DingTalk iOS client (user agent) so dingtalk-jsapi picks its iOS transport', async () => {
    const page = pageWith({ identity: 'zhangsan' });
    await loadBridge(page);
    expect(page.navigator.userAgent).toBe(DINGTALK_IOS_USER_AGENT);
    expect(page.navigator.userAgent).toMatch(/iPhone/);
    expect(page.navigator.userAgent).toMatch(/AliApp\(DingTalk\/7\.6\.0\)/);
    expect(typeof page.WebViewJavascriptBridge.callHandler).toBe('function');
    expect(page.__DINGTALK_EMULATOR_BRIDGE__).toMatchObject({ platform: 'ios', version: '7.6.0' });
    expect(page.dd).toBeUndefined();
  });

  it('runtime.permission.requestAuthCode answers a code for the configured person that getuserinfo accepts', async () => {
    const page = pageWith({ identity: 'lisi' });
    await loadBridge(page);
    const answer = await iosCall(page, 'runtime.permission.requestAuthCode', { corpId: 'dingemulatorcorp' });
    expect(answer).toEqual({ errorCode: '0', result: { code: expect.stringMatching(/^[0-9a-f]{32}$/) } });
    expect(await exchange(answer.result!.code)).toMatchObject({ errcode: 0, result: { userid: 'lisi02', name: '李四' } });
    expect(page.__DINGTALK_EMULATOR_BRIDGE__.calls).toEqual([
      { method: 'runtime.permission.requestAuthCode', params: { corpId: 'dingemulatorcorp' }, result: { code: answer.result!.code } },
    ]);
  });

  it("keeps the tab's calls across its page loads (sessionStorage), so a page that reloads itself hides none", async () => {
    const stored = new Map<string, string>();
    const sessionStorage = { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) };
    const first = pageWith({ identity: 'lisi' });
    first.sessionStorage = sessionStorage;
    await loadBridge(first);
    await iosCall(first, 'runtime.permission.requestAuthCodeV2', { corpId: 'dingemulatorcorp', clientId: 'nope' });
    const reloaded = pageWith({ identity: 'lisi' });
    reloaded.sessionStorage = sessionStorage;
    await loadBridge(reloaded);
    expect(reloaded.__DINGTALK_EMULATOR_BRIDGE__.calls).toEqual([
      expect.objectContaining({ method: 'runtime.permission.requestAuthCodeV2', params: { corpId: 'dingemulatorcorp', clientId: 'nope' } }),
    ]);
    // Another tab (no shared storage) starts empty.
    const other = pageWith({ identity: 'lisi' });
    await loadBridge(other);
    expect(other.__DINGTALK_EMULATOR_BRIDGE__.calls).toEqual([]);
  });

  it('requestAuthCodeV2 (dd.requestAuthCode with clientId) binds the code to that app', async () => {
    const page = pageWith({ identity: 'wangwu' });
    await loadBridge(page);
    const answer = await iosCall(page, 'runtime.permission.requestAuthCodeV2', { corpId: 'dingothercorp', clientId: 'other-app' });
    expect(answer.errorCode).toBe('0');
    expect(await exchange(answer.result!.code, 'other-app', 'other-secret')).toMatchObject({ errcode: 0, result: { userid: 'other-wangwu' } });
  });

  it('uses the organization the page asks for, and the configured corpId only when the page gives none', async () => {
    const page = pageWith({ identity: 'wangwu', corpId: 'dingothercorp' });
    await loadBridge(page);
    const asked = await iosCall(page, 'runtime.permission.requestAuthCode', { corpId: 'dingemulatorcorp' });
    expect(await exchange(asked.result!.code)).toMatchObject({ result: { userid: 'wangwu04' } });
    const fallback = await iosCall(page, 'runtime.permission.requestAuthCode', {});
    expect(await exchange(fallback.result!.code, 'other-app', 'other-secret')).toMatchObject({ result: { userid: 'other-wangwu' } });
  });

  it('fails like the client does for a person outside the organization the page asks for', async () => {
    const page = pageWith({ identity: 'alice' });
    await loadBridge(page);
    const answer = await iosCall(page, 'runtime.permission.requestAuthCode', { corpId: 'dingemulatorcorp' });
    expect(answer).toEqual({ errorCode: '3', errorMessage: expect.stringContaining('not a member') });
  });

  it('can be told to fail or be cancelled (errorCode -1 is a cancel for dingtalk-jsapi)', async () => {
    const page = pageWith({ identity: 'zhangsan', fail: { errorCode: '-1', errorMessage: 'cancelled' } });
    await loadBridge(page);
    expect(await iosCall(page, 'runtime.permission.requestAuthCode', { corpId: 'dingemulatorcorp' })).toEqual({ errorCode: '-1', errorMessage: 'cancelled' });
  });

  it('answers a preset code when the test minted one itself', async () => {
    const { code } = emu.mintJsapiCode({ identity: 'zhangsan' });
    const page = pageWith({ code });
    await loadBridge(page);
    expect(await iosCall(page, 'runtime.permission.requestAuthCode', { corpId: 'dingemulatorcorp' })).toEqual({ errorCode: '0', result: { code } });
  });

  it('takes its defaults from the script URL when the page sets no configuration', async () => {
    const page = pageWith(undefined);
    await loadBridge(page, '?identity=zhangsan&corpId=dingemulatorcorp');
    const answer = await iosCall(page, 'runtime.permission.requestAuthCode', {});
    expect(await exchange(answer.result!.code)).toMatchObject({ result: { userid: 'zhangsan01' } });
  });

  it('without an identity, requestAuthCode fails with a message saying what to configure', async () => {
    const page = pageWith({});
    await loadBridge(page);
    expect(await iosCall(page, 'runtime.permission.requestAuthCode', { corpId: 'dingemulatorcorp' })).toMatchObject({
      errorCode: '3',
      errorMessage: expect.stringContaining('__DINGTALK_EMULATOR__'),
    });
  });

  it('answers other JSAPI methods with errorCode 1 (not emulated)', async () => {
    const page = pageWith({ identity: 'zhangsan' });
    await loadBridge(page);
    expect(await iosCall(page, 'biz.util.openLink', { url: 'x' })).toMatchObject({ errorCode: '1' });
  });

  it('platform android emulates the Android transport (nuva.require) and user agent', async () => {
    const page = pageWith({ identity: 'zhangsan', platform: 'android' });
    await loadBridge(page);
    expect(page.navigator.userAgent).toMatch(/Android/);
    expect(page.navigator.userAgent).toMatch(/DingTalk\/7\.6\.0/);
    expect(page.WebViewJavascriptBridge).toBeUndefined();
    const call = page.nuva.require();
    // dingtalk-jsapi lib/bridge/h5Android: bridge(success, fail, service, action, params)
    const result = await new Promise((resolve, reject) => call(resolve, reject, 'runtime.permission', 'requestAuthCode', { corpId: 'dingemulatorcorp' }));
    expect(await exchange((result as { code: string }).code)).toMatchObject({ result: { userid: 'zhangsan01' } });
  });

  it('keeps a DingTalk user agent the browser context already has, and follows its platform', async () => {
    const android = 'Mozilla/5.0 (Linux; Android 13) AliApp(DingTalk/7.5.0) com.alibaba.android.rimet/1';
    const page = pageWith({ identity: 'zhangsan' }, android);
    await loadBridge(page);
    expect(page.navigator.userAgent).toBe(android);
    expect(typeof page.nuva.require).toBe('function');
  });

  it('with dd: true also defines window.dd with requestAuthCode, runtime.permission.requestAuthCode and ready', async () => {
    const page = pageWith({ identity: 'zhangsan', dd: true });
    await loadBridge(page);
    await new Promise<void>((resolve) => page.dd.ready(resolve));
    const viaCallbacks = await new Promise<{ code: string }>((resolve, reject) =>
      page.dd.runtime.permission.requestAuthCode({ corpId: 'dingemulatorcorp', onSuccess: resolve, onFail: reject }),
    );
    expect(await exchange(viaCallbacks.code)).toMatchObject({ errcode: 0 });
    const viaPromise = (await page.dd.requestAuthCode({ corpId: 'dingemulatorcorp', clientId: CLIENT_ID })) as { code: string };
    expect(await exchange(viaPromise.code)).toMatchObject({ errcode: 0 });
    expect(page.dd.env.platform).toBe('ios');
  });
});

describe('the PC client (GET /__emulator/pc-client and the bridge with platform=pc)', () => {
  it("frames the page under test, naming the host's origin and container as dingtalk-jsapi reads them", async () => {
    const app = 'http://127.0.0.1:9/admin?x=1&y="2"';
    // As the browser asks for it under the *.dingtalk.com name mapped to the emulator (fetch cannot set Host).
    const { status, html } = await new Promise<{ status: number; html: string }>((resolve, reject) => {
      const target = new URL(`${PC_CLIENT_PATH}?app=${encodeURIComponent(app)}&identity=lisi&version=7.0.49`, emu.url);
      get(target, { headers: { host: 'workbench.dingtalk.com:1234' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, html: body }));
      }).on('error', reject);
    });
    expect(status).toBe(200);
    const name = /<iframe id="dingtalk-pc-app" name="([^"]*)" src="([^"]*)"/.exec(html);
    const unescape = (value: string) => value.replace(/&#(\d+);/g, (_m, n) => String.fromCharCode(Number(n)));
    expect(JSON.parse(unescape(name![1]))).toEqual({
      hostOrigin: 'http://workbench.dingtalk.com:1234',
      containerId: PC_CONTAINER_ID,
      hostVersion: '7.0.49',
      language: 'zh_CN',
    });
    expect(unescape(name![2])).toBe(app);
    expect(html).toContain('src="/__emulator/jsapi-bridge.js?platform=pc&#38;version=7.0.49&#38;identity=lisi"');
    expect((await fetch(`${emu.url}${PC_CLIENT_PATH}`)).status).toBe(400);
  });

  it("answers the frame's request messages as the PC client does, only for its container", async () => {
    const listeners: Array<(event: unknown) => void> = [];
    const page = pageWith({ identity: 'lisi', platform: 'pc' }, DINGTALK_PC_USER_AGENT);
    page.addEventListener = (type: string, listener: (event: unknown) => void) => {
      if (type === 'message') listeners.push(listener);
    };
    await loadBridge(page);
    expect(page.navigator.userAgent).toBe(DINGTALK_PC_USER_AGENT);
    expect(page.__DINGTALK_EMULATOR_BRIDGE__).toMatchObject({ platform: 'pc', version: '7.6.0' });
    const ask = (containerId: string) =>
      new Promise<{ message: any; origin: string }>((resolve) => {
        const source = { postMessage: (message: unknown, origin: string) => resolve({ message, origin }) };
        const data = { type: 'request', msgId: 7, containerId, methodName: 'runtime.permission.requestAuthCodeV2', body: { corpId: 'dingemulatorcorp', clientId: CLIENT_ID } };
        for (const listener of listeners) listener({ data, source, origin: 'http://127.0.0.1:9' });
      });
    const answer = await ask(PC_CONTAINER_ID);
    expect(answer).toEqual({ message: { type: 'response', success: true, body: { code: expect.stringMatching(/^[0-9a-f]{32}$/) }, msgId: 7 }, origin: 'http://127.0.0.1:9' });
    expect(await exchange(answer.message.body.code)).toMatchObject({ errcode: 0, result: { userid: 'lisi02' } });
    expect((await ask('another')).message).toMatchObject({ success: false, body: { errorCode: '1' } });
  });

  it('dingTalkUserAgent gives each client at another version', () => {
    expect(dingTalkUserAgent('ios', '7.0.44')).toMatch(/AliApp\(DingTalk\/7\.0\.44\)/);
    expect(dingTalkUserAgent('android')).toBe(DINGTALK_ANDROID_USER_AGENT);
    expect(dingTalkUserAgent('pc', '7.0.49')).toMatch(/DingTalk\(7\.0\.49\)/);
  });
});
