import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';
import { approve, authorizeUrl, CLIENT_ID, REDIRECT_URI } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe('GET /oauth2/auth', () => {
  it('shows a login page listing every identity with stable data attributes', async () => {
    const res = await fetch(authorizeUrl(emu));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('DingTalk (emulator)');
    for (const identity of emu.identities()) {
      expect(html).toContain(`data-identity="${identity.id}"`);
      expect(html).toContain(identity.nick);
    }
    expect(html).toContain('data-action="cancel"');
    expect(html).toContain('data-action="approve-custom"');
    expect(html).toContain('action="/oauth2/auth/approve"');
    expect(html).toContain(`name="redirect_uri" value="${REDIRECT_URI}"`);
    expect(html).toContain('name="state" value="st-1"');
  });

  it('escapes the authorization parameters it echoes into the page', async () => {
    const res = await fetch(authorizeUrl(emu, { state: '"><script>alert(1)</script>' }));
    const html = await res.text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('escapes identity fields taken from the identities list', async () => {
    const other = await startEmulator({
      identities: [{ id: 'evil', nick: '<img src=x onerror=alert(1)>', unionId: 'u1', openId: 'o1', email: 'a"b@c.d' }],
    });
    try {
      const html = await (await fetch(authorizeUrl(other))).text();
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(html).toContain('a&quot;b@c.d');
    } finally {
      await other.close();
    }
  });

  it.each([
    ['an unknown client_id', { client_id: 'someone-else' }, /Unknown client_id/],
    ['a missing client_id', { client_id: undefined }, /Unknown client_id/],
    ['a relative redirect_uri', { redirect_uri: '/callback' }, /absolute URL/],
    ['a javascript: redirect_uri', { redirect_uri: 'javascript:alert(1)' }, /http or https/],
    ['a missing redirect_uri', { redirect_uri: undefined }, /Missing redirect_uri/],
    ['response_type token', { response_type: 'token' }, /response_type/],
    ['a scope without openid', { scope: 'corpid' }, /openid/],
  ])('answers %s with a 400 error page and no redirect', async (_label, params, message) => {
    const res = await fetch(authorizeUrl(emu, params), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toMatch(message);
  });

  it('enforces a registered redirect URI exactly when the client has one', async () => {
    const strict = await startEmulator({
      clients: [{ clientId: 'strict', clientSecret: 's', redirectUris: ['http://app.test/cb'] }],
    });
    try {
      expect((await fetch(authorizeUrl(strict, { client_id: 'strict', redirect_uri: 'http://app.test/cb' }))).status).toBe(200);
      expect((await fetch(authorizeUrl(strict, { client_id: 'strict', redirect_uri: 'http://app.test/cb2' }))).status).toBe(400);
    } finally {
      await strict.close();
    }
  });

  it('records prompt, scope and whether a state was sent in the log', async () => {
    await fetch(authorizeUrl(emu, { scope: 'openid corpid' }));
    await fetch(authorizeUrl(emu, { state: undefined, prompt: undefined }));
    const [first, second] = emu.log();
    expect(first).toMatchObject({ method: 'GET', path: '/oauth2/auth', status: 200, clientId: CLIENT_ID, prompt: 'consent', scope: 'openid corpid', statePresent: true });
    expect(second).toMatchObject({ statePresent: false });
    expect(second.prompt).toBeUndefined();
  });
});

describe('POST /oauth2/auth/approve', () => {
  it('redirects to redirect_uri with authCode and the unchanged state', async () => {
    const res = await approve(emu, { state: 'a b&c=d' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('authCode')).toMatch(/^[0-9a-f]{32}$/);
    expect(location.searchParams.get('state')).toBe('a b&c=d');
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('keeps the query string the redirect_uri already has', async () => {
    const res = await approve(emu, { redirect_uri: 'http://app.test/cb?authenticator=dingtalk&x=1' });
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('authenticator')).toBe('dingtalk');
    expect(location.searchParams.get('x')).toBe('1');
    expect(location.searchParams.get('authCode')).toBeTruthy();
  });

  it('leaves state out of the redirect when none was sent', async () => {
    const res = await approve(emu, { state: undefined });
    expect(new URL(res.headers.get('location') ?? '').searchParams.has('state')).toBe(false);
  });

  it('accepts the login page form encoding as well as JSON', async () => {
    const res = await approve(emu, { identity: 'lisi' }, 'form');
    expect(res.status).toBe(302);
    expect(emu.log().at(-1)).toMatchObject({ path: '/oauth2/auth/approve', status: 302, identity: 'lisi' });
  });

  it('cancel redirects with error=access_denied and the state, without a code', async () => {
    const res = await approve(emu, { action: 'cancel', identity: undefined }, 'form');
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('st-1');
    expect(location.searchParams.has('authCode')).toBe(false);
  });

  it('answers an unknown identity with a 400 error page', async () => {
    const res = await approve(emu, { identity: 'nobody' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('escapes what it echoes into the error page', async () => {
    const res = await approve(emu, { identity: '<script>x</script>' });
    const html = await res.text();
    expect(html).not.toContain('<script>x');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
  });

  it('re-checks the carried parameters instead of trusting the hidden fields', async () => {
    const res = await approve(emu, { client_id: 'forged' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    const bad = await approve(emu, { redirect_uri: 'ftp://app.test/cb' });
    expect(bad.status).toBe(400);
  });

  it('does not redirect a cancel whose redirect_uri is invalid', async () => {
    const res = await approve(emu, { action: 'cancel', redirect_uri: '//evil.example/cb' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('rejects a malformed JSON body with an error page', async () => {
    const res = await fetch(`${emu.url}/oauth2/auth/approve`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(res.status).toBe(400);
  });
});
