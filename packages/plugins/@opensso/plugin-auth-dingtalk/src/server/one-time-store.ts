/**
 * Single-use, expiring secrets (sign-in states, hand-off tickets) kept in NocoBase's cache, so any app node
 * can check them when the cache is shared (Redis in a cluster). Keys are SHA-256 hashes of the secret: a dump
 * of the cache holds nothing usable. Consumption runs under NocoBase's lock manager so two requests racing
 * with one secret cannot both win.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The part of NocoBase's Cache this store needs (`app.cache`). */
export interface CacheLike {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttlMs?: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
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

interface Envelope<T> {
  value: T;
  expiresAt: number;
}

/**
 * The node that checks a secret may not be the node that issued it: an `expiresAt` written with one node's clock
 * is read with another's. This much disagreement between app nodes is tolerated (checklist A4).
 */
export const CLOCK_SKEW_MS = 30_000;

export class OneTimeStore<T> {
  constructor(
    /** Looked up at each use: NocoBase may replace `app.cache` when the app restarts. */
    private readonly cache: () => CacheLike,
    private readonly lock: LockLike,
    private readonly prefix: string,
    private readonly ttlMs: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stores `value` and returns the secret that redeems it once. */
  async issue(value: T): Promise<string> {
    const secret = newSecret();
    const ttl = this.ttlMs();
    const envelope: Envelope<T> = { value, expiresAt: this.now() + ttl };
    await this.cache().set(this.key(secret), envelope, ttl + CLOCK_SKEW_MS);
    return secret;
  }

  /** Returns the stored value and forgets it; null for an unknown, used or expired secret. */
  async consume(secret: string): Promise<T | null> {
    const key = this.key(secret);
    const envelope = await this.lock.runExclusive(
      key,
      async () => {
        const cache = this.cache();
        const found = (await cache.get(key)) as Envelope<T> | undefined | null;
        if (found) await cache.del(key);
        return found ?? null;
      },
      LOCK_TTL_MS,
    );
    if (!envelope || typeof envelope.expiresAt !== 'number') return null;
    if (this.now() > envelope.expiresAt + CLOCK_SKEW_MS) return null;
    return envelope.value;
  }

  /** The cache key of a secret: a hash, so the cache never holds a usable secret. */
  key(secret: string): string {
    return `${this.prefix}:${sha256(secret)}`;
  }
}
