/**
 * Option `signInWindow`, `'popup'` by default: a sign-in started with `{ popup: true }` is answered at its callback by
 * the popup page (popup-page.ts), which reports the outcome on the BroadcastChannel and closes; nothing secret in it,
 * the ticket still in its httpOnly cookie. A sign-in started without the flag keeps its redirect, and a page open at
 * another origin than APP_URL is told so, since a popup there could never report back to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POPUP_CHANNEL } from '../../constants';
import {
  APP_URL,
  approveAtDingTalk,
  CLIENT_SECRET,
  createAuthenticator,
  CREDENTIALS,
  followCallback,
  Harness,
  people,
  redeem,
  signInWithDingTalk,
  startHarness,
} from './harness';

let h: Harness;
const person = people('弹窗', '1361234');

beforeAll(async () => {
  h = await startHarness();
  // No signInWindow: the default.
  await createAuthenticator(h.app, { name: 'dingtalk', options: { ...CREDENTIALS, autoSignup: true } });
  await createAuthenticator(h.app, { name: 'dingtalk-page', options: { ...CREDENTIALS, autoSignup: true, signInWindow: 'page' } });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** The literal the popup page's script holds for `name` (`var name = …,`). */
function scriptValue(html: string, name: string): unknown {
  const match = new RegExp(`\\b${name} = (.+?)(?:, [a-z]+ = |;\\n)`).exec(html);
  if (!match) throw new Error(`no ${name} in the popup page`);
  return JSON.parse(match[1]);
}

async function startPopup(browser: ReturnType<Harness['app']['agent']>, redirect = '/admin/settings') {
  const start = await browser.post('/api/dingtalk:getAuthUrl').set('X-Authenticator', 'dingtalk').send({ redirect, popup: true });
  expect(start.status).toBe(200);
  return start;
}

describe('sign-in in a popup window', () => {
  it('publicList tells the button to open a popup by default, nothing when the same tab is chosen, and nothing else', async () => {
    const res = await h.app.agent().resource('authenticators').publicList();
    const options = (name: string) => res.body.data.find((a: { name: string }) => a.name === name).options;
    console.log('publicList options: default', JSON.stringify(options('dingtalk')), '; page', JSON.stringify(options('dingtalk-page')));
    expect(options('dingtalk')).toEqual({ signInWindow: 'popup' });
    expect(options('dingtalk-page')).toEqual({});
  });

  it('a page at another origin than APP_URL is told so (otherOrigin), and its start is a same-tab sign-in', async () => {
    const other = await h.app
      .agent()
      .post('/api/dingtalk:getAuthUrl')
      .set('X-Authenticator', 'dingtalk')
      .set('Origin', 'http://127.0.0.1:13000')
      .send({ redirect: '/admin/x', popup: true });
    console.log('getAuthUrl from another origin:', JSON.stringify(other.body.data));
    expect(other.body.data.otherOrigin).toBe(true);
    const startUrl = new URL(other.body.data.url);
    expect(startUrl.origin).toBe(APP_URL);
    expect(startUrl.pathname).toBe('/api/dingtalk:start');

    // The tab goes there itself: the callback redirects to the landing rather than answering a popup page.
    const browser = h.app.agent();
    const start = await browser.get(`${startUrl.pathname}${startUrl.search}`);
    const callback = await followCallback(browser, await approveAtDingTalk(h.emulator, String(start.headers.location), person()));
    expect(callback.status).toBe(302);
    expect(new URL(String(callback.headers.location), APP_URL).searchParams.get('dingtalk_signin')).toBe('dingtalk');

    const same = await h.app
      .agent()
      .post('/api/dingtalk:getAuthUrl')
      .set('X-Authenticator', 'dingtalk')
      .set('Origin', APP_URL)
      .send({ redirect: '/admin/x', popup: true });
    expect(same.body.data.otherOrigin).toBeUndefined();
    expect(new URL(same.body.data.url).pathname).toBe('/oauth2/auth');
  });

  it('a success answers the popup page: the outcome names the authenticator, the ticket waits in its cookie', async () => {
    const browser = h.app.agent();
    const start = await startPopup(browser);
    const callbackUrl = await approveAtDingTalk(h.emulator, start.body.data.url, person());
    const callback = await followCallback(browser, callbackUrl);
    console.log('popup success callback:', callback.status, callback.headers['content-type'], callback.headers['cache-control']);
    expect(callback.status).toBe(200);
    expect(callback.headers['content-type']).toMatch(/^text\/html/);
    expect(callback.headers['cache-control']).toBe('no-store');
    expect(callback.headers.location).toBeUndefined();
    // Nothing would keep the inline script from running.
    expect(callback.headers['content-security-policy']).toBeUndefined();
    const html = callback.text;
    expect(html).toContain(JSON.stringify(POPUP_CHANNEL));
    expect(scriptValue(html, 'outcome')).toEqual({ type: 'dingtalk-signin', authenticator: 'dingtalk', outcome: 'signed-in' });
    expect(scriptValue(html, 'fallback')).toBe('/admin/settings?dingtalk_signin=dingtalk');
    expect(scriptValue(html, 'taken')).toBe('/admin/settings');
    const code = callbackUrl.searchParams.get('authCode') ?? callbackUrl.searchParams.get('code') ?? '';
    for (const secret of [CLIENT_SECRET, code, callbackUrl.searchParams.get('state') ?? '']) expect(html).not.toContain(secret);
    const ticket = ([] as string[]).concat(callback.headers['set-cookie'] ?? []).find((c) => c.startsWith('dingtalk_ticket='));
    expect(ticket).toMatch(/httponly/i);
    expect(html).not.toContain(ticket!.split(';')[0].split('=')[1]);

    const signIn = await redeem(browser);
    expect(signIn.status).toBe(200);
    expect(signIn.body.data.token).toEqual(expect.any(String));
  });

  it('a cancel answers the popup page with the code of the closed list, and no redirect', async () => {
    const browser = h.app.agent();
    const start = await startPopup(browser, '/admin/x');
    const state = new URL(start.body.data.url).searchParams.get('state');
    const callback = await browser.get(`/api/dingtalk:redirect?error=access_denied&state=${state}`);
    console.log('popup cancel callback:', callback.status, callback.headers['content-type']);
    expect(callback.status).toBe(200);
    expect(callback.headers['content-type']).toMatch(/^text\/html/);
    expect(callback.headers['cache-control']).toBe('no-store');
    expect(scriptValue(callback.text, 'outcome')).toEqual({
      type: 'dingtalk-signin',
      authenticator: 'dingtalk',
      outcome: 'failed',
      code: 'CANCELLED',
    });
    expect(scriptValue(callback.text, 'fallback')).toBe('/signin?redirect=%2Fadmin%2Fx&dingtalk_error=CANCELLED&dingtalk_authenticator=dingtalk');
    // The query's own words never reach the page.
    expect(callback.text).not.toContain('access_denied');
  });

  it('a sign-in started without the popup flag keeps its redirect (page mode unchanged)', async () => {
    const { callback, landing, signIn } = await signInWithDingTalk(h, person());
    console.log('page mode callback:', callback.status, callback.headers.location);
    expect(callback.status).toBe(302);
    expect(landing.pathname).toBe('/admin/settings');
    expect(landing.searchParams.get('dingtalk_signin')).toBe('dingtalk');
    expect(signIn?.status).toBe(200);
  });

  it('refuses to save a signInWindow that is not page or popup', async () => {
    const root = await h.app.db.getRepository('users').findOne({ filter: { email: 'admin@nocobase.com' } });
    const admin = await h.app.agent().login(root, 'root');
    const res = await admin
      .post('/api/authenticators:create')
      .send({ name: 'dingtalk-bad-window', authType: 'dingtalk', enabled: false, options: { ...CREDENTIALS, signInWindow: 'window' } });
    console.log('bad signInWindow save:', res.status, JSON.stringify(res.body).slice(0, 200));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(res.body)).toContain('signInWindow');
  });
});

