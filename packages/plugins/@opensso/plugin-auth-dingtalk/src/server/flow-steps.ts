/**
 * Steps the browser sign-in and the in-app sign-in share: DingTalk's calls, logged per sign-in with the request ids
 * DingTalk's support asks for; and the user a DingTalk identity is, resolved with the database's busy moments retried.
 */
import type { Context } from '@nocobase/actions';
import type { Database } from '@nocobase/database';
import { retryWhenBusy } from './db-errors';
import { CallOptions, timeoutFromEnv } from './dingtalk-api';
import type { LockLike } from './one-time-store';
import type { DingTalkOptions } from './options';
import { DingTalkIdentity, resolveUser } from './user-resolver';

type ApiEvent = Parameters<NonNullable<CallOptions['onResponse']>>[0];

/** Options of DingTalk's calls for one sign-in: each answer's request id goes to `requestIds`, for the last log line. */
export function callOptions(ctx: Context, authenticator: string, requestIds: string[]): CallOptions {
  return {
    timeoutMs: timeoutFromEnv(),
    onResponse: (event: ApiEvent) => {
      if (event.requestId) requestIds.push(event.requestId);
      ctx.logger?.debug?.('dingtalk: api call', { authenticator, ...event });
    },
  };
}

/** DingTalk's part is done (its code is spent): only the database writes are repeated if it is busy. */
export function resolveSignInUser(ctx: Context, lock: LockLike, authenticatorName: string, identity: DingTalkIdentity, options: DingTalkOptions) {
  return retryWhenBusy(() =>
    resolveUser({
      db: ctx.db as Database,
      lock,
      authenticatorName,
      identity,
      policy: options,
      log: ctx.logger,
    }),
  );
}
