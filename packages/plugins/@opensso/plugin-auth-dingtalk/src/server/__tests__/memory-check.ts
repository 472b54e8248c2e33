/**
 * The memory check of issue 10 (goal 3), callable by a test or the benchmark against a running app in this
 * process (a harness app): `cycles` sign-in states and as many tickets issued and consumed through one-time stores
 * made as the plugin makes them (the app's APP_KEY, name and cache), then the heap after a full collection, NocoBase's
 * local lock manager's key count, and the table of used ids. All figures are read, nothing is timed.
 *
 *   const figures = await oneTimeStoreMemoryCheck(h.app, 100_000);
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type Application from '@nocobase/server';
import { OneTimeStore } from '../one-time-store';
import { Sealer } from '../sealed';

export interface MemoryFigures {
  cycles: number;
  heapBeforeMiB: number;
  heapAfterMiB: number;
  heapGrowthMiB: number;
  /** Typed arrays and buffers (the used-id tables live there), after minus before. */
  arrayBuffersGrowthMiB: number;
  lockKeysBefore: number;
  lockKeysAfter: number;
  /** Unexpired uses recorded in this process, and the bytes of their tables. */
  usedIds: number;
  usedIdBytes: number;
}

const MiB = 1024 * 1024;

/** `global.gc`, exposing it when node was started without `--expose-gc`. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function settledMemory(gc: () => void) {
  for (let i = 0; i < 3; i += 1) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage();
}

/** The keys NocoBase's in-process lock adapter holds (it keeps a mutex per key it was ever given). */
export async function lockKeyCount(app: Application): Promise<number> {
  // `getAdapter` is private in NocoBase's types: a read for the figures, nothing is changed.
  const manager = app.lockManager as unknown as { getAdapter(): Promise<{ constructor: { locks?: Map<string, unknown> } }> };
  const adapter = await manager.getAdapter();
  return adapter.constructor.locks?.size ?? 0;
}

export async function oneTimeStoreMemoryCheck(app: Application, cycles = 100_000): Promise<MemoryFigures> {
  const gc = collector();
  const sealer = new Sealer(() => process.env.APP_KEY, undefined, () => app.name);
  const states = new OneTimeStore<{ purpose: string; authenticator: string; returnPath: string; binding: string }>(
    sealer,
    () => app.cache,
    'auth-dingtalk:state',
    () => 10 * 60_000,
  );
  const tickets = new OneTimeStore<{ authenticator: string; userId: number; binding: string }>(
    sealer,
    () => app.cache,
    'auth-dingtalk:ticket',
    () => 60_000,
  );
  const lockKeysBefore = await lockKeyCount(app);
  const before = await settledMemory(gc);
  const binding = 'b'.repeat(64);
  for (let i = 0; i < cycles; i += 1) {
    const state = await states.consume(states.issue({ purpose: 'signin', authenticator: 'dingtalk', returnPath: '/admin', binding }));
    const ticket = await tickets.consume(tickets.issue({ authenticator: 'dingtalk', userId: i, binding }));
    if (!state || ticket?.userId !== i) throw new Error(`cycle ${i}: a fresh value was refused`);
  }
  const after = await settledMemory(gc);
  return {
    cycles,
    heapBeforeMiB: before.heapUsed / MiB,
    heapAfterMiB: after.heapUsed / MiB,
    heapGrowthMiB: (after.heapUsed - before.heapUsed) / MiB,
    arrayBuffersGrowthMiB: (after.arrayBuffers - before.arrayBuffers) / MiB,
    lockKeysBefore,
    lockKeysAfter: await lockKeyCount(app),
    usedIds: states.used.size + tickets.used.size,
    usedIdBytes: states.used.bytes + tickets.used.bytes,
  };
}
