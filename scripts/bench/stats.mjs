// The bench's arithmetic, kept pure so it can be tested without a server.

/** The p-th percentile (0–100) of some numbers, by linear interpolation between the closest ranks; NaN when empty. */
export function percentile(values, p) {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
}

export function median(values) {
  return percentile(values, 50);
}

/**
 * What a set of timed flows says: latency p50/p95 of the ones that succeeded, and flows per second over the time
 * the batches took (`wallMs` summed over every batch of the kind, so interleaved rounds add up).
 */
export function summarize({ latenciesMs, wallMs, ok, failed }) {
  return {
    p50: median(latenciesMs),
    p95: percentile(latenciesMs, 95),
    perSecond: wallMs > 0 ? (ok * 1000) / wallMs : Number.NaN,
    ok,
    failed,
  };
}

/** a / b, or NaN when either is missing or b is zero (printed as a dash). */
export function ratio(a, b) {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN;
}

/** `{ TRY_AGAIN: 3, HTTP_500: 1 }` as `TRY_AGAIN ×3, HTTP_500 ×1`, or `none`. */
export function formatCounts(counts) {
  const entries = Object.entries(counts).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  return entries.length ? entries.map(([code, n]) => `${code} ×${n}`).join(', ') : 'none';
}

/** A number for a table cell: a dash when it is not one; fewer decimals the bigger it is. */
export function fmt(value, unit = '') {
  if (!Number.isFinite(value)) return '–';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit}`;
}
