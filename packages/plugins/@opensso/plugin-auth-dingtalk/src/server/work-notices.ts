/**
 * Registers the "DingTalk work notification" channel type with NocoBase's notification manager, when that plugin is
 * enabled, and the admin's "Send test message" action. The channel sends without the manager's queue (`useQueue:
 * false`): the workflow "Notification" node then waits for the outcome and fails with its reason, rather than
 * reporting a queued message as sent.
 */
import type { Context, Next } from '@nocobase/actions';
import type { Application } from '@nocobase/server';
import type { BaseNotificationChannel } from '@nocobase/plugin-notification-manager';
import { NAMESPACE } from '../constants';
import { WORK_NOTICE_TYPE, type WorkNoticeMessage } from '../work-notice-form';
import { AppTokenCache } from './app-token';
import { assertSnippet } from './current-user';
import { CacheLike, LockLike } from './one-time-store';
import { sharedLock } from './shared-lock';
import { answerWithError, asSignInError, SignInError, toHttpError } from './sign-in-error';
import { HostApp, SendParams, WorkNoticeSender } from './work-notice-send';

export const WORK_NOTICE_RESOURCE = 'dingtalkWorkNotifications';
/** Admins: POST `{ channelName, userId }` → `{ status, reason }`; sends a short text message through the channel. */
export const SEND_TEST_ACTION = 'sendTest';
/** NocoBase's admin role has every `pm.*` snippet. */
export const WORK_NOTICE_SNIPPET = 'pm.notification.dingtalk';

interface NotificationManager {
  registerChannelType(params: { type: string; Channel: new (app: Application) => BaseNotificationChannel; useQueue?: boolean }): void;
  send(options: {
    channelName: string;
    message: Record<string, unknown>;
    triggerFrom: string;
    receivers?: { type: 'userId'; value: number[] };
  }): Promise<{ status: 'success' | 'failure'; reason?: string }>;
}

export function registerWorkNotices(app: Application): void {
  const manager = app.pm.get('notification-manager') as unknown as NotificationManager | undefined;
  if (!manager?.registerChannelType) return;
  // The same token store and locks as the sign-in flow (sign-in-flow.ts): one cached app token per app and secret.
  const cache = () => app.cache as unknown as CacheLike;
  const appTokens = new AppTokenCache(cache, sharedLock(cache, app.lockManager as unknown as LockLike));
  const host: HostApp = {
    db: app.db,
    get cache() {
      return cache();
    },
    environment: (app as unknown as { environment?: HostApp['environment'] }).environment,
    i18n: app.i18n as unknown as HostApp['i18n'],
    logger: app.logger,
  };
  const sender = new WorkNoticeSender(host, appTokens);
  app.on('beforeStop', () => sender.stop());

  class DingTalkWorkNotificationChannel {
    constructor(readonly app: Application) {}
    async send(params: SendParams & { message: WorkNoticeMessage }) {
      const outcome = await sender.send(params);
      return { message: params.message, status: outcome.status, reason: outcome.reason };
    }
  }
  manager.registerChannelType({
    type: WORK_NOTICE_TYPE,
    Channel: DingTalkWorkNotificationChannel as unknown as new (app: Application) => BaseNotificationChannel,
    useQueue: false,
  });

  app.resourceManager.define({
    name: WORK_NOTICE_RESOURCE,
    actions: {
      [SEND_TEST_ACTION]: async (ctx: Context, next: Next) => {
        const values = (ctx.action.params.values ?? {}) as { channelName?: unknown; userId?: unknown };
        const userId = Number(values.userId);
        const refuse = (error: SignInError) => {
          answerWithError(ctx, toHttpError(ctx, error));
          ctx.withoutDataWrapping = true;
        };
        try {
          // Not left to the ACL alone: for a resource that is not a collection, a role's data strategy may let it through.
          assertSnippet(ctx, `${WORK_NOTICE_RESOURCE}:${SEND_TEST_ACTION}`);
        } catch (error) {
          const refusal = asSignInError(error);
          return refuse(refusal.code === 'FORBIDDEN' ? new SignInError('NOTIFY_FORBIDDEN', { status: 403 }) : refusal);
        }
        if (typeof values.channelName !== 'string' || !values.channelName || !Number.isSafeInteger(userId) || userId <= 0) {
          return refuse(new SignInError('NOTIFY_TEST_INVALID', { status: 400 }));
        }
        const t = (key: string) => ctx.t(key, { ns: NAMESPACE });
        const result = await manager.send({
          channelName: values.channelName as string,
          triggerFrom: 'dingtalk-test',
          receivers: { type: 'userId', value: [userId] },
          // The time makes each test new content: DingTalk delivers the same content to a person once a day.
          message: { msgType: 'text', content: `${t('Test message from NocoBase: the DingTalk work notification channel works.')} ${new Date().toISOString()}` },
        });
        ctx.body = { status: result.status, reason: result.reason ?? '' };
        await next();
      },
    },
  });
  app.acl.registerSnippet({ name: WORK_NOTICE_SNIPPET, actions: [`${WORK_NOTICE_RESOURCE}:${SEND_TEST_ACTION}`] });
}
