/**
 * Directory sync in a real browser, as an admin sets it up: Users & Permissions → Synchronization → Add new →
 * DingTalk, the plugin's settings form, "Sync", the task in "Tasks"; the departments in NocoBase's own Departments
 * page; then a synced person signs in with DingTalk and lands as their synced user. Screenshots:
 * test-results/e2e/screenshots/directory-*.png.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, E2E, appApi, launchBrowser, newPerson, openUserMenu, screenshot, signInWithPassword, throughPopup, waitForValue } from './browser';

const { appUrl, emulatorUrl, clientId, clientSecret } = E2E;
const AUTH = 'dingtalk-directory';
const TITLE = 'DingTalk (directory)';
const SOURCE = 'dingtalk-e2e';

/**
 * The organization as DingTalk lists it. 张三 is an identity of the emulator's login page; no phone or email here, so
 * the synced user holds nothing the other files' people are matched by.
 */
const DIRECTORY = {
  departments: [
    { dept_id: 1, name: 'Emulated Co.' },
    { dept_id: 71, name: 'E2E Sales', parent_id: 1 },
    { dept_id: 72, name: 'E2E Sales East', parent_id: 71 },
  ],
  members: [
    { userid: 'zhangsan01', unionid: 'emuUnionZhangsan0001iE', name: '张三 (E2E)', dept_id_list: [71], leader_dept_ids: [71] },
    { userid: 'e2e-east', unionid: 'e2e-union-east', name: 'East Member', dept_id_list: [72] },
  ],
};

describe('the DingTalk source of Synchronization', () => {
  let browser: Browser;
  let token: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    token = (await appApi(undefined, 'auth:signIn', ADMIN)).body.data.token;
    await appApi(token, `authenticators:destroy?filter=${encodeURIComponent(JSON.stringify({ name: AUTH }))}`, {});
    const created = await appApi(token, 'authenticators:create', {
      name: AUTH,
      authType: 'dingtalk',
      title: TITLE,
      enabled: true,
      options: { clientId, clientSecret, autoSignup: false },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    await appApi(token, `userDataSyncSources:destroy?filter=${encodeURIComponent(JSON.stringify({ name: SOURCE }))}`, {});
    const directory = await fetch(`${emulatorUrl}/__emulator/directory`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(DIRECTORY),
    });
    expect(directory.status, await directory.text()).toBe(200);
  });

  afterAll(async () => {
    // The files after this one see the sign-in page and the emulator as they were.
    if (token) {
      await appApi(token, `userDataSyncSources:destroy?filter=${encodeURIComponent(JSON.stringify({ name: SOURCE }))}`, {});
      await appApi(token, `authenticators:destroy?filter=${encodeURIComponent(JSON.stringify({ name: AUTH }))}`, {});
    }
    await fetch(`${emulatorUrl}/__emulator/directory`, { method: 'DELETE' });
    await browser?.close();
  });

  it('the admin adds the source, syncs, sees the task succeed and the departments', async () => {
    const { page, context } = await newPerson(browser);
    try {
      await signInWithPassword(page, appUrl, ADMIN.account, ADMIN.password);
      await page.goto(`${appUrl}/admin/settings/users-permissions/sync`);
      await page.getByRole('button', { name: /Add new/ }).click();
      await page.getByRole('menuitem', { name: /DingTalk/i }).click();
      const drawer = page.getByRole('dialog').filter({ hasText: 'Source name' });
      // The plugin's form inside user-data-sync's drawer.
      await drawer.getByText('DingTalk sign-in method', { exact: true }).waitFor();
      await screenshot(page, 'directory-01-settings-form');
      await drawer.locator('[aria-label^="block-item-"]').filter({ hasText: 'Source name' }).locator('input').first().fill(SOURCE);
      await drawer.locator('[aria-label^="block-item-"]').filter({ hasText: 'Enabled' }).locator('.ant-checkbox-input').check();
      await drawer.locator('[aria-label^="block-item-"]').filter({ hasText: 'DingTalk sign-in method' }).locator('.ant-select').click();
      await page.locator('.ant-select-dropdown').getByText(`${TITLE} (${AUTH})`, { exact: true }).click();
      await drawer.getByRole('button', { name: /Submit/ }).click();
      await drawer.waitFor({ state: 'hidden' });

      const stored = await waitForValue(
        async () => (await appApi(token, `userDataSyncSources:list?filter=${encodeURIComponent(JSON.stringify({ name: SOURCE }))}`)).body.data?.[0],
        (row) => Boolean(row),
      );
      // The form saved what the server reads, with its defaults.
      expect(stored.options).toMatchObject({ authenticator: AUTH, syncDepartments: true, leavers: 'lockOut' });

      const row = page.locator('.ant-table-row').filter({ hasText: SOURCE });
      await row.getByText('Sync', { exact: true }).click();
      // The task list does not refresh by itself: open it once the task has ended.
      const task = await waitForValue(
        async () => (await appApi(token, `userDataSyncTasks:list?filter=${encodeURIComponent(JSON.stringify({ sourceId: stored.id }))}`)).body.data?.[0],
        (found) => ['success', 'failed'].includes(found?.status),
        60_000,
      );
      expect(task?.status, task?.message).toBe('success');
      await row.getByText('Tasks', { exact: true }).click();
      await page.getByText(/Users: 2 created, 0 updated, 0 unchanged/).first().waitFor();
      await screenshot(page, 'directory-02-task-succeeded');

      await page.goto(`${appUrl}/admin/settings/users-permissions/departments`);
      await page.getByText('E2E Sales', { exact: true }).first().waitFor();
      await screenshot(page, 'directory-03-departments');
    } finally {
      await context.close();
    }
  });

  it('a synced person signs in with DingTalk and lands as the synced user', async () => {
    const synced = await appApi(token, `users:list?filter=${encodeURIComponent(JSON.stringify({ nickname: '张三 (E2E)' }))}`);
    expect(synced.body.data).toHaveLength(1);
    const { page, context } = await newPerson(browser);
    try {
      await page.goto(`${appUrl}/signin`);
      // The default sign-in of a desktop browser: DingTalk's page in a popup window.
      await throughPopup(page, page.getByRole('button', { name: TITLE, exact: true }), (popup) => popup.locator('[data-identity="zhangsan"]').click());
      await page.waitForURL((url) => url.origin === appUrl && url.pathname.startsWith('/admin'));
      // Sign-up is off for this authenticator: only the synced user can be who 张三 lands as.
      await openUserMenu(page);
      await page.getByRole('menuitem', { name: '张三 (E2E)', exact: true }).waitFor();
      await screenshot(page, 'directory-04-synced-person-signed-in');
    } finally {
      await context.close();
    }
  });
});
