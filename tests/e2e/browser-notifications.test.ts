/**
 * DingTalk work notifications, end to end in Chromium: an admin adds the "DingTalk work notification" channel in
 * Settings → Notification manager (the plugin's settings form), `npm start`'s demo setup adds a workflow "on a new
 * ticket, notify its assignee" and the page "Demo tickets", the admin adds a ticket on that page, the message lands in
 * the assignee's inbox in the emulator, and its button opens NocoBase inside the (emulated) DingTalk client, signed
 * in as the assignee by the in-app sign-in. In the modern client (/v/) the channel's drawer and the workflow's
 * Notification node show the plugin's v2 forms.
 * Screenshots: test-results/e2e/screenshots/notify-*.png.
 */
import { DEFAULT_AGENT_ID } from '@opensso/dingtalk-emulator';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
// @ts-expect-error plain ESM helpers shared with `npm start`
import { CHANNEL as DEMO_CHANNEL, COLLECTION as DEMO_COLLECTION, WORKFLOW_TITLE, ensureNotificationDemo } from '../../scripts/demo-notifications.mjs';
// @ts-expect-error plain ESM helpers shared with `npm start`
import { PAGE_TITLE } from '../../scripts/demo-tickets-page.mjs';
import { ADMIN, E2E, currentUserFromPage, dingTalkPerson, journey, launchBrowser, newPerson, screenshot, signInWithPassword, waitForValue } from './browser';

const { appUrl, emulatorUrl, clientId, clientSecret } = E2E;
const AUTH = 'dingtalk-notify';
const CHANNEL_TITLE = 'DingTalk (e2e)';
const CORP_ID = 'dingemulatorcorp';
/** The emulator's 李四, a member of dingemulatorcorp (userid lisi02). */
const LISI = { id: 'lisi', nick: '李四' };

let token = '';
async function api(action: string, body?: unknown) {
  const res = await fetch(`${appUrl}/api/${action}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', 'x-authenticator': 'basic', authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => null)) as { data?: any } | null;
  if (!res.ok) throw new Error(`${action}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json?.data;
}

/** The admin's calls in the shape `npm start`'s demo setup makes them (scripts/nocobase.mjs adminClient). */
async function demoCall(action: string, { method = 'POST', body, params }: { method?: string; body?: unknown; params?: Record<string, string> } = {}) {
  const query = new URLSearchParams(params ?? {}).toString();
  const res = await fetch(`${appUrl}/api/${action}${query ? `?${query}` : ''}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-authenticator': 'basic', authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${action}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { data?: unknown }).data;
}

describe('a workflow notifies an assignee in DingTalk', () => {
  const step = journey({ prefix: 'notify-failed', browser: () => browser });

  let browser: Browser;
  let lisiUserId = 0;
  let channelName = '';

  beforeAll(async () => {
    browser = await launchBrowser();
    const signIn = await fetch(`${appUrl}/api/auth:signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-authenticator': 'basic' },
      body: JSON.stringify(ADMIN),
    });
    token = ((await signIn.json()) as { data: { token: string } }).data.token;
    await api('authenticators:create', {
      name: AUTH,
      authType: 'dingtalk',
      title: 'DingTalk (notifications)',
      enabled: true,
      options: { clientId, clientSecret, autoSignup: true, inAppSignIn: true, corpId: CORP_ID },
    });
  });

  afterAll(async () => {
    try {
      // Other test files share this app: no authenticator that signs in by itself inside DingTalk left enabled
      // (only one may be), nor a second DingTalk button. NocoBase's update wants the record's id in the values.
      const stored = (await api(`authenticators:get?filter=${encodeURIComponent(JSON.stringify({ name: AUTH }))}`)) as { id: number } | null;
      if (stored) await api(`authenticators:update?filterByTk=${stored.id}`, { id: stored.id, enabled: false });
      // Nor the demo's page: as the first menu item, it would be where /admin goes for every later file.
      const pages = (await api(`desktopRoutes:list?filter=${encodeURIComponent(JSON.stringify({ title: PAGE_TITLE }))}`)) as { id: number }[];
      for (const { id } of pages ?? []) {
        const filter = encodeURIComponent(JSON.stringify({ $or: [{ id }, { parentId: id }] }));
        await api(`desktopRoutes:destroy?filter=${filter}`, {});
      }
    } finally {
      await browser?.close();
    }
  });

  step('李四 has signed in once inside DingTalk, which links the account with their userid', async () => {
    const lisi = await dingTalkPerson(browser, LISI.id);
    await lisi.page.goto(`${appUrl}/signin`);
    await lisi.page.waitForURL((url) => url.pathname.startsWith('/admin'));
    const links = await api(`usersAuthenticators:list?filter=${encodeURIComponent(JSON.stringify({ authenticator: AUTH }))}`);
    expect(links).toHaveLength(1);
    lisiUserId = links[0].userId;
    await lisi.context.close();
  });

  step('an admin adds the channel in Settings → Notification manager with the DingTalk sign-in method and the AgentId', async () => {
    const admin = await newPerson(browser);
    await signInWithPassword(admin.page, appUrl, ADMIN.account, ADMIN.password);
    await admin.page.goto(`${appUrl}/admin/settings/notification-manager/channels`);
    await admin.page.getByRole('button', { name: /Add new/ }).click();
    await admin.page.getByText('DingTalk work notification', { exact: true }).click();
    const drawer = admin.page.locator('.ant-drawer-content').last();
    await drawer.getByText('DingTalk sign-in method', { exact: true }).waitFor();
    await screenshot(admin.page, 'notify-channel-form');
    const titleInput = drawer.locator('.ant-formily-item').filter({ hasText: 'Channel display name' }).locator('input').first();
    await titleInput.fill(CHANNEL_TITLE);
    await drawer.locator('.ant-formily-item').filter({ hasText: 'DingTalk sign-in method' }).locator('.ant-select').click();
    await admin.page.locator('.ant-select-dropdown:visible').getByText(`DingTalk (notifications) (${AUTH})`).click();
    await drawer.locator('.ant-formily-item').filter({ hasText: 'AgentId' }).locator('input').fill(String(DEFAULT_AGENT_ID));
    await drawer.getByRole('button', { name: /Submit/ }).click();
    const channel = await waitForValue(
      async () => ((await api('notificationChannels:list')) as Array<{ name: string; title: string; notificationType: string; options: Record<string, unknown> }>).find((row) => row.title === CHANNEL_TITLE),
      Boolean,
    );
    expect(channel).toMatchObject({ notificationType: 'dingtalk-work-notification', options: { authenticator: AUTH, agentId: String(DEFAULT_AGENT_ID) } });
    channelName = channel!.name;
    await admin.context.close();
  });

  step('the admin sends a test message to 李四 from the channel\'s Edit form', async () => {
    const admin = await newPerson(browser);
    await signInWithPassword(admin.page, appUrl, ADMIN.account, ADMIN.password);
    await admin.page.goto(`${appUrl}/admin/settings/notification-manager/channels`);
    await admin.page.getByRole('row').filter({ hasText: CHANNEL_TITLE }).getByText('Edit', { exact: true }).click();
    const drawer = admin.page.locator('.ant-drawer-content').last();
    const test = drawer.locator('.ant-formily-item').filter({ hasText: 'Send test message' });
    await test.locator('.ant-select').click();
    await admin.page.keyboard.type('李四');
    await admin.page.locator('.ant-select-dropdown:visible').getByText(`李四 (#${lisiUserId})`).click();
    await test.getByRole('button', { name: 'Send' }).click();
    await test.getByRole('status').getByText('The test message was sent.').waitFor();
    await screenshot(admin.page, 'notify-test-message');
    const inbox = (await (await fetch(`${emulatorUrl}/__emulator/inbox/${LISI.id}?format=json`)).json()) as Array<{ msg: any }>;
    expect(inbox[0].msg.text.content).toContain('Test message from NocoBase');
    await admin.context.close();
  });

  step('in the modern client (/v/), the channel\'s drawer shows the DingTalk fields as stored, sends a test message to 李四 and saves a new AgentId', async () => {
    const admin = await newPerson(browser);
    await signInWithPassword(admin.page, appUrl, ADMIN.account, ADMIN.password);
    await admin.page.goto(`${appUrl}/v/admin/settings/notification-manager/channels`);
    await admin.page.getByRole('row').filter({ hasText: CHANNEL_TITLE }).getByText('Edit', { exact: true }).click();
    const drawer = admin.page.locator('.ant-drawer-content').last();
    const item = (label: string) => drawer.locator('.ant-form-item').filter({ has: admin.page.locator('.ant-form-item-label label').getByText(label, { exact: true }) });
    await item('DingTalk sign-in method').locator('.ant-select-selection-item').getByText(`DingTalk (notifications) (${AUTH})`, { exact: true }).waitFor();
    expect(await item('AgentId').locator('input').inputValue()).toBe(String(DEFAULT_AGENT_ID));
    const test = item('Send test message');
    await test.locator('.ant-select').click();
    await admin.page.keyboard.type('李四');
    await admin.page.locator('.ant-select-dropdown:visible').getByText(`李四 (#${lisiUserId})`).click();
    await test.getByRole('button', { name: 'Send' }).click();
    await test.getByRole('status').getByText('The test message was sent.').waitFor();
    await screenshot(admin.page, 'notify-v2-channel');
    const inbox = (await (await fetch(`${emulatorUrl}/__emulator/inbox/${LISI.id}?format=json`)).json()) as Array<{ msg: any }>;
    expect(inbox).toHaveLength(2);
    expect(inbox[0].msg.text.content).toContain('Test message from NocoBase');
    // A typo is refused by the form; a number is saved, the sign-in method kept.
    await item('AgentId').locator('input').fill('30000x');
    await drawer.getByRole('button', { name: /Submit/ }).click();
    await item('AgentId').locator('.ant-form-item-explain-error').waitFor();
    await item('AgentId').locator('input').fill('3000000002');
    await drawer.getByRole('button', { name: /Submit/ }).click();
    const channel = await waitForValue(
      async () => ((await api('notificationChannels:list')) as Array<{ name: string; options: Record<string, unknown> }>).find((row) => row.name === channelName),
      (row) => row?.options.agentId === '3000000002',
    );
    expect(channel!.options).toEqual({ authenticator: AUTH, agentId: '3000000002' });
    await admin.context.close();
  });

  step('the demo of `npm start` gives the admin a page "Demo tickets": a ticket added there for 李四 fires the workflow, and the action card lands in 李四’s DingTalk inbox', async () => {
    // The same setup as `npm start`: the channel on this authenticator's app, the collection, the workflow, the page.
    const setup = await ensureNotificationDemo({ call: demoCall }, { authenticator: AUTH });
    expect(setup).toContain(`page "${PAGE_TITLE}" (table and "Add new" form): created`);
    const admin = await newPerson(browser);
    await signInWithPassword(admin.page, appUrl, ADMIN.account, ADMIN.password);
    await admin.page.getByRole('menuitem', { name: PAGE_TITLE }).click();
    const table = admin.page.locator('.ant-card').filter({ has: admin.page.locator('.ant-table') });
    await table.getByRole('button', { name: /Add new/ }).click();
    const drawer = admin.page.locator('.ant-drawer-content').last();
    await drawer.locator('.ant-formily-item').filter({ hasText: 'Title' }).locator('input').fill('Printer on fire');
    await drawer.locator('.ant-formily-item').filter({ hasText: 'Assignee' }).locator('.ant-select').click();
    await admin.page.keyboard.type(LISI.nick);
    await admin.page.locator('.ant-select-dropdown:visible').getByText(LISI.nick, { exact: true }).click();
    await screenshot(admin.page, 'notify-ticket-form');
    await drawer.getByRole('button', { name: /Submit/ }).click();
    await table.getByRole('cell', { name: 'Printer on fire' }).waitFor();
    await screenshot(admin.page, 'notify-ticket-added');
    const [ticket] = await api(`${DEMO_COLLECTION}:list?sort=-id&pageSize=1`);
    expect(ticket).toMatchObject({ title: 'Printer on fire', assigneeId: lisiUserId });
    await admin.context.close();
    const inbox = await waitForValue(
      async () => (await (await fetch(`${emulatorUrl}/__emulator/inbox/${LISI.id}?format=json`)).json()) as Array<{ msg: any }>,
      (messages) => messages[0]?.msg.msgtype === 'action_card',
      20_000,
    );
    expect(inbox[0].msg).toMatchObject({
      msgtype: 'action_card',
      action_card: { title: 'New ticket: Printer on fire', markdown: '**Printer on fire** is assigned to you.', btn_json_list: [{ title: 'Open NocoBase' }] },
    });
    const [log] = await api(`notificationSendLogs:list?sort=-createdAt&pageSize=1`);
    expect(log).toMatchObject({ status: 'success', channelName: DEMO_CHANNEL });
  });

  step('in the modern client (/v/), the demo workflow\'s Notification node shows the DingTalk message form with its action card', async () => {
    const [workflow] = await api(`workflows:list?filter=${encodeURIComponent(JSON.stringify({ title: WORKFLOW_TITLE }))}`);
    const admin = await newPerson(browser);
    await signInWithPassword(admin.page, appUrl, ADMIN.account, ADMIN.password);
    await admin.page.goto(`${appUrl}/v/admin/settings/workflow/workflows/${workflow.id}`);
    // The workflow has run: its canvas is read-only, and a node's card still opens its settings.
    await admin.page.getByText('Notification', { exact: true }).click();
    const drawer = admin.page.locator('.ant-drawer-content').last();
    await drawer.getByText('Button layout', { exact: true }).waitFor();
    await screenshot(admin.page, 'notify-v2-node');
    expect(await drawer.getByRole('radio', { name: 'Action card' }).isChecked()).toBe(true);
    // The workflow's own variable inputs (asked of the page's RequireJS), which show a variable as its path.
    await drawer.getByText('Trigger variables/Trigger data/Assignee ID', { exact: true }).waitFor();
    await drawer.getByText('Open NocoBase').first().waitFor();
    await admin.context.close();
  });

  step('the button opens NocoBase inside DingTalk, signed in as 李四', async () => {
    const lisi = await dingTalkPerson(browser, LISI.id);
    await lisi.page.goto(`${emulatorUrl}/__emulator/inbox/${LISI.id}`);
    await lisi.page.getByText('New ticket: Printer on fire').waitFor();
    await screenshot(lisi.page, 'notify-inbox');
    await lisi.page.getByRole('link', { name: 'Open NocoBase' }).click();
    await lisi.page.waitForURL((url) => url.origin === appUrl && url.pathname.startsWith('/admin'), { timeout: 30_000 });
    const me = await waitForValue(() => currentUserFromPage(lisi.page).catch(() => null), (user) => user !== null, 20_000);
    await screenshot(lisi.page, 'notify-opened');
    expect(lisi.visited.some((url) => url.startsWith(`${appUrl}/signin`) || url.startsWith(`${appUrl}/admin`))).toBe(true);
    expect(me?.id).toBe(lisiUserId);
    const inbox = (await (await fetch(`${emulatorUrl}/__emulator/inbox/${LISI.id}?format=json`)).json()) as Array<{ read: boolean }>;
    expect(inbox[0].read).toBe(true);
  });
});
