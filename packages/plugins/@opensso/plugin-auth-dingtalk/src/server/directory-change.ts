/**
 * One change of the directory, applied on its own: what DingTalk's event subscription reports (`user_add_org`,
 * `user_modify_org`: a member to read with `topapi/v2/user/get` and apply; `user_leave_org`: a userid gone). The
 * event handler (Stream or HTTP push, a later part) calls `applyDirectoryChange`; the full sync stays the safety
 * net and applies the same rules (directory-members.ts, directory-leavers.ts) to everyone.
 *
 * A change never creates departments: a member is placed in the departments the last full sync made (department
 * events will call the full sync's department step).
 */
import type { Database, Model } from '@nocobase/database';
import { departmentMap } from './directory-departments';
import { hasLeft, lockOut, restore, type LeaverAction } from './directory-leavers';
import { applyMember, loadMemberStates, type Collision } from './directory-members';
import type { DirectoryMember } from './directory-pull';

export type DirectoryChange = { kind: 'member'; member: DirectoryMember } | { kind: 'memberLeft'; userid: string };

export interface ChangeSettings {
  authenticatorName: string;
  sourceName: string;
  defaultCountryCode: string;
  corpId?: string;
  leavers: LeaverAction;
}

export type ChangeOutcome = 'created' | 'updated' | 'unchanged' | 'lockedOut' | 'reported' | 'ignored';

export async function applyDirectoryChange(
  deps: { db: Database; app: { emitAsync(event: string, ...args: unknown[]): Promise<unknown> } },
  settings: ChangeSettings,
  change: DirectoryChange,
): Promise<{ outcome: ChangeOutcome; collisions: Collision[] }> {
  if (change.kind === 'memberLeft') {
    const link = await linkByUserid(deps.db, settings.authenticatorName, change.userid);
    return { outcome: link ? await leave(deps, settings, link) : 'ignored', collisions: [] };
  }
  const { member } = change;
  const state = (await loadMemberStates(deps.db, settings.authenticatorName, [member.unionId])).get(member.unionId);
  if (!member.active) return { outcome: state ? await leave(deps, settings, state.link) : 'ignored', collisions: [] };
  const context = {
    db: deps.db,
    authenticatorName: settings.authenticatorName,
    departments: await departmentMap(deps.db, settings.sourceName),
    defaultCountryCode: settings.defaultCountryCode,
    corpId: settings.corpId,
  };
  // Lifted first, so that the member's write starts from the link as it is now.
  const back = state && settings.leavers === 'lockOut' ? await restore(deps.db, settings.authenticatorName, state.link) : false;
  const result = await applyMember(context, member, state);
  return { outcome: back && result.outcome === 'unchanged' ? 'updated' : result.outcome, collisions: result.collisions };
}

async function leave(deps: { db: Database; app: { emitAsync(event: string, ...args: unknown[]): Promise<unknown> } }, settings: ChangeSettings, link: Model): Promise<ChangeOutcome> {
  if (settings.leavers === 'report') return hasLeft(link) ? 'ignored' : 'reported';
  return (await lockOut(deps.db, deps.app, settings.authenticatorName, link)) ? 'lockedOut' : 'ignored';
}

/**
 * The link whose meta holds this userid, found by the database (Sequelize writes the JSON path for each dialect):
 * reading every link of a 10,000-person directory to find one took seconds, and a leaver must be out in less.
 */
async function linkByUserid(db: Database, authenticatorName: string, userid: string): Promise<Model | undefined> {
  const found = await db.getModel('usersAuthenticators').findOne({ where: { authenticator: authenticatorName, meta: { userid } } as never });
  return (found as Model | null) ?? undefined;
}
