/**
 * Which node applies a directory event: the first to claim its id. DingTalk sends an event again until one
 * connection acknowledges it, and a node can apply an event and lose its connection before the acknowledgement
 * leaves: the redelivery, maybe to another node, then finds the claim and is only acknowledged. With NocoBase's
 * cache in Redis the claim is one `SET NX` shared by every node; with the in-memory cache (one node) it is a map.
 */
import type { EventClaims } from './directory-stream';
import type { CacheLike } from './one-time-store';
import { redisClientOf } from './redis-client';

/** Longer than DingTalk keeps sending an unacknowledged event. */
const CLAIM_TTL_MS = 24 * 60 * 60 * 1000;
const SWEEP_ABOVE = 1000;

export function eventClaims(cache: () => CacheLike, prefix: string): EventClaims {
  const local = new Map<string, number>();
  const key = (eventId: string) => `${prefix}:event:${eventId}`;
  return {
    async claim(eventId) {
      const redis = redisClientOf(cache());
      if (redis) return (await redis.set(key(eventId), '1', { NX: true, PX: CLAIM_TTL_MS })) === 'OK';
      const now = Date.now();
      if (local.size > SWEEP_ABOVE) for (const [id, until] of local) if (until <= now) local.delete(id);
      if ((local.get(eventId) ?? 0) > now) return false;
      local.set(eventId, now + CLAIM_TTL_MS);
      return true;
    },
    async release(eventId) {
      const redis = redisClientOf(cache());
      if (redis) await redis.del(key(eventId));
      local.delete(eventId);
    },
  };
}
