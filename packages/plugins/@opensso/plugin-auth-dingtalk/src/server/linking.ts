/**
 * Linking a DingTalk account to the signed-in user. It starts like a browser sign-in (`dingtalk:getLinkUrl`, a POST
 * under NocoBase's CSRF check, whose state also names the user: `BrowserSignIn.start` with a `userId`) and comes
 * back through the same callback and state check. Then, instead of a sign-in ticket, the callback leaves a link
 * ticket holding what DingTalk said (`land`), and `dingtalk:completeLink`, an authenticated POST, links it only for
 * that same user, in that same browser (`completeLink`).
 */
import type { Context } from '@nocobase/actions';
import type { Database } from '@nocobase/database';
import { COOKIES, QUERY } from '../constants';
import { consumeTicket, cookieOptions } from './browser-binding';
import { currentUserId } from './current-user';
import { isUniqueViolation } from './db-errors';
import { FlowStores, PendingSignIn, TICKET_TTL_MS } from './flow-state';
import { appPageUrl } from './public-url';
import { SignInError } from './sign-in-error';
import { DingTalkIdentity, findLinkedUser, link } from './user-resolver';

export class Linking {
  constructor(private readonly stores: FlowStores) {}

  /** The callback of a linking whose state checked out: the link ticket, and back to the page it started from. */
  land(ctx: Context, pending: PendingSignIn, authenticator: string, identity: DingTalkIdentity, requestIds: string[]): string {
    const ticket = this.stores.linkTickets.issue({
      authenticator,
      userId: pending.userId as number,
      binding: pending.binding,
      identity,
    });
    ctx.cookies.set(COOKIES.linkTicket, ticket, cookieOptions(ctx, TICKET_TTL_MS));
    ctx.logger?.info?.('dingtalk: link callback succeeded', { authenticator, userId: pending.userId, requestIds });
    return appPageUrl(ctx, pending.returnPath, { [QUERY.link]: authenticator });
  }

  /** Links the DingTalk account of the link ticket to the signed-in user, who must be the one who started it. */
  async completeLink(ctx: Context, authenticatorName: unknown): Promise<{ authenticator: string; nickname: string }> {
    if (typeof authenticatorName !== 'string' || !authenticatorName) throw new SignInError('TICKET_INVALID', { status: 401 });
    const found = await consumeTicket(ctx, this.stores.linkTickets, COOKIES.linkTicket, authenticatorName);
    if (currentUserId(ctx) !== found.userId) throw new SignInError('LINK_USER_MISMATCH', { status: 403 });
    const db = ctx.db as Database;
    const { unionId } = found.identity.profile;
    const holder = await findLinkedUser(db, authenticatorName, unionId);
    if (holder && holder.get('id') !== found.userId) throw new SignInError('IDENTITY_LINKED_ELSEWHERE', { status: 409 });
    if (!holder) {
      const existing = await db.getRepository('usersAuthenticators').findOne({ filter: { authenticator: authenticatorName, userId: found.userId } });
      if (existing) throw new SignInError('ALREADY_LINKED', { status: 409 });
      try {
        await link(db, authenticatorName, found.userId, found.identity);
      } catch (error) {
        // Someone linked this DingTalk account in the meantime (the unique (authenticator, uuid) index).
        if (isUniqueViolation(error)) throw new SignInError('IDENTITY_LINKED_ELSEWHERE', { status: 409, cause: error });
        throw error;
      }
    }
    ctx.logger?.info?.('dingtalk: linked', { authenticator: authenticatorName, userId: found.userId });
    return { authenticator: authenticatorName, nickname: found.identity.profile.nick ?? '' };
  }
}
