/**
 * Directory events for the app's lifetime: Stream connections from start to stop, restarted when a sync source or
 * an authenticator is saved, and the public push endpoint.
 */
import type { Application } from '@nocobase/server';
import type { AppTokenCache } from './app-token';
import type { LockLike } from './one-time-store';
import { callbackUrlAction, DIRECTORY_CALLBACK_URL_ACTION, DIRECTORY_EVENTS_ACTION, DIRECTORY_RESOURCE, directoryPushAction } from './directory-push';
import { DirectorySubscriptions } from './directory-subscriptions';

export function registerDirectoryEvents(app: Application, appTokens: AppTokenCache, lock: LockLike): DirectorySubscriptions {
  const subscriptions = new DirectorySubscriptions(app, appTokens, lock);
  app.resourceManager.define({
    name: DIRECTORY_RESOURCE,
    actions: { [DIRECTORY_EVENTS_ACTION]: directoryPushAction(subscriptions), [DIRECTORY_CALLBACK_URL_ACTION]: callbackUrlAction },
  });
  app.acl.allow(DIRECTORY_RESOURCE, [DIRECTORY_EVENTS_ACTION], 'public');
  // For the admins who manage synchronization settings (roles with the plugin-settings snippets).
  app.acl.registerSnippet({ name: 'pm.users.dingtalk-directory', actions: [`${DIRECTORY_RESOURCE}:${DIRECTORY_CALLBACK_URL_ACTION}`] });

  const refresh = () =>
    subscriptions.refresh().catch((error: unknown) => app.logger.warn('dingtalk: directory events could not start', { error: String(error) }));
  let running = false;
  app.on('afterStart', () => {
    running = true;
    void refresh();
  });
  app.on('beforeStop', () => {
    running = false;
    subscriptions.stopAll();
  });
  // After the transaction: a refresh reads the saved rows.
  const onSaved = (_model: unknown, options?: { transaction?: { afterCommit(fn: () => void): void } }) => {
    if (!running) return;
    if (options?.transaction) options.transaction.afterCommit(() => void refresh());
    else void refresh();
  };
  for (const event of ['userDataSyncSources.afterSaveWithAssociations', 'userDataSyncSources.afterDestroy', 'authenticators.afterSave', 'authenticators.afterDestroy']) {
    app.db.on(event, onSaved);
  }
  return subscriptions;
}
