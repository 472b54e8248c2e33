/**
 * A person opens NocoBase at another address than `APP_URL` (the suite's app is configured as 127.0.0.1 and opened
 * as localhost): the first click on the DingTalk button must sign them in, on the configured address, where
 * DingTalk's callback lands. Before, the binding cookie was set on the address the page was opened at, the callback
 * did not see it, and the person was told the link had expired. The authenticator has the default (a popup window):
 * the popup the click opened is closed again once the server says the start is on another origin, whose popup page
 * could never reach this tab, and the sign-in goes on in the same tab.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, E2E, currentUserFromPage, launchBrowser, newPerson, recordPopups, screenshot, appApi as api } from './browser';

const { appUrl, emulatorUrl, clientId, clientSecret } = E2E;
const AUTH = 'dingtalk-address';
const TITLE = 'DingTalk (other address)';
const WANGWU = { id: 'wangwu', nick: '王五' };

/** The same app under the other loopback name. */
const otherAddress = appUrl.replace('127.0.0.1', 'localhost');

describe('a page opened at another address than APP_URL', () => {
  let browser: Browser;
  let adminToken: string;
  let authenticatorId: number | undefined;

  beforeAll(async () => {
    expect(otherAddress).not.toBe(appUrl);
    browser = await launchBrowser();
    adminToken = (await api(undefined, 'auth:signIn', ADMIN)).body.data.token;
    const created = await api(adminToken, 'authenticators:create', {
      name: AUTH,
      authType: 'dingtalk',
      title: TITLE,
      enabled: true,
      // No signInWindow: the default, a popup window.
      options: { clientId, clientSecret, autoSignup: true },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    authenticatorId = created.body.data.id;
  });

  afterAll(async () => {
    try {
      if (authenticatorId !== undefined) {
        expect((await api(adminToken, `authenticators:destroy?filterByTk=${authenticatorId}`, {})).status).toBe(200);
      }
    } finally {
      await browser?.close();
    }
  });

  it('the first click signs the person in, on the configured address', async () => {
    const { context, page } = await newPerson(browser);
    try {
      await page.goto(`${otherAddress}/signin`);
      const popups = recordPopups(page);
      await page.getByRole('button', { name: TITLE, exact: true }).click();
      await page.waitForURL((url) => url.href.startsWith(`${emulatorUrl}/oauth2/auth?`));
      // The popup opened within the click (before the server's answer) is closed, not left waiting.
      console.log(`[other address] popups opened ${popups.length}, closed ${popups.filter((p) => p.isClosed()).length}`);
      expect(popups).toHaveLength(1);
      expect(popups[0].isClosed()).toBe(true);
      await page.locator(`[data-identity="${WANGWU.id}"]`).click();
      await page.waitForURL((url) => url.origin === appUrl && url.pathname.startsWith('/admin'));
      // The callback lands on /admin itself, which signs in while it loads: signed in once the admin UI shows.
      await page.getByTestId('user-center-button').waitFor();
      await screenshot(page, 'other-address-signed-in');
      expect(new URL(page.url()).origin).toBe(appUrl);
      expect(await currentUserFromPage(page)).toMatchObject({ nickname: WANGWU.nick });
    } finally {
      await context.close();
    }
  });
});
