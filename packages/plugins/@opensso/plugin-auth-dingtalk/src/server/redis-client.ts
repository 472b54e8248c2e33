/**
 * The Redis client behind NocoBase's cache, when its store is Redis (`CACHE_DEFAULT_STORE=redis`): NocoBase's Cache
 * wraps cache-manager, whose Redis store exposes its node-redis client. The cache's own get/set cannot say "only if
 * absent", which is what deciding once for every app node needs.
 */

/** The calls of node-redis this plugin makes. */
export interface RedisClientLike {
  set(key: string, value: string, options: { NX: true; PX: number }): Promise<string | null>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
}

export function redisClientOf(cache: unknown): RedisClientLike | undefined {
  const store = (cache as { store?: { store?: { name?: unknown; client?: { set?: unknown } } } } | undefined)?.store?.store;
  const client = typeof store?.name === 'string' && store.name.startsWith('redis') ? store.client : undefined;
  return client && typeof client.set === 'function' ? (client as RedisClientLike) : undefined;
}
