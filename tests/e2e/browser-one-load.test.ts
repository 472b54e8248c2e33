/**
 * One app load per DingTalk sign-in: after DingTalk's callback the browser loads the page the person wanted once,
 * signed in during that load, with no "Unauthenticated" notice on the way (the 401 of a signed-out page load). A
 * ticket that cannot be redeemed still brings the person to the sign-in page with the reason under the button.
 * With E2E_SIGNIN_TIMING=1, also prints click → /admin for DingTalk and password sign-ins (median of 5, one browser).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, E2E, appApi as api, currentUserFromPage, launchBrowser, screenshot } from './browser';
import { compareSignInTimes, watchAppLoads, type AppLoads } from './sign-in-timing';

const { appUrl, emulatorUrl, clientId, clientSecret } = E2E;

const AUTH = 'dingtalk-one-load';
const TITLE = 'Sign in with DingTalk (one load)';
/** The emulator's Alice, whom no other file of the suite signs in. */
const ALICE = { id: 'alice', nick: 'Alice Martin' };

/**
 * A fresh profile that reports every antd message and notification the page shows, whatever the page load (the
 * notice of a signed-out load would be gone by the time the next page is checked).
 */
async function watchedProfile(browser: Browser): Promise<{ context: BrowserContext; page: Page; notices: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  context.setDefaultTimeout(20_000);
  const notices: string[] = [];
  await context.exposeBinding('__e2eNotice', (_source, text: string) => notices.push(text));
  await context.addInitScript({
    content: `(() => {
      const seen = new WeakSet();
      const report = () => document.querySelectorAll('.ant-message-notice, .ant-notification-notice').forEach((node) => {
        if (seen.has(node)) return;
        seen.add(node);
        window.__e2eNotice((node.textContent || '').trim());
      });
      new MutationObserver(report).observe(document, { childList: true, subtree: true });
    })();`,
  });
  return { context, page: await context.newPage(), notices };
}

function expectOneAppLoad(loads: AppLoads): void {
  expect(loads.documents, 'app pages loaded after the callback').toHaveLength(1);
  expect(new URL(loads.documents[0]).pathname, 'the page loaded after the callback').not.toMatch(/\/signin$/);
  // Nothing asked who is signed in before the token was set: no 401, one auth:check.
  expect(loads.unauthorized, 'answers 401 after the callback').toEqual([]);
  expect(loads.authChecks, 'auth:check after the callback').toHaveLength(1);
  expect(loads.boots, 'client boots (pm:listEnabled) after the callback').toHaveLength(1);
  expect(loads.pluginBundles.length, 'plugin bundle loads after the callback').toBeLessThanOrEqual(1);
  expect(loads.hostBundles.length, 'host bundle loads after the callback').toBeLessThanOrEqual(1);
}

describe('one app load per DingTalk sign-in', () => {
  let browser: Browser;
  let adminToken: string;
  let authenticatorId: number | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
    adminToken = (await api(undefined, 'auth:signIn', ADMIN)).body.data.token;
    const created = await api(adminToken, 'authenticators:create', {
      name: AUTH,
      authType: 'dingtalk',
      title: TITLE,
      enabled: true,
      // This file is about the same-tab landing; the default opens a popup (browser-popup.test.ts).
      options: { clientId, clientSecret, autoSignup: true, signInWindow: 'page' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    authenticatorId = created.body.data.id;
  });

  afterAll(async () => {
    try {
      if (authenticatorId !== undefined) await api(adminToken, `authenticators:destroy?filterByTk=${authenticatorId}`, {});
    } finally {
      await browser?.close();
    }
  });

  /** Up to the click on Alice at DingTalk. `notices` then holds only what the pages after DingTalk show. */
  async function signInAsAlice(page: Page, from: string, notices: string[] = []): Promise<AppLoads> {
    await page.goto(from);
    const button = page.getByRole('button', { name: TITLE, exact: true });
    await button.waitFor();
    const loads = watchAppLoads(page, appUrl, (request) => request.url().includes('/api/dingtalk:redirect?'));
    await button.click();
    await page.waitForURL((url) => url.href.startsWith(`${emulatorUrl}/oauth2/auth?`));
    // The signed-out sign-in page may show NocoBase's own notice before the click: that page is gone now.
    notices.length = 0;
    await page.locator(`[data-identity="${ALICE.id}"]`).click();
    return loads;
  }

  it('loads the app once after DingTalk, ends on /admin signed in, and shows no "Unauthenticated" notice', async () => {
    const { context, page, notices } = await watchedProfile(browser);
    try {
      const loads = await signInAsAlice(page, `${appUrl}/signin`, notices);
      await page.waitForURL((url) => url.origin === appUrl && url.pathname.startsWith('/admin'));
      await page.getByTestId('user-center-button').waitFor();
      // A notice of the load comes with its first answers; give a late one time to show.
      await page.waitForTimeout(1500);
      await screenshot(page, 'one-load-01-signed-in');
      console.log(`[one load] after the callback: ${loads.documents.length} page load(s) ${JSON.stringify(loads.documents)}, ` +
        `${loads.boots.length} client boot(s), ${loads.authChecks.length} auth:check, 401s ${JSON.stringify(loads.unauthorized)}, ` +
        `${loads.all} requests; notices: ${JSON.stringify(notices)}`);

      expect(loads.documents).toEqual([`${appUrl}/admin?dingtalk_signin=${AUTH}`]);
      expectOneAppLoad(loads);
      const url = new URL(page.url());
      expect(url.pathname).toBe('/admin');
      expect(url.search).not.toContain('dingtalk_');
      expect(await currentUserFromPage(page)).toMatchObject({ nickname: ALICE.nick });
      expect(notices.filter((text) => /Unauthenticated|sign in to continue/i.test(text)), 'notices shown').toEqual([]);
      expect(notices, 'notices shown').toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lands once on the return path the sign-in page was given, its query and hash kept', async () => {
    const { context, page, notices } = await watchedProfile(browser);
    try {
      const wanted = '/admin?from=one-load#part';
      const loads = await signInAsAlice(page, `${appUrl}/signin?redirect=${encodeURIComponent(wanted)}`, notices);
      await page.waitForURL((url) => url.origin === appUrl && url.pathname.startsWith('/admin'));
      await page.getByTestId('user-center-button').waitFor();
      await page.waitForTimeout(500);
      expectOneAppLoad(loads);
      expect(loads.documents[0], 'the page loaded after the callback').toMatch(new RegExp(`^${appUrl}/admin\\?`));
      const url = new URL(page.url());
      expect(`${url.pathname}${url.search}${url.hash}`).toBe(wanted);
      expect(await currentUserFromPage(page)).toMatchObject({ nickname: ALICE.nick });
      expect(notices, 'notices shown').toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a ticket that cannot be redeemed brings the person to the sign-in page with the reason under the button', async () => {
    const { context, page } = await watchedProfile(browser);
    try {
      // A DingTalk round trip made in this browser (its cookies), up to the callback's answer…
      const start = await page.request.post(`${appUrl}/api/dingtalk:getAuthUrl`, {
        headers: { 'X-Authenticator': AUTH },
        data: { redirect: '/admin?from=lost-ticket' },
      });
      const authUrl = new URL(((await start.json()) as { data: { url: string } }).data.url);
      const approved = await fetch(`${emulatorUrl}/oauth2/auth/approve`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          identity: ALICE.id,
          redirect_uri: authUrl.searchParams.get('redirect_uri'),
          client_id: authUrl.searchParams.get('client_id'),
          state: authUrl.searchParams.get('state'),
          scope: authUrl.searchParams.get('scope'),
        }),
      });
      const callback = await page.request.get(approved.headers.get('location')!, { maxRedirects: 0 });
      expect(callback.status()).toBe(302);
      const landing = new URL(callback.headers().location, appUrl);
      expect(`${landing.pathname}${landing.search}`).toBe(`/admin?from=lost-ticket&dingtalk_signin=${AUTH}`);
      // …whose ticket cookie is lost before the landing page loads.
      const dropped = (await context.cookies()).filter((c) => c.name === 'dingtalk_ticket').length;
      await context.clearCookies({ name: 'dingtalk_ticket' });
      await page.goto(landing.toString());
      await page.waitForURL((url) => url.origin === appUrl && url.pathname === '/signin');
      expect(dropped, 'ticket cookies taken from the browser').toBe(1);
      const alert = page.getByTestId(`dingtalk-signin-${AUTH}`).getByRole('alert');
      await alert.waitFor();
      expect((await alert.locator('.ant-alert-message').innerText()).trim()).toBe('The DingTalk sign-in has expired. Please sign in again.');
      expect((await alert.getByTestId('dingtalk-error-code').innerText()).trim()).toBe('Error code: TICKET_INVALID');
      await page.waitForURL((url) => !url.search.includes('dingtalk_'));
      expect(new URL(page.url()).searchParams.get('redirect')).toBe('/admin?from=lost-ticket');
      expect(await currentUserFromPage(page)).toBeNull();
      await screenshot(page, 'one-load-02-ticket-lost');
    } finally {
      await context.close();
    }
  });

  it.runIf(process.env.E2E_SIGNIN_TIMING === '1')('prints click → /admin for DingTalk and password sign-ins (median of 5)', async () => {
    const result = await compareSignInTimes(
      browser,
      { appUrl, emulatorUrl, buttonTitle: TITLE, identity: ALICE.id },
      { appUrl, account: ADMIN.account, password: ADMIN.password },
    );
    const ms = (values: number[]) => values.map((value) => Math.round(value)).join(', ');
    console.log(
      `[sign-in timing] DingTalk median ${Math.round(result.medianDingTalkMs)} ms (${ms(result.dingtalk.map((r) => r.ms))}); ` +
        `after approval ${ms(result.dingtalk.map((r) => r.afterApprovalMs ?? 0))}; ` +
        `password median ${Math.round(result.medianPasswordMs)} ms (${ms(result.password.map((r) => r.ms))}); ` +
        `ratio ${result.ratio.toFixed(2)}; requests after the callback ${result.dingtalk.map((r) => r.loads.all).join(', ')}, ` +
        `after the password click ${result.password.map((r) => r.loads.all).join(', ')}`,
    );
    expect(result.dingtalk.every((run) => new URL(run.url).pathname === '/admin')).toBe(true);
  }, 900_000);
});
