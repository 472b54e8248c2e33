/**
 * The DingTalk module against the emulator over HTTP: each DingTalk answer of docs/dingtalk-api.md section 1 maps to
 * one of our codes, and every answer goes through a schema.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '@opensso/dingtalk-emulator';
import {
  buildAuthorizationUrl,
  exchangeAuthCode,
  getCurrentUser,
  hostsFromEnv,
  type DingTalkHosts,
} from '../dingtalk-api';
import { checkState, type VerifiedCallback } from '../callback-check';
import type { PendingSignIn } from '../flow-state';
import { newSecret, OneTimeStore, sha256, type CacheLike } from '../one-time-store';
import { Sealer } from '../sealed';
import { SignInError } from '../sign-in-error';

const client = { clientId: 'apitestclient', clientSecret: 'api-test-secret' };
let emulator: Emulator;
let hosts: DingTalkHosts;
const call = { timeoutMs: 1000 };

/** A map with NocoBase Cache's get/set/del, enough for the states' record of use. */
const used = new Map<string, unknown>();
const cache: CacheLike = {
  get: async (key) => used.get(key),
  set: async (key, value) => void used.set(key, value),
  del: async (key) => void used.delete(key),
};
const states = new OneTimeStore<PendingSignIn>(
  new Sealer(() => 'api-test-app-key'),
  () => cache,
  'auth-dingtalk:state',
  () => 60_000,
);

/**
 * A person approves at the emulator; its redirect, carrying a state this browser was issued, goes through the real
 * state check: the only way to a callback the code exchange accepts.
 */
async function mintCallback(identity = 'zhangsan'): Promise<VerifiedCallback> {
  const binding = newSecret();
  const state = states.issue({ purpose: 'signin', authenticator: 'api', returnPath: '/admin', binding: sha256(binding) });
  const res = await fetch(`${emulator.url}/oauth2/auth/approve`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      identity,
      client_id: client.clientId,
      redirect_uri: 'http://app.test/api/dingtalk:redirect',
      state,
      scope: 'openid',
    }),
    redirect: 'manual',
  });
  const query = Object.fromEntries(new URL(res.headers.get('location')!).searchParams);
  return checkState(query, { value: binding }, states);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SignInError);
    return (error as SignInError).code;
  }
  throw new Error('expected a SignInError');
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, clients: [client] });
  hosts = { loginUrl: emulator.url, apiUrl: emulator.url, oapiUrl: emulator.url };
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

describe('hosts and the authorization URL', () => {
  it('defaults to DingTalk and reads the three overrides', () => {
    expect(hostsFromEnv({})).toEqual({
      loginUrl: 'https://login.dingtalk.com',
      apiUrl: 'https://api.dingtalk.com',
      oapiUrl: 'https://oapi.dingtalk.com',
    });
    expect(hostsFromEnv({ DINGTALK_LOGIN_URL: 'http://a/', DINGTALK_API_URL: 'http://b', DINGTALK_OAPI_URL: 'http://c' })).toEqual({
      loginUrl: 'http://a',
      apiUrl: 'http://b',
      oapiUrl: 'http://c',
    });
  });

  it('encodes every parameter once', () => {
    const url = new URL(
      buildAuthorizationUrl(hosts, { clientId: 'id', redirectUri: 'https://x.test/api/dingtalk:redirect?__appName=a', state: 's&t' }),
    );
    expect(url.searchParams.get('redirect_uri')).toBe('https://x.test/api/dingtalk:redirect?__appName=a');
    expect(url.searchParams.get('state')).toBe('s&t');
    expect(url.searchParams.get('prompt')).toBe('consent');
  });
});

describe('code exchange and profile', () => {
  it('exchanges a code and reads the profile', async () => {
    const token = await exchangeAuthCode(hosts, { ...client, callback: await mintCallback() }, call);
    expect(token.accessToken).toBeTruthy();
    const profile = await getCurrentUser(hosts, token.accessToken, call);
    expect(profile.unionId).toBeTruthy();
    expect(profile.mobile).toBe('13800000001');
  });

  it('E4 a used code maps to DINGTALK_CODE_INVALID', async () => {
    const callback = await mintCallback();
    await exchangeAuthCode(hosts, { ...client, callback }, call);
    expect(await codeOf(exchangeAuthCode(hosts, { ...client, callback }, call))).toBe('DINGTALK_CODE_INVALID');
  });

  it('E4 a wrong client secret maps to DINGTALK_CREDENTIALS_INVALID', async () => {
    const callback = await mintCallback();
    expect(await codeOf(exchangeAuthCode(hosts, { ...client, clientSecret: 'wrong', callback }, call))).toBe(
      'DINGTALK_CREDENTIALS_INVALID',
    );
  });

  it('E4 a bad access token maps to DINGTALK_TOKEN_INVALID', async () => {
    expect(await codeOf(getCurrentUser(hosts, 'not-a-token', call))).toBe('DINGTALK_TOKEN_INVALID');
  });

  it('E4 a 403 names the required scope', async () => {
    const token = await exchangeAuthCode(hosts, { ...client, callback: await mintCallback() }, call);
    emulator.setFault({ mode: 'forbidden', endpoint: 'me' });
    try {
      await getCurrentUser(hosts, token.accessToken, call);
      expect.unreachable();
    } catch (error) {
      expect((error as SignInError).code).toBe('DINGTALK_PERMISSION_DENIED');
      expect((error as SignInError).detail).toBe('Contact.User.Read');
      expect((error as SignInError).requestId).toBeTruthy();
    }
  });

  it('E4 rate limiting maps to DINGTALK_RATE_LIMITED', async () => {
    emulator.setFault({ mode: 'rate-limit', endpoint: 'userAccessToken' });
    expect(await codeOf(exchangeAuthCode(hosts, { ...client, callback: await mintCallback() }, call))).toBe('DINGTALK_RATE_LIMITED');
    emulator.setFault({ mode: 'rate-limit', endpoint: 'userAccessToken', status: 429 });
    expect(await codeOf(exchangeAuthCode(hosts, { ...client, callback: await mintCallback() }, call))).toBe('DINGTALK_RATE_LIMITED');
  });

  it('E2 the code exchange is not retried after a 5xx', async () => {
    emulator.setFault({ mode: 'server-error', endpoint: 'userAccessToken', times: 1 });
    expect(await codeOf(exchangeAuthCode(hosts, { ...client, callback: await mintCallback() }, call))).toBe('DINGTALK_UNAVAILABLE');
    expect(emulator.counters()['POST /v1.0/oauth2/userAccessToken']).toBe(1);
  });

  it('E2 the profile read is retried once after a 5xx or a reset connection', async () => {
    for (const mode of ['server-error', 'reset'] as const) {
      emulator.reset();
      const token = await exchangeAuthCode(hosts, { ...client, callback: await mintCallback() }, call);
      emulator.setFault({ mode, endpoint: 'me', times: 1 });
      const profile = await getCurrentUser(hosts, token.accessToken, call);
      expect(profile.unionId).toBeTruthy();
      expect(emulator.counters()['GET /v1.0/contact/users/me']).toBe(2);
    }
  });

  it('E2 gives up after two 5xx answers to the profile read', async () => {
    const token = await exchangeAuthCode(hosts, { ...client, callback: await mintCallback() }, call);
    emulator.setFault({ mode: 'server-error', endpoint: 'me' });
    expect(await codeOf(getCurrentUser(hosts, token.accessToken, call))).toBe('DINGTALK_UNAVAILABLE');
    expect(emulator.counters()['GET /v1.0/contact/users/me']).toBe(2);
  });

  it('E1 a hanging DingTalk is abandoned after the timeout, without a retry', async () => {
    const token = await exchangeAuthCode(hosts, { ...client, callback: await mintCallback() }, call);
    emulator.setFault({ mode: 'hang', endpoint: 'me' });
    const started = Date.now();
    expect(await codeOf(getCurrentUser(hosts, token.accessToken, { timeoutMs: 300 }))).toBe('DINGTALK_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(emulator.counters()['GET /v1.0/contact/users/me']).toBe(1);
  });

  it.each([
    ['garbage', undefined],
    ['bad-json', 'array'],
    ['bad-json', 'wrong-types'],
  ] as const)('E3 a %s (%s) answer maps to DINGTALK_BAD_RESPONSE', async (mode, variant) => {
    const token = await exchangeAuthCode(hosts, { ...client, callback: await mintCallback() }, call);
    emulator.setFault({ mode, endpoint: 'me', ...(variant ? { variant } : {}) });
    expect(await codeOf(getCurrentUser(hosts, token.accessToken, call))).toBe('DINGTALK_BAD_RESPONSE');
  });

  it('E3 a profile without unionId maps to PROFILE_INCOMPLETE', async () => {
    const token = await exchangeAuthCode(hosts, { ...client, callback: await mintCallback() }, call);
    emulator.setFault({ mode: 'bad-json', endpoint: 'me', variant: 'missing-field' });
    expect(await codeOf(getCurrentUser(hosts, token.accessToken, call))).toBe('PROFILE_INCOMPLETE');
  });

  it('E3 a garbled token answer maps to DINGTALK_BAD_RESPONSE', async () => {
    emulator.setFault({ mode: 'garbage', endpoint: 'userAccessToken' });
    expect(await codeOf(exchangeAuthCode(hosts, { ...client, callback: await mintCallback() }, call))).toBe('DINGTALK_BAD_RESPONSE');
  });
});
