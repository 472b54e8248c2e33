/**
 * Checklist G7, G10 and G14: the cookies the plugin sets. Secure whenever the browser is on HTTPS (also behind a
 * TLS-terminating proxy), one lifetime for the state and its binding cookie, and a binding nobody can plant. Behind
 * such a proxy without APP_URL, the Redirect URL takes the scheme those cookies are set for.
 * Cookies are passed by hand here: a Secure cookie is not sent back by the test agent over plain HTTP, which is
 * what the harness speaks behind its pretend proxy.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { newSecret } from '../one-time-store';
import { APP_URL, Harness, approveAtDingTalk, createAuthenticator, people, startHarness, startSignIn } from './harness';

let h: Harness;
const person = people('饼干', '1360000');

type Answer = { headers: Record<string, string | string[] | undefined> };

function setCookies(res: Answer): string[] {
  return ([] as string[]).concat(res.headers['set-cookie'] ?? []);
}

function cookie(res: Answer, name: string): { value: string; attributes: string } | undefined {
  const line = setCookies(res).find((c) => c.startsWith(`${name}=`));
  if (!line) return undefined;
  const [pair, ...attributes] = line.split(';');
  return { value: pair.slice(name.length + 1), attributes: attributes.join(';').toLowerCase() };
}

const landing = (res: Answer) => new URL(String(res.headers.location), APP_URL).searchParams;

beforeAll(async () => {
  h = await startHarness();
  await createAuthenticator(h.app);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

afterEach(() => {
  delete process.env.DINGTALK_STATE_TTL_SECONDS;
  process.env.APP_URL = APP_URL;
  vi.useRealTimers();
});

/** A whole sign-in through a TLS-terminating proxy: every request says `X-Forwarded-Proto: https`. */
async function signInBehindProxy({ host }: { host?: string } = {}) {
  const start = await h.app
    .agent()
    .post('/api/dingtalk:getAuthUrl')
    .set('X-Authenticator', 'dingtalk')
    .set('X-Forwarded-Proto', 'https')
    .set(host ? { Host: host } : {})
    .send({ redirect: '/admin' });
  const binding = cookie(start, '__Host-dingtalk_binding');
  const callbackUrl = await approveAtDingTalk(h.emulator, start.body.data.url, person());
  const callback = await h.app
    .agent()
    .get(`${callbackUrl.pathname}${callbackUrl.search}`)
    .set('X-Forwarded-Proto', 'https')
    .set(host ? { Host: host } : {})
    .set('Cookie', `__Host-dingtalk_binding=${binding?.value}`);
  const ticket = cookie(callback, 'dingtalk_ticket');
  const signIn = await h.app
    .agent()
    .post('/api/auth:signIn')
    .set('X-Authenticator', 'dingtalk')
    .set('X-Forwarded-Proto', 'https')
    .set(host ? { Host: host } : {})
    .set('Cookie', `__Host-dingtalk_binding=${binding?.value}; dingtalk_ticket=${ticket?.value}`)
    .send({});
  return { start, binding, callbackUrl, callback, ticket, signIn };
}

describe('G7 Secure cookies', () => {
  it('G7 behind a TLS-terminating proxy (X-Forwarded-Proto: https) every cookie the plugin sets is Secure', async () => {
    const { start, callback, signIn } = await signInBehindProxy();
    expect(landing(callback).get('dingtalk_signin')).toBe('dingtalk');
    expect(signIn.status).toBe(200);
    const ours = [...setCookies(start), ...setCookies(callback), ...setCookies(signIn)].filter((c) => c.startsWith('__Host-dingtalk_') || c.startsWith('dingtalk_'));
    expect(ours.length).toBeGreaterThanOrEqual(3);
    for (const line of ours) expect(line.toLowerCase()).toMatch(/;\s*secure(;|$)/);
    // As NocoBase's own auth cookies of the same answer.
    const nocobase = setCookies(signIn).filter((c) => !c.includes('dingtalk'));
    expect(nocobase.length).toBeGreaterThan(0);
    for (const line of nocobase) expect(line.toLowerCase()).toMatch(/;\s*secure(;|$)/);
  });

  it('G7 with an https APP_URL every cookie the plugin sets is Secure, even on a plain connection to the app', async () => {
    process.env.APP_URL = 'https://nocobase.test';
    const start = await startSignIn(h.app.agent(), 'dingtalk', '/admin');
    const binding = cookie(start, '__Host-dingtalk_binding');
    expect(binding?.attributes).toMatch(/secure/);
    const callbackUrl = await approveAtDingTalk(h.emulator, start.body.data.url, person());
    const callback = await h.app.agent().get(`${callbackUrl.pathname}${callbackUrl.search}`).set('Cookie', `__Host-dingtalk_binding=${binding?.value}`);
    expect(landing(callback).get('dingtalk_signin')).toBe('dingtalk');
    expect(cookie(callback, 'dingtalk_ticket')?.attributes).toMatch(/secure/);
  });

  it('G7 on plain HTTP without an https APP_URL the cookies are not Secure (the browser would drop them)', async () => {
    const start = await startSignIn(h.app.agent(), 'dingtalk', '/admin');
    expect(cookie(start, 'dingtalk_binding')?.attributes).not.toMatch(/secure/);
  });
});

describe('behind a TLS-terminating proxy without APP_URL', () => {
  const adminBrowser = async () => {
    const admin = await h.app.db.getRepository('users').findOne({ filter: { email: 'admin@nocobase.com' } });
    return h.app.agent().login(admin, 'root');
  };

  it('the Redirect URL and the Homepage URL are https on the request host, the form still warns, and the sign-in completes', async () => {
    delete process.env.APP_URL;
    const urls = await (await adminBrowser()).get('/api/dingtalk:getRedirectUrl').set('Host', 'nocobase.example:8443').set('X-Forwarded-Proto', 'https');
    expect(urls.body.data).toEqual({
      redirectUrl: 'https://nocobase.example:8443/api/dingtalk:redirect',
      homepageUrl: 'https://nocobase.example:8443/admin',
      fromConfiguration: false,
    });
    const { start, callbackUrl, callback, signIn } = await signInBehindProxy({ host: 'nocobase.example:8443' });
    expect(new URL(start.body.data.url).searchParams.get('redirect_uri')).toBe('https://nocobase.example:8443/api/dingtalk:redirect');
    expect(callbackUrl.origin).toBe('https://nocobase.example:8443');
    expect(landing(callback).get('dingtalk_signin')).toBe('dingtalk');
    expect(signIn.status).toBe(200);
  });

  it('on plain HTTP without APP_URL the Redirect URL stays http', async () => {
    delete process.env.APP_URL;
    const urls = await (await adminBrowser()).get('/api/dingtalk:getRedirectUrl').set('Host', 'nocobase.example:13000');
    expect(urls.body.data.redirectUrl).toBe('http://nocobase.example:13000/api/dingtalk:redirect');
  });

  it('B4 with APP_URL set, a spoofed Host, X-Forwarded-Host or X-Forwarded-Proto changes neither URL', async () => {
    const urls = await (await adminBrowser())
      .get('/api/dingtalk:getRedirectUrl')
      .set('Host', 'evil.example')
      .set('X-Forwarded-Host', 'evil.example')
      .set('X-Forwarded-Proto', 'https');
    expect(urls.body.data).toEqual({ redirectUrl: `${APP_URL}/api/dingtalk:redirect`, homepageUrl: `${APP_URL}/admin`, fromConfiguration: true });
  });
});

describe('G10 one lifetime', () => {
  it('G10 a state lifetime set above the default reaches the binding cookie, and a sign-in that old completes', async () => {
    process.env.DINGTALK_STATE_TTL_SECONDS = '1800';
    const browser = h.app.agent();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 25 * 60_000);
    const start = await startSignIn(browser, 'dingtalk', '/admin');
    vi.useRealTimers();
    const binding = cookie(start, 'dingtalk_binding');
    // The cookie's expiry, seen from the clock that set it, is the state's lifetime.
    const expires = Date.parse(binding?.attributes.match(/expires=([^;]+)/)?.[1] ?? '');
    expect(Math.round((expires - (Date.now() - 25 * 60_000)) / 60_000)).toBe(30);
    const callbackUrl = await approveAtDingTalk(h.emulator, start.body.data.url, person());
    const callback = await browser.get(`${callbackUrl.pathname}${callbackUrl.search}`).set('Cookie', `dingtalk_binding=${binding?.value}`);
    expect(landing(callback).get('dingtalk_signin')).toBe('dingtalk');
  });
});

describe('G14 binding-cookie fixation', () => {
  it('G14 a binding planted in the browser is never reused: the start mints its own, and the planted value cannot finish the sign-in', async () => {
    const planted = newSecret();
    const startWithPlanted = async () => {
      const start = await h.app
        .agent()
        .post('/api/dingtalk:getAuthUrl')
        .set('X-Authenticator', 'dingtalk')
        .set('Cookie', `dingtalk_binding=${planted}`)
        .send({ redirect: '/admin' });
      const minted = cookie(start, 'dingtalk_binding');
      expect(minted?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(minted?.value).not.toBe(planted);
      return { minted: minted?.value, callbackUrl: await approveAtDingTalk(h.emulator, start.body.data.url, person()) };
    };
    // Whoever planted the value, holding a callback URL that leaked, gets nothing (and the leaked URL is spent).
    const leaked = await startWithPlanted();
    const attacker = await h.app.agent().get(`${leaked.callbackUrl.pathname}${leaked.callbackUrl.search}`).set('Cookie', `dingtalk_binding=${planted}`);
    expect(landing(attacker).get('dingtalk_error')).toBe('STATE_INVALID');
    // The browser that started, holding what the server minted, signs in.
    const own = await startWithPlanted();
    const owner = await h.app.agent().get(`${own.callbackUrl.pathname}${own.callbackUrl.search}`).set('Cookie', `dingtalk_binding=${own.minted}`);
    expect(landing(owner).get('dingtalk_signin')).toBe('dingtalk');
  });

  it('G14 over HTTPS the binding is a __Host- cookie; a plain-named or duplicated binding cookie is refused', async () => {
    const start = await h.app.agent().post('/api/dingtalk:getAuthUrl').set('X-Authenticator', 'dingtalk').set('X-Forwarded-Proto', 'https').send({ redirect: '/admin' });
    const binding = cookie(start, '__Host-dingtalk_binding');
    expect(binding?.attributes).toMatch(/path=\/(;|$)/);
    expect(binding?.attributes).not.toMatch(/domain=/);
    expect(cookie(start, 'dingtalk_binding')).toBeUndefined();
    const callbackUrl = await approveAtDingTalk(h.emulator, start.body.data.url, person());
    const follow = (cookies: string) =>
      h.app.agent().get(`${callbackUrl.pathname}${callbackUrl.search}`).set('X-Forwarded-Proto', 'https').set('Cookie', cookies);
    // What a sibling subdomain or a plain-HTTP page can set: a cookie without the prefix, or a second one.
    expect(landing(await follow(`dingtalk_binding=${binding?.value}`)).get('dingtalk_error')).toBe('COOKIE_MISSING');
    expect(landing(await follow(`__Host-dingtalk_binding=${newSecret()}; __Host-dingtalk_binding=${binding?.value}`)).get('dingtalk_error')).toBe('STATE_INVALID');
    expect(landing(await follow(`__Host-dingtalk_binding=${binding?.value}`)).get('dingtalk_signin')).toBe('dingtalk');
  });
});

describe('tickets are bound to the browser', () => {
  /** A browser's own binding: what the server minted when that browser started a sign-in. */
  async function bindingOfAnotherBrowser() {
    return cookie(await startSignIn(h.app.agent(), 'dingtalk', '/admin'), 'dingtalk_binding')?.value;
  }

  it('a sign-in ticket presented with another browser\'s binding cookie is refused', async () => {
    const browser = h.app.agent();
    const start = await startSignIn(browser, 'dingtalk', '/admin');
    const callbackUrl = await approveAtDingTalk(h.emulator, start.body.data.url, person());
    const ticket = cookie(await browser.get(`${callbackUrl.pathname}${callbackUrl.search}`), 'dingtalk_ticket')?.value;
    expect(ticket).toBeTruthy();
    const stolen = await h.app
      .agent()
      .post('/api/auth:signIn')
      .set('X-Authenticator', 'dingtalk')
      .set('Cookie', `dingtalk_ticket=${ticket}; dingtalk_binding=${await bindingOfAnotherBrowser()}`)
      .send({});
    expect(stolen.status).toBe(401);
    expect(stolen.body.errors[0].code).toBe('TICKET_INVALID');
  });

  it('a link ticket presented with another browser\'s binding cookie is refused, even for the same user', async () => {
    const user = await h.app.db.getRepository('users').create({ values: { nickname: 'Cookie linker', password: 'secret-pass-1' } });
    const browser = await h.app.agent().login(user);
    const start = await browser.post('/api/dingtalk:getLinkUrl').set('X-Authenticator', 'dingtalk').send({ redirect: '/admin/profile' });
    const binding = cookie(start, 'dingtalk_binding')?.value;
    const callbackUrl = await approveAtDingTalk(h.emulator, start.body.data.url, person());
    const callback = await h.app.agent().get(`${callbackUrl.pathname}${callbackUrl.search}`).set('Cookie', `dingtalk_binding=${binding}`);
    const ticket = cookie(callback, 'dingtalk_link_ticket')?.value;
    expect(ticket).toBeTruthy();
    const elsewhere = await h.app.agent().login(user);
    const res = await elsewhere
      .post('/api/dingtalk:completeLink')
      .set('Cookie', `dingtalk_link_ticket=${ticket}; dingtalk_binding=${await bindingOfAnotherBrowser()}`)
      .send({ authenticator: 'dingtalk' });
    expect(res.body.errors[0].code).toBe('TICKET_INVALID');
    expect(await h.app.db.getRepository('usersAuthenticators').count({ filter: { userId: user.get('id') } })).toBe(0);
  });
});

describe('a page open at another address than APP_URL', () => {
  it('the start goes through the configured address, where the binding cookie is set and the callback lands', async () => {
    // The page is at 127.0.0.1 while APP_URL names nocobase.test: its cookies would not reach the callback.
    const page = await h.app
      .agent()
      .post('/api/dingtalk:getAuthUrl')
      .set('X-Authenticator', 'dingtalk')
      .set('Origin', 'http://127.0.0.1:13000')
      .send({ redirect: '/admin/x' });
    const startUrl = new URL(page.body.data.url);
    expect(startUrl.origin).toBe(APP_URL);
    expect(startUrl.pathname).toBe('/api/dingtalk:start');
    expect(startUrl.searchParams.get('authenticator')).toBe('dingtalk');
    expect(cookie(page, 'dingtalk_binding')).toBeUndefined();

    // The browser opens it as a page of the configured address.
    const browser = h.app.agent();
    const start = await browser.get(`${startUrl.pathname}${startUrl.search}`);
    expect(start.status).toBe(302);
    expect(start.headers['cache-control']).toBe('no-store');
    const dingtalk = new URL(String(start.headers.location));
    expect(dingtalk.pathname).toBe('/oauth2/auth');
    expect(cookie(start, 'dingtalk_binding')?.value).toBeTruthy();
    const callback = await browser.get(
      (({ pathname, search }) => `${pathname}${search}`)(await approveAtDingTalk(h.emulator, dingtalk.toString(), person())),
    );
    expect(landing(callback).get('dingtalk_signin')).toBe('dingtalk');
    expect(new URL(String(callback.headers.location), APP_URL).pathname).toBe('/admin/x');
    expect((await browser.post('/api/auth:signIn').set('X-Authenticator', 'dingtalk').send({})).status).toBe(200);
  });

  it('a page at the configured address starts directly, and a refused start page comes back with the reason', async () => {
    const same = await h.app.agent().post('/api/dingtalk:getAuthUrl').set('X-Authenticator', 'dingtalk').set('Origin', APP_URL).send({});
    expect(new URL(same.body.data.url).pathname).toBe('/oauth2/auth');
    const refused = await h.app.agent().get('/api/dingtalk:start?authenticator=nope&redirect=%2F%2Fevil.example');
    expect(refused.status).toBe(302);
    expect(landing(refused).get('dingtalk_error')).toBe('AUTHENTICATOR_INVALID');
    expect(landing(refused).get('dingtalk_authenticator')).toBe('nope');
    expect(landing(refused).get('redirect')).toBe('/admin');
  });

  it('a callback in a browser without the binding cookie says so, under the button that started it', async () => {
    const start = await startSignIn(h.app.agent(), 'dingtalk', '/admin');
    const callbackUrl = await approveAtDingTalk(h.emulator, start.body.data.url, person());
    const res = await h.app.agent().get(`${callbackUrl.pathname}${callbackUrl.search}`);
    expect(landing(res).get('dingtalk_error')).toBe('COOKIE_MISSING');
    expect(landing(res).get('dingtalk_authenticator')).toBe('dingtalk');
  });
});
