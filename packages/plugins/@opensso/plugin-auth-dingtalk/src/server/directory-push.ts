/**
 * `POST /api/dingtalkDirectory:events?source=<name>`: DingTalk's HTTP push of directory events for a source in push
 * mode (its Callback URL in the DingTalk console). Public, as DingTalk calls it: what proves the caller is DingTalk
 * is the push's signature and encryption with the source's token and aes_key (push-crypto.ts). A refused push gets
 * 403 and changes nothing; a valid one is applied once (a replay within the timestamp window finds its claim) and
 * answered with the encrypted `success` DingTalk waits for; a failure to apply answers 500, and DingTalk pushes again.
 */
import type { Context } from '@nocobase/actions';
import type { Model } from '@nocobase/database';
import { parsePushEvent } from './directory-events';
import type { DirectorySubscriptions } from './directory-subscriptions';
import { SYNC_SOURCE_TYPE } from './directory-sync-source';
import { PushCrypto } from './push-crypto';
import { configuredOrigin, directoryEventsUrl } from './public-url';
import { assertSnippet } from './current-user';
import { answerWithError, asSignInError, toHttpError } from './sign-in-error';

export const DIRECTORY_RESOURCE = 'dingtalkDirectory';
export const DIRECTORY_EVENTS_ACTION = 'events';
export const DIRECTORY_CALLBACK_URL_ACTION = 'callbackUrl';

/** The Callback URL to enter in DingTalk's console for a source in push mode (settings form); for its admins. */
export async function callbackUrlAction(ctx: Context) {
  try {
    assertSnippet(ctx, `${DIRECTORY_RESOURCE}:${DIRECTORY_CALLBACK_URL_ACTION}`);
  } catch (error) {
    answerWithError(ctx, toHttpError(ctx, asSignInError(error)));
    ctx.withoutDataWrapping = true;
    return;
  }
  const source = text(ctx.query.source);
  ctx.body = { url: source ? directoryEventsUrl(ctx, source) : undefined, fromConfiguration: configuredOrigin() !== undefined };
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export function directoryPushAction(subscriptions: DirectorySubscriptions) {
  return async (ctx: Context) => {
    ctx.withoutDataWrapping = true;
    const refuse = (status: number, reason: string) => {
      ctx.logger?.warn?.('dingtalk: directory push refused', { source: text(ctx.query.source), reason });
      ctx.status = status;
      ctx.body = { errcode: status, errmsg: reason };
    };
    const row = (await ctx.db.getRepository('userDataSyncSources').findOne({
      filter: { name: text(ctx.query.source), sourceType: SYNC_SOURCE_TYPE, enabled: true },
    })) as Model | null;
    const setup = row ? await subscriptions.setupOf(row).catch(() => undefined) : undefined;
    if (!setup || setup.events !== 'push' || !setup.pushToken || !setup.pushAesKey) return refuse(404, 'no source takes pushes here');
    const crypto = new PushCrypto(setup.pushToken, setup.pushAesKey, [setup.clientId, setup.settings.corpId ?? '']);
    const body = (ctx.request as { body?: unknown }).body as { encrypt?: unknown } | undefined;
    const opened = crypto.open({
      signature: text(ctx.query.msg_signature),
      timestamp: text(ctx.query.timestamp),
      nonce: text(ctx.query.nonce),
      encrypt: text(body?.encrypt),
    });
    if (!opened.ok) return refuse(403, opened.refusal);
    const parsed = parsePushEvent(opened.message, setup.settings.corpId);
    if (parsed.ok && 'event' in parsed) {
      try {
        await subscriptions.applyOnce(setup, parsed.event);
      } catch (error) {
        const reason = asSignInError(error);
        ctx.logger?.warn?.('dingtalk: directory push not applied; DingTalk will push it again', { source: setup.name, code: reason.code });
        ctx.status = 500;
        ctx.body = { errcode: 500, errmsg: reason.code };
        return;
      }
    } else if (!parsed.ok && parsed.refusal !== 'not-directory') {
      ctx.logger?.warn?.('dingtalk: directory event refused', { source: setup.name, refusal: parsed.refusal, eventType: parsed.eventType });
    }
    // Applied, the URL check, or an event that is not ours to apply: all answered as taken.
    ctx.body = crypto.reply('success', setup.clientId);
  };
}
