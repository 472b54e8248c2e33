/**
 * The whole DingTalk sign-in as people do it in a real browser: an admin sets up a DingTalk authenticator in
 * Settings → Authentication, then a user signs in with DingTalk (the emulator plays DingTalk's login page),
 * signs out and in again as the same NocoBase user, and another user cancels at DingTalk.
 * Screenshots of every step: test-results/e2e/screenshots/.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  E2E,
  adminApi,
  closeUserMenu,
  currentUserFromPage,
  journey,
  launchBrowser,
  newPerson,
  openUserMenu,
  passwordSubmit,
  screenshot,
  signInWithPassword,
  signOutThroughMenu,
  type Person,
  waitForValue,
} from './browser';

const { appUrl, emulatorUrl, clientId, clientSecret } = E2E;

const AUTH_UID = 'dingtalk-e2e';
/** Not the button's default label, so seeing it proves the button shows the authenticator's title. */
const TITLE = 'Sign in with DingTalk (e2e)';
/** The emulator's 张三: +86 13800000001, unionId emuUnionZhangsan0001iE. */
const ZHANGSAN = { id: 'zhangsan', nick: '张三', phone: '13800000001', unionId: 'emuUnionZhangsan0001iE' };
/** What must never be in a URL the browser shows: NocoBase tokens, one-time tickets, DingTalk codes. */
const SECRET_IN_URL = /token=|authcode|ticket/i;

/** A form item of NocoBase's drawer, found by its visible label. */
function formItem(page: Page, scope: Locator, label: string): Locator {
  return scope
    .locator('[aria-label^="block-item-"]')
    .filter({ has: page.locator('label').getByText(label, { exact: true }) });
}

function dingTalkButton(page: Page): Locator {
  return page.getByRole('button', { name: TITLE, exact: true });
}

/** Clicks the DingTalk button on /signin and waits for the emulator's login page. */
async function goToDingTalk(page: Page): Promise<void> {
  await dingTalkButton(page).click();
  await page.waitForURL((url) => url.href.startsWith(`${emulatorUrl}/oauth2/auth?`));
  await page.locator(`[data-identity="${ZHANGSAN.id}"]`).waitFor();
}

/** On the emulator's page: picks 张三 and waits until NocoBase shows the admin UI as that user. */
async function approveAsZhangsanAndLand(page: Page): Promise<void> {
  await page.locator(`[data-identity="${ZHANGSAN.id}"]`).click();
  await page.waitForURL((url) => url.origin === appUrl && url.pathname.startsWith('/admin'));
  await openUserMenu(page);
  await page.getByRole('menuitem', { name: ZHANGSAN.nick, exact: true }).waitFor();
}

/** The top-frame navigation requests, including redirects that never render (e.g. the callback). */
function recordNavigationRequests(page: Page): string[] {
  const requested: string[] = [];
  page.on('request', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) requested.push(request.url());
  });
  return requested;
}

function expectNoSecretInShownUrls(visited: string[]): void {
  expect(visited.length).toBeGreaterThan(0);
  expect(visited.filter((url) => SECRET_IN_URL.test(url))).toEqual([]);
}

describe('signing in to NocoBase with DingTalk in a browser', () => {
  const step = journey();

  let authenticatorSaved = false;
  let browser: Browser;
  let admin: Person;
  let user: Person;
  let userId: number;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  step('lets the admin sign in with the password', async () => {
    admin = await newPerson(browser);
    await signInWithPassword(admin.page, appUrl, ADMIN.account, ADMIN.password);
    await openUserMenu(admin.page);
    await admin.page.getByRole('menuitem', { name: 'Super Admin', exact: true }).waitFor();
    expect(new URL(admin.page.url()).pathname).toMatch(/^\/admin/);
    await screenshot(admin.page, '01-admin-signed-in');
    await closeUserMenu(admin.page);
  });

  step('lets the admin add an enabled DingTalk authenticator in Settings → Authentication', async () => {
    const { page } = admin;
    await page.goto(`${appUrl}/admin/settings/auth/authenticators`);
    await page.getByRole('button', { name: /Add new/ }).hover();
    await page.getByRole('menuitem', { name: 'DingTalk', exact: true }).click();
    const drawer = page.getByRole('dialog').filter({ hasText: 'Add new' });
    await drawer.waitFor();
    const item = (label: string) => formItem(page, drawer, label);

    await item('Auth UID').locator('input').fill(AUTH_UID);
    await item('Title').locator('input').fill(TITLE);
    const enabled = item('Enabled').getByRole('checkbox');
    await enabled.check();
    expect(await enabled.isChecked()).toBe(true);
    const autoSignup = item('Sign up automatically when the user does not exist').getByRole('switch');
    await autoSignup.click();
    expect(await autoSignup.getAttribute('aria-checked')).toBe('true');
    await item('Client ID').locator('input').fill(clientId);
    const secret = item('Client Secret').locator('input');
    await secret.fill(clientSecret);

    // The secret is typed into a masked password input, not shown as text.
    expect(await secret.getAttribute('type')).toBe('password');
    expect(await secret.inputValue()).toBe(clientSecret);
    expect(await drawer.innerText()).not.toContain(clientSecret);

    // The default opens DingTalk in a popup window; this journey is the same-tab round trip (the popup's is
    // browser-popup.test.ts).
    const signInWindow = item('Open DingTalk sign-in in');
    expect(await signInWindow.getByRole('radio', { name: 'A popup window' }).isChecked()).toBe(true);
    await signInWindow.getByText('The same tab', { exact: true }).click();
    expect(await signInWindow.getByRole('radio', { name: 'The same tab' }).isChecked()).toBe(true);

    // The Redirect URL to paste into DingTalk's console: loaded from the server, read-only, copyable.
    const redirectUrl = item('Redirect URL').locator('input');
    const shown = await waitForValue(() => redirectUrl.inputValue(), (value) => value !== '');
    expect(shown).toBe(`${appUrl}/api/dingtalk:redirect`);
    expect(await redirectUrl.getAttribute('readonly')).not.toBeNull();
    await item('Redirect URL').getByRole('button', { name: 'Copy' }).waitFor();
    await screenshot(page, '02-settings-form');

    await drawer.getByRole('button', { name: /Submit/ }).click();
    await drawer.waitFor({ state: 'hidden' });
    const row = page.getByRole('row').filter({ hasText: AUTH_UID });
    await row.waitFor();
    const cells = (await row.getByRole('cell').allInnerTexts()).map((text) => text.trim());
    expect(cells).toContain(AUTH_UID);
    expect(cells).toContain('DingTalk');
    expect(cells).toContain(TITLE);
    await screenshot(page, '03-authenticator-listed');

    // What the form saved.
    const get = await adminApi(appUrl, ADMIN.account, ADMIN.password);
    const stored = await get<{ authType: string; enabled: boolean; title: string; options: Record<string, unknown> }>(
      'authenticators:get',
      { filter: { name: AUTH_UID } },
    );
    expect(stored).toMatchObject({ authType: 'dingtalk', enabled: true, title: TITLE });
    expect(stored.options).toMatchObject({ autoSignup: true, clientId, clientSecret, signInWindow: 'page' });
    authenticatorSaved = true;
  });

  step('lets the admin sign out through the user menu', async () => {
    await signOutThroughMenu(admin.page);
    expect(await currentUserFromPage(admin.page)).toBeNull();
    await dingTalkButton(admin.page).waitFor();
    await screenshot(admin.page, '04-admin-signed-out');
    expectNoSecretInShownUrls(admin.visited);
    await admin.context.close();
  });

  step('signs a new user in with DingTalk, from the button below the form to /admin, without secrets in URLs', async () => {
    user = await newPerson(browser);
    const { page } = user;
    const requested = recordNavigationRequests(page);
    await page.goto(`${appUrl}/signin`);
    const button = dingTalkButton(page);
    await button.waitFor();
    const formBox = await passwordSubmit(page).boundingBox();
    const buttonBox = await button.boundingBox();
    expect(formBox && buttonBox && buttonBox.y > formBox.y + formBox.height).toBe(true);
    await screenshot(page, '05-signin-page-with-dingtalk');

    await goToDingTalk(page);
    await screenshot(page, '06-emulator-login-page');

    await approveAsZhangsanAndLand(page);
    await screenshot(page, '07-signed-in-as-zhangsan');
    expect(new URL(page.url()).pathname).toMatch(/^\/admin/);
    expect(new URL(page.url()).search).not.toContain('dingtalk_');

    const me = await currentUserFromPage(page);
    expect(me).toMatchObject({ nickname: ZHANGSAN.nick, phone: ZHANGSAN.phone });
    userId = me!.id;

    // The browser went through DingTalk and the callback, whose URL carries DingTalk's code (and the detector
    // below flags it)...
    const callbacks = requested.filter((url) => url.startsWith(`${appUrl}/api/dingtalk:redirect?authCode=`));
    expect(callbacks).toHaveLength(1);
    expect(SECRET_IN_URL.test(callbacks[0])).toBe(true);
    // ...yet no page it showed had a code, ticket or token in its URL, including the landing on /signin.
    expect(user.visited.some((url) => url.startsWith(`${emulatorUrl}/oauth2/auth?`))).toBe(true);
    expect(user.visited.some((url) => url.includes(`dingtalk_signin=${AUTH_UID}`))).toBe(true);
    expectNoSecretInShownUrls(user.visited);
  });

  step('signs the same DingTalk person in again as the same NocoBase user after signing out', async () => {
    const { page } = user;
    await signOutThroughMenu(page);
    expect(await currentUserFromPage(page)).toBeNull();
    await screenshot(page, '08-zhangsan-signed-out');

    await goToDingTalk(page);
    await approveAsZhangsanAndLand(page);
    await screenshot(page, '09-zhangsan-signed-in-again');
    const me = await currentUserFromPage(page);
    expect(me?.id).toBe(userId);
    expectNoSecretInShownUrls(user.visited);

    // One NocoBase user with that phone, linked once to this authenticator.
    const get = await adminApi(appUrl, ADMIN.account, ADMIN.password);
    const users = await get<Array<{ id: number }>>('users:list', { filter: { phone: ZHANGSAN.phone } });
    expect(users.map((u) => u.id)).toEqual([userId]);
    const links = await get<Array<{ userId: number; uuid: string }>>('usersAuthenticators:list', {
      filter: { authenticator: AUTH_UID },
    });
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ userId, uuid: ZHANGSAN.unionId });
    await user.context.close();
  });

  // Needs only the authenticator, not the steps of 张三's journey.
  it('brings a user who cancels at DingTalk back to /signin with a readable message by the button', async (ctx) => {
    if (!authenticatorSaved) ctx.skip();
    const person = await newPerson(browser);
    const { page } = person;
    await page.goto(`${appUrl}/signin`);
    await goToDingTalk(page);
    await page.locator('[data-action="cancel"]').click();
    await page.waitForURL((url) => url.origin === appUrl && url.pathname === '/signin');

    const block = page.getByTestId(`dingtalk-signin-${AUTH_UID}`);
    // Informational: the person chose to cancel.
    const alert = block.getByRole('status');
    await alert.waitFor();
    expect((await alert.innerText()).trim()).toBe('You cancelled the sign-in at DingTalk.');
    // Right above the DingTalk button.
    const alertBox = await alert.boundingBox();
    const buttonBox = await dingTalkButton(page).boundingBox();
    expect(alertBox && buttonBox && buttonBox.y >= alertBox.y + alertBox.height && buttonBox.y - alertBox.y < 120).toBe(true);
    // The landing parameters are dropped from the URL once read.
    await page.waitForURL((url) => !url.search.includes('dingtalk_error'));
    await screenshot(page, '10-cancelled-at-dingtalk');

    const text = await page.locator('body').innerText();
    expect(text).not.toMatch(/\bat .+:\d+:\d+|Error:|[{[]\s*"|CANCELLED|access_denied/);
    expect(await currentUserFromPage(page)).toBeNull();
    expect(person.visited.some((url) => url.includes('dingtalk_error=CANCELLED'))).toBe(true);
    expectNoSecretInShownUrls(person.visited);
    await person.context.close();
  });
});
