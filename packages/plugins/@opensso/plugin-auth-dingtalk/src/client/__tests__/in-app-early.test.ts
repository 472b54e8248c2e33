/** The list of authenticators asked as the bundle runs, and when the host may use that answer. */
import { describe, expect, it } from 'vitest';
import { askPublicListEarly, type EarlyPage, earlyPublicListFor } from '../in-app-early';
import { QUERY } from '../../constants';

const IOS = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 AliApp(DingTalk/7.6.0)';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/141.0.0.0 Safari/537.36';
const LIST = { data: [{ name: 'dt-app', authType: 'dingtalk', options: { inAppSignIn: true } }] };

function page(overrides: Partial<EarlyPage> = {}) {
  const asked: { url: string; init: unknown }[] = [];
  const value: EarlyPage = {
    userAgent: IOS,
    pathname: '/admin',
    search: '',
    publicPath: '/',
    apiBase: '/api/',
    fetch: async (url, init) => {
      asked.push({ url, init });
      return { ok: true, json: async () => LIST };
    },
    ...overrides,
  };
  return { value, asked };
}

describe('askPublicListEarly', () => {
  it('inside DingTalk on a page of the main app, asks the list at once, anonymously, where the host would', async () => {
    const { value, asked } = page({ publicPath: '/nocobase/', apiBase: '/nocobase/api', pathname: '/nocobase/admin/x' });
    const early = askPublicListEarly(value);
    expect(early?.apiBase).toBe('/nocobase/api/');
    expect(asked).toEqual([
      { url: '/nocobase/api/authenticators:publicList', init: { headers: { Accept: 'application/json' }, credentials: 'same-origin' } },
    ]);
    expect(await early?.body).toEqual(LIST);
  });

  it('asks nothing outside DingTalk, on a landing, in a sub-app, or with an API elsewhere or undeclared', () => {
    for (const overrides of [
      { userAgent: CHROME },
      { search: `?${QUERY.error}=CANCELLED` },
      { pathname: '/apps/sub1/admin' },
      { apiBase: 'https://api.example.com/api/' },
      { apiBase: '//api.example.com/api/' },
      { apiBase: undefined },
      { publicPath: undefined },
    ]) {
      const { value, asked } = page(overrides);
      expect(askPublicListEarly(value)).toBeUndefined();
      expect(asked).toEqual([]);
    }
  });

  it('an error answer rejects, so the landing asks through the host', async () => {
    const { value } = page({ fetch: async () => ({ ok: false, json: async () => ({}) }) });
    await expect(askPublicListEarly(value)?.body).rejects.toThrow();
  });
});

describe('earlyPublicListFor', () => {
  const early = { apiBase: '/api/', body: Promise.resolve(LIST) };

  it("is the early answer for the main app at the same API base", () => {
    expect(earlyPublicListFor(early, { appName: null, apiBase: '/api/' })).toBe(early.body);
    expect(earlyPublicListFor(early, { appName: 'main', apiBase: '/api' })).toBe(early.body);
  });

  it('is nothing for a sub-app, another API base, or when nothing was asked', () => {
    expect(earlyPublicListFor(early, { appName: 'sub1', apiBase: '/api/' })).toBeUndefined();
    expect(earlyPublicListFor(early, { appName: null, apiBase: '/other/api/' })).toBeUndefined();
    expect(earlyPublicListFor(early, { appName: null, apiBase: undefined })).toBeUndefined();
    expect(earlyPublicListFor(undefined, { appName: null, apiBase: '/api/' })).toBeUndefined();
  });
});
