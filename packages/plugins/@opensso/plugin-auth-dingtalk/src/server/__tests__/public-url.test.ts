import { describe, expect, it } from 'vitest';
import { appBasePath, appPageUrl, callbackUrl, configuredOrigin, homepageUrl, landingPageUrl, publicPath, requestScheme, signInPageUrl } from '../public-url';

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

  it('behind a TLS-terminating proxy without APP_URL, takes the scheme from the first X-Forwarded-Proto, as NocoBase does', () => {
    const proxied = { ...request, host: 'nocobase.example:8443', headers: { 'x-forwarded-proto': 'https, http' } };
    expect(callbackUrl(proxied, {})).toBe('https://nocobase.example:8443/api/dingtalk:redirect');
    expect(homepageUrl(proxied, { APP_PUBLIC_PATH: '/nb/' })).toBe('https://nocobase.example:8443/nb/admin');
    expect(requestScheme({ ...request, headers: { 'x-forwarded-proto': ['HTTPS'] } })).toBe('https');
    expect(requestScheme({ ...request, protocol: 'https', headers: { 'x-forwarded-proto': 'http' } })).toBe('http');
    // Anything but http or https is not a scheme to send a browser to: the connection's counts.
    expect(requestScheme({ ...request, headers: { 'x-forwarded-proto': 'javascript' } })).toBe('http');
  });

  it('with APP_URL set, neither X-Forwarded-Proto nor the Host changes it (checklist B4)', () => {
    const proxied = { ...request, headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' } };
    expect(callbackUrl(proxied, { APP_URL: 'http://nocobase.internal:13000' })).toBe('http://nocobase.internal:13000/api/dingtalk:redirect');
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

  it("sends a sign-in started on the modern client's page back to the modern client's sign-in page", () => {
    // /v/signin normalises ?redirect= to a page under its own base: /v/admin/, /nb/v/admin/ under a public path.
    expect(signInPageUrl(request, { redirect: '/v/admin/', dingtalk_signin: 'dt' }, {})).toBe('/v/signin?redirect=%2Fv%2Fadmin%2F&dingtalk_signin=dt');
    expect(signInPageUrl(request, { redirect: '/nb/v/admin/', dingtalk_signin: 'dt' }, { APP_PUBLIC_PATH: '/nb/' })).toBe(
      '/nb/v/signin?redirect=%2Fnb%2Fv%2Fadmin%2F&dingtalk_signin=dt',
    );
    expect(signInPageUrl(request, { redirect: '/modern', dingtalk_error: 'CANCELLED' }, { APP_MODERN_CLIENT_PREFIX: '/modern/' })).toBe(
      '/modern/signin?redirect=%2Fmodern&dingtalk_error=CANCELLED',
    );
    // Only a whole first segment: /vip and /admin/v/x are pages of the v1 client.
    expect(signInPageUrl(request, { redirect: '/vip', dingtalk_signin: 'dt' }, {})).toBe('/signin?redirect=%2Fvip&dingtalk_signin=dt');
    expect(signInPageUrl(request, { redirect: '/admin/v/x', dingtalk_signin: 'dt' }, {})).toBe('/signin?redirect=%2Fadmin%2Fv%2Fx&dingtalk_signin=dt');
    expect(signInPageUrl(request, { redirect: undefined, dingtalk_error: 'STATE_INVALID' }, {})).toBe('/signin?dingtalk_error=STATE_INVALID');
  });

  it('lands a successful sign-in on the page it was started for, of the client that page belongs to', () => {
    const params = { dingtalk_signin: 'dt' };
    expect(landingPageUrl(request, '/admin/x?tab=1#h', params, {})).toBe('/admin/x?tab=1&dingtalk_signin=dt#h');
    expect(landingPageUrl(request, '/admin', params, { APP_PUBLIC_PATH: '/nb/' })).toBe('/nb/admin?dingtalk_signin=dt');
    expect(landingPageUrl(subApp, '/admin', params, { APP_PUBLIC_PATH: '/nb/' })).toBe('/nb/apps/sub1/admin?dingtalk_signin=dt');
    // The modern client's pages, given from the site root (as its sign-in page gives them) or under the public path.
    expect(landingPageUrl(request, '/v/admin/', params, {})).toBe('/v/admin/?dingtalk_signin=dt');
    expect(landingPageUrl(request, '/nb/v/admin/', params, { APP_PUBLIC_PATH: '/nb/' })).toBe('/nb/v/admin/?dingtalk_signin=dt');
    expect(landingPageUrl(request, '/v/admin/', params, { APP_PUBLIC_PATH: '/nb/' })).toBe('/nb/v/admin/?dingtalk_signin=dt');
    expect(landingPageUrl(request, '/modern/x', params, { APP_MODERN_CLIENT_PREFIX: 'modern' })).toBe('/modern/x?dingtalk_signin=dt');
    // Only a whole first segment: /vip is a page of the v1 client.
    expect(landingPageUrl(request, '/vip', params, { APP_PUBLIC_PATH: '/nb/' })).toBe('/nb/vip?dingtalk_signin=dt');
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
