// The memory check, run by bench.mjs as `node --expose-gc scripts/bench/memory.mjs <count>`: `count` sign-in states
// and as many tickets issued and consumed, the heap measured after a full collection before and after.
//
// Why here and not in the benched server: `count` is 100,000, and through HTTP each state costs a DingTalk round
// trip and each ticket a NocoBase token write, hours of work that would measure the database rather than memory.
// A debug hook in the server process to read its heap or reach its stores would be code that exists only to be
// measured, one environment variable away from a production server. So this process is a NocoBase app of its own
// (the server test harness's plugins and the built plugin, SQLite in memory): the same cache and lock manager the
// server uses when it runs on one node, and the plugin's own one-time store (its source, through tsx) issuing and
// consuming exactly as the sign-in does, through the helper `memory.test.ts` uses. Nothing else runs in this process, so its heap is the store's footprint.
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

const { createMockServer } = require('@nocobase/test');
const plugin = require(join(pluginDir, 'dist/server/index.js')).default;
const app = await createMockServer({
  plugins: ['field-sort', 'error-handler', 'data-source-main', 'data-source-manager', 'users', 'acl', 'auth', plugin],
});

// The check itself is the one the server tests run (`memory.test.ts`), so bench and tests measure the same thing.
const { oneTimeStoreMemoryCheck } = await tsImport(join(pluginDir, 'src/server/__tests__/memory-check.ts'), import.meta.url);
// A warm-up, so that what the first calls allocate once (code, JIT caches) is not counted as growth.
await oneTimeStoreMemoryCheck(app, 1000);
const began = performance.now();
const figures = await oneTimeStoreMemoryCheck(app, count);
const seconds = (performance.now() - began) / 1000;
await app.destroy();
console.log(
  JSON.stringify({
    count,
    seconds,
    before: { heap: figures.heapBeforeMiB, locks: figures.lockKeysBefore },
    after: { heap: figures.heapAfterMiB, locks: figures.lockKeysAfter },
    usedIds: figures.usedIds,
    usedIdMiB: figures.usedIdBytes / MiB,
  }),
);
process.exit(0);
