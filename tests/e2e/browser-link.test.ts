/**
 * Linking a DingTalk account from the user menu, against the real server actions and the emulator: a password
 * user links 张三, sees the link, the admin sees it on Settings → Authentication → DingTalk accounts and removes it;
 * the user links again, and a user without password cannot unlink. Screenshots: test-results/e2e/screenshots/link-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, E2E, launchBrowser, newPerson, openUserMenu, screenshot, signInWithPassword, type Person } from './browser';

const { appUrl, emulatorUrl } = E2E;
const AUTH = 'dingtalk-link';
const BOB = { username: 'bob', password: 'bob-pass-123', nickname: 'Bob' };
const ZHANGSAN = { id: 'zhangsan', nick: '张三', unionId: 'emuUnionZhangsan0001iE' };

async function call(token: string | undefined, action: string, body?: unknown, method = body ? 'POST' : 'GET') {
  const res = await fetch(`${appUrl}/api/${action}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-authenticator': 'basic', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

async function openDialog(page: Page) {
  await openUserMenu(page);
  await page.getByRole('menuitem', { name: 'DingTalk account', exact: true }).click();
  const dialog = page.getByRole('dialog').filter({ has: page.getByTestId('dingtalk-accounts') });
  await dialog.getByTestId(`dingtalk-account-${AUTH}`).waitFor();
  return dialog;
}

/** From the dialog: Link → the emulator's page → 张三 → back on the same page, with the success message. */
async function linkZhangsan(page: Page, startPath: string) {
  await page.goto(`${appUrl}${startPath}`);
  const dialog = await openDialog(page);
  await dialog.getByTestId(`dingtalk-account-${AUTH}`).getByRole('button', { name: 'Link DingTalk account' }).click();
  await page.waitForURL((url) => url.href.startsWith(`${emulatorUrl}/oauth2/auth?`));
  await page.locator(`[data-identity="${ZHANGSAN.id}"]`).click();
  await page.locator('.ant-message').getByText(`Your DingTalk account ${ZHANGSAN.nick} is linked.`).waitFor();
}

describe('linking a DingTalk account to a signed-in user', () => {
  let browser: Browser;
  let bob: Person;
  let adminToken: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    adminToken = (await call(undefined, 'auth:signIn', ADMIN)).body.data.token;
    const created = await call(adminToken, 'authenticators:create', {
      name: AUTH,
      authType: 'dingtalk',
      title: 'DingTalk',
      enabled: true,
      options: { clientId: E2E.clientId, clientSecret: E2E.clientSecret },
    });
    expect(created.status).toBe(200);
    const user = await call(adminToken, 'users:create', { ...BOB, roles: ['member'] });
    expect(user.status).toBe(200);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('links from the user menu and comes back to the page it started from', async () => {
    bob = await newPerson(browser);
    const { page } = bob;
    await signInWithPassword(page, appUrl, BOB.username, BOB.password);
    await linkZhangsan(page, '/admin?x=1');
    await screenshot(page, 'link-01-linked-message');
    const url = new URL(page.url());
    expect(url.pathname).toBe('/admin');
    expect(url.search).toBe('?x=1');
    expect(bob.visited.some((u) => u.includes(`dingtalk_link=${AUTH}`))).toBe(true);
    expect(bob.visited.filter((u) => /ticket|authcode|token=/i.test(u))).toEqual([]);

    const dialog = await openDialog(page);
    await dialog.getByTestId(`dingtalk-account-${AUTH}`).getByText(/^Linked as 张三 since /).waitFor();
    await page.waitForTimeout(400);
    await screenshot(page, 'link-02-dialog-linked');
    await page.keyboard.press('Escape');
  });

  it('shows a second link of the same DingTalk account as refused, in words', async () => {
    const other = await newPerson(browser);
    await call(adminToken, 'users:create', { username: 'carol', password: 'carol-pass-123', nickname: 'Carol', roles: ['member'] });
    await signInWithPassword(other.page, appUrl, 'carol', 'carol-pass-123');
    await other.page.goto(`${appUrl}/admin`);
    const dialog = await openDialog(other.page);
    await dialog.getByTestId(`dingtalk-account-${AUTH}`).getByRole('button', { name: 'Link DingTalk account' }).click();
    await other.page.waitForURL((url) => url.href.startsWith(`${emulatorUrl}/oauth2/auth?`));
    await other.page.locator(`[data-identity="${ZHANGSAN.id}"]`).click();
    const notice = other.page.locator('.ant-notification-notice');
    await notice.waitFor();
    const text = await notice.innerText();
    await screenshot(other.page, 'link-03-linked-elsewhere');
    expect(text).toContain('Your DingTalk account could not be linked.');
    expect(text).toContain('This DingTalk account is already linked to another NocoBase user.');
    await other.page.waitForURL((url) => !url.search.includes('dingtalk_'));
    await other.context.close();
  });

  it('lets the admin see the link and remove it', async () => {
    const admin = await newPerson(browser);
    const { page } = admin;
    await signInWithPassword(page, appUrl, ADMIN.account, ADMIN.password);
    await page.goto(`${appUrl}/admin/settings/auth/dingtalk-accounts`);
    const links = page.getByTestId('dingtalk-links');
    // Another test file may have made a DingTalk authenticator too: pick ours.
    await links.locator('.ant-select').first().click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: `(${AUTH})` }).click();
    const row = links.getByRole('row').filter({ hasText: BOB.nickname });
    await row.waitFor();
    expect(await row.innerText()).toContain(ZHANGSAN.unionId);
    expect(await row.innerText()).toContain(ZHANGSAN.nick);
    await screenshot(page, 'link-04-admin-list');
    await row.getByRole('button', { name: 'Remove link' }).click();
    await page.locator('.ant-popconfirm:visible').getByRole('button', { name: 'Remove link' }).click();
    await page.locator('.ant-message').getByText('The link was removed.').waitFor();
    await links.getByText('No user is linked to a DingTalk account yet.').waitFor();
    await admin.context.close();
  });

  it('lets the user link again and unlink', async () => {
    const { page } = bob;
    await linkZhangsan(page, '/admin');
    const dialog = await openDialog(page);
    await dialog.getByTestId(`dingtalk-account-${AUTH}`).getByRole('button', { name: 'Unlink' }).click();
    await page.locator('.ant-popconfirm:visible').getByRole('button', { name: 'Unlink' }).click();
    await page.locator('.ant-message').getByText('Your DingTalk account is unlinked.').waitFor();
    await dialog.getByTestId(`dingtalk-account-${AUTH}`).getByText('Not linked').waitFor();
    await screenshot(page, 'link-05-unlinked');
    const links = await call(adminToken, 'usersAuthenticators:list?filter=' + encodeURIComponent(JSON.stringify({ authenticator: AUTH })));
    expect(links.body.data).toEqual([]);
  });
});
