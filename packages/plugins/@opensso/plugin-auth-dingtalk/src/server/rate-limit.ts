/**
 * Limits on the anonymous entry points (checklist G3, G4): how many sign-ins one network address may start, and how
 * many in-app codes one address, and one authenticator, may have DingTalk check. Counters live in this node's memory,
 * in a map of bounded size: they are written by strangers, so they must never sit in NocoBase's shared cache, where
 * they could push out other entries, nor grow without bound. In a cluster each node counts on its own, which
 * multiplies a limit by the number of nodes; the limits are sized so that this stays harmless.
 */
import type { Context } from '@nocobase/actions';
import { SignInError } from './sign-in-error';

interface Window {
  count: number;
  until: number;
}

/** Fixed-window counters per key, at most `maxKeys` of them (the oldest windows are forgotten first). */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    /** Hits allowed per window; read at each hit so an admin's environment change applies at once. */
    private readonly limit: () => number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Counts a hit; false when the key is over its limit in the current window. */
  hit(key: string): boolean {
    const window = this.current(key, true) as Window;
    window.count += 1;
    return window.count <= this.limit();
  }

  /** Whether the key is over its limit, without counting. */
  exceeded(key: string): boolean {
    const window = this.current(key, false);
    return window !== undefined && window.count >= this.limit();
  }

  /** Seconds until the key's window ends (for `Retry-After`). */
  retryAfterSeconds(key: string): number {
    const window = this.windows.get(key);
    return Math.max(1, Math.ceil(((window?.until ?? this.now()) - this.now()) / 1000));
  }

  private current(key: string, create: boolean): Window | undefined {
    const now = this.now();
    let window = this.windows.get(key);
    if (window && window.until <= now) {
      this.windows.delete(key);
      window = undefined;
    }
    if (!window && create) {
      window = { count: 0, until: now + this.windowMs };
      // A Map iterates in insertion order: the first keys are the oldest windows.
      while (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
      this.windows.set(key, window);
    }
    return window;
  }
}

/** A positive integer from the environment, else the default. */
export function limitFromEnv(name: string, fallback: number): () => number {
  return () => {
    const value = Number(process.env[name]);
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
}

const PRIVATE_PEER = [
  /^127\./,
  /^10\./,
  /^192\.168\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^::1$/,
  /^f[cd][0-9a-f]{2}:/i,
  /^fe80:/i,
];

function isPrivate(address: string): boolean {
  const plain = address.replace(/^::ffff:/i, '');
  return PRIVATE_PEER.some((pattern) => pattern.test(plain));
}

/**
 * The address a limit counts. NocoBase does not trust `X-Forwarded-For` (Koa's `proxy` is off), so behind a reverse
 * proxy every request would seem to come from the proxy and one limit would hold the whole organization. When the
 * connection comes from a loopback or private address (a proxy on the same host or network), the last address that
 * proxy appended is taken, one hop only: a client on the internet cannot choose its own address this way.
 */
export function clientAddress(ctx: Context): string {
  const peer = ctx.request.socket?.remoteAddress ?? ctx.ip ?? '';
  if (!isPrivate(peer)) return peer;
  const forwarded = String(ctx.get('X-Forwarded-For') || '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return forwarded.at(-1) ?? peer;
}

/** Refuses with TOO_MANY_ATTEMPTS (429, with `Retry-After`) when `key` is over its limit. */
export function enforce(ctx: Context, limiter: RateLimiter, key: string, count = true): void {
  const allowed = count ? limiter.hit(key) : !limiter.exceeded(key);
  if (allowed) return;
  ctx.set('Retry-After', String(limiter.retryAfterSeconds(key)));
  throw new SignInError('TOO_MANY_ATTEMPTS', { status: 429 });
}
