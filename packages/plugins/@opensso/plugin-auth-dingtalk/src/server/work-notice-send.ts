/**
 * One work notification, start to end: the channel's app (its authenticator's Client ID/Secret and the AgentId),
 * the recipients (work-notice-recipients.ts), the msg (work-notice-message.ts), then asyncsend_v2 in batches of
 * DingTalk's maximum, one after the other, each retried with growing waits while DingTalk says "too many requests";
 * then getsendresult for each task, and once more a minute later (rewriting the log row). The outcome is the
 * `{ status, reason }` notification-manager writes to its log: the reason tells, in the app's language, what went
 * out (task ids), who was skipped and why, and what DingTalk reports of the delivery. Nothing here throws: a
 * failure is a `failure` status with its translated reason, so the workflow "Notification" node fails with that
 * reason instead of the engine catching an exception.
 */
import type { Database, Model } from '@nocobase/database';
import { AUTH_TYPE, NAMESPACE } from '../constants';
import { ERROR_MESSAGES } from '../errors';
import { parseAgentId, type WorkNoticeChannelOptions, type WorkNoticeMessage } from '../work-notice-form';
import { AppCredentials, AppTokenCache } from './app-token';
import { CallOptions, getUserIdByUnionId, hostsFromEnv, timeoutFromEnv } from './dingtalk-api';
import { CacheLike } from './one-time-store';
import { OPTIONS_NOT_FROM_ENV } from './options';
import { configuredOrigin } from './public-url';
import { asSignInError, SignInError } from './sign-in-error';
import { asyncSend, getSendResult, MAX_RECIPIENTS_PER_CALL, SendResult } from './work-notice-api';
import { toDingTalkMsg } from './work-notice-message';
import { resolveRecipients, type Recipients, type SkipReason } from './work-notice-recipients';

export interface HostApp {
  db: Database;
  cache: CacheLike;
  environment?: { renderJsonTemplate(template: unknown, options?: { omit?: string[] }): unknown };
  i18n: { t(key: string, options?: Record<string, unknown>): string };
  logger: { info(message: string, meta?: object): void; warn(message: string, meta?: object): void };
}

export interface SendParams {
  channel: { name: string; options?: WorkNoticeChannelOptions };
  message: WorkNoticeMessage;
  receivers?: { type: 'userId'; value: number[] } | { type: string; value: unknown };
}

export interface SendOutcome {
  status: 'success' | 'failure';
  reason: string;
  /** Task ids DingTalk answered, in order (also in the reason). */
  taskIds: number[];
}

/** Tries of one batch while DingTalk throttles: waits of 1, 2, 4 … times the base between them. */
const MAX_TRIES = 5;
/** Ids listed by name in the reason; beyond that, a count. */
const LISTED = 50;

function backoffBaseMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.DINGTALK_NOTIFY_BACKOFF_MS);
  return Number.isFinite(value) && value >= 0 ? value : 1000;
}

/** When to read the delivery reports once more and update the log; 0 turns it off. Default one minute. */
function recheckDelayMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.DINGTALK_NOTIFY_RECHECK_MS?.trim();
  const value = raw ? Number(raw) : Number.NaN;
  return Number.isFinite(value) && value >= 0 ? value : 60_000;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** NocoBase's user selection: user ids, or `{ filter }` objects of users (an empty filter would mean everybody). */
async function selectedUserIds(db: Database, params: SendParams): Promise<number[]> {
  if (params.receivers?.type === 'userId' && Array.isArray(params.receivers.value)) return params.receivers.value.map(Number);
  const selection = (Array.isArray(params.message.receivers) ? params.message.receivers : []).flat();
  const ids: number[] = [];
  for (const item of selection) {
    if (item && typeof item === 'object') {
      const filter = (item as { filter?: unknown }).filter;
      if (!filter || typeof filter !== 'object' || Object.keys(filter).length === 0) continue;
      const users = (await db.getRepository('users').find({ ...(item as object), fields: ['id'] })) as Model[];
      ids.push(...users.map((user) => Number(user.get('id'))));
    } else if (item !== null && item !== undefined && item !== '') {
      ids.push(Number(item));
    }
  }
  return ids;
}

async function channelApp(app: HostApp, options: WorkNoticeChannelOptions | undefined) {
  const agentId = parseAgentId(options?.agentId);
  const name = typeof options?.authenticator === 'string' ? options.authenticator : '';
  const row = name ? ((await app.db.getRepository('authenticators').findOne({ filter: { name, authType: AUTH_TYPE } })) as Model | null) : null;
  const raw = (row?.get('options') ?? {}) as Record<string, unknown>;
  // As NocoBase's storer reads them: the Client Secret may be `{{$env.X}}`.
  const rendered = (app.environment ? app.environment.renderJsonTemplate(raw, { omit: OPTIONS_NOT_FROM_ENV }) : raw) as Record<string, unknown>;
  const appKey = typeof rendered.clientId === 'string' ? rendered.clientId.trim() : '';
  const appSecret = typeof rendered.clientSecret === 'string' ? rendered.clientSecret.trim() : '';
  if (!agentId || !row || !appKey || !appSecret || /\{\{.*\}\}/.test(appSecret)) {
    throw new SignInError('NOTIFY_CHANNEL_INVALID', { status: 400, dingtalkCode: !agentId ? 'agentId' : 'authenticator' });
  }
  return { agentId, authenticator: name, credentials: { appKey, appSecret } satisfies AppCredentials };
}

interface Batch {
  userids: string[];
  taskId?: number;
  result?: SendResult;
}

export class WorkNoticeSender {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly app: HostApp,
    private readonly appTokens: AppTokenCache,
  ) {}

  async send(params: SendParams): Promise<SendOutcome> {
    const started = Date.now();
    const hosts = hostsFromEnv();
    const calls: CallOptions = { timeoutMs: timeoutFromEnv() };
    const batches: Batch[] = [];
    let failure: SignInError | undefined;
    let recipients: Recipients | undefined;
    let readReport: ((batch: Batch) => Promise<void>) | undefined;
    try {
      const { agentId, authenticator, credentials } = await channelApp(this.app, params.channel.options);
      const msg = toDingTalkMsg(params.message ?? {}, configuredOrigin());
      const withToken = <T>(fn: (token: string) => Promise<T>) => this.appTokens.withToken(credentials, hosts, calls, fn);
      recipients = await resolveRecipients({
        db: this.app.db,
        cache: this.app.cache,
        authenticator,
        appKey: credentials.appKey,
        userIds: await selectedUserIds(this.app.db, params),
        lookup: (unionId) => this.throttled(() => withToken((token) => getUserIdByUnionId(hosts, token, unionId, calls))),
      });
      const userids = [...recipients.userids.keys()];
      if (userids.length === 0) throw recipients.lookupError ?? new SignInError('NOTIFY_NO_RECIPIENTS', { status: 400 });
      for (let start = 0; start < userids.length; start += MAX_RECIPIENTS_PER_CALL) {
        batches.push({ userids: userids.slice(start, start + MAX_RECIPIENTS_PER_CALL) });
      }
      for (const batch of batches) {
        try {
          batch.taskId = await this.throttled(() => withToken((token) => asyncSend(hosts, token, { agentId, userids: batch.userids, msg }, calls)));
        } catch (error) {
          // The app's settings, permission or quota: the next batch would be refused the same way.
          failure = asSignInError(error);
          break;
        }
      }
      readReport = async (batch) => {
        if (batch.taskId === undefined) return;
        try {
          batch.result = await this.throttled(() => withToken((token) => getSendResult(hosts, token, { agentId, taskId: batch.taskId! }, calls)));
        } catch {
          // The message went out; only its delivery report is missing, which the reason says.
        }
      };
      for (const batch of batches) await readReport(batch);
    } catch (error) {
      failure = asSignInError(error);
    }

    const sent = batches.filter((batch) => batch.taskId !== undefined);
    const acceptedCount = sent.reduce((sum, batch) => sum + batch.userids.length, 0);
    const delivery = this.delivery(sent);
    // Everyone DingTalk accepted turned out unreachable: as much a failure as a refused call.
    if (!failure && acceptedCount > 0 && delivery.reported === acceptedCount) {
      if (delivery.invalid === acceptedCount) failure = new SignInError('NOTIFY_RECIPIENTS_INVISIBLE', { status: 502 });
      else if (delivery.forbidden === acceptedCount) failure = new SignInError('NOTIFY_QUOTA_EXCEEDED', { status: 503 });
    }
    const head = failure ? [`${this.t(ERROR_MESSAGES[failure.code])} (${failure.code})`] : [];
    const skipped = recipients ? this.skippedLines(recipients.skipped) : [];
    const reasonOf = (report: ReturnType<WorkNoticeSender['delivery']>, extra: string[] = []) => {
      if (!sent.length) return [...head, ...skipped].join('\n');
      const accepted = this.t('DingTalk accepted the message for {{accepted}} recipients in {{calls}} calls (task ids: {{tasks}}).', {
        accepted: acceptedCount,
        calls: sent.length,
        tasks: sent.map((batch) => batch.taskId).join(', '),
      });
      const partial = report.reported < acceptedCount ? [this.t('DingTalk has not reported the delivery of every task yet.')] : [];
      const counts = this.t(
        "Delivery reported by DingTalk: {{unread}} unread, {{read}} read, {{invalid}} not found or outside the app's visible range, {{forbidden}} held back by DingTalk's sending limits, {{failed}} failed.",
        report,
      );
      return [...head, accepted, ...partial, counts, ...extra, ...skipped].join('\n');
    };
    const outcome: SendOutcome = { status: failure ? 'failure' : 'success', reason: reasonOf(delivery), taskIds: sent.map((batch) => batch.taskId!) };
    this.app.logger[failure ? 'warn' : 'info']('dingtalk: work notification', {
      channel: params.channel.name,
      status: outcome.status,
      code: failure?.code,
      dingtalkCode: failure?.dingtalkCode,
      requestId: failure?.requestId,
      recipients: recipients?.userids.size ?? 0,
      skipped: recipients?.skipped.length ?? 0,
      taskIds: outcome.taskIds,
      ...delivery,
      durationMs: Date.now() - started,
    });
    const delay = recheckDelayMs();
    if (sent.length && readReport && delay > 0) {
      const reread = readReport;
      // DingTalk delivers in the background: the report read right after sending may be early. Read it once more
      // later and rewrite the log row's reason (the manager writes the row once `send` has returned).
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void (async () => {
          for (const batch of sent) await reread(batch);
          const again = this.delivery(sent);
          const logs = this.app.db.getRepository('notificationSendLogs');
          const row = (await logs.findOne({
            filter: { channelName: params.channel.name, reason: { $includes: String(outcome.taskIds[0]) } },
          })) as Model | null;
          if (!row) return;
          const note = this.t('Delivery checked again {{seconds}} s after sending.', { seconds: Math.round(delay / 1000) });
          await logs.update({ filterByTk: row.get('id') as string, values: { reason: reasonOf(again, [note]) } });
        })().catch((error: unknown) => this.app.logger.warn('dingtalk: work notification report not read again', { error: String(error) }));
      }, delay);
      timer.unref?.();
      this.timers.add(timer);
    }
    return outcome;
  }

  /** Drops the pending re-reads of delivery reports (the app is stopping). */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Runs a call again after 1, 2, 4 … × the base wait while DingTalk answers with a rate-limit code. */
  private async throttled<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        const limited = error instanceof SignInError && error.code === 'DINGTALK_RATE_LIMITED';
        if (!limited || attempt >= MAX_TRIES) throw error;
        await sleep(backoffBaseMs() * 2 ** (attempt - 1));
      }
    }
  }

  private delivery(sent: Batch[]) {
    const count = { reported: 0, unread: 0, read: 0, invalid: 0, forbidden: 0, failed: 0 };
    for (const { result, userids } of sent) {
      // DingTalk sends in the background: right after the call a task may not list anybody yet.
      const listed = result ? Object.values(result).reduce((sum, list) => sum + list.length, 0) - result.forbidden_list.length : 0;
      if (!result || listed === 0) continue;
      count.reported += userids.length;
      count.unread += result.unread_user_id_list.length;
      count.read += result.read_user_id_list.length;
      count.invalid += result.invalid_user_id_list.length;
      count.forbidden += result.forbidden_user_id_list.length;
      count.failed += result.failed_user_id_list.length;
    }
    return count;
  }

  private skippedLines(skipped: Recipients['skipped']): string[] {
    const sentences: Record<SkipReason, string> = {
      'not-linked': 'Skipped {{count}} users without a DingTalk link: {{ids}}.',
      'not-a-member': "Skipped {{count}} users whose DingTalk account is not in the app's organization: {{ids}}.",
      'lookup-failed': 'Skipped {{count}} users whose DingTalk userid could not be looked up: {{ids}}.',
    };
    return (Object.keys(sentences) as SkipReason[]).flatMap((reason) => {
      const ids = skipped.filter((entry) => entry.reason === reason).map((entry) => entry.userId);
      if (ids.length === 0) return [];
      const listed = ids.slice(0, LISTED).join(', ') + (ids.length > LISTED ? ` … (+${ids.length - LISTED})` : '');
      return [this.t(sentences[reason], { count: ids.length, ids: listed })];
    });
  }

  private t(key: string, values: Record<string, unknown> = {}): string {
    return String(this.app.i18n.t(key, { ns: NAMESPACE, defaultValue: key, interpolation: { escapeValue: false }, ...values }));
  }
}

