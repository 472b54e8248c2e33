/**
 * The in-app sign-in during the page load: inside DingTalk with nobody signed in, the plugin finds the authenticator
 * that signs in by itself, gets DingTalk's code (a fake of DingTalk's JSAPI, as the client would answer) and NocoBase's
 * token through the host's API client (a recorder), and rewrites the address before the host's router exists.
 */
import { describe, expect, it } from 'vitest';
import { QUERY } from '../../constants';
import { readErrorLanding } from '../../error-landing';
import { startInAppLanding, type InAppLandingHost, PUBLIC_LIST_REQUEST } from '../in-app-landing';
import { LANDING_REQUEST } from '../request-gate';
import type { DingTalkJsapi } from '../jsapi-contract';
import type { ClientBase } from '../ticket-landing';

const ORIGIN = 'http://app.test';
const V1: ClientBase = { routerBase: '/', modern: false, page: { origin: ORIGIN, publicPath: '/' } };
const ANDROID = 'Mozilla/5.0 (Linux; U; Android 13) Mobile Safari/537.36 AliApp(DingTalk/7.6.0) com.alibaba.android.rimet/1';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/141.0.0.0 Safari/537.36';
const LISTED = [
  { name: 'basic', authType: 'Email/Password', options: {} },
  { name: 'dt-app', authType: 'dingtalk', options: { inAppSignIn: true, corpId: 'dingcorp', clientId: 'dingclient' } },
];

type Options = {
  path?: string;
  userAgent?: string;
  hasToken?: boolean;
  listed?: unknown[];
  jsapi?: Partial<DingTalkJsapi>;
  signIn?: () => Promise<{ data: unknown }>;
  claimed?: boolean;
};

function page(options: Options = {}) {
  const url = new URL(options.path ?? '/admin', ORIGIN);
  const log: string[] = [];
  const asked: unknown[] = [];
  let claimed = options.claimed ?? false;
  const jsapi: DingTalkJsapi = {
    platform: 'android',
    version: '7.6.0',
    requestAuthCode: async (params) => {
      asked.push(params);
      return { code: 'a'.repeat(32) };
    },
    ...options.jsapi,
  };
  const host: InAppLandingHost = {
    ...V1,
    hasToken: options.hasToken ?? false,
    userAgent: options.userAgent ?? ANDROID,
    location: { origin: ORIGIN, pathname: url.pathname, search: url.search, hash: url.hash },
    api: {
      request: async (config: object) => {
        const c = config as { url: string; headers?: Record<string, string>; data?: unknown; [LANDING_REQUEST]?: boolean };
        const own = c[LANDING_REQUEST] === true ? '' : ' (not marked as the landing\'s)';
        log.push(`request ${c.url}${c.headers?.['X-Authenticator'] ? ` as ${c.headers['X-Authenticator']}` : ''}${own}`);
        if (c.url === PUBLIC_LIST_REQUEST.url) return { data: { data: options.listed ?? LISTED } };
        return options.signIn ? options.signIn() : { data: { data: { token: 'tok', user: { id: 1 } } } };
      },
      auth: {
        setAuthenticator: (name) => log.push(`authenticator ${name}`),
        setToken: (token) => log.push(`token ${token}`),
      },
    },
    claim: () => {
      if (claimed) return false;
      claimed = true;
      return true;
    },
    loadJsapi: async () => {
      log.push('jsapi');
      return jsapi;
    },
    replace: (to) => log.push(`replace ${to}`),
    load: (to) => log.push(`load ${to}`),
  };
  return { host, log, asked, claimed: () => claimed };
}

describe('startInAppLanding', () => {
  it('signs in during the load and leaves the page opened as it is', async () => {
    const { host, log, asked } = page({ path: '/admin/x?a=1' });
    expect(await startInAppLanding(host).result).toBe('signed-in');
    // The chunk is asked for first, while publicList answers.
    expect(log).toEqual([
      'jsapi',
      'request authenticators:publicList',
      'request auth:signIn as dt-app',
      'authenticator dt-app',
      'token tok',
      'replace /admin/x?a=1',
    ]);
    expect(asked).toEqual([{ corpId: 'dingcorp', clientId: 'dingclient' }]);
  });

  it('G1 on the sign-in page, goes to the checked ?redirect= only', async () => {
    const hostile = page({ path: `/signin?redirect=${encodeURIComponent('javascript:alert(1)//')}` });
    expect(await startInAppLanding(hostile.host).result).toBe('signed-in');
    expect(hostile.log.at(-1)).toBe('replace /admin');
    const other = page({ path: `/signin?redirect=${encodeURIComponent('//evil.example/admin')}` });
    await startInAppLanding(other.host).result;
    expect(other.log.at(-1)).toBe('replace /admin');
    const safe = page({ path: `/signin?redirect=${encodeURIComponent('/admin/settings')}` });
    await startInAppLanding(safe.host).result;
    expect(safe.log.at(-1)).toBe('replace /admin/settings');
  });

  it('does nothing outside DingTalk, when signed in, or when the address reports a landing', async () => {
    for (const options of [
      { userAgent: CHROME },
      { hasToken: true },
      { path: `/signin?${QUERY.error}=CANCELLED` },
      { path: `/admin?${QUERY.signin}=dt-app` },
    ]) {
      const { host, log, claimed } = page(options);
      expect(await startInAppLanding(host).result).toBe('none');
      expect(log).toEqual([]);
      expect(claimed()).toBe(false);
    }
  });

  it('leaves the attempt to the sign-in page when no authenticator signs in by itself', async () => {
    const { host, log, claimed } = page({ listed: [LISTED[0], { name: 'dt', authType: 'dingtalk', options: {} }] });
    expect(await startInAppLanding(host).result).toBe('none');
    expect(log).toEqual(['jsapi', 'request authenticators:publicList']);
    expect(claimed()).toBe(false);
  });

  it('does not ask twice in one page load', async () => {
    const { host, log, asked } = page({ claimed: true });
    expect(await startInAppLanding(host).result).toBe('none');
    expect(log).toEqual(['jsapi', 'request authenticators:publicList']);
    expect(asked).toEqual([]);
  });

  it("a refusal by DingTalk becomes the sign-in page with its code for the button, and the page asked as redirect", async () => {
    const { host, log } = page({ jsapi: { requestAuthCode: () => Promise.reject({ errorCode: '3', errorMessage: 'not a member' }) } });
    expect(await startInAppLanding(host).result).toBe('failed');
    const to = log.at(-1)!.replace('replace ', '');
    const url = new URL(to, ORIGIN);
    expect(url.pathname).toBe('/signin');
    expect(url.searchParams.get('redirect')).toBe('/admin');
    expect(readErrorLanding(url.searchParams)).toEqual({ code: 'IN_APP_REFUSED', authenticator: 'dt-app' });
    expect(log.some((line) => line.startsWith('token'))).toBe(false);
  });

  it('G15 an old client is told to update on the sign-in page, and neither DingTalk nor NocoBase is asked', async () => {
    for (const platform of ['ios', 'android', 'pc']) {
      const version = platform === 'pc' ? '7.0.49' : '7.0.44';
      const { host, log, asked } = page({ jsapi: { platform, version } });
      expect(await startInAppLanding(host).result).toBe('failed');
      expect(asked).toEqual([]);
      expect(log.filter((line) => line.includes('auth:signIn'))).toEqual([]);
      const url = new URL(log.at(-1)!.replace('replace ', ''), ORIGIN);
      expect(readErrorLanding(url.searchParams)).toEqual({ code: 'IN_APP_OUTDATED', authenticator: 'dt-app' });
    }
  });

  it("the server's refusal keeps its code", async () => {
    const error = { response: { status: 401, data: { errors: [{ message: 'x', code: 'NOT_A_MEMBER' }] } } };
    const { host, log } = page({ signIn: () => Promise.reject(error) });
    expect(await startInAppLanding(host).result).toBe('failed');
    const url = new URL(log.at(-1)!.replace('replace ', ''), ORIGIN);
    expect(readErrorLanding(url.searchParams)).toEqual({ code: 'NOT_A_MEMBER', authenticator: 'dt-app' });
  });
});

describe('startInAppLanding while the host loads, its requests held', () => {
  function held(options: Options = {}) {
    const opened = page(options);
    const holds: Promise<unknown>[] = [];
    opened.host.holdRequests = (settled) => holds.push(settled);
    return { ...opened, holds };
  }

  it('on the page opened, holds the requests rather than the load, and leaves the address alone', async () => {
    const { host, log, holds } = held({ path: '/admin/x?a=1' });
    const landing = startInAppLanding(host);
    expect(landing.holdsLoad).toBe(false);
    expect(holds).toEqual([landing.result]);
    expect(await landing.result).toBe('signed-in');
    expect(log).toEqual(['jsapi', 'request authenticators:publicList', 'request auth:signIn as dt-app', 'authenticator dt-app', 'token tok']);
  });

  it('a failure loads the sign-in page with its code, since the router already holds the address', async () => {
    const { host, log } = held({ jsapi: { requestAuthCode: () => Promise.reject({ errorCode: '3', errorMessage: 'not a member' }) } });
    expect(await startInAppLanding(host).result).toBe('failed');
    expect(log.at(-1)).toMatch(/^load \/signin\?/);
    const url = new URL(log.at(-1)!.replace('load ', ''), ORIGIN);
    expect(url.searchParams.get('redirect')).toBe('/admin');
    expect(readErrorLanding(url.searchParams)).toEqual({ code: 'IN_APP_REFUSED', authenticator: 'dt-app' });
  });

  it('on the sign-in page the load waits, since the address changes to its ?redirect=', async () => {
    const { host, log, holds } = held({ path: `/signin?redirect=${encodeURIComponent('/admin/settings')}` });
    const landing = startInAppLanding(host);
    expect(landing.holdsLoad).toBe(true);
    expect(holds).toEqual([]);
    expect(await landing.result).toBe('signed-in');
    expect(log.at(-1)).toBe('replace /admin/settings');
  });

  it('holds nothing when no attempt is made', async () => {
    for (const options of [{ userAgent: CHROME }, { hasToken: true }, { path: `/admin?${QUERY.error}=CANCELLED` }]) {
      const { host, holds } = held(options);
      const landing = startInAppLanding(host);
      expect(landing.holdsLoad).toBe(false);
      expect(holds).toEqual([]);
      expect(await landing.result).toBe('none');
    }
  });
});

describe('startInAppLanding with the list asked as the bundle ran', () => {
  it('uses that answer and asks the host only for the sign-in', async () => {
    const { host, log } = page();
    host.earlyPublicList = Promise.resolve({ data: LISTED });
    expect(await startInAppLanding(host).result).toBe('signed-in');
    expect(log.filter((line) => line.startsWith('request'))).toEqual(['request auth:signIn as dt-app']);
  });

  it('asks the host again when the early request failed', async () => {
    const { host, log } = page();
    host.earlyPublicList = Promise.reject(new Error('offline'));
    expect(await startInAppLanding(host).result).toBe('signed-in');
    expect(log.filter((line) => line.startsWith('request'))).toEqual(['request authenticators:publicList', 'request auth:signIn as dt-app']);
  });
});
