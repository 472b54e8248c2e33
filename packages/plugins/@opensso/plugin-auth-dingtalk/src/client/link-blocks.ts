/**
 * Pure logic of the admin page's list of DingTalk accounts unlinked from a user (checklist G8): phone and email
 * matching skip such a pair until the user links that account again or an admin clears the block. The requests
 * and answers of `dingtalk:listLinkBlocks` and `dingtalk:removeLinkBlock`.
 */
import { ACTIONS, RESOURCE } from '../constants';
import { isUserId, LinkBlockRowAnswer, stringFields, uncheckedOf, UserId } from '../api-answers';
import { GetRequest, LinkedUser, linkedUser, ListPage, listPageFromBody, PostRequest } from './links';

export function linkBlocksRequest(
  name: string,
  page: number,
  pageSize: number,
): GetRequest<{ authenticator: string; page: number; pageSize: number }> {
  return {
    url: `${RESOURCE}:${ACTIONS.listLinkBlocks}`,
    method: 'get',
    params: { authenticator: name, page, pageSize },
    skipNotify: true,
  };
}

export function removeLinkBlockRequest(
  name: string,
  userId: UserId,
  unionId: string,
): PostRequest<{ authenticator: string; userId: UserId; unionId: string }> {
  return {
    url: `${RESOURCE}:${ACTIONS.removeLinkBlock}`,
    method: 'post',
    data: { authenticator: name, userId, unionId },
    skipNotify: true,
  };
}

export type RemovedBy = LinkBlockRowAnswer['removedBy'];

/** A DingTalk account (unionId) that matching no longer links to this user by itself. */
export type LinkBlockRow = {
  userId: UserId;
  unionId: string;
  user?: LinkedUser;
  nickname?: string;
  removedBy?: RemovedBy;
  createdAt?: string;
};

function linkBlockRow(value: unknown): LinkBlockRow | undefined {
  const answer = uncheckedOf<LinkBlockRowAnswer>(value);
  if (!answer || !isUserId(answer.userId)) return undefined;
  const { unionId, ...fields } = stringFields(answer, ['unionId', 'nickname', 'createdAt']);
  if (!unionId) return undefined;
  const user = linkedUser(answer.user);
  const removedBy = answer.removedBy === 'user' || answer.removedBy === 'admin' ? answer.removedBy : undefined;
  return { userId: answer.userId, unionId, ...fields, ...(user ? { user } : {}), ...(removedBy ? { removedBy } : {}) };
}

export function linkBlocksPageFromBody(body: unknown): ListPage<LinkBlockRow> {
  return listPageFromBody(body, linkBlockRow);
}

/** What the admin page calls a user: the nickname, else the username, email or phone, else `#<id>`. */
export function userLabel(user: LinkedUser | undefined, userId: UserId): string {
  return user?.nickname || user?.username || user?.email || user?.phone || `#${userId}`;
}

export const REMOVED_BY_USER = 'By the user';
export const REMOVED_BY_ADMIN = 'By an administrator';

/** Who removed the link, as an i18n key. */
export function removedByMessage(removedBy: RemovedBy | undefined): string | undefined {
  if (removedBy === 'user') return REMOVED_BY_USER;
  if (removedBy === 'admin') return REMOVED_BY_ADMIN;
  return undefined;
}
