import { describe, expect, it } from 'vitest';
import { OneTimeStore, newSecret, safeEqual, type CacheLike } from '../one-time-store';
import { Sealer } from '../sealed';

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

const sealer = new Sealer(() => 'unit-test-app-key');

function storeOf<T>(cache = new MapCache(), now?: () => number, ttl = 60_000, prefix = 'test') {
  return new OneTimeStore<T>(sealer, cacheOf(cache), prefix, () => ttl, now);
}

describe('one-time values (checklist A2, A4, A8, G3)', () => {
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

  it('A2 redeems a value once', async () => {
    const store = storeOf<{ n: number }>();
    const token = store.issue({ n: 1 });
    expect(await store.consume(token)).toEqual({ n: 1 });
    expect(await store.consume(token)).toBeNull();
  });

  it('A2 lets exactly one of many concurrent consumers win', async () => {
    const store = storeOf<string>();
    const token = store.issue('value');
    const results = await Promise.all(Array.from({ length: 20 }, () => store.consume(token)));
    expect(results.filter((r) => r === 'value')).toHaveLength(1);
  });

  it('A4 tolerates 30 s of clock skew between the issuing and the checking node, not more', async () => {
    let clock = 1_000_000;
    const cache = new MapCache();
    const store = storeOf<string>(cache, () => clock, 600_000);
    const early = store.issue('a');
    const late = store.issue('b');
    clock += 600_000 + 20_000;
    expect(await store.consume(early)).toBe('a');
    // The record of the use outlives every node's idea of the expiry.
    const used = clock;
    clock = used + 10_000 + 29_000;
    expect(store.used.size).toBe(1);
    clock = used + 20_000;
    expect(await store.consume(late)).toBeNull();
  });

  it('A5 refuses a tampered, truncated or forged value, one sealed for another purpose, or with another APP_KEY', async () => {
    const store = storeOf<string>();
    const token = store.issue('value');
    // Every character matters, the last one too (base64 has spare bits there).
    for (const i of [3, 10, token.length - 1]) {
      const flipped = `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
      expect(await store.consume(flipped)).toBeNull();
    }
    expect(await store.consume(token.slice(0, -2))).toBeNull();
    expect(await store.consume(newSecret())).toBeNull();
    expect(await store.consume(undefined)).toBeNull();
    expect(await storeOf<string>(new MapCache(), undefined, 60_000, 'other').consume(token)).toBeNull();
    const otherApp = new OneTimeStore<string>(new Sealer(() => 'another-app-key'), cacheOf(new MapCache()), 'test', () => 60_000);
    expect(await otherApp.consume(token)).toBeNull();
    expect(await store.consume(token)).toBe('value');
  });

  it('G3 issuing stores nothing, so a flood of issued values cannot evict a pending one', async () => {
    const cache = new MapCache();
    const store = storeOf<number>(cache);
    const pending = store.issue(-1);
    for (let i = 0; i < 10_000; i += 1) store.issue(i);
    expect(store.used.size).toBe(0);
    expect(await store.consume(pending)).toBe(-1);
    expect(store.used.size).toBe(1);
  });

  it("a use stays recorded however many others follow, in this process's table rather than NocoBase's 2,000-entry memory cache", async () => {
    const cache = new MapCache();
    const store = storeOf<number>(cache);
    const first = store.issue(-1);
    expect(await store.consume(first)).toBe(-1);
    for (let i = 0; i < 5_000; i += 1) expect(await store.consume(store.issue(i))).toBe(i);
    expect(await store.consume(first)).toBeNull();
    expect(cache.entries.size).toBe(0);
  });

  it('the table of uses forgets expired ids: after 20,000 uses and their lifetime it is back to its smallest size', async () => {
    let clock = 1_000_000;
    const store = storeOf<number>(new MapCache(), () => clock, 60_000);
    const smallest = store.used.bytes;
    for (let i = 0; i < 20_000; i += 1) expect(await store.consume(store.issue(i))).toBe(i);
    expect(store.used.size).toBe(20_000);
    expect(store.used.bytes).toBeGreaterThan(smallest);
    clock += 60_000 + 2 * 30_000 + 1_000;
    expect(store.used.size).toBe(0);
    expect(await store.consume(store.issue(1))).toBe(1);
    expect(store.used.size).toBe(1);
    expect(store.used.bytes).toBe(smallest);
  });

  it('D4 a use is recorded as a hash of a random id, never the value or the token', async () => {
    const store = storeOf<string>();
    const token = store.issue('secret-value');
    await store.consume(token);
    expect(store.usedKey('id')).toBe('test:used:id');
    expect(token).not.toContain('secret-value');
    expect(store.used.size).toBe(1);
  });
});
