// The memory check, run by bench.mjs as `node --expose-gc scripts/bench/memory.mjs <count>`: `count` sign-in states
// and as many tickets issued and consumed, the heap measured after a full collection before and after.
//
// Why here and not in the benched server: `count` is 100,000, and through HTTP each state costs a DingTalk round
// trip and each ticket a NocoBase token write, hours of work that would measure the database rather than memory.
// A debug hook in the server process to read its heap or reach its stores would be code that exists only to be
// measured, one environment variable away from a production server. So this process is a NocoBase app of its own
// (the server test harness's plugins and the built plugin, SQLite in memory): the same cache and lock manager the
// server uses when it runs on one node, and the plugin's own one-time store (its source, through tsx) issuing and
// consuming exactly as the sign-in does. Nothing else runs in this process, so its heap is the store's footprint.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { pluginDir, root } from '../lib.mjs';

const require = createRequire(import.meta.url);
const MiB = 1024 * 1024;
const count = Number(process.argv[2] || 100_000);
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

// As the server test harness runs its apps (vitest.config.mts of the plugin).
Object.assign(process.env, {
  APP_ENV: 'test',
  NODE_MODULES_PATH: join(root, 'node_modules'),
  DB_DIALECT: 'sqlite',
  DB_STORAGE: ':memory:',
  DB_LOGGING: 'off',
  LOGGER_SILENT: 'true',
  APP_KEY: randomBytes(32).toString('base64url'),
});

function heapMiB() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed / MiB;
}

/** How many keys NocoBase's in-process lock adapter keeps (a mutex per key ever used, for the life of the process). */
function lockKeys(app) {
  return app.lockManager?.registry?.get?.('local')?.Adapter?.locks?.size;
}

const { createMockServer } = require('@nocobase/test');
const plugin = require(join(pluginDir, 'dist/server/index.js')).default;
const app = await createMockServer({
  plugins: ['field-sort', 'error-handler', 'data-source-main', 'data-source-manager', 'users', 'acl', 'auth', plugin],
});

const source = (file) => tsImport(join(pluginDir, 'src/server', file), import.meta.url);
const { OneTimeStore } = await source('one-time-store.ts');
const { Sealer } = await source('sealed.ts');
// As plugin.ts and the sign-in flow build them: the app's cache and lock manager, one sealer, a store per kind.
// A changed constructor must fail here loudly, not measure something else.
if (OneTimeStore.length !== 5) {
  throw new Error(`OneTimeStore's constructor takes ${OneTimeStore.length} arguments now; update scripts/bench/memory.mjs to build it as the plugin does`);
}
const sealer = new Sealer(() => process.env.APP_KEY, () => undefined, () => app.name);
const states = new OneTimeStore(sealer, () => app.cache, app.lockManager, 'auth-dingtalk:state', () => 10 * 60_000);
const tickets = new OneTimeStore(sealer, () => app.cache, app.lockManager, 'auth-dingtalk:ticket', () => 60_000);

/** One sign-in as the stores see it: a state issued then consumed at the callback, a ticket issued then redeemed. */
async function signIn(i) {
  const state = states.issue({ purpose: 'signin', authenticator: 'dingtalk', returnPath: '/admin', binding: `b${i}` });
  if (!(await states.consume(state))) throw new Error(`state ${i} was refused`);
  const ticket = tickets.issue({ authenticator: 'dingtalk', userId: i, returnPath: '/admin' });
  if (!(await tickets.consume(ticket))) throw new Error(`ticket ${i} was refused`);
}

// A warm-up, so that what the first calls allocate once (code, caches of the JIT) is not counted as growth.
for (let i = 0; i < 1000; i += 1) await signIn(-i);
const before = { heap: heapMiB(), locks: lockKeys(app), cacheKeys: (await app.cache.keys()).length };
const began = performance.now();
const parallel = 50;
for (let offset = 0; offset < count; offset += parallel) {
  await Promise.all(Array.from({ length: Math.min(parallel, count - offset) }, (_, j) => signIn(offset + j)));
}
const seconds = (performance.now() - began) / 1000;
const after = { heap: heapMiB(), locks: lockKeys(app), cacheKeys: (await app.cache.keys()).length };
await app.destroy();
console.log(JSON.stringify({ count, seconds, before, after }));
process.exit(0);
