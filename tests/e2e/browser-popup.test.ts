/**
 * The default DingTalk sign-in (no `signInWindow` option: a popup window): the DingTalk button opens DingTalk's page
 * in a popup window; once the person picks an identity there, the popup reports on a BroadcastChannel and closes,
 * and the original page redeems the ticket and goes to /admin with its router: no page load of the original page
 * after the click. A cancel in the popup shows the reason under the button. On a phone the same button opens no
 * window and signs in in the same tab. With E2E_SIGNIN_TIMING=1, also prints click → /admin for the popup and
 * password sign-ins.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, E2E, appApi as api, currentUserFromPage, launchBrowser, recordPopups, screenshot, waitForValue } from './browser';
import { median, timePasswordSignIn } from './sign-in-timing';

const { appUrl, emulatorUrl, clientId, clientSecret } = E2E;

const AUTH = 'dingtalk-default';
const TITLE = 'Sign in with DingTalk (default)';
/** The emulator's 张三. */
const ZHANGSAN = { id: 'zhangsan', nick: '张三' };
/** Chrome on an Android phone. */
const ANDROID_PHONE =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36';

async function freshPage(browser: Browser, userAgent?: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', ...(userAgent ? { userAgent } : {}) });
  context.setDefaultTimeout(30_000);
  return { context, page: await context.newPage() };
}

/** Document loads of the page's main frame (any address), from now on. */
function mainFrameLoads(page: Page): string[] {
  const loads: string[] = [];
  page.on('request', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) loads.push(request.url());
  });
  return loads;
}

/** Clicks the button on /signin and returns the popup once it shows DingTalk's (the emulator's) page. */
async function openPopup(page: Page): Promise<Page> {
  const button = page.getByRole('button', { name: TITLE, exact: true });
  await button.waitFor();
  const [popup] = await Promise.all([page.waitForEvent('popup'), button.click()]);
  await popup.waitForURL((url) => url.href.startsWith(`${emulatorUrl}/oauth2/auth?`));
  return popup;
}

describe('the default DingTalk sign-in: a popup window on desktop browsers', () => {
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
      // No signInWindow: the default.
      options: { clientId, clientSecret, autoSignup: true },
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

  it('signs in as 张三 through the popup and shows /admin without loading the page again', async () => {
    const { context, page } = await freshPage(browser);
    try {
      await page.goto(`${appUrl}/signin`);
      const loads = mainFrameLoads(page);
      const popup = await openPopup(page);
      const closed = popup.waitForEvent('close');
      await popup.locator(`[data-identity="${ZHANGSAN.id}"]`).click();
      await closed;
      await page.waitForURL((url) => url.origin === appUrl && url.pathname.startsWith('/admin'));
      await page.getByTestId('user-center-button').waitFor();
      await screenshot(page, 'popup-01-signed-in');
      console.log(`[popup] main-frame loads after the click: ${JSON.stringify(loads)}; at ${page.url()}`);
      expect(loads, 'document loads of the original page after the click').toEqual([]);
      expect(new URL(page.url()).pathname).toBe('/admin');
      expect(page.url()).not.toContain('dingtalk_');
      expect(await currentUserFromPage(page)).toMatchObject({ nickname: ZHANGSAN.nick });
    } finally {
      await context.close();
    }
  });

  it('a cancel in the popup shows the reason under the button, still on the sign-in page', async () => {
    const { context, page } = await freshPage(browser);
    try {
      await page.goto(`${appUrl}/signin`);
      const loads = mainFrameLoads(page);
      const popup = await openPopup(page);
      const closed = popup.waitForEvent('close');
      await popup.locator('[data-action="cancel"]').click();
      await closed;
      // Informational (a status, not an alert): the person chose to cancel.
      const alert = page.getByTestId(`dingtalk-signin-${AUTH}`).getByRole('status');
      await alert.waitFor();
      await screenshot(page, 'popup-02-cancelled');
      const text = (await alert.innerText()).trim();
      console.log(`[popup] cancel: "${text}"; main-frame loads ${JSON.stringify(loads)}`);
      expect(text).toBe('You cancelled the sign-in at DingTalk.');
      expect(loads).toEqual([]);
      expect(new URL(page.url()).pathname).toBe('/signin');
      expect(await currentUserFromPage(page)).toBeNull();
    } finally {
      await context.close();
    }
  });

  it('on a phone, the same button opens no window: DingTalk in the same tab, then back signed in', async () => {
    const { context, page } = await freshPage(browser, ANDROID_PHONE);
    try {
      const popups = recordPopups(page);
      await page.goto(`${appUrl}/signin`);
      await page.getByRole('button', { name: TITLE, exact: true }).click();
      await page.waitForURL((url) => url.href.startsWith(`${emulatorUrl}/oauth2/auth?`));
      await page.locator(`[data-identity="${ZHANGSAN.id}"]`).click();
      await page.waitForURL((url) => url.origin === appUrl && url.pathname.startsWith('/admin'));
      const me = await waitForValue(() => currentUserFromPage(page), (value) => value !== null);
      console.log(`[popup] phone: popups ${popups.length}; at ${page.url()}`);
      expect(popups).toHaveLength(0);
      expect(me).toMatchObject({ nickname: ZHANGSAN.nick });
    } finally {
      await context.close();
    }
  });

  it.runIf(process.env.E2E_SIGNIN_TIMING === '1')('prints click → /admin for popup DingTalk and password sign-ins (median of 5)', async () => {
    const popupRun = async () => {
      const { context, page } = await freshPage(browser);
      try {
        await page.goto(`${appUrl}/signin`);
        const button = page.getByRole('button', { name: TITLE, exact: true });
        await button.waitFor();
        const started = performance.now();
        const [popup] = await Promise.all([page.waitForEvent('popup'), button.click()]);
        const identity = popup.locator(`[data-identity="${ZHANGSAN.id}"]`);
        await identity.waitFor();
        const approved = performance.now();
        await identity.click();
        await page.waitForURL((url) => url.origin === appUrl && url.pathname.startsWith('/admin'));
        await page.getByTestId('user-center-button').waitFor();
        const done = performance.now();
        return { ms: done - started, afterApprovalMs: done - approved };
      } finally {
        await context.close();
      }
    };
    const password = { appUrl, account: ADMIN.account, password: ADMIN.password };
    await popupRun();
    await timePasswordSignIn(browser, password);
    const popups: Array<{ ms: number; afterApprovalMs: number }> = [];
    const passwords: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      popups.push(await popupRun());
      passwords.push((await timePasswordSignIn(browser, password)).ms);
    }
    const popupMs = median(popups.map((run) => run.ms));
    const passwordMs = median(passwords);
    const ms = (values: number[]) => values.map((value) => Math.round(value)).join(', ');
    console.log(
      `[sign-in timing] popup DingTalk median ${Math.round(popupMs)} ms (${ms(popups.map((r) => r.ms))}); ` +
        `after approval ${ms(popups.map((r) => r.afterApprovalMs))} (median ${Math.round(median(popups.map((r) => r.afterApprovalMs)))}); ` +
        `password median ${Math.round(passwordMs)} ms (${ms(passwords)}); ratio from the DingTalk button ` +
        `${(popupMs / passwordMs).toFixed(2)}, from the last click (the person chosen on DingTalk's page, as the bench ` +
        `times it) ${(median(popups.map((r) => r.afterApprovalMs)) / passwordMs).toFixed(2)}`,
    );
  }, 600_000);
});
