// The browser comparison: in one Chromium, in turn, a DingTalk sign-in in the same tab, one in a popup window and a
// password sign-in, each timed from the click that ends it (the person picked on DingTalk's page; the form's Sign in
// button) to NocoBase's admin
// layout on screen, with the number of requests the page made in between. A fresh profile each time, after the
// sign-in page has loaded in it, so both start from the same cache.
import { chromium } from 'playwright-core';
import { ADMIN, POPUP_TITLE } from './stack.mjs';

/** The emulator's 张三 (packages/dingtalk-emulator/identities.json): signed in once before the timed runs. */
const IDENTITY = 'zhangsan';
const DINGTALK_BUTTON = 'Sign in with DingTalk';

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

async function dingTalkOnce(browser, { appUrl, emulatorUrl }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  try {
    const page = await context.newPage();
    await page.goto(`${appUrl}/signin`);
    await page.getByRole('button', { name: DINGTALK_BUTTON, exact: true }).click();
    await page.waitForURL((url) => url.href.startsWith(`${emulatorUrl}/oauth2/auth?`));
    const choice = page.locator(`[data-identity="${IDENTITY}"]`);
    await choice.waitFor();
    return await timedClick(page, () => choice.click(), appUrl);
  } finally {
    await context.close();
  }
}

/** The popup mode: DingTalk's page opens in a popup; the sign-in page itself goes to /admin without a page load. */
async function popupOnce(browser, { appUrl }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  try {
    const page = await context.newPage();
    await page.goto(`${appUrl}/signin`);
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: POPUP_TITLE, exact: true }).click()]);
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
    await dingTalkOnce(browser, target);
    await popupOnce(browser, target);
    await passwordOnce(browser, target);
    const runs = { dingtalk: [], popup: [], password: [] };
    const said = (run) => `${Math.round(run.ms)} ms (${run.requests} requests)`;
    for (let i = 0; i < times; i += 1) {
      runs.dingtalk.push(await dingTalkOnce(browser, target));
      runs.popup.push(await popupOnce(browser, target));
      runs.password.push(await passwordOnce(browser, target));
      log(`browser ${i + 1}/${times}: DingTalk ${said(runs.dingtalk.at(-1))}, in a popup ${said(runs.popup.at(-1))}, password ${said(runs.password.at(-1))}`);
    }
    return { runs, version: browser.version() };
  } finally {
    await browser.close();
  }
}
