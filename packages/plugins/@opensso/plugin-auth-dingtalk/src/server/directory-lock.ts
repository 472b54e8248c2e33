/**
 * One writer at a time per sync source: a full sync and the events applied between syncs take the same lock, across
 * the app's nodes when the cache is Redis (shared-lock.ts). Without it a catch-up sync and a "Sync now", or an event
 * and a sync, would write the same users and departments at once; on SQLite their transactions would also share its
 * one connection and fail.
 */
import type { LockLike } from './one-time-store';

/** Longer than any sync: a second "Sync now" of the same source waits for the first, then finds nothing to change. */
export const DIRECTORY_LOCK_TTL_MS = 60 * 60 * 1000;

export function withDirectoryLock<T>(lock: LockLike, sourceName: string, fn: () => Promise<T>): Promise<T> {
  return lock.runExclusive(`auth-dingtalk:directory-writes:${sourceName}`, fn, DIRECTORY_LOCK_TTL_MS);
}
