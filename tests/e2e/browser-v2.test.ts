/**
 * NocoBase's modern client (`/v/`): it loads plugins' `dist/client-v2/index.js`, and with
 * `APP_CLIENT_ENTRY_MODE=modern-only` it is the only client browsers get. The admin adds the DingTalk sign-in in the
 * modern client's Settings → Authentication (every option, the console URLs; editing keeps what it does not change),
 * the DingTalk button shows on /v/signin, a person signs in through the emulator in the default popup window and the
 * modern client goes on signed in (with `APP_CLIENT_ENTRY_MODE=modern-only`, a same-tab sign-in lands in the modern
 * client), and inside the DingTalk app the page signs in by itself, without the v1 client ever being loaded.
 * Screenshots: test-results/e2e/screenshots/v2-*.png.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
// @ts-expect-error plain ESM helpers shared with `npm start`
import { root } from '../../scripts/lib.mjs';
import { ADMIN, E2E, currentUserFromPage, dingTalkPerson, journey, launchBrowser, newPerson, screenshot, throughPopup, type Person, waitForValue } from './browser';
import { startUserApp, type UserApp } from './user-app';

const { appUrl, emulatorUrl, clientId, clientSecret } = E2E;

const AUTH_UID = 'dingtalk-v2';
const TITLE = 'Sign in with DingTalk (v2)';
/** The emulator client's organization. */
const CORP_ID = 'dingemulatorcorp';
/** The emulator's 张三 (+86 13800000001) and 李四 (+86 13800000002, a member of dingemulatorcorp). */
const ZHANGSAN = { id: 'zhangsan', nick: '张三', phone: '13800000001' };
const LISI = { id: 'lisi', nick: '李四', phone: '13800000002' };
const PLUGIN_STATIC = '/static/plugins/@opensso/plugin-auth-dingtalk/dist/';
/** What must never be in a URL the browser shows: NocoBase tokens, one-time tickets, DingTalk codes. */
const SECRET_IN_URL = /token=|authcode|code=|ticket/i;

async function adminToken(base = appUrl): Promise<string> {
  const res = await fetch(`${base}/api/auth:signIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-authenticator': 'basic' },
    body: JSON.stringify(ADMIN),
  });
  return ((await res.json()) as { data: { token: string } }).data.token;
}

async function api(token: string, action: string, body: unknown, query = '', base = appUrl): Promise<{ id: number }> {
  const res = await fetch(`${base}/api/${action}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-authenticator': 'basic' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${action}: HTTP ${res.status} ${text}`);
  return (JSON.parse(text) as { data: { id: number } }).data;
}

/** plugin-auth's v2 drawer of an authenticator ("Add new" or "Configure"). */
function settingsDrawer(page: Page, title: string): Locator {
  return page.locator('.ant-drawer-content').filter({ has: page.locator('.ant-drawer-title', { hasText: title }) });
}

/** An antd form item of the drawer, by its label. */
function formItem(scope: Locator, label: string): Locator {
  return scope.locator('.ant-form-item').filter({ has: scope.page().locator('.ant-form-item-label label').getByText(label, { exact: true }) });
}

/** Unfolds every folded section of the settings form (their fields are there, hidden, until then). */
async function unfoldSections(drawer: Locator): Promise<void> {
  const headers = drawer.locator('.ant-collapse-item:not(.ant-collapse-item-active) > .ant-collapse-header');
  while ((await headers.count()) > 0) await headers.first().click();
}

/** The authenticator as stored, through the admin's API. */
async function storedAuthenticator(): Promise<{ id: number; authType: string; enabled: boolean; title: string; options: Record<string, unknown> }> {
  const res = await fetch(`${appUrl}/api/authenticators:get?filter=${encodeURIComponent(JSON.stringify({ name: AUTH_UID }))}`, {
    headers: { authorization: `Bearer ${await adminToken()}`, 'x-authenticator': 'basic' },
  });
  if (!res.ok) throw new Error(`authenticators:get: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: Awaited<ReturnType<typeof storedAuthenticator>> }).data;
}

function dingTalkButton(page: Page): Locator {
  return page.getByTestId(`dingtalk-signin-${AUTH_UID}`).getByRole('button', { name: TITLE, exact: true });
}

/** Which of the plugin's browser files the page requested: `client/index.js`, `client-v2/index.js`, chunks. */
function recordPluginFiles(page: Page): string[] {
  const files: string[] = [];
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (pathname.startsWith(PLUGIN_STATIC)) files.push(pathname.slice(PLUGIN_STATIC.length));
  });
  return files;
}

/** Document loads of the page's main frame (any address), from now on: none when a popup signs the page in. */
function mainFrameLoads(page: Page): string[] {
  const loads: string[] = [];
  page.on('request', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) loads.push(request.url());
  });
  return loads;
}

/** The app's pages the top frame showed, as paths: with the modern client only, every one is under /v/. */
function appPages(person: Person, origin = appUrl): string[] {
  return person.visited.filter((url) => new URL(url).origin === origin).map((url) => new URL(url).pathname);
}

/**
 * The modern client's admin UI has loaded for a signed-in person and stayed there: the page settled on /v/admin (the
 * client sends anybody it does not take as signed in back to /v/signin) and the token it keeps is `nick`'s.
 */
async function expectSignedInOnModernClient(page: Page, nick: string, phone: string, origin = appUrl): Promise<void> {
  await page.waitForURL((url) => url.origin === origin && url.pathname.startsWith('/v/admin'));
  await page.waitForLoadState('networkidle');
  expect(new URL(page.url()).pathname).toMatch(/^\/v\/admin/);
  const me = await waitForValue(() => currentUserFromPage(page), (value) => value !== null);
  expect(me).toMatchObject({ nickname: nick, phone });
}

describe("NocoBase's modern client (/v/)", () => {
  const step = journey({ prefix: 'v2-failed', browser: () => browser });

  let browser: Browser;
  let authenticatorId: number | undefined;
  let admin: Person;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    // Other files share this app: no authenticator that signs in by itself left enabled.
    try {
      if (authenticatorId !== undefined) {
        await api(await adminToken(), 'authenticators:update', { id: authenticatorId, enabled: false }, `?filterByTk=${authenticatorId}`);
      }
    } finally {
      await admin?.context.close();
      await browser?.close();
    }
  });

  step('lists the v2 bundle for the modern client, as the module it loads', async () => {
    const list = (await (await fetch(`${appUrl}/api/pm:listEnabledV2`)).json()) as {
      data: Array<{ packageName: string; url: string }>;
    };
    const ours = list.data.find((p) => p.packageName === '@opensso/plugin-auth-dingtalk');
    expect(ours?.url).toMatch(/^\/static\/plugins\/@opensso\/plugin-auth-dingtalk\/dist\/client-v2\/index\.js\?hash=/);
    const bundle = await (await fetch(new URL(ours!.url, appUrl))).text();
    // RequireJS maps `<package>/client-v2` to that URL: a module of another name would never load.
    expect(bundle).toMatch(/^define\("@opensso\/plugin-auth-dingtalk\/client-v2", \[/);
    expect(bundle).not.toContain('"@nocobase/client"');
  });

  step("lets the admin add a DingTalk authenticator in the modern client's settings", async () => {
    admin = await newPerson(browser);
    const { page } = admin;
    await page.goto(`${appUrl}/v/signin`);
    await page.getByPlaceholder('Username/Email').fill(ADMIN.account);
    await page.getByPlaceholder('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/v/admin'));

    await page.goto(`${appUrl}/v/admin/settings/auth/authenticators`);
    await page.getByRole('button', { name: /Add new/ }).click();
    await page.getByRole('menuitem', { name: 'DingTalk', exact: true }).click();
    const drawer = settingsDrawer(page, 'Add new');
    await drawer.waitFor();
    const item = (label: string) => formItem(drawer, label);

    await item('Auth UID').locator('input').fill(AUTH_UID);
    await item('Title').locator('input').fill('DingTalk (draft)');
    await item('Enabled').getByRole('checkbox').check();
    await item('Client ID').locator('input').fill(clientId);
    const secret = item('Client Secret').locator('input');
    await secret.fill(clientSecret);
    await item('Sign up automatically when the user does not exist').getByRole('switch').click();
    // The rest is folded in sections; the in-app organization appears once in-app sign-in is on.
    expect(await item('Match existing users by').isVisible()).toBe(false);
    await unfoldSections(drawer);
    expect(await item('Organization corpId').isVisible()).toBe(false);
    await item('Sign in automatically inside the DingTalk app').getByRole('switch').click();
    await item('Organization corpId').locator('input').fill(CORP_ID);

    // Masked, and without the button that would show it.
    expect(await secret.getAttribute('type')).toBe('password');
    expect(await item('Client Secret').locator('.ant-input-password-icon').count()).toBe(0);
    expect(await drawer.innerText()).not.toContain(clientSecret);
    // The server's defaults, shown as v1 shows them.
    expect(await item('Default country code').locator('input').inputValue()).toBe('86');
    expect(await item('Match existing users by').locator('.ant-select-selection-item').allInnerTexts()).toEqual(['Phone number']);
    for (const field of ['Nickname', 'Email', 'Phone number']) {
      expect(await item(field).locator('.ant-radio-button-wrapper-checked').innerText()).toBe('At sign-up only');
    }

    // The URLs to paste into DingTalk's console: from the server (APP_URL is set: no warning), read-only, copyable.
    for (const [label, url] of [
      ['Redirect URL', `${appUrl}/api/dingtalk:redirect`],
      ['Homepage URL', `${appUrl}/admin`],
    ]) {
      const input = item(label).locator('input');
      expect(await waitForValue(() => input.inputValue(), (value) => value !== '')).toBe(url);
      expect(await input.getAttribute('readonly')).not.toBeNull();
      await item(label).getByRole('button', { name: 'Copy' }).waitFor();
    }
    expect(await drawer.innerText()).not.toContain('APP_URL is not set');
    await screenshot(page, 'v2-00-settings-form');

    await drawer.getByRole('button', { name: 'Submit', exact: true }).click();
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('row').filter({ hasText: AUTH_UID }).waitFor();

    const stored = await storedAuthenticator();
    expect(stored).toMatchObject({ authType: 'dingtalk', enabled: true, title: 'DingTalk (draft)' });
    expect(stored.options).toEqual({
      clientId,
      clientSecret,
      autoSignup: true,
      matchBy: ['phone'],
      defaultCountryCode: '86',
      copyEmailAtSignup: false,
      signupWithoutPhone: false,
      allowedCorpIds: [],
      verifyMembership: false,
      inAppSignIn: true,
      corpId: CORP_ID,
      profileSync: { nickname: 'signup', email: 'signup', phone: 'signup' },
      signInWindow: 'popup',
    });
    authenticatorId = stored.id;
  });

  step('keeps every option when the admin changes the title in the v2 settings', async () => {
    const { page } = admin;
    const before = await storedAuthenticator();
    await page.getByRole('row').filter({ hasText: AUTH_UID }).getByText('Configure', { exact: true }).click();
    const drawer = settingsDrawer(page, 'Configure');
    await drawer.waitFor();
    const item = (label: string) => formItem(drawer, label);
    await unfoldSections(drawer);
    // The stored record, loaded into the form: the corpId typed before, the secret masked.
    const corpId = item('Organization corpId').locator('input');
    expect(await waitForValue(() => corpId.inputValue(), (value) => value !== '')).toBe(CORP_ID);
    expect(await item('Client Secret').locator('input').getAttribute('type')).toBe('password');
    expect(await drawer.innerText()).not.toContain(clientSecret);

    // The email warning follows its checkbox.
    const warning = drawer.getByText("someone could sign up with a colleague's address", { exact: false });
    const copyEmail = item("Copy DingTalk's email address to new users").getByRole('switch');
    await copyEmail.click();
    await warning.waitFor();
    await copyEmail.click();
    await warning.waitFor({ state: 'hidden' });

    await item('Title').locator('input').fill(TITLE);
    await drawer.getByRole('button', { name: 'Submit', exact: true }).click();
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('row').filter({ hasText: TITLE }).waitFor();

    const after = await storedAuthenticator();
    expect(after.title).toBe(TITLE);
    expect(after.options).toEqual(before.options);
  });

  step('shows the DingTalk button on /v/signin', async () => {
    const person = await newPerson(browser);
    const files = recordPluginFiles(person.page);
    await person.page.goto(`${appUrl}/v/signin`);
    await dingTalkButton(person.page).waitFor();
    expect(await dingTalkButton(person.page).isEnabled()).toBe(true);
    await screenshot(person.page, 'v2-01-signin-button');
    // The modern client's bundle only; DingTalk's JSAPI is not downloaded outside DingTalk.
    expect(files.map((f) => f.split('?')[0])).toEqual(['client-v2/index.js']);
    await person.context.close();
  });

  step('signs 张三 in through DingTalk in the default popup window and goes on in the modern client, signed in', async () => {
    const person = await newPerson(browser);
    const { page } = person;
    await page.goto(`${appUrl}/v/signin`);
    const loads = mainFrameLoads(page);
    await throughPopup(page, dingTalkButton(page), (popup) => popup.locator(`[data-identity="${ZHANGSAN.id}"]`).click());
    await expectSignedInOnModernClient(page, ZHANGSAN.nick, ZHANGSAN.phone);
    console.log(`[v2] popup sign-in: main-frame loads after the click ${JSON.stringify(loads)}; at ${page.url()}`);
    expect(loads, 'document loads of the sign-in page after the click').toEqual([]);
    await screenshot(page, 'v2-02-signed-in-as-zhangsan');
    // Back through the modern client's sign-in page, never the v1 client's, and no secret in any URL shown.
    const pages = appPages(person);
    expect(pages).toContain('/v/signin');
    expect(pages.filter((path) => !path.startsWith('/v/'))).toEqual([]);
    expect(person.visited.filter((url) => SECRET_IN_URL.test(url))).toEqual([]);
    await person.context.close();
  });

  step('shows a person who cancels at DingTalk the message by the button, still on /v/signin', async () => {
    const person = await newPerson(browser);
    const { page } = person;
    await page.goto(`${appUrl}/v/signin`);
    const loads = mainFrameLoads(page);
    await throughPopup(page, dingTalkButton(page), (popup) => popup.locator('[data-action="cancel"]').click());
    // Informational: the person chose to cancel.
    const alert = page.getByTestId(`dingtalk-signin-${AUTH_UID}`).getByRole('status');
    await alert.waitFor();
    expect((await alert.innerText()).trim()).toBe('You cancelled the sign-in at DingTalk.');
    // The button works again; nobody is signed in; the page never left.
    expect(await dingTalkButton(page).isEnabled()).toBe(true);
    await screenshot(page, 'v2-03-cancelled-at-dingtalk');
    expect(await page.locator('body').innerText()).not.toMatch(/CANCELLED|access_denied|Error:/);
    expect(await currentUserFromPage(page)).toBeNull();
    expect(new URL(page.url()).pathname).toBe('/v/signin');
    expect(loads).toEqual([]);
    expect(appPages(person).filter((path) => !path.startsWith('/v/'))).toEqual([]);
    await person.context.close();
  });

  step('signs 李四 in by itself inside the DingTalk app, on the modern client only', async () => {
    const lisi = await dingTalkPerson(browser, LISI.id);
    const { page } = lisi;
    const files = recordPluginFiles(page);
    await page.goto(`${appUrl}/v/signin`);
    await expectSignedInOnModernClient(page, LISI.nick, LISI.phone);
    await screenshot(page, 'v2-04-in-app-signed-in-as-lisi');
    // The JSAPI chunk next to the v2 bundle, once; the v1 bundle never.
    const names = files.map((f) => f.split('?')[0]);
    expect(names.filter((f) => f === 'client-v2/dingtalk-jsapi.js')).toHaveLength(1);
    expect(names.filter((f) => f.startsWith('client/'))).toEqual([]);
    expect(appPages(lisi).filter((path) => !path.startsWith('/v/'))).toEqual([]);
    expect(lisi.visited.filter((url) => SECRET_IN_URL.test(url))).toEqual([]);
    await lisi.context.close();
  });

  // Last: while this app runs, the entry mode it wrote into @nocobase/app's index.html (one file for every NocoBase
  // app of the machine, rewritten by each start) sends every app's /signin to /v/signin. Kept short, then undone.
  step('with APP_CLIENT_ENTRY_MODE=modern-only, sends /signin to /v/signin, where 张三 signs in with DingTalk', async () => {
    const port = Number(new URL(appUrl).port) + 1;
    const appDir = process.env.E2E_APP_DIR;
    if (!appDir) throw new Error('E2E_APP_DIR is not set: run this file through tests/e2e/vitest.config.mts');
    const indexHtml = realpathSync(join(appDir, 'node_modules/@nocobase/app/dist/client/index.html'));
    const original = readFileSync(indexHtml);
    let modern: UserApp | undefined;
    try {
      modern = await startUserApp({
        dir: join(root, `test-results/e2e/app-modern-only-${port}`),
        port,
        dingtalkUrl: emulatorUrl,
        startEnv: { APP_CLIENT_ENTRY_MODE: 'modern-only' },
      });
      const origin = modern.url;
      expect(readFileSync(indexHtml, 'utf8')).toContain("window['__nocobase_app_client_entry_mode__'] = 'modern-only'");
      await api(
        await adminToken(origin),
        'authenticators:create',
        // The same tab: this step is about the callback landing in the modern client.
        {
          name: AUTH_UID,
          authType: 'dingtalk',
          title: TITLE,
          enabled: true,
          options: { clientId, clientSecret, autoSignup: true, signInWindow: 'page' },
        },
        '',
        origin,
      );

      const person = await newPerson(browser);
      const { page } = person;
      const files = recordPluginFiles(page);
      await page.goto(`${origin}/signin`);
      await page.waitForURL((url) => url.origin === origin && url.pathname === '/v/signin');
      await dingTalkButton(page).click();
      await page.waitForURL((url) => url.href.startsWith(`${emulatorUrl}/oauth2/auth?`));
      await page.locator(`[data-identity="${ZHANGSAN.id}"]`).click();
      await expectSignedInOnModernClient(page, ZHANGSAN.nick, ZHANGSAN.phone, origin);
      await screenshot(page, 'v2-05-modern-only-signed-in-as-zhangsan');
      // Only the /signin typed in the address bar was outside /v/; the v1 bundle was never loaded.
      expect(appPages(person, origin).filter((path) => !path.startsWith('/v/'))).toEqual(['/signin']);
      expect(files.filter((f) => f.startsWith('client/'))).toEqual([]);
      expect(person.visited.filter((url) => SECRET_IN_URL.test(url))).toEqual([]);
      await person.context.close();
    } finally {
      await modern?.stop();
      writeFileSync(indexHtml, original);
    }
    expect(readFileSync(indexHtml).equals(original)).toBe(true);
  });
});
