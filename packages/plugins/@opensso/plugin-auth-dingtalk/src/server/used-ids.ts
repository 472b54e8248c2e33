/**
 * The ids of one-time values already used, each kept until it expires, in this process (an app node whose cache is
 * in memory). Not in NocoBase's memory cache: that is an LRU of 2,000 entries shared with everything the app
 * caches, so a recorded use would be evicted by the next 2,000 writes and the value accepted again. Not in a Map of
 * strings either: 100,000 sign-ins within a state's lifetime would hold 200,000 of them (tens of MiB of heap). Here
 * each id is 64 bits of its hash and an expiry in seconds, in typed arrays (12 bytes a slot, outside the JS heap),
 * in an open-addressing table that is rebuilt with only the unexpired ids when it fills up or a minute has passed:
 * memory follows the number of values in their lifetime, not the number ever used. JavaScript runs one `add` at a
 * time, so the check and the record are one step: no lock. Two ids with the same 64 bits (about one chance in
 * 10^14 per use at 200,000 live ids) make the second one refused, never accepted twice.
 */
import { createHash } from 'node:crypto';

const MIN_SLOTS = 1024;
const MAX_LOAD = 0.75;
const SWEEP_EVERY_MS = 60_000;

export class UsedIds {
  /** Two 32-bit halves of each id's hash. */
  private keys = new Uint32Array(2 * MIN_SLOTS);
  /** Seconds since `origin` after which the slot is free again, plus one; 0 = never used. */
  private expiries = new Uint32Array(MIN_SLOTS);
  /** Slots ever written since the last rebuild (expired ones included: a probe walks past them). */
  private filled = 0;
  private readonly origin: number;
  private nextSweep: number;

  constructor(private readonly now: () => number = () => Date.now()) {
    this.origin = now();
    this.nextSweep = this.origin + SWEEP_EVERY_MS;
  }

  /** Records the first use of `id` for `ttlMs`; false when it is recorded already and has not expired. */
  add(id: string, ttlMs: number): boolean {
    const now = this.now();
    if (now >= this.nextSweep || this.filled + 1 > this.expiries.length * MAX_LOAD) this.rebuild(now);
    const digest = createHash('sha256').update(id).digest();
    const hi = digest.readUInt32LE(0);
    const lo = digest.readUInt32LE(4);
    const current = this.seconds(now);
    const mask = this.expiries.length - 1;
    let free = -1;
    let slot = lo & mask;
    for (; this.expiries[slot] !== 0; slot = (slot + 1) & mask) {
      if (this.expiries[slot] <= current) {
        if (free < 0) free = slot;
      } else if (this.keys[2 * slot] === hi && this.keys[2 * slot + 1] === lo) {
        return false;
      }
    }
    if (free < 0) {
      free = slot;
      this.filled += 1;
    }
    this.keys[2 * free] = hi;
    this.keys[2 * free + 1] = lo;
    // Rounded up: an id is never forgotten early.
    this.expiries[free] = Math.ceil((now + ttlMs - this.origin) / 1000) + 1;
    return true;
  }

  /** Unexpired ids held. */
  get size(): number {
    const current = this.seconds(this.now());
    return this.expiries.reduce((count, expiry) => (expiry > current ? count + 1 : count), 0);
  }

  /** Bytes of the table (outside the JS heap). */
  get bytes(): number {
    return this.keys.byteLength + this.expiries.byteLength;
  }

  /** The slot value at or below which an id has expired. */
  private seconds(now: number): number {
    return Math.floor((now - this.origin) / 1000) + 1;
  }

  private rebuild(now: number): void {
    this.nextSweep = now + SWEEP_EVERY_MS;
    const current = this.seconds(now);
    const { keys, expiries } = this;
    let live = 0;
    for (const expiry of expiries) if (expiry > current) live += 1;
    let slots = MIN_SLOTS;
    while (slots * MAX_LOAD < 2 * live) slots *= 2;
    this.keys = new Uint32Array(2 * slots);
    this.expiries = new Uint32Array(slots);
    this.filled = live;
    const mask = slots - 1;
    for (let old = 0; old < expiries.length; old += 1) {
      if (expiries[old] <= current) continue;
      let slot = keys[2 * old + 1] & mask;
      while (this.expiries[slot] !== 0) slot = (slot + 1) & mask;
      this.keys[2 * slot] = keys[2 * old];
      this.keys[2 * slot + 1] = keys[2 * old + 1];
      this.expiries[slot] = expiries[old];
    }
  }
}
