/**
 * Issue "works wherever NocoBase runs", cluster: NocoBase keeps its list of authenticators in each node's memory,
 * updated only by the save hooks of the node that saved. A write made on another node is, for this node, a write to
 * the database without its hooks: that is how these tests make one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_URL,
  CLIENT_ID,
  CLIENT_SECRET,
  Harness,
  approveAtDingTalk,
  createAuthenticator,
  followCallback,
  people,
  redeem,
  signInWithDingTalk,
  startHarness,
  startSignIn,
} from './harness';

let h: Harness;
const person = people('别处', '1330001');
const authenticators = () => h.app.db.getRepository('authenticators');

/** What another node's admin did, as this node sees it: rows changed, no hook of this node run. */
const elsewhere = {
  create: (name: string, options: Record<string, unknown>) =>
    authenticators().create({ values: { name, authType: 'dingtalk', enabled: true, options }, hooks: false }),
  update: (name: string, values: Record<string, unknown>) => authenticators().update({ filter: { name }, values, hooks: false }),
};

beforeAll(async () => {
  h = await startHarness();
  await createAuthenticator(h.app);
  // This node's list is loaded and holds "dingtalk".
  expect((await signInWithDingTalk(h, person())).signIn?.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('authenticators changed on another node', () => {
  it('an authenticator created on another node signs people in on this one at once', async () => {
    await elsewhere.create('dingtalk-from-a', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, autoSignup: true });
    const { landing, signIn } = await signInWithDingTalk(h, person(), { authenticator: 'dingtalk-from-a' });
    expect(landing.searchParams.get('dingtalk_error')).toBeNull();
    expect(signIn?.status).toBe(200);
    expect(signIn?.body.data.token).toBeTruthy();
  });

  it('an authenticator disabled on another node is refused on this one at once, at the start and at the callback', async () => {
    await createAuthenticator(h.app, { name: 'dingtalk-to-disable' });
    expect((await signInWithDingTalk(h, person(), { authenticator: 'dingtalk-to-disable' })).signIn?.status).toBe(200);
    // Someone is at DingTalk's page when the admin disables it.
    const browser = h.app.agent();
    const started = await startSignIn(browser, 'dingtalk-to-disable', '/admin');
    const approved = await approveAtDingTalk(h.emulator, started.body.data.url, person());
    await elsewhere.update('dingtalk-to-disable', { enabled: false });
    expect((await startSignIn(h.app.agent(), 'dingtalk-to-disable')).body.errors?.[0]?.code).toBe('AUTHENTICATOR_INVALID');
    const callback = await followCallback(browser, approved);
    expect(new URL(callback.headers.location, APP_URL).searchParams.get('dingtalk_error')).toBe('AUTHENTICATOR_INVALID');
  });

  it('a ticket issued before another node disabled the authenticator is refused', async () => {
    await createAuthenticator(h.app, { name: 'dingtalk-disable-late' });
    // The callback done, the ticket waiting in the browser.
    const browser = h.app.agent();
    const started = await startSignIn(browser, 'dingtalk-disable-late', '/admin');
    const callback = await followCallback(browser, await approveAtDingTalk(h.emulator, started.body.data.url, person()));
    expect(new URL(callback.headers.location, APP_URL).searchParams.get('dingtalk_signin')).toBe('dingtalk-disable-late');
    await elsewhere.update('dingtalk-disable-late', { enabled: false });
    const res = await redeem(browser, 'dingtalk-disable-late');
    expect(res.status).not.toBe(200);
    expect(res.body.data?.token).toBeUndefined();
  });

  it('settings changed on another node are used on this one at once', async () => {
    await createAuthenticator(h.app, { name: 'dingtalk-changed' });
    expect((await signInWithDingTalk(h, person(), { authenticator: 'dingtalk-changed' })).signIn?.status).toBe(200);
    await elsewhere.update('dingtalk-changed', { options: { clientId: CLIENT_ID, clientSecret: 'rotated-elsewhere', autoSignup: true } });
    const { landing } = await signInWithDingTalk(h, person(), { authenticator: 'dingtalk-changed' });
    expect(landing.searchParams.get('dingtalk_error')).toBe('DINGTALK_CREDENTIALS_INVALID');
  });
});
