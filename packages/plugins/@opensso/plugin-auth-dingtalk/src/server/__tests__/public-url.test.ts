import { describe, expect, it } from 'vitest';
import { appBasePath, appPageUrl, callbackUrl, configuredOrigin, homepageUrl, publicPath, signInPageUrl } from '../public-url';

const request = { protocol: 'http', host: 'spoofed.example', app: { name: 'main' } };
/** A request the gateway handed to the multi-app manager's sub-app `sub1`. */
const subApp = { ...request, app: { name: 'sub1' } };

describe('the Redirect URL and the sign-in page URL', () => {
  it('comes from APP_URL, not from the request Host (checklist B4)', () => {
    expect(callbackUrl(request, { APP_URL: 'https://nocobase.example.com/ignored/path' })).toBe(
      'https://nocobase.example.com/api/dingtalk:redirect',
    );
  });

  it('falls back to the request only when APP_URL is unset or unusable', () => {
    expect(callbackUrl(request, {})).toBe('http://spoofed.example/api/dingtalk:redirect');
    expect(configuredOrigin({ APP_URL: 'javascript:alert(1)' })).toBeUndefined();
    expect(configuredOrigin({ APP_URL: 'not a url' })).toBeUndefined();
  });

  it('follows APP_PUBLIC_PATH and an explicit API_BASE_PATH', () => {
    expect(callbackUrl(request, { APP_URL: 'https://x.test', APP_PUBLIC_PATH: '/nocobase' })).toBe(
      'https://x.test/nocobase/api/dingtalk:redirect',
    );
    expect(callbackUrl(request, { APP_URL: 'https://x.test', API_BASE_PATH: '/nb/api' })).toBe(
      'https://x.test/nb/api/dingtalk:redirect',
    );
    expect(publicPath({ APP_PUBLIC_PATH: 'nocobase/' })).toBe('/nocobase/');
    expect(publicPath({})).toBe('/');
  });

  it('names a sub-application', () => {
    expect(callbackUrl({ ...request, app: { name: 'sales' } }, { APP_URL: 'https://x.test' })).toBe(
      'https://x.test/api/dingtalk:redirect?__appName=sales',
    );
  });

  it('builds the sign-in page URL under the public path, leaving out empty parameters', () => {
    expect(signInPageUrl(request, { redirect: '/admin/x', dingtalk_error: 'CANCELLED', dingtalk_detail: undefined }, { APP_PUBLIC_PATH: '/nb/' })).toBe(
      '/nb/signin?redirect=%2Fadmin%2Fx&dingtalk_error=CANCELLED',
    );
  });

  it('sends a browser of a sub-application to that sub-application\'s own pages, under the public path', () => {
    expect(appBasePath(subApp, {})).toBe('/apps/sub1/');
    expect(appBasePath(subApp, { APP_PUBLIC_PATH: '/nb' })).toBe('/nb/apps/sub1/');
    expect(signInPageUrl(subApp, { redirect: '/admin/x', dingtalk_signin: 'dt' }, { APP_PUBLIC_PATH: '/nb/' })).toBe(
      '/nb/apps/sub1/signin?redirect=%2Fadmin%2Fx&dingtalk_signin=dt',
    );
    expect(signInPageUrl(subApp, { dingtalk_error: 'CANCELLED' }, {})).toBe('/apps/sub1/signin?dingtalk_error=CANCELLED');
    expect(appPageUrl(subApp, '/admin/settings/x?tab=1#h', { dingtalk_link: 'dt' }, { APP_PUBLIC_PATH: '/nb/' })).toBe(
      '/nb/apps/sub1/admin/settings/x?tab=1&dingtalk_link=dt#h',
    );
  });

  it('keeps the main app\'s pages at the public path', () => {
    expect(appBasePath(request, { APP_PUBLIC_PATH: '/nb/' })).toBe('/nb/');
    expect(appBasePath({ app: {} }, {})).toBe('/');
    expect(appPageUrl(request, '/admin/x', { dingtalk_link: 'dt' }, {})).toBe('/admin/x?dingtalk_link=dt');
    expect(homepageUrl(request, { APP_URL: 'https://x.test', APP_PUBLIC_PATH: '/nb' })).toBe('https://x.test/nb/admin');
  });

  it('shows the admin of a sub-application its own Homepage URL and a Redirect URL that reaches it', () => {
    const env = { APP_URL: 'https://x.test', APP_PUBLIC_PATH: '/nb/' };
    expect(homepageUrl(subApp, env)).toBe('https://x.test/nb/apps/sub1/admin');
    expect(callbackUrl(subApp, env)).toBe('https://x.test/nb/api/dingtalk:redirect?__appName=sub1');
  });

  it('cannot be steered off the app by a sub-application name', () => {
    expect(appBasePath({ app: { name: '../evil/x' } }, {})).toBe('/apps/..%2Fevil%2Fx/');
  });
});
