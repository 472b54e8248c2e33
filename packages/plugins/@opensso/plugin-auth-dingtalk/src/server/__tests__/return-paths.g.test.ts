/**
 * Return paths with dot segments (checklist G5), through the whole link flow and the sign-in flow: the address the
 * callback sends the browser to stays on the app, whatever `redirect` the page started with.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { people, APP_URL, CREDENTIALS, Harness, approveAtDingTalk, createAuthenticator, followCallback, signInWithDingTalk, startHarness } from './harness';

let h: Harness;
let seq = 0;

const person = people('回程', '1320000');

/** Dot-segment forms that the URL parser of every browser (and `appPageUrl`) turns into `//evil.example/…`. */
const DOT_SEGMENT_PATHS = ['/.//evil.example/x', '/%2e//evil.example/x', '/admin/..//evil.example'];

beforeAll(async () => {
  h = await startHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.emulator.reset();
});

/** Where a Location header takes a browser that is on the app. */
const target = (location: string) => new URL(location, APP_URL);

describe('return paths with dot segments (checklist G5)', () => {
  it.each(DOT_SEGMENT_PATHS)('G5 the link callback keeps the browser on the app for redirect %s', async (redirect) => {
    const name = `g5-link-${++seq}`;
    await createAuthenticator(h.app, { name, options: { ...CREDENTIALS } });
    const user = await h.app.db.getRepository('users').create({ values: { nickname: `G5 ${seq}`, password: 'secret-pass-1' } });
    const agent = await h.app.agent().login(user);

    const start = await agent.post('/api/dingtalk:getLinkUrl').set('X-Authenticator', name).send({ redirect });
    expect(start.status).toBe(200);
    const callback = await approveAtDingTalk(h.emulator, start.body.data.url, person());
    const res = await followCallback(agent, callback);
    expect(res.status).toBe(302);
    const location = res.headers.location as string;
    expect(location.startsWith('//')).toBe(false);
    expect(target(location).origin).toBe(APP_URL);
    expect(target(location).pathname).toBe('/admin');
    expect(target(location).searchParams.get('dingtalk_link')).toBe(name);
  });

  it('G5 a failed linking started with such a redirect also comes back to the app', async () => {
    const name = `g5-link-cancel-${++seq}`;
    await createAuthenticator(h.app, { name, options: { ...CREDENTIALS } });
    const user = await h.app.db.getRepository('users').create({ values: { nickname: `G5 ${seq}`, password: 'secret-pass-1' } });
    const agent = await h.app.agent().login(user);
    const start = await agent.post('/api/dingtalk:getLinkUrl').set('X-Authenticator', name).send({ redirect: '/.//evil.example/x' });
    const state = new URL(start.body.data.url).searchParams.get('state');
    const res = await agent.get(`/api/dingtalk:redirect?error=access_denied&state=${state}`);
    expect(target(res.headers.location).origin).toBe(APP_URL);
    expect(target(res.headers.location).pathname).toBe('/admin');
    expect(target(res.headers.location).searchParams.get('dingtalk_error')).toBe('CANCELLED');
  });

  it.each(DOT_SEGMENT_PATHS)('G5 the sign-in callback lands on a checked path of the app for redirect %s', async (redirect) => {
    const name = `g5-signin-${++seq}`;
    await createAuthenticator(h.app, { name });
    const { landing } = await signInWithDingTalk(h, person(), { authenticator: name, redirect });
    expect(landing.origin).toBe(APP_URL);
    expect(landing.pathname).toBe('/admin');
    expect(landing.searchParams.has('redirect')).toBe(false);
  });
});
