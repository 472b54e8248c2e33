/**
 * A lock that holds across app nodes when NocoBase's cache is in Redis. NocoBase 2.2's open-source lock manager is
 * in-process only, so on its own it lets each node fetch the organization's app token at the same moment. Within a
 * node, callers still queue on NocoBase's lock manager; across nodes, the node that sets the Redis key first runs,
 * the others wait for the key to go (or to expire, as NocoBase's own lock gives up after its TTL).
 */
import { randomBytes } from 'node:crypto';
import type { CacheLike, LockLike } from './one-time-store';
import { redisClientOf } from './redis-client';

const POLL_MS = 25;

export function sharedLock(cache: () => CacheLike, local: LockLike): LockLike {
  return {
    runExclusive<T>(key: string, fn: () => Promise<T>, ttlMs: number): Promise<T> {
      return local.runExclusive(
        key,
        async () => {
          const redis = redisClientOf(cache());
          if (!redis) return fn();
          const lockKey = `${key}:lock`;
          const owner = randomBytes(16).toString('base64url');
          const deadline = Date.now() + ttlMs;
          while ((await redis.set(lockKey, owner, { NX: true, PX: ttlMs })) !== 'OK' && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          }
          try {
            return await fn();
          } finally {
            // Only our own key: past its TTL it may be another node's by now.
            if ((await redis.get(lockKey)) === owner) await redis.del(lockKey);
          }
        },
        ttlMs,
      );
    },
  };
}
