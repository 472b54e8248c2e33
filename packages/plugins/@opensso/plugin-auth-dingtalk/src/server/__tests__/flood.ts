/**
 * Floods for the abuse tests (checklist G3, G4): many requests through one listening server, and the G3 scenario
 * itself, run against NocoBase's cache in memory and in Redis.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'vitest';
import { APP_URL, Harness, approveAtDingTalk, followCallback, redeem, startSignIn } from './harness';

const MiB = 1024 * 1024;

/** `count` requests, `concurrency` at a time, through one listening server (faster than an agent per request). */
export async function flood(count: number, concurrency: number, request: (i: number) => Promise<Response>): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  for (let offset = 0; offset < count; offset += concurrency) {
    const answers = await Promise.all(
      Array.from({ length: Math.min(concurrency, count - offset) }, async (_, j) => {
        const res = await request(offset + j);
        await res.arrayBuffer();
        return res.status;
      }),
    );
    for (const status of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  return statuses;
}

/** `dingtalk:getAuthUrl` as a browser behind a proxy at `address` would call it. */
export const startFrom = (url: string, address: string) =>
  fetch(`${url}/api/dingtalk:getAuthUrl`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-authenticator': 'dingtalk', 'x-forwarded-for': address },
    body: JSON.stringify({ redirect: '/admin' }),
  });

/** Heap in use after a full collection (the flag is set at run time: vitest's workspace mode passes no node flags). */
export function heapMiB() {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed / MiB;
}

/**
 * One person waits at DingTalk's page (state issued), another between the callback and the sign-in (ticket); 5,000
 * strangers from 5,000 addresses start sign-ins; both people then finish. Prints the figures.
 */
export async function survivesFlood(target: Harness, url: string, person: () => Record<string, string>, store: string) {
  const waiting = target.app.agent();
  const waitingCallback = await approveAtDingTalk(target.emulator, (await startSignIn(waiting, 'dingtalk', '/admin')).body.data.url, person());
  const holder = target.app.agent();
  const holderCallback = await approveAtDingTalk(target.emulator, (await startSignIn(holder, 'dingtalk', '/admin')).body.data.url, person());
  expect(new URL((await followCallback(holder, holderCallback)).headers.location, APP_URL).searchParams.get('dingtalk_signin')).toBe('dingtalk');

  const before = { heap: heapMiB(), keys: (await target.app.cache.keys()).length };
  const statuses = await flood(5000, 50, (i) => startFrom(url, `198.18.${i >> 8}.${i & 255}`));
  const after = { heap: heapMiB(), keys: (await target.app.cache.keys()).length };
  console.log(
    `G3 flood (${store} cache): 5000 starts from 5000 addresses → ${JSON.stringify(Object.fromEntries(statuses))}; ` +
      `cache entries ${before.keys} → ${after.keys}; heap ${before.heap.toFixed(1)} → ${after.heap.toFixed(1)} MiB`,
  );
  expect(statuses.get(200)).toBe(5000);
  // A start writes nothing to the cache: the flood added no entry that could push another out, or pile up.
  expect(after.keys).toBeLessThanOrEqual(before.keys);
  expect(after.heap - before.heap).toBeLessThan(64);

  const finished = await followCallback(waiting, waitingCallback);
  expect(new URL(finished.headers.location, APP_URL).searchParams.get('dingtalk_signin')).toBe('dingtalk');
  expect((await redeem(waiting)).status).toBe(200);
  expect((await redeem(holder)).status).toBe(200);
}

