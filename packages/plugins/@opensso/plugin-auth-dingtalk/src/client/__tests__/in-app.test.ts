import { describe, expect, it, vi } from 'vitest';
import { QUERY } from '../../constants';
import { ERROR_MESSAGES } from '../../errors';
import {
  chooseInAppAuthenticator,
  compareVersions,
  defaultJsapiPath,
  hasLandingParams,
  IN_APP_LOAD_FAILED,
  IN_APP_MARKS,
  IN_APP_OUTDATED,
  IN_APP_REFUSED,
  IN_APP_TIMEOUT,
  InAppFailure,
  inAppConfigOf,
  inAppSignInRequest,
  isDingTalkUserAgent,
  jsapiUrl,
  messageForFailure,
  requestInAppCode,
  runInAppSignIn,
  isOutdatedClient,
  shouldSignInInApp,
  toInAppFailure,
  withTimeout,
} from '../in-app';
import type { DingTalkJsapi } from '../jsapi-contract';
import { GENERIC_ERROR } from '../landing';

/** As the DingTalk emulator's bridge and the real clients report themselves. */
const IOS = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 AliApp(DingTalk/7.6.0) com.laiwang.DingTalk/34567890';
const ANDROID = 'Mozilla/5.0 (Linux; U; Android 13; zh-CN) AppleWebKit/537.36 Chrome/120.0.0.0 Mobile Safari/537.36 AliApp(DingTalk/7.6.0) com.alibaba.android.rimet/34567890';
const PC = 'Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/69.0.3497.100 Safari/537.36 DingTalk(7.6.0-Release.1) nw Channel/201200';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/141.0.0.0 Safari/537.36';

const CONFIG = { corpId: 'dingcorp', clientId: 'dingclient' };

describe('isDingTalkUserAgent', () => {
  it('finds the DingTalk clients', () => {
    for (const ua of [IOS, ANDROID, PC, 'something dingtalk lower case']) expect(isDingTalkUserAgent(ua)).toBe(true);
  });

  it('is false for ordinary browsers and non-strings', () => {
    for (const ua of [CHROME, '', undefined, null, 42]) expect(isDingTalkUserAgent(ua)).toBe(false);
  });
});

describe('inAppConfigOf', () => {
  it('reads the public options of the in-app authenticator', () => {
    expect(inAppConfigOf({ inAppSignIn: true, corpId: ' dingcorp ', clientId: 'dingclient' })).toEqual(CONFIG);
    expect(inAppConfigOf({ inAppSignIn: true, corpId: 'dingcorp' })).toEqual({ corpId: 'dingcorp', clientId: '' });
  });

  it('is undefined when off, without corpId, or not an object', () => {
    for (const options of [
      undefined,
      null,
      'x',
      {},
      { inAppSignIn: false, corpId: 'dingcorp' },
      { inAppSignIn: 'true', corpId: 'dingcorp' },
      { inAppSignIn: true },
      { inAppSignIn: true, corpId: '  ' },
      { inAppSignIn: true, corpId: 3 },
    ]) {
      expect(inAppConfigOf(options)).toBeUndefined();
    }
  });
});

describe('chooseInAppAuthenticator', () => {
  const basic = { name: 'basic', authType: 'Email/Password', options: {} };
  const plain = { name: 'dt', authType: 'dingtalk', options: {} };
  const inApp = { name: 'dt-app', authType: 'dingtalk', options: { inAppSignIn: true, corpId: 'dingcorp', clientId: 'c' } };
  const other = { name: 'dt-other', authType: 'dingtalk', options: { inAppSignIn: true, corpId: 'dingother', clientId: 'o' } };

  it('picks the DingTalk authenticator with in-app sign-in', () => {
    expect(chooseInAppAuthenticator([basic, plain, inApp])).toBe(inApp);
  });

  it('picks none when no authenticator has it (or only another auth type claims it)', () => {
    expect(chooseInAppAuthenticator([basic, plain])).toBeUndefined();
    expect(chooseInAppAuthenticator([{ ...inApp, authType: 'oidc' }])).toBeUndefined();
    expect(chooseInAppAuthenticator([])).toBeUndefined();
  });

  it('picks the first in the page order when several have it', () => {
    expect(chooseInAppAuthenticator([plain, other, inApp])).toBe(other);
  });
});

describe('hasLandingParams / shouldSignInInApp', () => {
  const base = { userAgent: IOS, search: '?redirect=%2Fadmin', config: CONFIG, alreadyAttempted: false };

  it('starts inside DingTalk for the chosen authenticator on a plain sign-in page', () => {
    expect(shouldSignInInApp(base)).toBe(true);
    expect(shouldSignInInApp({ ...base, search: '' })).toBe(true);
  });

  it('does not start in an ordinary browser', () => {
    expect(shouldSignInInApp({ ...base, userAgent: CHROME })).toBe(false);
  });

  it('does not start without in-app settings, or a second time in a page load', () => {
    expect(shouldSignInInApp({ ...base, config: undefined })).toBe(false);
    expect(shouldSignInInApp({ ...base, alreadyAttempted: true })).toBe(false);
  });

  it('does not start when the URL reports an error or another landing', () => {
    for (const key of Object.values(QUERY)) {
      const search = `?redirect=%2Fadmin&${key}=x`;
      expect(hasLandingParams(search)).toBe(true);
      expect(shouldSignInInApp({ ...base, search })).toBe(false);
    }
    expect(hasLandingParams('?redirect=%2Fadmin')).toBe(false);
    expect(hasLandingParams(new URLSearchParams({ [QUERY.error]: 'NOT_A_MEMBER' }))).toBe(true);
  });
});

describe('inAppSignInRequest', () => {
  it("is NocoBase's sign-in with the authenticator and the code, without the host's notification", () => {
    expect(inAppSignInRequest('dt-app', 'abc123')).toEqual({
      url: 'auth:signIn',
      method: 'post',
      headers: { 'X-Authenticator': 'dt-app' },
      data: { inAppCode: 'abc123' },
      skipNotify: true,
    });
  });
});

describe('jsapiUrl / defaultJsapiPath', () => {
  const page = 'https://nocobase.example.com/signin?redirect=%2Fadmin';
  const fallback = '/static/plugins/@opensso/plugin-auth-dingtalk/dist/client/dingtalk-jsapi.js';

  it("is the bundle's sibling, with the bundle's hash", () => {
    expect(
      jsapiUrl('https://nocobase.example.com/static/plugins/@opensso/plugin-auth-dingtalk/dist/client/index.js?hash=0a1b2c', page, fallback),
    ).toBe('https://nocobase.example.com/static/plugins/@opensso/plugin-auth-dingtalk/dist/client/dingtalk-jsapi.js?hash=0a1b2c');
  });

  it('resolves a relative module URI against the page, and follows a CDN', () => {
    expect(jsapiUrl('/nb/static/plugins/@opensso/plugin-auth-dingtalk/dist/client/index.js?hash=1', page, fallback)).toBe(
      'https://nocobase.example.com/nb/static/plugins/@opensso/plugin-auth-dingtalk/dist/client/dingtalk-jsapi.js?hash=1',
    );
    expect(jsapiUrl('https://cdn.example.net/p/dist/client/index.js', page, fallback)).toBe(
      'https://cdn.example.net/p/dist/client/dingtalk-jsapi.js',
    );
  });

  it('falls back to the usual static path when the bundle URL is unknown', () => {
    expect(jsapiUrl(undefined, page, fallback)).toBe(`https://nocobase.example.com${fallback}`);
    expect(jsapiUrl('', page, fallback)).toBe(`https://nocobase.example.com${fallback}`);
  });

  it('builds the usual static path under the public path', () => {
    expect(defaultJsapiPath('/', '@opensso/plugin-auth-dingtalk')).toBe(fallback);
    expect(defaultJsapiPath('/nocobase/', '@opensso/plugin-auth-dingtalk')).toBe(`/nocobase${fallback}`);
    expect(defaultJsapiPath('nocobase', '@opensso/plugin-auth-dingtalk')).toBe(`/nocobase${fallback}`);
  });
});

describe('compareVersions / isOutdatedClient', () => {
  it('compares dotted versions numerically, ignoring a suffix', () => {
    expect(compareVersions('7.0.45', '7.0.45')).toBe(0);
    expect(compareVersions('7.0.100', '7.0.45')).toBeGreaterThan(0);
    expect(compareVersions('7.0', '7.0.45')).toBeLessThan(0);
    expect(compareVersions('7.6.0-Release.1', '7.0.50')).toBeGreaterThan(0);
    expect(compareVersions('6.5.10', '7.0.0')).toBeLessThan(0);
  });

  it('finds clients older than dd.requestAuthCode from the versions dingtalk-jsapi declares', () => {
    expect(isOutdatedClient('ios', '7.0.45')).toBe(false);
    expect(isOutdatedClient('android', '7.6.0')).toBe(false);
    expect(isOutdatedClient('ios', '7.0.44')).toBe(true);
    expect(isOutdatedClient('pc', '7.0.49')).toBe(true);
    expect(isOutdatedClient('pc', '7.0.50')).toBe(false);
    expect(isOutdatedClient('harmony', '7.0.0')).toBe(false);
  });

  it('does not call a client outdated when its version or platform is unknown', () => {
    expect(isOutdatedClient('ios', undefined)).toBe(false);
    expect(isOutdatedClient('ios', '')).toBe(false);
    expect(isOutdatedClient('notInDingTalk', '1.0.0')).toBe(false);
  });
});

describe('failures', () => {
  it('reads a cancel and a refusal from the JSAPI error', () => {
    expect(toInAppFailure({ errorCode: '-1', errorMessage: 'cancel' }).kind).toBe('cancel');
    expect(toInAppFailure({ errorCode: -1 }).kind).toBe('cancel');
    const refused = toInAppFailure({ errorCode: '3', errorMessage: 'not a member' });
    expect(refused.kind).toBe('refused');
    expect(refused.jsapi).toEqual({ errorCode: '3', errorMessage: 'not a member' });
    expect(toInAppFailure(new Error('x')).kind).toBe('refused');
    const timeout = new InAppFailure('timeout');
    expect(toInAppFailure(timeout)).toBe(timeout);
  });

  it('has a translated sentence for each', () => {
    expect(messageForFailure('load')).toEqual({ key: IN_APP_LOAD_FAILED });
    expect(messageForFailure('timeout')).toEqual({ key: IN_APP_TIMEOUT });
    expect(messageForFailure('cancel')).toEqual({ key: ERROR_MESSAGES.CANCELLED });
    expect(messageForFailure('refused')).toEqual({ key: IN_APP_REFUSED });
    expect(messageForFailure('outdated')).toEqual({ key: IN_APP_OUTDATED });
  });

  it('times out a promise that never settles', async () => {
    vi.useFakeTimers();
    try {
      const pending = withTimeout(new Promise<never>(() => undefined), 1000);
      const caught = pending.catch((error: unknown) => error);
      await vi.advanceTimersByTimeAsync(1000);
      expect(await caught).toMatchObject({ kind: 'timeout' });
    } finally {
      vi.useRealTimers();
    }
  });
});

type Call = { method: string; params: unknown };

function fakeJsapi(env: { platform?: string; version?: string }, answers: { v2?: () => Promise<{ code: string }> }) {
  const calls: Call[] = [];
  const jsapi: DingTalkJsapi = {
    platform: env.platform ?? 'ios',
    version: env.version,
    requestAuthCode: (params) => {
      calls.push({ method: 'requestAuthCode', params });
      return answers.v2 ? answers.v2() : Promise.reject({ errorCode: '1' });
    },
  };
  return { jsapi, calls };
}

describe('requestInAppCode', () => {
  it('asks dd.requestAuthCode with corpId and clientId on a recent client', async () => {
    const { jsapi, calls } = fakeJsapi({ version: '7.6.0' }, { v2: async () => ({ code: 'c2' }) });
    expect(await requestInAppCode(jsapi, CONFIG, 1000)).toEqual({ code: 'c2', method: 'requestAuthCode' });
    expect(calls).toEqual([{ method: 'requestAuthCode', params: CONFIG }]);
  });

  it('does not ask again after a cancel', async () => {
    const { jsapi, calls } = fakeJsapi({ version: '7.6.0' }, { v2: () => Promise.reject({ errorCode: '-1' }) });
    await expect(requestInAppCode(jsapi, CONFIG, 1000)).rejects.toMatchObject({ kind: 'cancel' });
    expect(calls).toHaveLength(1);
  });

  it('is refused when DingTalk refuses, or when the answer has no code', async () => {
    const refusal = () => Promise.reject({ errorCode: '3', errorMessage: 'alice is not a member of organization "dingcorp"' });
    const refused = fakeJsapi({ version: '7.6.0' }, { v2: refusal });
    await expect(requestInAppCode(refused.jsapi, CONFIG, 1000)).rejects.toMatchObject({ kind: 'refused', jsapi: { errorCode: '3' } });
    expect(refused.calls).toHaveLength(1);
    const empty = fakeJsapi({ version: '7.6.0' }, { v2: async () => ({ code: '' }) });
    await expect(requestInAppCode(empty.jsapi, CONFIG, 1000)).rejects.toMatchObject({ kind: 'refused' });
  });

  it('gives up when the client does not answer', async () => {
    const { jsapi, calls } = fakeJsapi({ version: '7.6.0' }, { v2: () => new Promise(() => undefined) });
    await expect(requestInAppCode(jsapi, CONFIG, 20)).rejects.toMatchObject({ kind: 'timeout' });
    expect(calls).toHaveLength(1);
  });
});

/**
 * A JSAPI that also has the legacy `dd.runtime.permission.requestAuthCode({ corpId })`, as every DingTalk client and
 * dingtalk-jsapi do: its code names no app, so the plugin must never ask it (checklist G15).
 */
function legacyCapableJsapi(env: { platform?: string; version?: string }, v2: () => Promise<{ code: string }>) {
  const calls: Call[] = [];
  const jsapi = {
    platform: env.platform ?? 'ios',
    version: env.version,
    requestAuthCode: (params: unknown) => {
      calls.push({ method: 'requestAuthCode', params });
      return v2();
    },
    runtimePermissionRequestAuthCode: (params: unknown) => {
      calls.push({ method: 'runtime.permission.requestAuthCode', params });
      return Promise.resolve({ code: 'legacy-code' });
    },
  } as unknown as DingTalkJsapi;
  return { jsapi, calls };
}

describe('the legacy JSAPI is never asked for a code (checklist G15)', () => {
  it.each([
    ['ios', '7.0.44'],
    ['android', '6.5.0'],
    ['pc', '7.0.49'],
  ])('G15 a %s client %s, older than dd.requestAuthCode, is told to update DingTalk, and nothing is asked', async (platform, version) => {
    const { jsapi, calls } = legacyCapableJsapi({ platform, version }, async () => ({ code: 'c2' }));
    await expect(requestInAppCode(jsapi, CONFIG, 1000)).rejects.toMatchObject({ kind: 'outdated' });
    expect(calls).toEqual([]);
    expect(messageForFailure('outdated')).toEqual({ key: IN_APP_OUTDATED });
  });

  it('G15 a refusal of dd.requestAuthCode is the answer: no second try with the legacy API', async () => {
    const { jsapi, calls } = legacyCapableJsapi({ version: '7.6.0' }, () => Promise.reject({ errorCode: '3', errorMessage: 'not a member' }));
    await expect(requestInAppCode(jsapi, CONFIG, 1000)).rejects.toMatchObject({ kind: 'refused', jsapi: { errorCode: '3' } });
    expect(calls.map((c) => c.method)).toEqual(['requestAuthCode']);
  });

  it('G15 without a Client ID nothing is asked (a code must name the app)', async () => {
    const { jsapi, calls } = legacyCapableJsapi({ version: '7.6.0' }, async () => ({ code: 'c2' }));
    await expect(requestInAppCode(jsapi, { corpId: 'dingcorp', clientId: '' }, 1000)).rejects.toMatchObject({ kind: 'refused' });
    expect(calls).toEqual([]);
  });

  it('G15 a client whose version is not known is asked with dd.requestAuthCode only', async () => {
    const { jsapi, calls } = legacyCapableJsapi({ version: undefined }, async () => ({ code: 'c2' }));
    expect(await requestInAppCode(jsapi, CONFIG, 1000)).toEqual({ code: 'c2', method: 'requestAuthCode' });
    expect(calls).toEqual([{ method: 'requestAuthCode', params: CONFIG }]);
  });

  it('G15 the whole attempt on an old client shows the update message and sends nothing', async () => {
    const { jsapi } = legacyCapableJsapi({ version: '6.0.0' }, async () => ({ code: 'c2' }));
    const send = vi.fn();
    const result = await runInAppSignIn('dt-app', CONFIG, { loadJsapi: async () => jsapi, send });
    expect(result).toMatchObject({ kind: 'failed', shown: { key: IN_APP_OUTDATED }, failure: { kind: 'outdated' }, code: 'IN_APP_OUTDATED' });
    expect(send).not.toHaveBeenCalled();
  });
});

describe('runInAppSignIn', () => {
  const ok = () => fakeJsapi({ version: '7.6.0' }, { v2: async () => ({ code: 'code-1' }) });

  it('loads the JSAPI, gets a code, signs in and marks each step', async () => {
    const { jsapi } = ok();
    const sent: unknown[] = [];
    const marks: string[] = [];
    const result = await runInAppSignIn('dt-app', CONFIG, {
      loadJsapi: async () => jsapi,
      send: async (request) => {
        sent.push(request);
        return { data: { token: 'tok', user: { id: 1 } } };
      },
      mark: (name) => marks.push(name),
    });
    expect(result).toEqual({ kind: 'signed-in', token: 'tok', method: 'requestAuthCode' });
    expect(sent).toEqual([inAppSignInRequest('dt-app', 'code-1')]);
    expect(marks).toEqual([IN_APP_MARKS.start, IN_APP_MARKS.jsapi, IN_APP_MARKS.code, IN_APP_MARKS.signedIn]);
  });

  it('stays an ordinary page when dingtalk-jsapi finds no DingTalk client', async () => {
    const { jsapi, calls } = fakeJsapi({ platform: 'notInDingTalk' }, {});
    const send = vi.fn();
    expect(await runInAppSignIn('dt-app', CONFIG, { loadJsapi: async () => jsapi, send })).toEqual({ kind: 'not-in-dingtalk' });
    expect(calls).toEqual([]);
    expect(send).not.toHaveBeenCalled();
  });

  it('says so when the JSAPI cannot be loaded', async () => {
    const result = await runInAppSignIn('dt-app', CONFIG, { loadJsapi: () => Promise.reject(new Error('404')), send: vi.fn() });
    expect(result).toMatchObject({ kind: 'failed', shown: { key: IN_APP_LOAD_FAILED }, failure: { kind: 'load' } });
  });

  it('says so when DingTalk refuses a code, without sending anything', async () => {
    const { jsapi } = fakeJsapi({ version: '7.6.0' }, { v2: () => Promise.reject({ errorCode: '3' }) });
    const send = vi.fn();
    const result = await runInAppSignIn('dt-app', CONFIG, { loadJsapi: async () => jsapi, send });
    expect(result).toMatchObject({ kind: 'failed', shown: { key: IN_APP_REFUSED }, code: 'IN_APP_REFUSED' });
    expect(send).not.toHaveBeenCalled();
  });

  it("shows the server's refusal by its code", async () => {
    const { jsapi } = ok();
    const error = { response: { status: 401, data: { errors: [{ message: '不是成员', code: 'NOT_A_MEMBER' }] } } };
    const result = await runInAppSignIn('dt-app', CONFIG, { loadJsapi: async () => jsapi, send: () => Promise.reject(error) });
    expect(result).toEqual({ kind: 'failed', shown: { key: ERROR_MESSAGES.NOT_A_MEMBER }, code: 'NOT_A_MEMBER' });
  });

  it("shows the server's own message when it has no code of ours, and a generic one without a token", async () => {
    const { jsapi } = ok();
    const error = { response: { data: { errors: [{ message: 'The authenticator is disabled' }] } } };
    expect(await runInAppSignIn('dt-app', CONFIG, { loadJsapi: async () => jsapi, send: () => Promise.reject(error) })).toEqual({
      kind: 'failed',
      shown: { text: 'The authenticator is disabled' },
    });
    expect(await runInAppSignIn('dt-app', CONFIG, { loadJsapi: async () => jsapi, send: async () => ({ data: {} }) })).toEqual({
      kind: 'failed',
      shown: { key: GENERIC_ERROR },
    });
  });
});
