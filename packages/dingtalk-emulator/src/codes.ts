import { createHash, randomBytes } from 'node:crypto';
import type { Identity } from './identities';

/** What the user approved: who, for which app, with which scope. Codes and tokens both point at one. */
export interface Grant {
  identity: Identity;
  clientId: string;
  scope: string[];
  /** The organization picked on the login page (scope `corpid`); undefined for a personal account. */
  corpId?: string;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expireIn: number;
}

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

// DingTalk's codes and tokens are 32 hex characters; matching that keeps length checks in the plugin honest.
function secret(): string {
  return randomBytes(16).toString('hex');
}

/** Lets the log tell two codes or tokens apart without ever holding a usable one. */
export function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8);
}

class ExpiringMap<T> {
  private readonly entries = new Map<string, Expiring<T>>();

  set(key: string, value: T, ttlMs: number): void {
    this.sweep();
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMs });
  }

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (Date.now() >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  // Swept on insert so a long-running demo does not accumulate dead codes.
  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (now >= entry.expiresAt) this.entries.delete(key);
  }
}

/** Auth codes: short-lived and single use (docs/dingtalk-api.md §1.1). */
export class CodeStore {
  private readonly codes = new ExpiringMap<Grant>();

  constructor(private readonly ttlMs: number) {}

  issue(grant: Grant): string {
    const code = secret();
    this.codes.set(code, grant, this.ttlMs);
    return code;
  }

  /**
   * Redeems a code. A code presented by another client is reported as unknown and left
   * untouched, so a stolen code replayed by a foreign app cannot burn the rightful one.
   */
  take(code: string, clientId: string): Grant | undefined {
    const grant = this.codes.get(code);
    if (!grant || grant.clientId !== clientId) return undefined;
    this.codes.delete(code);
    return grant;
  }

  clear(): void {
    this.codes.clear();
  }
}

const REFRESH_TTL_MS = 30 * 24 * 3600 * 1000; // "refresh token 30 days" (docs/dingtalk-api.md §1.2)

export class TokenStore {
  private readonly access = new ExpiringMap<Grant>();
  private readonly refresh = new ExpiringMap<Grant>();

  constructor(private readonly ttlSeconds: number) {}

  issue(grant: Grant): IssuedTokens {
    const accessToken = secret();
    const refreshToken = secret();
    this.access.set(accessToken, grant, this.ttlSeconds * 1000);
    this.refresh.set(refreshToken, grant, REFRESH_TTL_MS);
    return { accessToken, refreshToken, expireIn: Math.ceil(this.ttlSeconds) };
  }

  lookup(accessToken: string): Grant | undefined {
    return this.access.get(accessToken);
  }

  /** Rotates the refresh token (the old one stops working) and issues a new access token. */
  renew(refreshToken: string, clientId: string): { grant: Grant; tokens: IssuedTokens } | undefined {
    const grant = this.refresh.get(refreshToken);
    if (!grant || grant.clientId !== clientId) return undefined;
    this.refresh.delete(refreshToken);
    return { grant, tokens: this.issue(grant) };
  }

  clear(): void {
    this.access.clear();
    this.refresh.clear();
  }
}

export interface AppToken {
  accessToken: string;
  expireIn: number;
}

/**
 * App (enterprise internal app) access tokens, docs/dingtalk-api.md §2.1: one per app, shared by the new
 * and the legacy endpoint. Asking again inside the lifetime returns the same token and renews it
 * ("有效期内重复获取返回相同结果，并自动续期").
 */
export class AppTokenStore {
  private readonly byToken = new ExpiringMap<string>();
  private readonly byClient = new Map<string, string>();

  constructor(private readonly ttlSeconds: number) {}

  issue(clientId: string): AppToken {
    const current = this.byClient.get(clientId);
    const accessToken = current && this.byToken.get(current) === clientId ? current : secret();
    this.byToken.set(accessToken, clientId, this.ttlSeconds * 1000);
    this.byClient.set(clientId, accessToken);
    return { accessToken, expireIn: Math.ceil(this.ttlSeconds) };
  }

  /** The client id the token was issued to, while it is valid. */
  lookup(accessToken: string): string | undefined {
    return this.byToken.get(accessToken);
  }

  clear(): void {
    this.byToken.clear();
    this.byClient.clear();
  }
}

/** What an in-client (免登) code stands for: a person in one organization, optionally for one app. */
export interface InClientGrant {
  identity: Identity;
  corpId: string;
  userid: string;
  /** Set when the page asked with `clientId` (`dd.requestAuthCode`); then only that app may redeem it. */
  clientId?: string;
}

/** In-client auth codes (docs/dingtalk-api.md §2.3/§2.4): 5 minutes, single use. */
export class InClientCodeStore {
  private readonly codes = new ExpiringMap<InClientGrant>();

  constructor(readonly ttlMs: number) {}

  issue(grant: InClientGrant): string {
    const code = secret();
    this.codes.set(code, grant, this.ttlMs);
    return code;
  }

  /**
   * Redeems a code for an app of organization `corpId`. A code of another organization (or bound
   * to another app) is reported as unknown and left untouched, like a foreign auth code.
   */
  take(code: string, corpId: string, clientId: string): InClientGrant | undefined {
    const grant = this.codes.get(code);
    if (!grant || grant.corpId !== corpId) return undefined;
    if (grant.clientId !== undefined && grant.clientId !== clientId) return undefined;
    this.codes.delete(code);
    return grant;
  }

  clear(): void {
    this.codes.clear();
  }
}
