/**
 * Flat memory (issue 10, goal 3) and the single use it must not cost: what a used state or ticket leaves behind in
 * a real app whose cache is in memory (one node), and that a use stays recorded whatever else the app caches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COOKIES } from '../../constants';
import {
  Harness,
  approveAtDingTalk,
  createAuthenticator,
  followCallback,
  people,
  startHarness,
  startSignIn,
} from './harness';
import { oneTimeStoreMemoryCheck } from './memory-check';
import { identityLockKey } from '../user-resolver';

let h: Harness;

const person = people('内存', '1330078');

beforeAll(async () => {
  h = await startHarness();
  await createAuthenticator(h.app);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

function cookieValue(setCookie: string[] | string | undefined, name: string): string {
  const line = ([] as string[]).concat(setCookie ?? []).find((cookie) => cookie.startsWith(`${name}=`));
  if (!line) throw new Error(`no ${name} cookie was set`);
  return line.slice(name.length + 1).split(';')[0];
}

/** A browser that went through DingTalk: the binding and ticket cookies the callback left, not yet redeemed. */
async function ticketCookies(): Promise<string> {
  const browser = h.app.agent();
  const start = await startSignIn(browser);
  const callback = await followCallback(browser, await approveAtDingTalk(h.emulator, start.body.data.url, person()));
  const binding = cookieValue(start.headers['set-cookie'], COOKIES.binding);
  const ticket = cookieValue(callback.headers['set-cookie'], COOKIES.ticket);
  return `${COOKIES.binding}=${binding}; ${COOKIES.ticket}=${ticket}`;
}

/** `auth:signIn` from a fresh client carrying exactly these cookies (a replay, or one of many at once). */
function redeemWith(cookies: string) {
  return h.app.agent().post('/api/auth:signIn').set('X-Authenticator', 'dingtalk').set('Cookie', cookies).send({});
}

describe('one-time values in a one-node app (issue 10)', () => {
  it('of ten redeems of one ticket at once exactly one signs in', async () => {
    const cookies = await ticketCookies();
    const answers = await Promise.all(Array.from({ length: 10 }, () => redeemWith(cookies)));
    const statuses = answers.map((res) => res.status).sort();
    console.log(`ten redeems of one ticket at once: ${JSON.stringify(statuses)}`);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(9);
  });

  it("a redeemed ticket stays spent after the app's memory cache took 2,100 other entries (it keeps 2,000)", async () => {
    const cookies = await ticketCookies();
    expect((await redeemWith(cookies)).status).toBe(200);
    for (let i = 0; i < 2_100; i += 1) await h.app.cache.set(`memory-test:filler:${i}`, i);
    const replay = await redeemWith(cookies);
    expect(replay.status).toBe(401);
  });

  it('100,000 states and 100,000 tickets issued and consumed: heap within 20 MiB, no lock key left behind', async () => {
    const figures = await oneTimeStoreMemoryCheck(h.app, 100_000);
    console.log(
      `memory check: ${figures.cycles} states and tickets; heap ${figures.heapBeforeMiB.toFixed(1)} → ` +
        `${figures.heapAfterMiB.toFixed(1)} MiB (${figures.heapGrowthMiB.toFixed(1)} MiB), array buffers ` +
        `+${figures.arrayBuffersGrowthMiB.toFixed(1)} MiB, lock keys ${figures.lockKeysBefore} → ${figures.lockKeysAfter}, ` +
        `used ids held ${figures.usedIds} in ${(figures.usedIdBytes / 1024 / 1024).toFixed(1)} MiB`,
    );
    expect(figures.heapGrowthMiB).toBeLessThan(20);
    expect(figures.lockKeysAfter).toBe(figures.lockKeysBefore);
    // Every use is still within its lifetime, so every one is held, in about 12 bytes a slot.
    expect(figures.usedIds).toBe(200_000);
    expect(figures.usedIdBytes).toBeLessThan(16 * 1024 * 1024);
  }, 240_000);

  it("first sign-ins take one of 256 lock keys, whatever the number of people (the lock manager keeps every key)", async () => {
    const keys = new Set(Array.from({ length: 10_000 }, (_, i) => identityLockKey('dingtalk', `union-${i}`)));
    expect(keys.size).toBe(256);
  });
});
