/**
 * The gate on a real axios instance, with an interceptor standing for NocoBase's auth middleware (registered first,
 * as the host's is): a held request leaves after the gate opens, with the token set meanwhile.
 */
import axios, { type InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it } from 'vitest';
import { holdRequestsUntil, LANDING_REQUEST, type RequestInterceptors } from '../request-gate';

function client() {
  const state = { token: '' };
  const sent: { url?: string; authorization?: string }[] = [];
  const instance = axios.create({
    adapter: async (config) => {
      sent.push({ url: config.url, authorization: config.headers.Authorization as string | undefined });
      return { data: {}, status: 200, statusText: 'OK', headers: {}, config };
    },
  });
  instance.interceptors.request.use((config: InternalAxiosRequestConfig) => {
    if (state.token) config.headers.Authorization = `Bearer ${state.token}`;
    return config;
  });
  return { instance, state, sent };
}

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('holdRequestsUntil', () => {
  it("holds the host's requests until the landing settles, and they leave with the token it set", async () => {
    const { instance, state, sent } = client();
    const landing = deferred();
    let waited = 0;
    holdRequestsUntil(instance as unknown as RequestInterceptors, landing.promise, () => (waited += 1));
    expect(waited).toBe(0);
    const check = instance.get('auth:check');
    void instance.get('roles:check');
    const own = await instance.request({ url: 'auth:signIn', method: 'post', [LANDING_REQUEST]: true } as object);
    expect(own.status).toBe(200);
    await wait(20);
    expect(sent.map((r) => r.url)).toEqual(['auth:signIn']);
    expect(waited).toBe(1);
    state.token = 'tok';
    landing.resolve();
    await check;
    await wait(10);
    expect(sent.map((r) => [r.url, r.authorization])).toEqual([
      ['auth:signIn', undefined],
      ['auth:check', 'Bearer tok'],
      ['roles:check', 'Bearer tok'],
    ]);
  });

  it('opens on a failed landing too, and is gone once open', async () => {
    const { instance, sent } = client();
    const landing = deferred();
    holdRequestsUntil(instance as unknown as RequestInterceptors, landing.promise);
    const check = instance.get('auth:check');
    landing.reject(new Error('refused'));
    await check;
    await instance.get('roles:check');
    expect(sent.map((r) => r.url)).toEqual(['auth:check', 'roles:check']);
    const handlers = (instance.interceptors.request as unknown as { handlers: unknown[] }).handlers.filter(Boolean);
    expect(handlers).toHaveLength(1);
  });
});
