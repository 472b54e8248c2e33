/**
 * Checklist G3 with NocoBase's cache in Redis, as a cluster has it: a flood of sign-in starts writes nothing there,
 * so nothing grows and no pending sign-in is lost. A private redis-server is started and stopped here.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { survivesFlood } from './flood';
import { Harness, createAuthenticator, people, startHarness } from './harness';
import { Redis, startRedis } from './redis';

let redis: Redis;
let h: Harness;
let server: Server;
const person = people('红水', '1370001');

beforeAll(async () => {
  redis = await startRedis();
  h = await startHarness({ redisUrl: redis.url });
  await createAuthenticator(h.app);
  server = createServer(h.app.callback()).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
}, 60_000);

afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  await h?.close();
  await redis?.stop();
});

describe('G3 a flood of anonymous sign-in starts, NocoBase\'s cache in Redis', () => {
  it('G3 with the cache in Redis, 5,000 starts write nothing there and lose no pending sign-in or ticket', async () => {
    await survivesFlood(h, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, person, 'redis');
  }, 300_000);
});
