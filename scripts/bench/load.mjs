// Drives flows at a fixed concurrency (a closed loop: each of `concurrency` workers starts its next flow when the
// last one ends) and records what happened.

/** `count` flows (or flows until `untilMs` has passed), `concurrency` at a time. `flow(i)` resolves to an outcome. */
export async function runBatch({ concurrency, count = Infinity, untilMs, flow }) {
  const latenciesMs = [];
  const errors = {};
  let next = 0;
  let ok = 0;
  let failed = 0;
  const began = performance.now();
  const more = () => next < count && (untilMs === undefined || performance.now() - began < untilMs);
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (more()) {
        const i = next++;
        const t0 = performance.now();
        const result = await flow(i);
        const took = performance.now() - t0;
        if (result.ok) {
          ok += 1;
          latenciesMs.push(took);
        } else {
          failed += 1;
          errors[result.code] = (errors[result.code] ?? 0) + 1;
        }
      }
    }),
  );
  return { latenciesMs, wallMs: performance.now() - began, ok, failed, errors };
}

/** Adds a batch's record into a kind's running total. */
export function accumulate(total, batch) {
  total.latenciesMs.push(...batch.latenciesMs);
  total.wallMs += batch.wallMs;
  total.ok += batch.ok;
  total.failed += batch.failed;
  for (const [code, n] of Object.entries(batch.errors)) total.errors[code] = (total.errors[code] ?? 0) + n;
  return total;
}

export const emptyTotal = () => ({ latenciesMs: [], wallMs: 0, ok: 0, failed: 0, errors: {} });

/**
 * Interleaved rounds: every cell runs one batch per round, in an order that rotates each round, so that whatever
 * the machine does meanwhile (another build, a GC pause, the disk) falls on every kind alike.
 */
export async function interleave(cells, rounds, onBatch = () => {}) {
  const totals = new Map(cells.map((cell) => [cell.name, emptyTotal()]));
  for (let round = 0; round < rounds; round += 1) {
    for (let k = 0; k < cells.length; k += 1) {
      const cell = cells[(k + round) % cells.length];
      const batch = await runBatch(cell);
      accumulate(totals.get(cell.name), batch);
      onBatch(round, cell, batch);
    }
  }
  return totals;
}
