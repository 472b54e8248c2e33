/**
 * One full sync of a DingTalk organization's directory into NocoBase, top to bottom:
 *   1. read the whole directory (directory-pull.ts), before writing anything, so a stop on the way (bad
 *      credentials, a missing permission, DingTalk throttling for too long) leaves NocoBase as it was;
 *   2. departments: create, rename, move (directory-departments.ts);
 *   3. members: create or update each user through its (authenticator, unionId) link (directory-members.ts);
 *   4. leavers: linked members DingTalk no longer lists, or lists as inactive (directory-leavers.ts);
 *   5. departments DingTalk no longer has, once nobody is in them any more.
 * The report counts every change; a re-run with no change at DingTalk reports (and writes) none.
 */
import type { Database, Model } from '@nocobase/database';
import type { AppTokenCache, AppCredentials } from './app-token';
import type { CallOptions, DingTalkHosts } from './dingtalk-api';
import { syncDepartments, type DepartmentCounts } from './directory-departments';
import { hasLeft, knownMember, lockOut, restore, type LeaverAction } from './directory-leavers';
import { isUniqueViolation } from './db-errors';
import { writeTransaction } from './write-transaction';
import { applyMember, loadMemberStates, type Collision, type MemberContext, type MemberOutcome, type MemberState } from './directory-members';
import { createMembers, HeldValues, type BulkResult } from './directory-members-bulk';
import { pullDirectory, ROOT_DEPT_ID, type DirectoryMember } from './directory-pull';

export interface SyncSettings {
  authenticatorName: string;
  credentials: AppCredentials;
  defaultCountryCode: string;
  corpId?: string;
  rootDeptId?: number;
  syncDepartments: boolean;
  leavers: LeaverAction;
  /** Where the department mapping is kept (the sync source's name). */
  sourceName: string;
}

export interface SyncReport {
  users: { created: number; updated: number; unchanged: number };
  departments: DepartmentCounts;
  leavers: { lockedOut: number; reported: number; returned: number };
  collisions: Collision[];
  /** Every write counted above: 0 means the sync found NocoBase already up to date. */
  changes: number;
  calls: number;
  throttled: number;
  /** Departments were asked for but plugin-departments is not enabled. */
  departmentsSkipped: boolean;
}

export interface SyncDeps {
  db: Database;
  app: { emitAsync(event: string, ...args: unknown[]): Promise<unknown> };
  appTokens: AppTokenCache;
  hosts: DingTalkHosts;
  calls: CallOptions;
  /** For tests of throttling: shorter waits. */
  backoffBaseMs?: number;
}

/**
 * `applyMember`, and once more as an update when the person's first DingTalk sign-in linked them between the bulk
 * read and this write (the unique (authenticator, uuid) index refused the second link).
 */
async function applyMemberOnce(context: MemberContext, member: DirectoryMember, state: MemberState | undefined) {
  try {
    return await applyMember(context, member, state);
  } catch (error) {
    if (state || !isUniqueViolation(error)) throw error;
    const fresh = (await loadMemberStates(context.db, context.authenticatorName, [member.unionId])).get(member.unionId);
    if (!fresh) throw error;
    return applyMember(context, member, fresh);
  }
}

/**
 * Members already linked, updated per transaction: one commit per member is most of the time of a sync that changes
 * many on SQLite; a batch holds SQLite's single writer for a fraction of a second, which a sign-in meanwhile waits for.
 */
const MEMBERS_PER_TRANSACTION = 25;

/**
 * New members written per transaction (directory-members-bulk.ts): a few INSERTs of this many rows each, a few
 * hundred ms of SQLite's writer on a busy machine; a failure rolls the whole chunk back.
 */
export const NEW_MEMBERS_PER_TRANSACTION = 500;

export async function runDirectorySync(deps: SyncDeps, settings: SyncSettings): Promise<SyncReport> {
  const rootDeptId = settings.rootDeptId ?? ROOT_DEPT_ID;
  const snapshot = await pullDirectory({
    appTokens: deps.appTokens,
    credentials: settings.credentials,
    hosts: deps.hosts,
    calls: deps.calls,
    rootDeptId,
    backoffBaseMs: deps.backoffBaseMs,
  });

  // Departments need plugin-departments, which NocoBase does not enable by default: without it, users only.
  const departmentsSkipped = settings.syncDepartments && !deps.db.hasCollection('departments');
  const withDepartments = settings.syncDepartments && !departmentsSkipped;
  const departments = withDepartments
    ? await syncDepartments(deps.db, settings.sourceName, snapshot.departments, rootDeptId)
    : { map: new Map<number, string>(), counts: { created: 0, updated: 0, removed: 0, unchanged: 0 }, removeGone: async () => undefined };

  const report: SyncReport = {
    users: { created: 0, updated: 0, unchanged: 0 },
    departments: departments.counts,
    leavers: { lockedOut: 0, reported: 0, returned: 0 },
    collisions: [],
    changes: 0,
    calls: snapshot.calls,
    throttled: snapshot.throttled,
    departmentsSkipped,
  };

  const states = await loadMemberStates(deps.db, settings.authenticatorName);
  const context = {
    db: deps.db,
    authenticatorName: settings.authenticatorName,
    // Departments off: memberships are the admin's, left as they are.
    departments: withDepartments ? departments.map : undefined,
    defaultCountryCode: settings.defaultCountryCode,
    corpId: settings.corpId,
  };
  const seen = new Set<string>();
  const leavers: Model[] = [];
  const active: DirectoryMember[] = [];
  for (const member of snapshot.members) {
    seen.add(member.unionId);
    const state = states.get(member.unionId);
    if (!member.active) {
      // Not activated yet, or disabled by the organization: no account is made; a linked one is a leaver.
      if (state) leavers.push(state.link);
      continue;
    }
    // Back in the directory: lifted first, so that the member's write starts from the link as it is now.
    if (state && settings.leavers === 'lockOut' && (await restore(deps.db, settings.authenticatorName, state.link))) report.leavers.returned += 1;
    active.push(member);
  }
  const count = (result: { outcome: MemberOutcome; collisions: Collision[] }) => {
    report.users[result.outcome] += 1;
    report.collisions.push(...result.collisions);
  };
  const linked = active.filter((member) => states.has(member.unionId));
  for (let i = 0; i < linked.length; i += MEMBERS_PER_TRANSACTION) {
    const batch = linked.slice(i, i + MEMBERS_PER_TRANSACTION);
    let results: Awaited<ReturnType<typeof applyMember>>[];
    try {
      results = await writeTransaction(deps.db, async (transaction) => {
        const done = [];
        for (const member of batch) done.push(await applyMember(context, member, states.get(member.unionId), transaction));
        return done;
      });
    } catch {
      // One member's write failed and the batch rolled back: each on its own, so only that one can fail the sync.
      results = [];
      for (const member of batch) results.push(await applyMemberOnce(context, member, states.get(member.unionId)));
    }
    results.forEach(count);
  }
  const unlinked = active.filter((member) => !states.has(member.unionId));
  const held = new HeldValues(settings.defaultCountryCode);
  for (let i = 0; i < unlinked.length; i += NEW_MEMBERS_PER_TRANSACTION) {
    const chunk = unlinked.slice(i, i + NEW_MEMBERS_PER_TRANSACTION);
    let bulk: BulkResult | undefined;
    try {
      bulk = await writeTransaction(deps.db, (transaction) => createMembers(context, chunk, held, transaction));
    } catch {
      // The chunk rolled back whole (nothing of it is left): its members one by one, the way an event writes one, so
      // that only a member that cannot be written fails the sync, and the others are written.
      for (const member of chunk) count(await applyMemberOnce(context, member, undefined));
    }
    if (!bulk) continue;
    report.users.created += bulk.created.size;
    report.collisions.push(...bulk.collisions);
    // Linked by their first DingTalk sign-in since the links were read: updated like any linked member.
    if (!bulk.linkedMeanwhile.length) continue;
    const fresh = await loadMemberStates(deps.db, settings.authenticatorName, bulk.linkedMeanwhile.map((member) => member.unionId));
    for (const member of bulk.linkedMeanwhile) count(await applyMemberOnce(context, member, fresh.get(member.unionId)));
  }

  // Gone from the directory: only decidable for the whole organization, not for a sub-tree or one department.
  if (rootDeptId === ROOT_DEPT_ID) {
    for (const [unionId, state] of states) if (!seen.has(unionId) && knownMember(state.link)) leavers.push(state.link);
  }
  for (const link of leavers) {
    if (settings.leavers === 'report') {
      if (!hasLeft(link)) report.leavers.reported += 1;
    } else if (await lockOut(deps.db, deps.app, settings.authenticatorName, link)) report.leavers.lockedOut += 1;
  }

  await departments.removeGone();
  report.changes =
    report.users.created +
    report.users.updated +
    report.departments.created +
    report.departments.updated +
    report.departments.removed +
    report.leavers.lockedOut +
    report.leavers.returned;
  return report;
}
