// The flows the bench times, over HTTP as a browser (or NocoBase's own client) makes them: no step is skipped and
// nothing is called in-process. Each returns `{ ok: true }` or `{ ok: false, code }`, the code being the plugin's
// error code when there is one (`TRY_AGAIN`), else `HTTP_<status>` or the network error's name.
import { AUTHENTICATOR, ADMIN } from './stack.mjs';

/** One browser's cookies, kept by hand (fetch keeps none). */
export class CookieJar {
  cookies = new Map();
  absorb(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1);
      if (value && !/max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.set(name, value);
      else this.cookies.delete(name);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async fetch(url, init = {}) {
    const res = await fetch(url, { signal: timeout(), ...init, redirect: 'manual', headers: { ...init.headers, cookie: this.header() } });
    this.absorb(res);
    return res;
  }
}

/**
 * No answer within this long counts as a failure (`TIMEOUT`) rather than holding the run: a person would have given
 * up long before.
 */
const TIMEOUT_MS = Number(process.env.BENCH_REQUEST_TIMEOUT_MS || 60_000);
const timeout = () => AbortSignal.timeout(TIMEOUT_MS);

class FlowError extends Error {
  constructor(code) {
    super(code);
    this.code = code;
  }
}

async function errorCode(res) {
  const body = await res.json().catch(() => null);
  return body?.errors?.[0]?.code || `HTTP_${res.status}`;
}

async function expectOk(res) {
  if (res.ok) return res.json();
  throw new FlowError(await errorCode(res));
}

/** Runs a flow and turns whatever went wrong into a code. */
export async function outcome(flow) {
  try {
    await flow();
    return { ok: true };
  } catch (error) {
    if (error instanceof FlowError) return { ok: false, code: error.code };
    if (error?.name === 'TimeoutError') return { ok: false, code: 'TIMEOUT' };
    return { ok: false, code: error?.cause?.code || error?.name || 'ERROR' };
  }
}

const json = (body, headers = {}) => ({
  method: 'POST',
  signal: timeout(),
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** `auth:signIn` with the password form's body. */
export async function passwordSignIn(appUrl, account = ADMIN) {
  const data = await expectOk(await fetch(`${appUrl}/api/auth:signIn`, json({ account: account.email, password: account.password }, { 'x-authenticator': 'basic' })));
  if (!data?.data?.token) throw new FlowError('NO_TOKEN');
  return data.data.token;
}

/** `auth:check` as a signed-in page asks it. */
export async function authCheck(appUrl, token) {
  const res = await fetch(`${appUrl}/api/auth:check`, { signal: timeout(), headers: { authorization: `Bearer ${token}`, 'x-authenticator': 'basic' } });
  const data = await expectOk(res);
  if (!data?.data?.id) throw new FlowError('NOT_SIGNED_IN');
}

/**
 * The whole DingTalk sign-in of one person: start (`dingtalk:getAuthUrl`), the person approves at DingTalk (the
 * emulator's approve form, as its login page posts it), the callback, then the redemption of the ticket
 * (`auth:signIn` with the `dingtalk` authenticator) unless the callback landed on an error. Returns the token;
 * `steps`, when given, receives each step's own time in ms (`steps.start`, `.callback`, `.redeem`: arrays).
 */
export async function dingTalkSignIn({ appUrl, emulatorUrl }, identity, steps) {
  const jar = new CookieJar();
  const timed = async (step, request) => {
    const began = performance.now();
    const res = await request();
    if (steps) (steps[step] ??= []).push(performance.now() - began);
    return res;
  };
  const start = await expectOk(await timed('start', () => jar.fetch(`${appUrl}/api/dingtalk:getAuthUrl`, json({ redirect: '/admin' }, { 'x-authenticator': AUTHENTICATOR }))));
  const auth = new URL(start.data.url);
  const approve = await fetch(`${emulatorUrl}/oauth2/auth/approve`, {
    ...json({
      redirect_uri: auth.searchParams.get('redirect_uri'),
      client_id: auth.searchParams.get('client_id'),
      state: auth.searchParams.get('state'),
      scope: auth.searchParams.get('scope'),
      ...(typeof identity === 'string' ? { identity } : identity),
    }),
    redirect: 'manual',
  });
  if (approve.status !== 302) throw new FlowError(`EMULATOR_${approve.status}`);
  const callback = new URL(approve.headers.get('location'));
  // The callback is where the plugin asks DingTalk and finds (or creates) the user.
  const landed = await timed('callback', async () => {
    const res = await jar.fetch(`${appUrl}${callback.pathname}${callback.search}`);
    await res.arrayBuffer();
    return res;
  });
  if (landed.status !== 302) throw new FlowError(`CALLBACK_HTTP_${landed.status}`);
  const landing = new URL(landed.headers.get('location') ?? '', appUrl);
  const failed = landing.searchParams.get('dingtalk_error');
  if (failed) throw new FlowError(failed);
  // The redemption is NocoBase's own token issuance (its JWT and `issuedTokens` row) around the plugin's ticket check.
  const signIn = await expectOk(await timed('redeem', () => jar.fetch(`${appUrl}/api/auth:signIn`, json({}, { 'x-authenticator': AUTHENTICATOR }))));
  if (!signIn?.data?.token) throw new FlowError('NO_TOKEN');
  return signIn.data.token;
}

/**
 * DingTalk people nobody has seen: distinct unionIds, and phone numbers of their own (`15…`), so each first
 * sign-in creates a user rather than matching one. `tag` keeps the runs of one database apart.
 */
export function newPeople(tag) {
  let seq = 0;
  return () => {
    seq += 1;
    return {
      nick: `Bench ${tag} ${seq}`,
      mobile: `15${String(seq).padStart(9, '0')}`,
      stateCode: '86',
      unionId: `bench${tag}union${seq}`,
      openId: `bench${tag}open${seq}`,
    };
  };
}

/** A DingTalk person whose mobile is an existing user's phone: the sign-in links that user (matching by phone). */
export function personWithPhone(tag, phone) {
  return { nick: `Phone ${phone}`, mobile: phone, stateCode: '86', unionId: `bench${tag}phone${phone}`, openId: `bench${tag}phoneopen${phone}` };
}
