import { describe, expect, it } from 'vitest';
import { OneTimeStore, newSecret, safeEqual, type CacheLike, type LockLike } from '../one-time-store';

/** A map with NocoBase Cache's get/set/del and TTLs in milliseconds. */
class MapCache implements CacheLike {
  readonly entries = new Map<string, { value: unknown; until: number }>();
  async get(key: string) {
    const entry = this.entries.get(key);
    return entry && entry.until > Date.now() ? entry.value : undefined;
  }
  async set(key: string, value: unknown, ttl = 60_000) {
    this.entries.set(key, { value, until: Date.now() + ttl });
  }
  async del(key: string) {
    this.entries.delete(key);
  }
}

const cacheOf = (cache: MapCache) => () => cache;

/** Serialises callers per key, like NocoBase's local lock manager. */
class KeyLock implements LockLike {
  private tails = new Map<string, Promise<unknown>>();
  async runExclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    this.tails.set(key, next.catch(() => undefined));
    return next;
  }
}

describe('one-time secrets (checklist A2, A8)', () => {
  it('A8 mints 256-bit secrets', () => {
    const secret = newSecret();
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(new Set(Array.from({ length: 1000 }, newSecret)).size).toBe(1000);
  });

  it('A8 compares in constant time and answers correctly for any lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });

  it('A2 redeems a secret once', async () => {
    const store = new OneTimeStore<{ n: number }>(cacheOf(new MapCache()), new KeyLock(), 'test', () => 60_000);
    const secret = await store.issue({ n: 1 });
    expect(await store.consume(secret)).toEqual({ n: 1 });
    expect(await store.consume(secret)).toBeNull();
  });

  it('A2 lets exactly one of many concurrent consumers win', async () => {
    const store = new OneTimeStore<string>(cacheOf(new MapCache()), new KeyLock(), 'test', () => 60_000);
    const secret = await store.issue('value');
    const results = await Promise.all(Array.from({ length: 20 }, () => store.consume(secret)));
    expect(results.filter((r) => r === 'value')).toHaveLength(1);
  });

  it('A4 tolerates 30 s of clock skew between the issuing and the checking node, not more', async () => {
    const cache = new MapCache();
    let clock = 1_000_000;
    const store = new OneTimeStore<string>(cacheOf(cache), new KeyLock(), 'test', () => 600_000, () => clock);
    const early = await store.issue('a');
    const late = await store.issue('b');
    // The cache keeps entries long enough for the skew window.
    for (const entry of cache.entries.values()) expect(entry.until - Date.now()).toBeGreaterThan(600_000 + 29_000);
    clock += 600_000 + 20_000;
    expect(await store.consume(early)).toBe('a');
    clock += 20_000;
    expect(await store.consume(late)).toBeNull();
  });

  it('D4 keeps only a hash of the secret in the cache', async () => {
    const cache = new MapCache();
    const store = new OneTimeStore<string>(cacheOf(cache), new KeyLock(), 'test', () => 60_000);
    const secret = await store.issue('value');
    const [key] = cache.entries.keys();
    expect(key).not.toContain(secret);
    expect(key).toMatch(/^test:[0-9a-f]{64}$/);
  });

  it('refuses an unknown secret', async () => {
    const store = new OneTimeStore<string>(cacheOf(new MapCache()), new KeyLock(), 'test', () => 60_000);
    expect(await store.consume(newSecret())).toBeNull();
  });
});
