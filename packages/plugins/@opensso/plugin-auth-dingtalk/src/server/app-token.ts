/**
 * The organization app's access token, which the directory calls need. DingTalk asks callers to cache it rather
 * than fetch it per request (it lives 7200 s), so it is kept in NocoBase's cache (shared by all app nodes when the
 * cache is Redis) until five minutes before it expires, fetched by one caller at a time under NocoBase's lock
 * manager, and dropped and fetched again once when DingTalk calls it invalid (errcode 88 / 40014).
 */
import { AppAccessToken, CallOptions, DingTalkHosts, getAppAccessToken } from './dingtalk-api';
import { CacheLike, LOCK_TTL_MS, LockLike, sha256 } from './one-time-store';
import { SignInError } from './sign-in-error';

export interface AppCredentials {
  appKey: string;
  appSecret: string;
}

interface Cached {
  token: string;
  /** Epoch ms after which the token is not used any more. */
  until: number;
}

const EARLY_RENEWAL_MS = 5 * 60 * 1000;

export class AppTokenCache {
  constructor(
    private readonly cache: () => CacheLike,
    private readonly lock: LockLike,
  ) {}

  /** Runs `fn` with a valid app token; an "invalid token" answer drops it and runs `fn` once more with a new one. */
  async withToken<T>(
    credentials: AppCredentials,
    hosts: DingTalkHosts,
    options: CallOptions,
    fn: (token: string) => Promise<T>,
  ): Promise<T> {
    const token = await this.get(credentials, hosts, options);
    try {
      return await fn(token);
    } catch (error) {
      if (!(error instanceof SignInError) || error.code !== 'DINGTALK_TOKEN_INVALID') throw error;
      await this.drop(credentials, hosts, token);
      return fn(await this.get(credentials, hosts, options));
    }
  }

  async get(credentials: AppCredentials, hosts: DingTalkHosts, options: CallOptions): Promise<string> {
    const key = this.key(credentials, hosts);
    const cached = await this.read(key);
    if (cached) return cached;
    // One fetch for many simultaneous sign-ins: the others wait on the lock and find the token in the cache.
    return this.lock.runExclusive(
      key,
      async () => {
        const again = await this.read(key);
        if (again) return again;
        const fresh: AppAccessToken = await getAppAccessToken(hosts, credentials, options);
        const ttl = Math.max(fresh.expireIn * 1000 - EARLY_RENEWAL_MS, 60_000);
        await this.cache().set(key, { token: fresh.accessToken, until: Date.now() + ttl } satisfies Cached, ttl);
        return fresh.accessToken;
      },
      LOCK_TTL_MS,
    );
  }

  /** Forgets `token` unless another caller already replaced it. */
  private async drop(credentials: AppCredentials, hosts: DingTalkHosts, token: string): Promise<void> {
    const key = this.key(credentials, hosts);
    await this.lock.runExclusive(
      key,
      async () => {
        const cached = (await this.cache().get(key)) as Cached | undefined;
        if (cached?.token === token) await this.cache().del(key);
      },
      LOCK_TTL_MS,
    );
  }

  private async read(key: string): Promise<string | undefined> {
    const cached = (await this.cache().get(key)) as Cached | undefined | null;
    return cached && typeof cached.token === 'string' && cached.until > Date.now() ? cached.token : undefined;
  }

  /** Per app and secret (a new secret fetches a new token) and per DingTalk host; never the secret itself. */
  private key(credentials: AppCredentials, hosts: DingTalkHosts): string {
    return `auth-dingtalk:app-token:${sha256(`${hosts.apiUrl}\n${credentials.appKey}\n${credentials.appSecret}`)}`;
  }
}
