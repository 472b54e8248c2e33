/**
 * Issue "works wherever NocoBase runs", cluster: a state or ticket is used once across app nodes. Two nodes share
 * NocoBase's cache in Redis (NocoBase's own CacheManager on a private redis-server) and each has a lock of its own,
 * as NocoBase's in-process lock manager is: the one-time store must not rely on the lock to decide.
 */
import { CacheManager } from '@nocobase/cache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheLike, LockLike } from '../one-time-store';
import { OneTimeStore } from '../one-time-store';
import { Sealer } from '../sealed';
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
let managers: CacheManager[] = [];
let nodes: Array<OneTimeStore<string>>;

beforeAll(async () => {
  redis = await startRedis();
  // Both nodes derive the key from the same APP_KEY, as a cluster must.
  const sealer = () => new Sealer(() => 'cluster-app-key');
  nodes = [];
  for (let i = 0; i < 2; i += 1) {
    const manager = new CacheManager({ defaultStore: 'redis', stores: { redis: { url: redis.url } } });
    managers.push(manager);
    const cache = (await manager.createCache({ name: 'default' })) as unknown as CacheLike;
    nodes.push(new OneTimeStore<string>(sealer(), () => cache, new NodeLock(), 'auth-dingtalk:state', () => 60_000));
  }
}, 30_000);

afterAll(async () => {
  for (const manager of managers) await manager.close();
  managers = [];
  await redis?.stop();
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
