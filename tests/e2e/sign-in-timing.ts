/**
 * What a sign-in costs the browser, measured the way a person sees it: from the click on the sign-in button to the
 * admin UI rendered (the user menu's button on screen), and what the browser loaded on the way. Shared by the browser
 * suite (browser-one-load.test.ts) and any benchmark: `compareSignInTimes` runs DingTalk and password sign-ins
 * interleaved in one browser and returns the medians, so both are measured under the same load.
 */
import type { Browser, Page, Request } from 'playwright-core';

export interface AppLoads {
  /** Top-frame document requests to the app's pages (not its API), in order. */
  documents: string[];
  /** Requests for the host's entry bundle (`/assets/index-*.js`, `/v/assets/index-*.js`). */
  hostBundles: string[];
  /** Requests for this plugin's browser bundle (v1 or v2). */
  pluginBundles: string[];
  /** `pm:listEnabled` / `pm:listEnabledV2`: one per boot of a NocoBase client. */
  boots: string[];
  /** `auth:check` requests: who is signed in, asked by the host. */
  authChecks: string[];
  /** Answers 401 of the app (NocoBase's "Unauthenticated" notice comes with one). */
  unauthorized: string[];
  /** Every request the page made. */
  all: number;
}

export interface SignInRun {
  /** From the click on the sign-in button (DingTalk's, or the password form's) to the admin UI rendered. */
  ms: number;
  /** For DingTalk: from the click on the identity at DingTalk's page to the admin UI rendered. */
  afterApprovalMs?: number;
  /** What the browser loaded from the app after DingTalk's callback (DingTalk), or after the click (password). */
  loads: AppLoads;
  /** The page's address at the end. */
  url: string;
}

/** Counts what the page loads from the app, from the moment `armed()` returns true. */
export function watchAppLoads(page: Page, appUrl: string, armed: (request: Request) => boolean = () => true): AppLoads {
  const loads: AppLoads = { documents: [], hostBundles: [], pluginBundles: [], boots: [], authChecks: [], unauthorized: [], all: 0 };
  let on = false;
  page.on('request', (request) => {
    if (!on && !(on = armed(request))) return;
    const url = request.url();
    loads.all += 1;
    if (!url.startsWith(appUrl)) return;
    const path = new URL(url).pathname;
    if (request.isNavigationRequest() && request.frame() === page.mainFrame() && !/\/api\//.test(path)) loads.documents.push(url);
    if (/\/assets\/index-[^/]*\.js$/.test(path)) loads.hostBundles.push(url);
    if (/\/static\/plugins\/@opensso\/plugin-auth-dingtalk\/dist\/client(-v2)?\/index\.js$/.test(path)) loads.pluginBundles.push(url);
    if (/\/api\/pm:listEnabled(V2)?$/.test(path)) loads.boots.push(url);
    if (/\/api\/auth:check$/.test(path)) loads.authChecks.push(url);
  });
  page.on('response', (response) => {
    if (on && response.status() === 401 && response.url().startsWith(appUrl)) loads.unauthorized.push(response.url());
  });
  return loads;
}

/** The admin UI of the v1 client has rendered for a signed-in person. */
async function adminRendered(page: Page, appUrl: string, timeout = 60_000): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(appUrl) && /\/admin/.test(url.pathname), { timeout });
  await page.getByTestId('user-center-button').waitFor({ timeout });
}

export interface DingTalkSignIn {
  appUrl: string;
  emulatorUrl: string;
  /** The button's accessible name (the authenticator's title). */
  buttonTitle: string;
  /** The emulator identity to pick (`data-identity`). */
  identity: string;
  /** The sign-in page to start from (default `${appUrl}/signin`). */
  signInPage?: string;
}

/** Opens the sign-in page in a fresh profile, clicks the DingTalk button, picks the identity, waits for the admin UI. */
export async function timeDingTalkSignIn(browser: Browser, options: DingTalkSignIn): Promise<SignInRun> {
  const { appUrl, emulatorUrl } = options;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  try {
    const page = await context.newPage();
    await page.goto(options.signInPage ?? `${appUrl}/signin`);
    const button = page.getByRole('button', { name: options.buttonTitle, exact: true });
    await button.waitFor({ timeout: 30_000 });
    const loads = watchAppLoads(page, appUrl, (request) => request.url().includes('/api/dingtalk:redirect?'));
    const started = performance.now();
    await button.click();
    await page.waitForURL((url) => url.href.startsWith(`${emulatorUrl}/oauth2/auth?`));
    const identity = page.locator(`[data-identity="${options.identity}"]`);
    await identity.waitFor();
    const approved = performance.now();
    await identity.click();
    await adminRendered(page, appUrl);
    const done = performance.now();
    return { ms: done - started, afterApprovalMs: done - approved, loads, url: page.url() };
  } finally {
    await context.close();
  }
}

export interface PasswordSignIn {
  appUrl: string;
  account: string;
  password: string;
}

/** Opens /signin in a fresh profile, fills NocoBase's password form, clicks "Sign in", waits for the admin UI. */
export async function timePasswordSignIn(browser: Browser, options: PasswordSignIn): Promise<SignInRun> {
  const { appUrl } = options;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  try {
    const page = await context.newPage();
    await page.goto(`${appUrl}/signin`);
    await page.getByPlaceholder('Username/Email').fill(options.account);
    await page.getByPlaceholder('Password').fill(options.password);
    const submit = page.getByRole('button', { name: /^(action-Action-)?Sign in$/ });
    const loads = watchAppLoads(page, appUrl);
    const started = performance.now();
    await submit.click();
    await adminRendered(page, appUrl);
    return { ms: performance.now() - started, loads, url: page.url() };
  } finally {
    await context.close();
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface SignInComparison {
  dingtalk: SignInRun[];
  password: SignInRun[];
  medianDingTalkMs: number;
  medianPasswordMs: number;
  /** medianDingTalkMs / medianPasswordMs. */
  ratio: number;
}

/** `rounds` DingTalk and password sign-ins, interleaved in one browser (one warm-up of each first, not counted). */
export async function compareSignInTimes(
  browser: Browser,
  dingtalk: DingTalkSignIn,
  password: PasswordSignIn,
  rounds = 5,
): Promise<SignInComparison> {
  await timeDingTalkSignIn(browser, dingtalk);
  await timePasswordSignIn(browser, password);
  const result: Pick<SignInComparison, 'dingtalk' | 'password'> = { dingtalk: [], password: [] };
  for (let round = 0; round < rounds; round += 1) {
    result.dingtalk.push(await timeDingTalkSignIn(browser, dingtalk));
    result.password.push(await timePasswordSignIn(browser, password));
  }
  const medianDingTalkMs = median(result.dingtalk.map((run) => run.ms));
  const medianPasswordMs = median(result.password.map((run) => run.ms));
  return { ...result, medianDingTalkMs, medianPasswordMs, ratio: medianDingTalkMs / medianPasswordMs };
}
