/**
 * The "DingTalk" source of NocoBase's user-data-sync plugin (Users & Permissions → Synchronization). Its settings
 * name a DingTalk authenticator, whose Client ID and Client Secret are the organization app's AppKey and AppSecret
 * (no second copy of the secret), an optional root department, whether to sync departments, and what to do with
 * leavers. "Sync now" calls `pull()`; user-data-sync runs it in the background and keeps a task whose status and
 * message the task list shows.
 *
 * `pull()` writes itself and hands user-data-sync nothing: its user resource would match people by email or phone
 * and create users without the (authenticator, unionId) link the sign-in keys them by. The task's message is the
 * report's counts on success and the translated reason on a stop.
 */
import type { Context } from '@nocobase/actions';
import { SyncSource, type UserData } from '@nocobase/plugin-user-data-sync';
import { z } from 'zod';
import { NAMESPACE } from '../constants';
import { messageKey } from '../errors';
import type { AppTokenCache } from './app-token';
import type { LockLike } from './one-time-store';
import { readAuthenticator } from './authenticators';
import { hostsFromEnv, timeoutFromEnv } from './dingtalk-api';
import { LEAVER_ACTIONS } from './directory-leavers';
import { runDirectorySync, type SyncReport } from './directory-sync';
import { readOptions } from './options';
import { isEncodingAesKey } from './push-crypto';
import { withDirectoryLock } from './directory-lock';
import { asSignInError, SignInError } from './sign-in-error';

export const SYNC_SOURCE_TYPE = 'dingtalk';

/** The source's settings, as the form saves them in `userDataSyncSources.options`. */
export const SyncSourceOptions = z.object({
  authenticator: z.string().min(1),
  /** Empty: the whole organization. */
  rootDeptId: z
    .union([z.number().int().positive(), z.string().regex(/^\d{1,19}$/), z.literal('')])
    .optional()
    .transform((value) => (value === undefined || value === '' ? undefined : Number(value))),
  syncDepartments: z.boolean().default(true),
  leavers: z.enum(LEAVER_ACTIONS).default('lockOut'),
  /** How DingTalk's directory events arrive between full syncs (directory-subscriptions.ts). */
  events: z.enum(['stream', 'push', 'off']).default('stream'),
  /** Push mode: the Token and aes_key of the app's event subscription in the DingTalk console. */
  pushToken: z.string().trim().max(128).optional(),
  pushAesKey: z
    .string()
    .trim()
    .refine((value) => value === '' || isEncodingAesKey(value))
    .optional(),
});

type SyncSourceConfig = ConstructorParameters<typeof SyncSource>[0];
type TaskEnd = { taskId: number; success: boolean; cost?: number; message?: string };

export function createDingTalkSyncSource(appTokens: AppTokenCache, lock: LockLike) {
  return class DingTalkSyncSource extends SyncSource {
    private report?: SyncReport;

    constructor(config: SyncSourceConfig) {
      super(config);
    }

    async pull(): Promise<UserData[]> {
      const ctx = this.ctx;
      try {
        const parsed = SyncSourceOptions.safeParse(this.options ?? {});
        if (!parsed.success) throw new SignInError('SYNC_SOURCE_INVALID');
        const settings = parsed.data;
        const authenticator = await readAuthenticator(ctx, settings.authenticator).catch((cause) => {
          throw new SignInError('SYNC_SOURCE_INVALID', { cause });
        });
        const options = readOptions(authenticator.options);
        const calls = { timeoutMs: timeoutFromEnv() };
        const sourceName = this.instance.get('name') as string;
        // One writer of a source at a time (on every node when the cache is Redis): two syncs at once would both
        // create the departments neither has mapped yet; events wait for the sync too.
        this.report = await withDirectoryLock(lock, sourceName, () => runDirectorySync(
          { db: ctx.db, app: ctx.app, appTokens, hosts: hostsFromEnv(), calls },
          {
            authenticatorName: authenticator.name,
            credentials: { appKey: options.clientId, appSecret: options.clientSecret },
            defaultCountryCode: options.defaultCountryCode,
            corpId: options.corpId || undefined,
            rootDeptId: settings.rootDeptId,
            syncDepartments: settings.syncDepartments,
            leavers: settings.leavers,
            sourceName,
          },
        ));
        ctx.logger?.info?.('dingtalk: directory sync finished', { source: this.instance.get('name'), ...this.report });
        return [];
      } catch (error) {
        const reason = asSignInError(error);
        ctx.logger?.warn?.('dingtalk: directory sync stopped', {
          source: this.instance.get('name'),
          code: reason.code,
          dingtalkCode: reason.dingtalkCode,
          requestId: reason.requestId,
        });
        // user-data-sync shows the error's message as the task's: the admin's language, one of our sentences.
        throw new Error(stopMessage(ctx, reason));
      }
    }

    async endTask(params: TaskEnd): Promise<void> {
      const message = params.success && this.report ? reportMessage(this.ctx, this.report) : params.message;
      return super.endTask({ ...params, message: message && clip(message, TASK_MESSAGE_MAX) });
    }
  };
}

function t(ctx: Context, key: string, values: object = {}): string {
  return String(ctx.t(key, { ns: NAMESPACE, ...values, interpolation: { escapeValue: false } }));
}

function stopMessage(ctx: Context, reason: SignInError): string {
  // A directory call refused for want of a permission: topapi says 60011 without naming it.
  const code = reason.code === 'DINGTALK_ERROR' && reason.dingtalkCode === 'errcode-60011' ? 'DINGTALK_PERMISSION_DENIED' : reason.code;
  const detail = code === 'DINGTALK_PERMISSION_DENIED' && !reason.detail ? 'qyapi_get_department_list,qyapi_get_department_member' : reason.detail;
  return `${t(ctx, messageKey('SYNC_STOPPED'))} ${t(ctx, messageKey(code, detail), { detail: detail ?? '' })}`;
}

/**
 * user-data-sync keeps the task's message in a string column: VARCHAR(255) on PostgreSQL and MySQL, where a longer
 * one fails the task's save (and the task is never marked done). The full report is in the server's log.
 */
export const TASK_MESSAGE_MAX = 255;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** As many items as fit in `room` characters, then how many more there are (`… +12`). */
function fitList(items: string[], room: number): string {
  for (let shown = items.length; shown > 0; shown -= 1) {
    const list = items.slice(0, shown).join(', ') + (shown < items.length ? ` … +${items.length - shown}` : '');
    if (list.length <= room) return list;
  }
  return `… +${items.length}`;
}

function reportMessage(ctx: Context, report: SyncReport): string {
  const lines = [
    t(ctx, 'Users: {{created}} created, {{updated}} updated, {{unchanged}} unchanged.', report.users),
    t(ctx, 'Departments: {{created}} created, {{updated}} updated, {{removed}} removed, {{unchanged}} unchanged.', report.departments),
    t(ctx, 'Leavers: {{lockedOut}} locked out, {{reported}} reported, {{returned}} back.', report.leavers),
    t(ctx, 'Changes: {{changes}}. DingTalk calls: {{calls}}.', report),
  ];
  if (report.departmentsSkipped) lines.push(t(ctx, 'Departments were not synchronized: enable the Departments plugin.'));
  if (report.collisions.length) {
    const key = 'Not written because another user has the same value: {{list}}.';
    const room = TASK_MESSAGE_MAX - lines.join(' ').length - 1 - t(ctx, key, { list: '' }).length;
    const list = fitList(report.collisions.map((c) => `${c.userid} (${c.field})`), room);
    lines.push(t(ctx, key, { list }));
  }
  return lines.join(' ');
}
