/**
 * The plugin in a sub-application of NocoBase's multi-app manager (an app named `sub1`, in the same process as the
 * main app, with the same APP_KEY, as the manager runs them): the browser is sent to the sub-app's own pages, and
 * what a sign-in in the sub-app leaves in the browser signs nobody into the main app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_URL,
  Harness,
  approveAtDingTalk,
  createAuthenticator,
  followCallback,
  people,
  signInWithDingTalk,
  startHarness,
  startSignIn,
} from './harness';

let main: Harness;
let sub: Harness;
const person = people('子应用用户', '1390077');

/** `name=value` of every cookie an answer sets, for a request that carries them to another app. */
function cookiesOf(...answers: { headers: Record<string, unknown> }[]): string {
  return answers
    .flatMap((answer) => (answer.headers['set-cookie'] as string[] | undefined) ?? [])
    .map((cookie) => cookie.split(';')[0])
    .filter((pair) => !pair.endsWith('='))
    .join('; ');
}

beforeAll(async () => {
  main = await startHarness();
  // Started last: the DingTalk addresses in the environment are its emulator's.
  sub = await startHarness({ appName: 'sub1' });
  await createAuthenticator(main.app);
  await createAuthenticator(sub.app);
  // Users of the main app with the ids the sub-app's first sign-ups get.
  for (let i = 0; i < 5; i += 1) {
    await main.app.db.getRepository('users').create({ values: { username: `main-user-${i}`, nickname: `Main ${i}` } });
  }
}, 120_000);

afterAll(async () => {
  await sub?.close();
  await main?.close();
});

describe('a sub-application', () => {
  it("sends DingTalk back to the sub-app, and the browser to the sub-app's page it wanted", async () => {
    const { start, callback, landing, signIn } = await signInWithDingTalk(sub, person(), { redirect: '/admin/abc' });
    const authUrl = new URL(start.body.data.url);
    expect(authUrl.searchParams.get('redirect_uri')).toBe(`${APP_URL}/api/dingtalk:redirect?__appName=sub1`);
    expect(callback.status).toBe(302);
    expect(landing.pathname).toBe('/apps/sub1/admin/abc');
    expect(landing.searchParams.get('dingtalk_signin')).toBe('dingtalk');
    expect(signIn!.status).toBe(200);
  });

  it("sends a failed sign-in to the sub-app's sign-in page with its message", async () => {
    const browser = sub.app.agent();
    const start = await startSignIn(browser, 'dingtalk', '/admin/x');
    const state = new URL(start.body.data.url).searchParams.get('state')!;
    const callback = await browser.get(`/api/dingtalk:redirect?__appName=sub1&state=${encodeURIComponent(state)}&error=access_denied`);
    const landing = new URL(callback.headers.location, APP_URL);
    expect(landing.pathname).toBe('/apps/sub1/signin');
    expect(landing.searchParams.get('dingtalk_error')).toBe('CANCELLED');
    expect(landing.searchParams.get('redirect')).toBe('/admin/x');
  });

  it('shows its admin the Homepage URL of the sub-app', async () => {
    const admin = await sub.app.db.getRepository('users').findOne({ filter: { id: 1 } });
    const answer = await (await sub.app.agent().login(admin)).get('/api/dingtalk:getRedirectUrl');
    expect(answer.status).toBe(200);
    expect(answer.body.data.homepageUrl).toBe(`${APP_URL}/apps/sub1/admin`);
    expect(answer.body.data.redirectUrl).toBe(`${APP_URL}/api/dingtalk:redirect?__appName=sub1`);
  });

  it("signs nobody into the main app with the sub-app's ticket and binding cookies", async () => {
    const browser = sub.app.agent();
    const start = await startSignIn(browser, 'dingtalk', '/admin');
    const callbackUrl = await approveAtDingTalk(sub.emulator, start.body.data.url, person());
    const callback = await followCallback(browser, callbackUrl);
    expect(new URL(callback.headers.location, APP_URL).searchParams.get('dingtalk_signin')).toBe('dingtalk');
    const cookies = cookiesOf(start, callback);
    expect(cookies).toMatch(/ticket/);

    // The same browser, on the main app (the cookies' path, /api/, is the main app's API path too).
    const inMain = await main.app.agent().post('/api/auth:signIn').set('X-Authenticator', 'dingtalk').set('Cookie', cookies).send({});
    expect(inMain.status).toBe(401);
    expect(inMain.body?.data?.token).toBeUndefined();

    // The ticket was not spent by the attempt on the main app: the sub-app's landing still signs the person in.
    const inSub = await sub.app.agent().post('/api/auth:signIn').set('X-Authenticator', 'dingtalk').set('Cookie', cookies).send({});
    expect(inSub.status).toBe(200);
    expect(inSub.body.data.token).toBeTruthy();
  });
});
