/**
 * Who gets a work notification: NocoBase user ids → DingTalk userids of the app's organization. A link made by the
 * in-app sign-in knows the userid (link meta `userid`); one made in the browser knows only the unionId, which
 * `topapi/user/getbyunionid` turns into the userid, cached a day (a userid never changes in an organization).
 * Users without a link, or whose DingTalk account is not a member of the organization, are skipped with a reason.
 */
import type { Database, Model } from '@nocobase/database';
import { CacheLike, sha256 } from './one-time-store';
import { SignInError } from './sign-in-error';

export type SkipReason = 'not-linked' | 'not-a-member' | 'lookup-failed';

export interface Recipients {
  /** DingTalk userid → the NocoBase user it reaches. */
  userids: Map<string, number>;
  skipped: Array<{ userId: number; reason: SkipReason }>;
  /** The first failure of a lookup that was not "not a member" (rate limit, token, network), for the log. */
  lookupError?: SignInError;
}

const USERID_TTL_MS = 24 * 60 * 60 * 1000;
/** Lookups in flight at once: fast for thousands of recipients, well under DingTalk's per-app QPS. */
const LOOKUP_CONCURRENCY = 8;
/** Rows read per query: keeps `userId IN (...)` within every database's parameter limit. */
const QUERY_CHUNK = 500;

/** `appKey` keys the cache: a userid is only valid in the organization of the app that looked it up. */
export async function resolveRecipients(input: {
  db: Database;
  cache: CacheLike;
  authenticator: string;
  appKey: string;
  userIds: number[];
  lookup: (unionId: string) => Promise<string>;
}): Promise<Recipients> {
  const result: Recipients = { userids: new Map(), skipped: [] };
  const wanted = [...new Set(input.userIds.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0))];
  const links = new Map<number, { unionId: string; userid?: string }>();
  for (let start = 0; start < wanted.length; start += QUERY_CHUNK) {
    const rows = (await input.db.getRepository('usersAuthenticators').find({
      filter: { authenticator: input.authenticator, userId: { $in: wanted.slice(start, start + QUERY_CHUNK) } },
      fields: ['userId', 'uuid', 'meta'],
    })) as Model[];
    for (const row of rows) {
      const meta = (row.get('meta') ?? {}) as { userid?: unknown };
      links.set(Number(row.get('userId')), {
        unionId: String(row.get('uuid')),
        userid: typeof meta.userid === 'string' && meta.userid ? meta.userid : undefined,
      });
    }
  }

  const toLookUp: number[] = [];
  for (const userId of wanted) {
    const link = links.get(userId);
    if (!link) result.skipped.push({ userId, reason: 'not-linked' });
    else if (link.userid) result.userids.set(link.userid, userId);
    else toLookUp.push(userId);
  }

  let next = 0;
  const worker = async () => {
    while (next < toLookUp.length) {
      const userId = toLookUp[next++];
      const { unionId } = links.get(userId)!;
      const key = `auth-dingtalk:userid:${sha256(`${input.appKey}\n${unionId}`)}`;
      try {
        let userid = (await input.cache.get(key)) as string | undefined | null;
        if (typeof userid !== 'string' || !userid) {
          userid = await input.lookup(unionId);
          await input.cache.set(key, userid, USERID_TTL_MS);
        }
        result.userids.set(userid, userId);
      } catch (error) {
        const notMember = error instanceof SignInError && error.code === 'NOT_A_MEMBER';
        result.skipped.push({ userId, reason: notMember ? 'not-a-member' : 'lookup-failed' });
        if (!notMember && !result.lookupError) result.lookupError = error instanceof SignInError ? error : new SignInError('INTERNAL_ERROR', { cause: error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, toLookUp.length) }, worker));
  return result;
}
