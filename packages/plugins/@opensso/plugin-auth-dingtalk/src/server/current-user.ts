import type { Context } from '@nocobase/actions';
import { SignInError } from './sign-in-error';

/**
 * The signed-in user's id. NocoBase's `loggedIn` ACL condition lets an anonymous request fall through to the
 * role check rather than refusing it, so the actions that act for a user check for one themselves. The user is a
 * model or, when it comes from NocoBase's auth cache, a plain object.
 */
export function currentUserId(ctx: Context): number {
  const user = ctx.state.currentUser as { id?: number; get?: (key: string) => unknown } | undefined;
  const id = user?.get ? user.get('id') : user?.id;
  if (typeof id !== 'number') throw new SignInError('SIGN_IN_REQUIRED', { status: 401 });
  return id;
}

/**
 * Admin-only actions check the ACL snippet themselves: for a resource that is not a collection, NocoBase may let a
 * role's data strategy (e.g. members') through, so the `pm.auth.dingtalk` snippet is required explicitly.
 */
export function assertSnippet(ctx: Context, actionPath: string): void {
  currentUserId(ctx);
  const state = ctx.state as { currentRole?: string; currentRoles?: string[] };
  const roles = state.currentRoles?.length ? state.currentRoles : state.currentRole ? [state.currentRole] : [];
  const acl = ctx.app.acl as { getRole(name: string): { snippetAllowed(path: string): boolean | null } | undefined };
  if (roles.includes('root') || roles.some((role) => acl.getRole(role)?.snippetAllowed(actionPath) === true)) return;
  throw new SignInError('FORBIDDEN', { status: 403 });
}
