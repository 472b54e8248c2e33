/**
 * People who left the organization (gone from the directory) or were deactivated in it. What NocoBase 2.2 (open
 * source) offers to end someone's access, read from @nocobase/auth and plugin-users 2.2.15:
 *   - a user status / "disabled" flag: none;
 *   - the token blacklist: per token (jti), and only tokens NocoBase still knows, so a renewed token escapes it;
 *   - removing roles: the user still signs in (and falls back to the default role), and it destroys data an admin
 *     set up;
 *   - `users.passwordChangeTz`: `auth:check` refuses every token issued before it ("User password changed"), on any
 *     node, once the user's cached row (`auth:<id>`) is dropped. This is what ends every current session at once;
 *     it is what we use, with the cache event NocoBase's own password change emits.
 * And so that the person cannot simply sign in again with DingTalk, their link keeps a `directoryLeft` mark that the
 * sign-in refuses (`DIRECTORY_LEFT`). Their user, data, roles and link stay; if they come back (active again in the
 * directory) the mark is cleared. Only people DingTalk confirmed as members once (the link holds their `userid`)
 * can be found gone, so a person of another organization who signs in with DingTalk is never taken for a leaver.
 */
import type { Database, Model } from '@nocobase/database';

export const LEAVER_MARK = 'directoryLeft';
export const LEAVER_ACTIONS = ['lockOut', 'report'] as const;
export type LeaverAction = (typeof LEAVER_ACTIONS)[number];

interface Emitter {
  emitAsync(event: string, ...args: unknown[]): Promise<unknown>;
}

/** Whether a link belongs to someone a directory sync found gone or inactive. */
export function hasLeft(link: Model | null | undefined): boolean {
  const meta = (link?.get('meta') ?? {}) as Record<string, unknown>;
  return typeof meta[LEAVER_MARK] === 'string';
}

/** A link the directory should still list: DingTalk once confirmed the person as a member (in-app, membership check, sync). */
export function knownMember(link: Model): boolean {
  const meta = (link.get('meta') ?? {}) as Record<string, unknown>;
  return typeof meta.userid === 'string' && meta.userid !== '';
}

/** Marks the link and ends every session of its user. Returns false when it was marked already. */
export async function lockOut(db: Database, app: Emitter, authenticatorName: string, link: Model): Promise<boolean> {
  if (hasLeft(link)) return false;
  const userId = link.get('userId') as number;
  const meta = { ...((link.get('meta') ?? {}) as Record<string, unknown>), [LEAVER_MARK]: new Date().toISOString() };
  await db.getRepository('usersAuthenticators').update({ filter: { authenticator: authenticatorName, uuid: link.get('uuid') }, values: { meta } });
  link.set('meta', meta);
  // auth:check compares a token's iat (seconds) with this: every token issued up to now is refused.
  await db.getRepository('users').update({ filterByTk: userId, values: { passwordChangeTz: Date.now() } });
  await app.emitAsync('cache:del:roles', { userId });
  await app.emitAsync('cache:del:auth', { userId });
  return true;
}

/** Lifts the mark of a person active in the directory again; their old sessions stay ended. */
export async function restore(db: Database, authenticatorName: string, link: Model): Promise<boolean> {
  if (!hasLeft(link)) return false;
  const meta = { ...((link.get('meta') ?? {}) as Record<string, unknown>) };
  delete meta[LEAVER_MARK];
  await db.getRepository('usersAuthenticators').update({ filter: { authenticator: authenticatorName, uuid: link.get('uuid') }, values: { meta } });
  link.set('meta', meta);
  return true;
}
