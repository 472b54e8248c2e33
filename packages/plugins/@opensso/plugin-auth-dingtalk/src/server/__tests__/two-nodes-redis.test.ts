/**
 * Issue "works wherever NocoBase runs", cluster: a state or ticket is used once across app nodes. Two nodes share
 * NocoBase's cache in Redis (NocoBase's own CacheManager on a private redis-server) and each has a lock of its own,
 * as NocoBase's in-process lock manager is: the one-time store must not rely on the lock to decide.
 */
import { CacheManager } from '@nocobase/cache';
import { startEmulator, type Emulator } from '@opensso/dingtalk-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppTokenCache } from '../app-token';
import type { CacheLike, LockLike } from '../one-time-store';
import { OneTimeStore } from '../one-time-store';
import { Sealer } from '../sealed';
import { sharedLock } from '../shared-lock';
import type { DirectoryEvent } from '../directory-events';
import { StreamSubscription } from '../directory-stream';
import { eventClaims } from '../event-claims';
import { CLIENT_ID, CLIENT_SECRET } from './harness';
import { Redis, startRedis } from './redis';

/** A node's own lock: serialises its callers per key, and knows nothing of the other node. */
class NodeLock implements LockLike {
  private tails = new Map<string, Promise<unknown>>();
  async runExclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    this.tails.set(key, next.catch(() => undefined));
    return next;
  }
}

let redis: Redis;
let emulator: Emulator;
let managers: CacheManager[] = [];
let nodes: Array<OneTimeStore<string>>;
/** Each node's app-token cache: its own lock manager, the shared Redis. */
let appTokens: AppTokenCache[];
/** Each node's NocoBase cache on the shared Redis. */
let caches: CacheLike[];

beforeAll(async () => {
  redis = await startRedis();
  emulator = await startEmulator({ port: 0, clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] });
  // Both nodes derive the key from the same APP_KEY, as a cluster must.
  const sealer = () => new Sealer(() => 'cluster-app-key');
  nodes = [];
  appTokens = [];
  caches = [];
  for (let i = 0; i < 2; i += 1) {
    const manager = new CacheManager({ defaultStore: 'redis', stores: { redis: { url: redis.url } } });
    managers.push(manager);
    const cache = (await manager.createCache({ name: 'default' })) as unknown as CacheLike;
    caches.push(cache);
    const lock = new NodeLock();
    nodes.push(new OneTimeStore<string>(sealer(), () => cache, 'auth-dingtalk:state', () => 60_000));
    appTokens.push(new AppTokenCache(() => cache, sharedLock(() => cache, lock)));
  }
}, 30_000);

afterAll(async () => {
  for (const manager of managers) await manager.close();
  managers = [];
  await redis?.stop();
  await emulator?.close();
});

describe('one-time values across two nodes sharing Redis', () => {
  it('a state minted on node A is redeemed on node B, once', async () => {
    const state = nodes[0].issue('pending sign-in');
    expect(await nodes[1].consume(state)).toBe('pending sign-in');
    expect(await nodes[0].consume(state)).toBeNull();
    expect(await nodes[1].consume(state)).toBeNull();
  });

  it('one state sent to A and B at the same moment, 30 times: exactly one use wins each time', async () => {
    const winners: number[] = [];
    for (let trial = 0; trial < 30; trial += 1) {
      const state = nodes[trial % 2].issue(`trial ${trial}`);
      const results = await Promise.all([nodes[0].consume(state), nodes[1].consume(state), nodes[0].consume(state), nodes[1].consume(state)]);
      winners.push(results.filter((value) => value === `trial ${trial}`).length);
    }
    expect(winners).toEqual(Array.from({ length: 30 }, () => 1));
  });
});

describe('the organization app token across two nodes sharing Redis', () => {
  it('20 in-app sign-ins arriving together, split across the nodes, fetch the app token once', async () => {
    const hosts = { loginUrl: emulator.url, apiUrl: emulator.url, oapiUrl: emulator.url };
    const credentials = { appKey: CLIENT_ID, appSecret: CLIENT_SECRET };
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => appTokens[i % 2].get(credentials, hosts, { timeoutMs: 3000 })),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(emulator.counters()['POST /v1.0/oauth2/accessToken'] ?? 0).toBe(1);
  });
});

describe('directory events across two nodes sharing Redis', () => {
  it('each node keeps a Stream connection; every event is applied once, a redelivery to the other node included', async () => {
    const applied: Array<{ node: number; eventId: string }> = [];
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    const subscriptions = caches.map(
      (cache, node) =>
        new StreamSubscription({
          hosts: { loginUrl: emulator.url, apiUrl: emulator.url, oapiUrl: emulator.url },
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          callOptions: { timeoutMs: 2000 },
          apply: async (event: DirectoryEvent) => {
            if (first) {
              // The first event's node is slow: the gateway gives it to the other node meanwhile.
              first = false;
              await slow;
            }
            applied.push({ node, eventId: event.eventId });
          },
          catchUp: async () => undefined,
          claims: eventClaims(() => cache, 'auth-dingtalk:directory'),
          logger: { info: () => undefined, warn: () => undefined },
        }),
    );
    for (const subscription of subscriptions) subscription.start();
    try {
      const until = async (check: () => boolean) => {
        const deadline = Date.now() + 20_000;
        while (!check()) {
          if (Date.now() > deadline) throw new Error('timed out');
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      };
      await until(() => emulator.streamConnections().length === 2);
      const slowEvent = emulator.publishStreamEvent({ eventType: 'user_modify_org', data: { userId: ['u0'] } });
      await until(() => emulator.streamEvents()[0].sentTo.length === 2 && emulator.streamEvents()[0].status === 'acked');
      release();
      const ids = [slowEvent.eventId, ...Array.from({ length: 30 }, (_, i) => emulator.publishStreamEvent({ eventType: 'user_add_org', data: { userId: [`u${i + 1}`] } }).eventId)];
      await until(() => applied.length >= ids.length && emulator.streamEvents().every((event) => event.status === 'acked'));
      expect(applied.map((entry) => entry.eventId).sort()).toEqual([...ids].sort());
      // Both nodes took a share.
      expect(new Set(applied.map((entry) => entry.node)).size).toBe(2);
    } finally {
      for (const subscription of subscriptions) subscription.stop();
    }
  }, 30_000);
});
