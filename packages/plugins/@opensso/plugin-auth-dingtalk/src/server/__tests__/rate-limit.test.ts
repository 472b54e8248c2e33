import type { Context } from '@nocobase/actions';
import { describe, expect, it } from 'vitest';
import { clientAddress, RateLimiter } from '../rate-limit';

/** The parts of a Koa context `clientAddress` reads. */
function request(remoteAddress: string, forwardedFor?: string) {
  return {
    request: { socket: { remoteAddress } },
    get: (name: string) => (name.toLowerCase() === 'x-forwarded-for' ? (forwardedFor ?? '') : ''),
  } as unknown as Context;
}

describe('limits on the anonymous entry points (checklist G3, G4)', () => {
  it('G3 allows the limit per window, refuses beyond it, and starts again with the next window', () => {
    let clock = 0;
    const limiter = new RateLimiter(() => 3, 60_000, 100, () => clock);
    expect([1, 2, 3, 4].map(() => limiter.hit('a'))).toEqual([true, true, true, false]);
    expect(limiter.hit('b')).toBe(true);
    expect(limiter.exceeded('a')).toBe(true);
    expect(limiter.retryAfterSeconds('a')).toBe(60);
    clock = 60_000;
    expect(limiter.exceeded('a')).toBe(false);
    expect(limiter.hit('a')).toBe(true);
  });

  it('G3 keeps at most its number of keys, whatever the number of addresses, forgetting the oldest first', () => {
    const limiter = new RateLimiter(() => 1, 60_000, 1000);
    for (let i = 0; i < 50_000; i += 1) limiter.hit(`198.18.${i >> 8}.${i & 255}`);
    // The newest are still counted; the oldest were forgotten, so the map never grows past its bound.
    expect(limiter.hit(`198.18.${49_999 >> 8}.${49_999 & 255}`)).toBe(false);
    expect(limiter.hit('198.18.0.0')).toBe(true);
  });

  it('G3 counts the address a proxy on loopback or a private network appended, and only then', () => {
    expect(clientAddress(request('203.0.113.9', '198.51.100.1'))).toBe('203.0.113.9');
    expect(clientAddress(request('127.0.0.1', '198.51.100.1, 198.51.100.2'))).toBe('198.51.100.2');
    expect(clientAddress(request('::ffff:10.0.0.5', '198.51.100.3'))).toBe('198.51.100.3');
    expect(clientAddress(request('192.168.1.4'))).toBe('192.168.1.4');
  });
});
