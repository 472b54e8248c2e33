/**
 * The DingTalk sync sources' event subscriptions, for as long as the app runs: each enabled source in Stream mode
 * keeps a Stream connection (directory-stream.ts), restarted when the source or its authenticator is saved; a
 * source in push mode takes DingTalk's HTTP pushes at `dingtalkDirectory:events?source=<name>`. Both apply events
 * through directory-event-apply.ts. A full sync (a user-data-sync task, in the task list like "Sync now") runs after
 * a Stream reconnection and after department events, a burst of which becomes one sync.
 */
import type { Context } from '@nocobase/actions';
import type { Model } from '@nocobase/database';
import type { Application } from '@nocobase/server';
import type { AppTokenCache } from './app-token';
import { readAuthenticator } from './authenticators';
import { hostsFromEnv, timeoutFromEnv } from './dingtalk-api';
import { applyDirectoryChange } from './directory-change';
import { applyDirectoryEvent, type EventSettings } from './directory-event-apply';
import type { DirectoryEvent } from './directory-events';
import { StreamSubscription, type EventClaims } from './directory-stream';
import { SYNC_SOURCE_TYPE, SyncSourceOptions } from './directory-sync-source';
import { eventClaims } from './event-claims';
import { withDirectoryLock } from './directory-lock';
import type { LockLike } from './one-time-store';
import { readOptions } from './options';
import { asSignInError } from './sign-in-error';
import { inWriteTurn } from './write-transaction';

/** Department events within this long of each other become one full sync. */
const FULL_SYNC_DEBOUNCE_MS = 3000;

interface SyncService {
  pull(sourceName: string, ctx: Context): Promise<void>;
}

/** A source's settings for applying events, with its authenticator's credentials. */
export interface SourceSetup {
  name: string;
  events: 'stream' | 'push' | 'off';
  pushToken?: string;
  pushAesKey?: string;
  settings: EventSettings;
  clientId: string;
  clientSecret: string;
}

/**
 * What the user-data-sync service and the authenticator reader expect of a request context, for work that no request
 * started (an event, a reconnection): the app, its database and logger, and translations in the app's language.
 */
export function backgroundContext(app: Application): Context {
  const t = (key: string, options?: object) => app.i18n.t(key, options as never);
  return { app, db: app.db, log: app.logger, logger: app.logger, t } as unknown as Context;
}

export class DirectorySubscriptions {
  private readonly streams = new Map<string, StreamSubscription>();
  private readonly pendingSyncs = new Map<string, NodeJS.Timeout>();
  private readonly claims: EventClaims;

  constructor(
    private readonly app: Application,
    private readonly appTokens: AppTokenCache,
    private readonly lock: LockLike,
  ) {
    this.claims = eventClaims(() => app.cache, 'auth-dingtalk:directory');
  }

  /** Every enabled DingTalk source's setup; sources whose settings or authenticator are unusable are skipped. */
  async setups(): Promise<SourceSetup[]> {
    const rows = (await this.app.db.getRepository('userDataSyncSources').find({ filter: { sourceType: SYNC_SOURCE_TYPE, enabled: true } })) as Model[];
    const setups: SourceSetup[] = [];
    for (const row of rows) {
      const setup = await this.setupOf(row).catch(() => undefined);
      if (setup) setups.push(setup);
    }
    return setups;
  }

  async setupOf(row: Model): Promise<SourceSetup | undefined> {
    const parsed = SyncSourceOptions.safeParse(row.get('options') ?? {});
    if (!parsed.success) return undefined;
    const source = parsed.data;
    const authenticator = await readAuthenticator(backgroundContext(this.app), source.authenticator);
    const options = readOptions(authenticator.options);
    const name = row.get('name') as string;
    return {
      name,
      events: source.events,
      pushToken: source.pushToken,
      pushAesKey: source.pushAesKey,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      settings: {
        authenticatorName: authenticator.name,
        sourceName: name,
        credentials: { appKey: options.clientId, appSecret: options.clientSecret },
        defaultCountryCode: options.defaultCountryCode,
        corpId: options.corpId || undefined,
        leavers: source.leavers,
      },
    };
  }

  /** (Re)starts the Stream connections to match the saved sources. */
  async refresh(): Promise<void> {
    const wanted = (await this.setups()).filter((setup) => setup.events === 'stream' && setup.clientId && setup.clientSecret);
    for (const [name, stream] of this.streams) {
      stream.stop();
      this.streams.delete(name);
    }
    for (const setup of wanted) {
      const stream = new StreamSubscription({
        hosts: hostsFromEnv(),
        clientId: setup.clientId,
        clientSecret: setup.clientSecret,
        corpId: setup.settings.corpId,
        callOptions: { timeoutMs: timeoutFromEnv() },
        apply: (event) => this.apply(setup, event).then(() => undefined),
        catchUp: async () => this.requestFullSync(setup.name, 0),
        claims: this.claims,
        logger: { info: (message, meta) => this.app.logger.info(message, meta), warn: (message, meta) => this.app.logger.warn(message, meta) },
      });
      this.streams.set(setup.name, stream);
      stream.start();
    }
  }

  stopAll(): void {
    for (const stream of this.streams.values()) stream.stop();
    this.streams.clear();
    for (const timer of this.pendingSyncs.values()) clearTimeout(timer);
    this.pendingSyncs.clear();
  }

  /** Applies one event once across the app's nodes (for pushes; Stream events are claimed by their subscription). */
  async applyOnce(setup: SourceSetup, event: DirectoryEvent): Promise<void> {
    if (!(await this.claims.claim(event.eventId))) return;
    try {
      await this.apply(setup, event);
    } catch (error) {
      await this.claims.release(event.eventId).catch(() => undefined);
      throw error;
    }
  }

  private async apply(setup: SourceSetup, event: DirectoryEvent) {
    if (event.type === 'user_leave_org' && setup.settings.leavers === 'lockOut') await this.lockOutAtOnce(setup, event);
    const outcomes = await withDirectoryLock(this.lock, setup.name, () => applyDirectoryEvent(
      {
        db: this.app.db,
        app: this.app,
        appTokens: this.appTokens,
        hosts: hostsFromEnv(),
        calls: { timeoutMs: timeoutFromEnv() },
        requestFullSync: () => this.requestFullSync(setup.name, FULL_SYNC_DEBOUNCE_MS),
      },
      setup.settings,
      event,
    ));
    this.app.logger.info('dingtalk: directory event applied', { source: setup.name, eventType: event.type, eventId: event.eventId, outcomes });
    return outcomes;
  }

  /**
   * A leaver's sessions end now, without waiting for the source's lock: a full sync holds it from its first call to
   * DingTalk to its last write, more than a minute at 10,000 people. Locking out is idempotent; the event is then
   * applied under the lock as any other, which also marks them again if a sync that read the directory before they
   * left has lifted the mark meanwhile. On SQLite it waits for the turn of the plugin's writes (a sync's chunk), not
   * for the sync. A failure here is logged and left to the locked apply.
   */
  private async lockOutAtOnce(setup: SourceSetup, event: DirectoryEvent): Promise<void> {
    for (const userid of event.userIds) {
      try {
        const { outcome } = await inWriteTurn(this.app.db, () => applyDirectoryChange({ db: this.app.db, app: this.app }, setup.settings, { kind: 'memberLeft', userid }));
        if (outcome === 'lockedOut') this.app.logger.info('dingtalk: directory leaver locked out at once', { source: setup.name, eventId: event.eventId });
      } catch (error) {
        this.app.logger.warn('dingtalk: directory leaver not locked out at once', { source: setup.name, eventId: event.eventId, code: asSignInError(error).code });
      }
    }
  }

  /** A full sync of the source soon, once: a user-data-sync task, as "Sync now" makes. */
  requestFullSync(sourceName: string, delayMs: number): void {
    if (this.pendingSyncs.has(sourceName)) return;
    const timer = setTimeout(() => {
      this.pendingSyncs.delete(sourceName);
      const service = (this.app.pm.get('user-data-sync') as { syncService?: SyncService } | undefined)?.syncService;
      service?.pull(sourceName, backgroundContext(this.app)).catch((error: unknown) => {
        this.app.logger.warn('dingtalk: directory full sync could not start', { source: sourceName, code: asSignInError(error).code });
      });
    }, delayMs);
    timer.unref?.();
    this.pendingSyncs.set(sourceName, timer);
  }
}
