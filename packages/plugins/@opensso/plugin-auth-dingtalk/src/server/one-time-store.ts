/**
 * Single-use, expiring values (sign-in states, hand-off tickets). The value travels sealed (`sealed.ts`): nothing is
 * stored when one is issued, so no flood of issued values can evict another. What is stored is the fact that one was
 * used, from its first use until it expires: with NocoBase's cache in Redis (shared by every app node) by one atomic
 * `SET NX`, so two nodes racing with one value cannot both win; otherwise (one node) in this process's table of used
 * ids (`used-ids.ts`), where checking and recording are one synchronous step. No lock either way: NocoBase's local
 * lock manager keeps every key it is given for the life of the process.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { redisClientOf } from './redis-client';
import type { Sealer } from './sealed';
import { UsedIds } from './used-ids';

/** The part of NocoBase's Cache this store needs (`app.cache`). */
export interface CacheLike {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttlMs?: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
  /** The key the cache stores `key` under (its prefix added). */
  key?(key: string): string;
}


/**
 * The part of NocoBase's LockManager this plugin needs (`app.lockManager`). Always pass a TTL: NocoBase's local
 * lock releases itself after `ttlMs`, and an undefined TTL releases it at once.
 */
export interface LockLike {
  runExclusive<T>(key: string, fn: () => Promise<T>, ttlMs: number): Promise<T>;
}

/** Long enough for a cache or database round trip under load; the lock is released as soon as `fn` settles. */
export const LOCK_TTL_MS = 10_000;

/** 32 random bytes (256 bits), URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time equality of two strings of any length (hashing first makes the lengths equal). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** What a sealed value holds besides the value: when it expires, and a random id that records its use. */
interface Envelope<T> {
  v: T;
  /** Epoch ms, by the clock of the node that issued it. */
  e: number;
  n: string;
}

function isEnvelope<T>(value: unknown): value is Envelope<T> {
  const candidate = value as Partial<Envelope<T>> | undefined;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.e === 'number' && typeof candidate.n === 'string' && 'v' in candidate;
}

/**
 * The node that checks a value may not be the node that issued it: an expiry written with one node's clock is read
 * with another's. This much disagreement between app nodes is tolerated (checklist A4).
 */
export const CLOCK_SKEW_MS = 30_000;

export class OneTimeStore<T> {
  /** Uses recorded in this process when the cache is not Redis. */
  readonly used: UsedIds;

  constructor(
    private readonly sealer: Sealer,
    /** Looked up at each use: NocoBase may replace `app.cache` when the app restarts. */
    private readonly cache: () => CacheLike,
    /** Names the kind of value: sealed with it (a state never opens as a ticket) and prefixes its cache keys. */
    private readonly prefix: string,
    private readonly ttlMs: () => number,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.used = new UsedIds(now);
  }

  /** The sealed value, redeemable once until the lifetime ends. */
  issue(value: T): string {
    const envelope: Envelope<T> = { v: value, e: this.now() + this.ttlMs(), n: randomBytes(16).toString('base64url') };
    return this.sealer.seal(this.prefix, envelope);
  }

  /** The value of a genuine, unexpired token without using it (whether it was used is not checked). */
  peek(token: unknown): T | undefined {
    const envelope = this.sealer.open(this.prefix, token);
    return isEnvelope<T>(envelope) && envelope.e + CLOCK_SKEW_MS > this.now() ? envelope.v : undefined;
  }

  /** The value, the first time; null for anything forged, tampered with, expired or already used. */
  async consume(token: unknown): Promise<T | null> {
    const envelope = this.sealer.open(this.prefix, token);
    if (!isEnvelope<T>(envelope)) return null;
    const remaining = envelope.e + CLOCK_SKEW_MS - this.now();
    if (remaining <= 0) return null;
    // Until no node, however late its clock, would still accept the value.
    const first = await this.recordUse(envelope.n, remaining + CLOCK_SKEW_MS);
    return first ? envelope.v : null;
  }

  /** Records the first use of an id; false when it was already used. */
  private async recordUse(id: string, ttlMs: number): Promise<boolean> {
    const cache = this.cache();
    const redis = redisClientOf(cache);
    if (!redis) return this.used.add(id, ttlMs);
    const key = this.usedKey(id);
    return (await redis.set(cache.key?.(key) ?? key, '1', { NX: true, PX: Math.ceil(ttlMs) })) === 'OK';
  }

  /** The Redis key recording a use: the value's random id, which redeems nothing by itself. */
  usedKey(id: string): string {
    return `${this.prefix}:used:${id}`;
  }
}
