// The browser comparison: in one Chromium, in turn, a DingTalk sign-in with the default window (a popup on desktop
// browsers), one in the same tab (`signInWindow: 'page'`) and a password sign-in, each timed from the click that ends
// it (the person picked on DingTalk's page; the form's Sign in button) to NocoBase's admin layout on screen, with the
// number of requests the page made in between. A fresh profile each time, after the sign-in page has loaded in it,
// so all three start from the same cache.
import { chromium } from 'playwright-core';
import { ADMIN, AUTHENTICATOR_TITLE, SAME_TAB_TITLE } from './stack.mjs';

/** The emulator's 张三 (packages/dingtalk-emulator/identities.json): signed in once before the timed runs. */
const IDENTITY = 'zhangsan';

function launch() {
  return chromium.launch({
    executablePath: process.env.BENCH_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The admin layout is on screen: its header's user menu button is visible. */
const adminLayout = (page) => page.getByTestId('user-center-button').waitFor({ state: 'visible', timeout: 60_000 });

async function timedClick(page, click, appUrl) {
  let requests = 0;
  page.on('request', () => {
    requests += 1;
  });
  const t0 = performance.now();
  await click();
  await page.waitForURL((url) => url.origin === appUrl && url.pathname.startsWith('/admin'), { timeout: 60_000 });
  await adminLayout(page);
  return { ms: performance.now() - t0, requests };
}

/** The same tab (`signInWindow: 'page'`): DingTalk's page replaces the sign-in page; the callback loads /admin. */
async function sameTabOnce(browser, { appUrl, emulatorUrl }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  try {
    const page = await context.newPage();
    await page.goto(`${appUrl}/signin`);
    await page.getByRole('button', { name: SAME_TAB_TITLE, exact: true }).click();
    await page.waitForURL((url) => url.href.startsWith(`${emulatorUrl}/oauth2/auth?`));
    const choice = page.locator(`[data-identity="${IDENTITY}"]`);
    await choice.waitFor();
    return await timedClick(page, () => choice.click(), appUrl);
  } finally {
    await context.close();
  }
}

/** The default: DingTalk's page opens in a popup; the sign-in page itself goes to /admin without a page load. */
async function defaultOnce(browser, { appUrl }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  try {
    const page = await context.newPage();
    await page.goto(`${appUrl}/signin`);
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: AUTHENTICATOR_TITLE, exact: true }).click()]);
    const choice = popup.locator(`[data-identity="${IDENTITY}"]`);
    await choice.waitFor();
    return await timedClick(page, () => choice.click(), appUrl);
  } finally {
    await context.close();
  }
}

async function passwordOnce(browser, { appUrl }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  try {
    const page = await context.newPage();
    await page.goto(`${appUrl}/signin`);
    await page.getByPlaceholder('Username/Email').fill(ADMIN.email);
    await page.getByPlaceholder('Password').fill(ADMIN.password);
    const submit = page.getByRole('button', { name: /^(action-Action-)?Sign in$/ });
    await submit.waitFor();
    return await timedClick(page, () => submit.click(), appUrl);
  } finally {
    await context.close();
  }
}

/** `times` of each, interleaved, after one untimed run of each (NocoBase's first page build, 张三's sign-up). */
export async function compareInBrowser(target, times, log) {
  const browser = await launch();
  try {
    await defaultOnce(browser, target);
    await sameTabOnce(browser, target);
    await passwordOnce(browser, target);
    const runs = { popup: [], sameTab: [], password: [] };
    const said = (run) => `${Math.round(run.ms)} ms (${run.requests} requests)`;
    for (let i = 0; i < times; i += 1) {
      runs.popup.push(await defaultOnce(browser, target));
      runs.sameTab.push(await sameTabOnce(browser, target));
      runs.password.push(await passwordOnce(browser, target));
      log(`browser ${i + 1}/${times}: DingTalk default (popup) ${said(runs.popup.at(-1))}, same tab ${said(runs.sameTab.at(-1))}, password ${said(runs.password.at(-1))}`);
    }
    return { runs, version: browser.version() };
  } finally {
    await browser.close();
  }
}
