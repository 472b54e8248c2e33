/**
 * Where the browser goes once signed in (checklist G1): the sign-in page's `?redirect=` is anyone's to craft, and
 * NocoBase's own `useRedirect()` sends the page to any value whose path has a `v2` segment, `javascript:` included.
 * Inside DingTalk (in-app sign-in, no click) and back from DingTalk (ticket landing), the person is signed in, no
 * frame ever leaves the app's origin, no script of the URL runs, and the page ends on /admin or the checked path.
 */
import { DINGTALK_IOS_USER_AGENT } from '@opensso/dingtalk-emulator';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, E2E, currentUserFromPage, launchBrowser, appApi as api } from './browser';

const { appUrl, emulatorUrl, clientId, clientSecret } = E2E;

const AUTH = 'dingtalk-g1';
const CORP_ID = 'dingemulatorcorp';
const LISI = { id: 'lisi', nick: '李四' };
/** Set by the URL's script if it ever runs; kept in localStorage so a later page load still tells. */
const PWNED_KEY = 'e2e-g1-pwned';

const HOSTILE: Array<[string, string]> = [
  ['javascript: with a v2 segment', 'javascript:window.__pwned=1//v2/'],
  ['javascript: split by a newline', 'java\nscript:window.__pwned=1//v2/'],
  ['another origin', 'https://evil.example/v2/x'],
  ['a protocol-relative URL', '//evil.example/v2'],
  ['a backslash', '/\\evil.example/v2/'],
  ['encoded slashes', '%2F%2Fevil.example/v2/'],
  ['an encoded backslash', '/%5Cevil.example/v2/'],
  ['dot segments', '/.//evil.example/v2/'],
];

interface Watched {
  context: BrowserContext;
  page: Page;
  /** Every URL any frame committed to. */
  frames: string[];
  /** Every request that left the app and the emulator (answered locally, never sent). */
  offsite: string[];
}

/** A fresh profile that records where its frames go, keeps every request on the app, and tells if the script ran. */
async function watchedPerson(browser: Browser, inDingTalk: boolean, bridge: string): Promise<Watched> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    ...(inDingTalk ? { userAgent: DINGTALK_IOS_USER_AGENT } : {}),
  });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  const offsite: string[] = [];
  await context.route(
    (url) => url.origin !== appUrl && url.origin !== emulatorUrl,
    async (route) => {
      offsite.push(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>left the app</p>' });
    },
  );
  await context.addInitScript({
    content: `Object.defineProperty(window, '__pwned', { configurable: true,
      get() { return localStorage.getItem(${JSON.stringify(PWNED_KEY)}); },
      set(value) { localStorage.setItem(${JSON.stringify(PWNED_KEY)}, String(value)); } });`,
  });
  if (inDingTalk) {
    await context.addInitScript({
      content: `window.__DINGTALK_EMULATOR__ = ${JSON.stringify({ url: emulatorUrl, identity: LISI.id, corpId: CORP_ID })};`,
    });
    await context.addInitScript({ content: bridge });
  }
  const page = await context.newPage();
  const frames: string[] = [];
  page.on('framenavigated', (frame) => frames.push(frame.url()));
  return { context, page, frames, offsite };
}

/** Waits for the page to settle on the app after signing in (bounded: a page that never gets there fails below). */
async function settle(page: Page): Promise<void> {
  await page
    .waitForURL((url) => url.origin === appUrl && url.pathname.startsWith('/admin'), { timeout: 15_000 })
    .catch(() => undefined);
  await page.waitForTimeout(1000);
}

/** Signed in as 李四, on `/admin…` of the app, every frame always on the app, nothing sent elsewhere, no script run. */
async function expectStayedOnTheApp(watched: Watched, path = '/admin'): Promise<URL> {
  const { page, frames, offsite } = watched;
  expect(await page.evaluate((key) => localStorage.getItem(key), PWNED_KEY), 'the URL ran a script').toBeNull();
  expect(offsite, 'requests that left the app').toEqual([]);
  expect(frames.filter((url) => url !== 'about:blank' && new URL(url).origin !== appUrl), 'frames that left the app').toEqual([]);
  const url = new URL(page.url());
  expect(url.origin).toBe(appUrl);
  expect(url.pathname, 'where the page ended').toMatch(new RegExp(`^${path}`));
  expect(await currentUserFromPage(page)).toMatchObject({ nickname: LISI.nick });
  return url;
}

describe('where the browser goes after signing in (checklist G1)', () => {
  let browser: Browser;
  let adminToken: string;
  let bridge: string;
  let authenticatorId: number | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
    bridge = await (await fetch(`${emulatorUrl}/__emulator/jsapi-bridge.js`)).text();
    adminToken = (await api(undefined, 'auth:signIn', ADMIN)).body.data.token;
    const created = await api(adminToken, 'authenticators:create', {
      name: AUTH,
      authType: 'dingtalk',
      title: 'DingTalk (G1)',
      enabled: true,
      options: { clientId, clientSecret, autoSignup: true, inAppSignIn: true, corpId: CORP_ID },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    authenticatorId = created.body.data.id;
  });

  afterAll(async () => {
    // Other files share this app: no second authenticator that signs in by itself is left behind.
    try {
      if (authenticatorId !== undefined) {
        expect((await api(adminToken, `authenticators:destroy?filterByTk=${authenticatorId}`, {})).status).toBe(200);
      }
    } finally {
      await browser?.close();
    }
  });

  it.each(HOSTILE)('G1 in-app sign-in with a redirect of %s stays on the app and ends on /admin', async (_label, redirect) => {
    const watched = await watchedPerson(browser, true, bridge);
    try {
      await watched.page.goto(`${appUrl}/signin?redirect=${encodeURIComponent(redirect)}`);
      await watched.page.waitForFunction(() => performance.getEntriesByName('dingtalk-in-app:signed-in').length > 0);
      await settle(watched.page);
      const url = await expectStayedOnTheApp(watched);
      expect(url.pathname).toBe('/admin');
    } finally {
      await watched.context.close();
    }
  });

  it('G1 in-app sign-in keeps a safe redirect, normalised', async () => {
    const watched = await watchedPerson(browser, true, bridge);
    try {
      await watched.page.goto(`${appUrl}/signin?redirect=${encodeURIComponent('/x/../admin?from=g1')}`);
      await watched.page.waitForFunction(() => performance.getEntriesByName('dingtalk-in-app:signed-in').length > 0);
      await settle(watched.page);
      const url = await expectStayedOnTheApp(watched);
      expect(url.pathname).toBe('/admin');
      expect(url.searchParams.get('from')).toBe('g1');
    } finally {
      await watched.context.close();
    }
  });

  it('G1 the ticket landing with a crafted javascript: redirect signs in and stays on the app', async () => {
    const watched = await watchedPerson(browser, false, bridge);
    const { page } = watched;
    try {
      // A DingTalk round trip made in this browser (its cookies), up to the ticket waiting in its cookie…
      const start = await page.request.post(`${appUrl}/api/dingtalk:getAuthUrl`, {
        headers: { 'X-Authenticator': AUTH },
        data: { redirect: '/admin' },
      });
      const authUrl = new URL(((await start.json()) as { data: { url: string } }).data.url);
      const approved = await fetch(`${emulatorUrl}/oauth2/auth/approve`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          identity: LISI.id,
          redirect_uri: authUrl.searchParams.get('redirect_uri'),
          client_id: authUrl.searchParams.get('client_id'),
          state: authUrl.searchParams.get('state'),
          scope: authUrl.searchParams.get('scope'),
        }),
      });
      const callback = await page.request.get(approved.headers.get('location')!, { maxRedirects: 0 });
      expect(callback.status()).toBe(302);
      // …then the landing page opened with someone else's `redirect`.
      const redirect = 'javascript:window.__pwned=1//v2/';
      await page.goto(`${appUrl}/signin?redirect=${encodeURIComponent(redirect)}&dingtalk_signin=${AUTH}`);
      await settle(page);
      const url = await expectStayedOnTheApp(watched);
      expect(url.pathname).toBe('/admin');
    } finally {
      await watched.context.close();
    }
  });
});
