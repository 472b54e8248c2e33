/**
 * What people see around the DingTalk button, in a real browser: the button in each language when the title is
 * left empty, the message box (closable, a cancel is informational, the code under the sentence), and the v1
 * settings form (folded sections, Test connection, a refused save that stays). Screenshots for the README:
 * test-results/e2e/screenshots/ux-*.png.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, E2E, appApi, launchBrowser, newPerson, screenshot, signInWithPassword } from './browser';

const { appUrl, clientId, clientSecret } = E2E;
const AUTH = 'dingtalk-ux';

function formItem(page: Page, scope: Locator, label: string): Locator {
  return scope.locator('[aria-label^="block-item-"]').filter({ has: page.locator('label').getByText(label, { exact: true }) });
}

/** The header of a folded section of the settings form (its accessible name also holds the arrow icon's). */
function sectionHeader(drawer: Locator, title: string): Locator {
  return drawer.locator('.ant-collapse-header').filter({ has: drawer.page().getByText(title, { exact: true }) });
}

describe('the DingTalk button, its messages and its settings form', () => {
  let browser: Browser;
  let token: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    token = (await appApi(undefined, 'auth:signIn', ADMIN)).body.data.token;
    // A run against an app kept from an earlier run starts from no such authenticator.
    await appApi(token, `authenticators:destroy?filter=${encodeURIComponent(JSON.stringify({ name: AUTH }))}`, {});
    // No title: the button reads the default sentence in each person's language.
    const created = await appApi(token, 'authenticators:create', {
      name: AUTH,
      authType: 'dingtalk',
      enabled: true,
      // A corpId kept while in-app sign-in is off: its field is hidden, and saving must keep it.
      options: { clientId, clientSecret, autoSignup: true, corpId: 'dinguxcorp' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const languages = await appApi(token, 'systemSettings:update?filterByTk=1', { enabledLanguages: ['en-US', 'zh-CN', 'fr-FR'] });
    expect(languages.status).toBe(200);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it.each([
    ['en-US', 'Sign in with DingTalk'],
    ['zh-CN', '使用钉钉登录'],
    ['fr-FR', 'Se connecter avec DingTalk'],
  ])('shows the untitled button in %s as "%s"', async (locale, label) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale });
    await context.addInitScript((lang) => localStorage.setItem('NOCOBASE_LOCALE', lang), locale);
    const page = await context.newPage();
    await page.goto(`${appUrl}/signin`);
    const button = page.getByTestId(`dingtalk-signin-${AUTH}`).getByRole('button');
    await button.waitFor();
    expect((await button.innerText()).trim()).toBe(label);
    await screenshot(page, `ux-signin-${locale}`);
    await context.close();
  });

  it('shows a refusal in a red box that can be closed, with its code in small type under the sentence', async () => {
    const person = await newPerson(browser);
    const { page } = person;
    await page.goto(`${appUrl}/signin?dingtalk_error=STATE_INVALID&dingtalk_authenticator=${AUTH}`);
    const block = page.getByTestId(`dingtalk-signin-${AUTH}`);
    const alert = block.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('This DingTalk sign-in link has expired or was already used.');
    expect(await alert.innerText()).toContain('Error code: STATE_INVALID');
    expect(await alert.getAttribute('class')).toContain('ant-alert-error');
    // The code is gone from the address once read, but stays on the page.
    await page.waitForURL((url) => !url.search.includes('dingtalk_error'));
    expect(await alert.innerText()).toContain('STATE_INVALID');
    await screenshot(page, 'ux-error-box');
    await alert.getByRole('button', { name: /close/i }).click();
    await alert.waitFor({ state: 'detached' });
    expect(await block.getByRole('button', { name: 'Sign in with DingTalk' }).isEnabled()).toBe(true);
    await person.context.close();
  });

  it("shows the person's own cancel as information, without a code", async () => {
    const person = await newPerson(browser);
    const { page } = person;
    await page.goto(`${appUrl}/signin?dingtalk_error=CANCELLED&dingtalk_authenticator=${AUTH}`);
    const box = page.getByTestId(`dingtalk-signin-${AUTH}`).getByRole('status');
    await box.waitFor();
    expect((await box.innerText()).trim()).toBe('You cancelled the sign-in at DingTalk.');
    expect(await box.getAttribute('class')).toContain('ant-alert-info');
    expect(await page.getByTestId(`dingtalk-signin-${AUTH}`).getByRole('alert').count()).toBe(0);
    await person.context.close();
  });

  it('opens the v1 settings with the essentials first and the rest folded; Test connection says OK or why not; a refused save stays', async () => {
    const admin = await newPerson(browser);
    const { page } = admin;
    await signInWithPassword(page, appUrl, ADMIN.account, ADMIN.password);
    await page.goto(`${appUrl}/admin/settings/auth/authenticators`);
    await page.getByRole('row').filter({ hasText: AUTH }).getByText('Configure', { exact: true }).click();
    const drawer = page.getByRole('dialog').filter({ hasText: 'Client Secret' });
    await drawer.waitFor();
    const item = (label: string) => formItem(page, drawer, label);

    // First screen: the three fields of the spec and the Redirect URL; the rest folded, one kind of on/off control.
    for (const label of ['Client ID', 'Client Secret', 'Redirect URL', 'Sign up automatically when the user does not exist']) {
      expect(await item(label).isVisible(), label).toBe(true);
    }
    expect(await item('Sign up automatically when the user does not exist').getByRole('switch').getAttribute('aria-checked')).toBe('true');
    expect(await item('Match existing users by').isVisible()).toBe(false);
    for (const section of ['Matching', 'Organization', 'Profile sync', 'Inside the DingTalk app']) {
      await sectionHeader(drawer, section).waitFor();
    }
    expect(await drawer.locator('.ant-checkbox').count()).toBe(1); // NocoBase's own "Enabled"

    // The in-app fields appear only once in-app sign-in is on.
    await sectionHeader(drawer, 'Inside the DingTalk app').click();
    await item('Sign in automatically inside the DingTalk app').waitFor();
    expect(await item('Organization corpId').isVisible()).toBe(false);
    await sectionHeader(drawer, 'Inside the DingTalk app').click();

    // Test connection, with the stored secret, then with a wrong one typed.
    await drawer.getByRole('button', { name: 'Test connection' }).click();
    await drawer.getByText('DingTalk accepted the Client ID and Client Secret.').waitFor();
    const secret = item('Client Secret').locator('input');
    await secret.fill('not-the-secret');
    await drawer.getByRole('button', { name: 'Test connection' }).click();
    const failure = drawer.getByRole('alert').filter({ hasText: 'DingTalk rejected the Client ID or Client Secret' });
    await failure.waitFor();
    expect(await failure.innerText()).toContain('Error code: DINGTALK_CREDENTIALS_INVALID');
    await screenshot(page, 'ux-settings-form');
    expect(await drawer.innerText()).not.toContain(clientSecret);

    // A setting the server refuses: the sentence stays at the top and on the field, after the host's notice fades.
    await secret.fill(clientSecret);
    await item('Client ID').locator('input').fill('ding client');
    await drawer.getByRole('button', { name: /Submit/ }).click();
    const notice = drawer.getByRole('alert').filter({ hasText: 'Not saved: Invalid DingTalk setting: Client ID' });
    await notice.waitFor();
    await page.waitForTimeout(4_000);
    expect(await notice.isVisible()).toBe(true);
    expect(await drawer.getByTestId('dingtalk-field-problem-clientId').innerText()).toBe('Invalid DingTalk setting: Client ID');
    await screenshot(page, 'ux-settings-refused');

    // Corrected, it saves, and every option is still stored (folded fields included).
    await item('Client ID').locator('input').fill(clientId);
    await drawer.getByRole('button', { name: /Submit/ }).click();
    await drawer.waitFor({ state: 'hidden' });
    const stored = await appApi(token, `authenticators:get?filter=${encodeURIComponent(JSON.stringify({ name: AUTH }))}`);
    expect(Object.keys(stored.body.data.options).sort()).toEqual(
      [
        'allowedCorpIds',
        'autoSignup',
        'clientId',
        'clientSecret',
        'copyEmailAtSignup',
        'corpId',
        'defaultCountryCode',
        'inAppSignIn',
        'matchBy',
        'profileSync',
        'signInWindow',
        'signupWithoutPhone',
        'verifyMembership',
      ].sort(),
    );
    expect(stored.body.data.options).toMatchObject({ clientId, clientSecret, autoSignup: true, corpId: 'dinguxcorp', inAppSignIn: false });
    await admin.context.close();
  });
});
