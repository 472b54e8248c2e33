/**
 * Small helpers for the browser tests: Debian's Chromium through playwright-core, one context per person,
 * NocoBase's password sign-in and user menu, screenshots, and a record of the URLs the page showed.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CORP_ID, dingTalkUserAgent } from '@opensso/dingtalk-emulator';
import { chromium, type Browser, type BrowserContext, type Frame, type Locator, type Page } from 'playwright-core';
import { it } from 'vitest';

/** What the suite's global setup started (setup.ts): the app, the emulator and the emulator's DingTalk app. */
export const E2E = {
  appUrl: process.env.E2E_APP_URL!,
  emulatorUrl: process.env.E2E_EMULATOR_URL!,
  clientId: process.env.E2E_CLIENT_ID!,
  clientSecret: process.env.E2E_CLIENT_SECRET!,
};

/** The administrator the app was installed with (user-app.ts). */
export const ADMIN = { account: 'admin@nocobase.com', password: 'admin123' };

export const screenshotDir = fileURLToPath(new URL('../../test-results/e2e/screenshots/', import.meta.url));

const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Chromium with third-party storage partitioning on, as Chromium ships: Playwright turns it off among its default
 * switches (its issue 32230), and without it a cross-site frame gets no localStorage at all (NocoBase framed by
 * DingTalk's PC client could not even start). The default `--disable-features` list is read from a launch of
 * Playwright's own, and passed again without that one feature.
 */
export async function launchBrowserWithStoragePartitioning(extraArgs: string[] = []): Promise<Browser> {
  const probe = await chromium.launchServer({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const defaults = probe.process().spawnargs.filter((arg) => arg.startsWith('--disable-features='));
  await probe.close();
  const kept = defaults.map((arg) =>
    arg.replace(/=(.*)$/, (_m, list: string) => `=${list.split(',').filter((f) => f !== 'ThirdPartyStoragePartitioning').join(',')}`),
  );
  return chromium.launch({ executablePath: CHROMIUM, ignoreDefaultArgs: defaults, args: [...CHROMIUM_ARGS, ...kept, ...extraArgs] });
}

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Every URL the top frame committed to, in order (redirects that never render are not included). */
  visited: string[];
}

/** A fresh browser profile (cookies, localStorage) for one person, with one tab. */
export async function newPerson(browser: Browser): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  const visited: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) visited.push(frame.url());
  });
  return { context, page, visited };
}

/**
 * Writes `<name>.png`. NocoBase's own notices (e.g. its "Unauthenticated" toast on a signed-out visit to the sign-in
 * page) are closed first: a picture of the plugin's page should show the plugin's messages only.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const closers = page.locator('.ant-notification-notice-close');
  for (let round = 0; round < 10 && (await closers.count()) > 0; round += 1) {
    await closers.first().click().catch(() => undefined);
    await page.waitForTimeout(100);
  }
  await page.locator('.ant-notification-notice').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
  // Closing a notice leaves the mouse over the page's top-right corner, where menus open on hover.
  await page.mouse.move(0, 0);
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: false, animations: 'disabled' });
}

/** NocoBase's own submit button of the password form (its accessible name is `action-Action-Sign in`). */
export function passwordSubmit(page: Page | Frame) {
  return page.getByRole('button', { name: /^(action-Action-)?Sign in$/ });
}

/** Signs in on /signin with NocoBase's password form and waits for the admin UI. */
export async function signInWithPassword(page: Page, appUrl: string, account: string, password: string): Promise<void> {
  await page.goto(`${appUrl}/signin`);
  await page.getByPlaceholder('Username/Email').fill(account);
  await page.getByPlaceholder('Password').fill(password);
  await passwordSubmit(page).click();
  await page.waitForURL((url) => url.pathname.startsWith('/admin'));
}

/** Opens the user menu (top right of the admin UI); its first entry is the signed-in user's nickname. */
export async function openUserMenu(page: Page | Frame): Promise<void> {
  await page.getByTestId('user-center-button').hover();
  await page.getByRole('menuitem', { name: 'Sign out', exact: true }).waitFor();
}

/** Moves the mouse off the user menu so it closes (it opens on hover, also after a navigation under the mouse). */
export async function closeUserMenu(page: Page): Promise<void> {
  await page.mouse.move(10, 450);
  await page.getByRole('menuitem', { name: 'Sign out', exact: true }).waitFor({ state: 'hidden' });
}

/** Signs out through the user menu and waits for the sign-in page. */
export async function signOutThroughMenu(page: Page): Promise<void> {
  await openUserMenu(page);
  await page.getByRole('menuitem', { name: 'Sign out', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/signin');
  await page.mouse.move(10, 450);
  await passwordSubmit(page).waitFor();
}

/**
 * Clicks a DingTalk button that opens DingTalk's page in a popup window (the default on desktop browsers), does
 * `atDingTalk` in the popup once DingTalk's (the emulator's) page shows (pick an identity, or cancel), and waits
 * until the popup has reported to the page and closed. The page itself never leaves.
 */
export async function throughPopup(page: Page, button: Locator, atDingTalk: (popup: Page) => Promise<void>): Promise<void> {
  const [popup] = await Promise.all([page.waitForEvent('popup'), button.click()]);
  await popup.waitForURL((url) => url.href.startsWith(`${E2E.emulatorUrl}/oauth2/auth?`));
  const closed = popup.waitForEvent('close');
  await atDingTalk(popup);
  await closed;
}

/** Popup windows the page opens from now on (to check that a same-tab sign-in opened none, or closed the one it did). */
export function recordPopups(page: Page): Page[] {
  const popups: Page[] = [];
  page.on('popup', (popup) => popups.push(popup));
  return popups;
}

/** `GET /api/auth:check` from inside the page, with the token the NocoBase client keeps in localStorage. */
export async function currentUserFromPage(page: Page | Frame): Promise<{ id: number; nickname?: string; phone?: string } | null> {
  return (page as Page).evaluate(async () => {
    const token = localStorage.getItem('NOCOBASE_TOKEN');
    const authenticator = localStorage.getItem('NOCOBASE_AUTH');
    if (!token) return null;
    const res = await fetch('/api/auth:check', {
      headers: { Authorization: `Bearer ${token}`, ...(authenticator ? { 'X-Authenticator': authenticator } : {}) },
    });
    const body = (await res.json()) as { data?: { id?: number; nickname?: string; phone?: string } };
    return body.data && typeof body.data.id === 'number'
      ? { id: body.data.id, nickname: body.data.nickname, phone: body.data.phone }
      : null;
  });
}

/** Re-reads `read()` until `ok` holds (explicit wait for a value the page fills in asynchronously). */
export async function waitForValue<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A tiny admin client of NocoBase's HTTP API (password sign-in as the given account). */
export async function adminApi(appUrl: string, account: string, password: string) {
  const signIn = await fetch(`${appUrl}/api/auth:signIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-authenticator': 'basic' },
    body: JSON.stringify({ account, password }),
  });
  const token = ((await signIn.json()) as { data: { token: string } }).data.token;
  return async function get<T>(action: string, params: Record<string, unknown> = {}): Promise<T> {
    const url = new URL(`/api/${action}`, appUrl);
    for (const [key, value] of Object.entries(params)) {
      url.searchParams.set(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, 'x-authenticator': 'basic' } });
    if (!res.ok) throw new Error(`GET ${action}: HTTP ${res.status} ${await res.text()}`);
    return ((await res.json()) as { data: T }).data;
  };
}

/** A call to the suite's app as its API client sends it (basic authenticator), GET without a body, POST with one. */
export async function appApi(token: string | undefined, action: string, body?: unknown) {
  const res = await fetch(`${E2E.appUrl}/api/${action}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', 'x-authenticator': 'basic', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

let bridgeScript: string | undefined;

/**
 * A person inside the DingTalk app on a phone (iOS unless said otherwise): the web view's user agent (also sent as
 * the User-Agent header), and the emulator's bridge playing the client's native side of dingtalk-jsapi's transport,
 * signed in to DingTalk as `identity` of the emulator's organization. Set up before any page script runs, on every
 * page of the context.
 */
export async function dingTalkPerson(
  browser: Browser,
  identity: string,
  platform: 'ios' | 'android' = 'ios',
  version?: string,
): Promise<Person> {
  bridgeScript ??= await (await fetch(`${E2E.emulatorUrl}/__emulator/jsapi-bridge.js`)).text();
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    userAgent: dingTalkUserAgent(platform, version),
  });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  await context.addInitScript({
    content: `window.__DINGTALK_EMULATOR__ = ${JSON.stringify({ url: E2E.emulatorUrl, identity, corpId: DEFAULT_CORP_ID, platform })};`,
  });
  await context.addInitScript({ content: bridgeScript });
  const page = await context.newPage();
  const visited: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) visited.push(frame.url());
  });
  return { context, page, visited };
}

/**
 * The steps of one journey: after a failed step the later ones are skipped, not failed again on timeouts. With
 * `screenshots`, what the open pages showed when a step failed is kept as `<prefix>-1.png`, `-2`…
 */
export function journey(screenshots?: { prefix: string; browser: () => Browser | undefined }): (name: string, body: () => Promise<void>) => void {
  let failedStep: string | undefined;
  return (name, body) => {
    it(name, async (ctx) => {
      if (failedStep) ctx.skip();
      try {
        await body();
      } catch (error) {
        failedStep = name;
        let n = 0;
        for (const context of screenshots?.browser()?.contexts() ?? []) {
          for (const page of context.pages()) await screenshot(page, `${screenshots!.prefix}-${(n += 1)}`).catch(() => undefined);
        }
        throw error;
      }
    });
  };
}
