/**
 * Offers the "DingTalk" source in user-data-sync's Synchronization settings, when that plugin is enabled (it is
 * part of NocoBase's preset, not of every app). Loaded on demand so an app without it never loads its classes.
 */
import type { Application } from '@nocobase/server';
import { tval } from '@nocobase/utils';
import { NAMESPACE } from '../constants';
import { AppTokenCache } from './app-token';
import { sharedLock } from './shared-lock';

interface SyncPlugin {
  enabled?: boolean;
  sourceManager?: { registerType(name: string, config: { syncSource: unknown; title?: string }): void };
}

export async function registerDirectorySync(app: Application): Promise<void> {
  const plugin = app.pm.get('user-data-sync') as SyncPlugin | undefined;
  if (!plugin?.enabled || !plugin.sourceManager) return;
  const { createDingTalkSyncSource, SYNC_SOURCE_TYPE } = await import('./directory-sync-source');
  // The same cache entries as the sign-in's: one app token per app, whoever asks for it.
  const lock = sharedLock(() => app.cache, app.lockManager);
  const appTokens = new AppTokenCache(() => app.cache, lock);
  plugin.sourceManager.registerType(SYNC_SOURCE_TYPE, {
    syncSource: createDingTalkSyncSource(appTokens, lock),
    title: tval('DingTalk', { ns: NAMESPACE }),
  });
  const { registerDirectoryEvents } = await import('./directory-events-registration');
  registerDirectoryEvents(app, appTokens, lock);
}
