/**
 * DingTalk sign-in in a sub-application of NocoBase's multi-app manager, as an admin runs one: the suite's app has
 * the manager enabled (user-app.ts); this file creates the sub-app `sub1` through the API, enables the plugin in it
 * and gives it its own DingTalk authenticator (the main app has one of the same name, to the same DingTalk app).
 * A person signs in with DingTalk on `/apps/sub1/signin` and lands on `/apps/sub1/admin` signed in, while the main
 * app stays signed out in the same browser; the sub-app's admin links a DingTalk account and comes back to the
 * sub-app's page.
 * Screenshots: test-results/e2e/screenshots/sub-app-*.png.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, E2E, launchBrowser, newPerson, openUserMenu, passwordSubmit, screenshot, waitForValue, type Person } from './browser';

const { appUrl, emulatorUrl } = E2E;
const SUB = 'sub1';
const AUTH = 'dingtalk-sub1';
const TITLE = 'Sign in with DingTalk (sub1)';
const PLUGIN = '@opensso/plugin-auth-dingtalk';
/** The emulator's 赵六, whom no other file of the suite signs in to the main app. */
const ZHAOLIU = { id: 'zhaoliu', nick: '赵六' };
const ZHANGSAN = { id: 'zhangsan', nick: '张三' };

interface Answer {
  status: number;
  body: any;
}

/** One API call to the main app, or (with `app`) to a sub-app through the `X-App` header as its client sends it. */
async function call(action: string, options: { app?: string; token?: string; body?: unknown } = {}): Promise<Answer> {
  const { app, token, body } = options;
  const res = await fetch(`${appUrl}/api/${action}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      'content-type': 'application/json',
      'x-authenticator': 'basic',
      ...(app ? { 'x-app': app } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const value = await waitForValue(
    () => read().catch(() => undefined as T),
    (v) => v !== undefined && ok(v),
    timeoutMs,
  );
  if (value === undefined || !ok(value)) throw new Error(`${what}: not after ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
  return value;
}

async function signIn(app?: string): Promise<string> {
  const answer = await call('auth:signIn', { app, body: ADMIN });
  if (answer.status !== 200) throw new Error(`auth:signIn: HTTP ${answer.status}`);
  return answer.body.data.token as string;
}

describe('signing in with DingTalk to a sub-application', () => {
  let browser: Browser;
  let person: Person;
  let mainAuthenticatorId: number | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
    const mainToken = await signIn();
    const created = await call('applications:create', {
      token: mainToken,
      body: { name: SUB, displayName: 'Sub one', options: { autoStart: true } },
    });
    expect(created.status).toBe(200);
    // The sub-app installs itself in the background (its own database, the same root user as the main app).
    await until('the sub-app answers', () => call('app:getInfo', { app: SUB }), (a) => a.status === 200, 240_000);
    const subToken = await until('the sub-app signs its admin in', () => signIn(SUB), Boolean, 60_000);
    const enabled = await call(`pm:enable?filterByTk=${encodeURIComponent(PLUGIN)}`, { app: SUB, token: subToken, body: {} });
    expect(enabled.status).toBe(200);
    await until(
      'the plugin runs in the sub-app',
      () => call('dingtalk:getRedirectUrl', { app: SUB, token: subToken }),
      (a) => a.status === 200,
      120_000,
    );
    for (const [app, token] of [[SUB, subToken], [undefined, mainToken]] as const) {
      const authenticator = await call('authenticators:create', {
        app,
        token,
        body: {
          name: AUTH,
          authType: 'dingtalk',
          title: TITLE,
          enabled: true,
          // The same-tab round trip through the sub-app's callback and landing.
          options: { clientId: E2E.clientId, clientSecret: E2E.clientSecret, autoSignup: true, signInWindow: 'page' },
        },
      });
      expect(authenticator.status).toBe(200);
      if (!app) mainAuthenticatorId = authenticator.body.data.id;
    }
  });

  afterAll(async () => {
    await browser?.close();
    // Later files of the suite see the main app's sign-in page as they expect it.
    if (mainAuthenticatorId !== undefined) {
      await call(`authenticators:destroy?filterByTk=${mainAuthenticatorId}`, { token: await signIn(), body: {} });
    }
  });

  it("shows the sub-app's admin its own Homepage URL and a Redirect URL that reaches the sub-app", async () => {
    const token = await signIn(SUB);
    const answer = await call('dingtalk:getRedirectUrl', { app: SUB, token });
    expect(answer.status).toBe(200);
    expect(answer.body.data.homepageUrl).toBe(`${appUrl}/apps/${SUB}/admin`);
    expect(answer.body.data.redirectUrl).toBe(`${appUrl}/api/dingtalk:redirect?__appName=${SUB}`);
    const main = await call('dingtalk:getRedirectUrl', { token: await signIn() });
    expect(main.body.data.homepageUrl).toBe(`${appUrl}/admin`);
  });

  it('signs in with DingTalk on the sub-app and lands on its /admin, signed in', async () => {
    person = await newPerson(browser);
    const { page } = person;
    await page.goto(`${appUrl}/apps/${SUB}/signin`);
    const button = page.getByRole('button', { name: TITLE, exact: true });
    await button.waitFor();
    await screenshot(page, 'sub-app-01-signin');
    await button.click();
    await page.waitForURL((url) => url.href.startsWith(`${emulatorUrl}/oauth2/auth?`));
    await page.locator(`[data-identity="${ZHAOLIU.id}"]`).click();
    await page.waitForURL((url) => url.origin === appUrl && url.pathname.startsWith(`/apps/${SUB}/admin`));
    await openUserMenu(page);
    await page.getByRole('menuitem', { name: ZHAOLIU.nick, exact: true }).waitFor();
    await screenshot(page, 'sub-app-02-signed-in');
    // The landing went through the sub-app's own sign-in page, never the main app's.
    const landings = person.visited.filter((u) => u.startsWith(appUrl) && new URL(u).pathname.endsWith('/signin'));
    expect(landings.length).toBeGreaterThan(0);
    expect(landings.every((u) => new URL(u).pathname === `/apps/${SUB}/signin`)).toBe(true);
    expect(person.visited.filter((u) => /ticket|authcode|token=/i.test(u))).toEqual([]);
  });

  it('leaves the main app signed out in the same browser', async () => {
    const { page } = person;
    await page.goto(`${appUrl}/admin`);
    await page.waitForURL((url) => url.pathname === '/signin');
    await page.getByPlaceholder('Username/Email').waitFor();
    await screenshot(page, 'sub-app-03-main-signed-out');
    // The person exists in the sub-app only.
    const mainToken = await signIn();
    const inMain = await call(`users:list?filter=${encodeURIComponent(JSON.stringify({ nickname: ZHAOLIU.nick }))}`, { token: mainToken });
    expect(inMain.body.data).toEqual([]);
    const inSub = await call(`users:list?filter=${encodeURIComponent(JSON.stringify({ nickname: ZHAOLIU.nick }))}`, {
      app: SUB,
      token: await signIn(SUB),
    });
    expect(inSub.body.data).toHaveLength(1);
  });

  it("links the sub-app admin's DingTalk account from the user menu and comes back to the sub-app's page", async () => {
    const admin = await newPerson(browser);
    const { page } = admin;
    await page.goto(`${appUrl}/apps/${SUB}/signin`);
    await page.getByPlaceholder('Username/Email').fill(ADMIN.account);
    await page.getByPlaceholder('Password').fill(ADMIN.password);
    await passwordSubmit(page).click();
    await page.waitForURL((url) => url.pathname.startsWith(`/apps/${SUB}/admin`));
    await page.goto(`${appUrl}/apps/${SUB}/admin?x=1`);
    await openUserMenu(page);
    await page.getByRole('menuitem', { name: 'DingTalk account', exact: true }).click();
    const dialog = page.getByRole('dialog').filter({ has: page.getByTestId('dingtalk-accounts') });
    await dialog.getByTestId(`dingtalk-account-${AUTH}`).getByRole('button', { name: 'Link DingTalk account' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${emulatorUrl}/oauth2/auth?`));
    await page.locator(`[data-identity="${ZHANGSAN.id}"]`).click();
    await page.locator('.ant-message').getByText(`Your DingTalk account ${ZHANGSAN.nick} is linked.`).waitFor();
    await screenshot(page, 'sub-app-04-linked');
    const url = new URL(page.url());
    expect(url.pathname).toBe(`/apps/${SUB}/admin`);
    expect(url.searchParams.get('x')).toBe('1');
    expect(admin.visited.some((u) => new URL(u).pathname === `/apps/${SUB}/admin` && u.includes(`dingtalk_link=${AUTH}`))).toBe(true);
    await admin.context.close();
  });
});
