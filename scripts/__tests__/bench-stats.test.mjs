import { describe, expect, it } from 'vitest';
import { fmt, formatCounts, median, percentile, ratio, summarize } from '../bench/stats.mjs';

describe("the bench's statistics", () => {
  it('median of an odd and an even count, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('percentiles interpolate between the closest ranks and stay within the data', () => {
    const values = Array.from({ length: 20 }, (_, i) => 20 - i); // 20 … 1, unsorted on purpose
    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 100)).toBe(20);
    expect(percentile(values, 95)).toBeCloseTo(19.05, 10);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([1, 2], 150)).toBe(2);
  });

  it('does not reorder the caller’s array', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('flows per second count the successes over the time the batches took', () => {
    const s = summarize({ latenciesMs: [10, 20, 30], wallMs: 1500, ok: 3, failed: 1 });
    expect(s).toMatchObject({ p50: 20, ok: 3, failed: 1 });
    expect(s.perSecond).toBe(2);
    expect(s.p95).toBeCloseTo(29, 10);
  });

  it('ratios and cells show a dash rather than a made-up number', () => {
    expect(ratio(6, 3)).toBe(2);
    expect(ratio(6, 0)).toBeNaN();
    expect(ratio(Number.NaN, 3)).toBeNaN();
    expect(fmt(Number.NaN)).toBe('–');
    expect(fmt(1234.5, ' ms')).toBe('1235 ms');
    expect(fmt(12.34)).toBe('12.3');
    expect(fmt(1.234)).toBe('1.23');
  });

  it('error counts, biggest first', () => {
    expect(formatCounts({})).toBe('none');
    expect(formatCounts({ HTTP_500: 1, TRY_AGAIN: 3, OK: 0 })).toBe('TRY_AGAIN ×3, HTTP_500 ×1');
  });
});
