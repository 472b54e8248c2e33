/**
 * One DingTalk member as a NocoBase user, keyed exactly as the sign-in keys people: the (authenticator, unionId)
 * link in `usersAuthenticators`. A member with a link updates that user (never a second one); a member without one
 * gets a new user and its link in one transaction, so the person's first DingTalk sign-in lands on it.
 *
 * `applyMember` is the one function that writes a member: the full sync calls it for each member with the state it
 * loaded in bulk (`loadMemberStates`), and an event of DingTalk's directory (a person joined, changed, left) will
 * call it with the state of that one person. It writes only what differs and says what it did.
 *
 * Phone and email are unique in NocoBase: a value another user holds is not written (never merged into that user)
 * and is reported. A member who is inactive in DingTalk is handed to the leaver rule (directory-leavers.ts).
 */
import type { Database, Model, Transaction } from '@nocobase/database';
import type { DepartmentMap } from './directory-departments';
import type { DirectoryMember } from './directory-pull';
import { samePhone, storedForms, storedPhone, type DingTalkPhone } from './phone';
import { writeTransaction } from './write-transaction';

export interface MemberState {
  link: Model;
  user: Model;
  /** departmentId → isOwner */
  departments: Map<string, boolean>;
}

export type Collision = { userid: string; field: 'phone' | 'email' };
export type MemberOutcome = 'created' | 'updated' | 'unchanged';

export interface MemberContext {
  db: Database;
  authenticatorName: string;
  /** Undefined when departments are not synced: the user's departments are then left alone. */
  departments?: DepartmentMap;
  defaultCountryCode: string;
  /** The DingTalk organization, when known (the link's `corpId`). */
  corpId?: string;
}

/** The linked users of these unionIds, with their departments, in three queries. */
export async function loadMemberStates(db: Database, authenticatorName: string, unionIds?: string[]): Promise<Map<string, MemberState>> {
  const links = (await db.getRepository('usersAuthenticators').find({
    filter: { authenticator: authenticatorName, ...(unionIds ? { uuid: { $in: unionIds } } : {}) },
  })) as Model[];
  const userIds = links.map((link) => link.get('userId') as number);
  const users = userIds.length ? ((await db.getRepository('users').find({ filter: { id: { $in: userIds } } })) as Model[]) : [];
  const memberships = userIds.length ? ((await db.getRepository('departmentsUsers').find({ filter: { userId: { $in: userIds } } })) as Model[]) : [];
  const usersById = new Map(users.map((user) => [user.get('id') as number, user]));
  const departmentsOf = new Map<number, Map<string, boolean>>();
  for (const row of memberships) {
    const userId = row.get('userId') as number;
    if (!departmentsOf.has(userId)) departmentsOf.set(userId, new Map());
    departmentsOf.get(userId)!.set(String(row.get('departmentId')), row.get('isOwner') === true);
  }
  const states = new Map<string, MemberState>();
  for (const link of links) {
    const user = usersById.get(link.get('userId') as number);
    if (user) states.set(link.get('uuid') as string, { link, user, departments: departmentsOf.get(user.get('id') as number) ?? new Map() });
  }
  return states;
}

/**
 * The departments a member should be in, with owner flags, and the main one (DingTalk's first that is synced); none
 * when departments are not synced.
 */
export function wantedDepartments(ctx: MemberContext, member: DirectoryMember): { wanted: Map<string, boolean>; main: string | null } {
  const wanted = new Map<string, boolean>();
  for (const deptId of ctx.departments ? member.deptIds : []) {
    const departmentId = ctx.departments?.get(deptId);
    if (departmentId) wanted.set(departmentId, member.leaderOf.includes(deptId));
  }
  return { wanted, main: [...wanted.keys()][0] ?? null };
}

/** The member's phone as DingTalk gives it (to compare), and the phone and email NocoBase stores for them. */
export function memberContact(member: DirectoryMember, defaultCountryCode: string): { dingTalkPhone?: DingTalkPhone; phone?: string; email?: string } {
  const dingTalkPhone = member.mobile ? { mobile: member.mobile, stateCode: member.stateCode } : undefined;
  return { dingTalkPhone, phone: dingTalkPhone && storedPhone(dingTalkPhone, defaultCountryCode), email: member.email?.trim() || undefined };
}

/** What the link's `meta` says of a member: the sign-in's fields, those a directory knows. */
function linkMeta(ctx: MemberContext, member: DirectoryMember) {
  return { unionId: member.unionId, corpId: ctx.corpId ?? null, userid: member.userid, nick: member.name };
}

/** A new member's link, keyed as the sign-in keys it: (authenticator, unionId). */
export function newLinkValues(ctx: MemberContext, member: DirectoryMember, userId: number) {
  return { authenticator: ctx.authenticatorName, userId, uuid: member.unionId, nickname: member.name, avatar: '', meta: { ...linkMeta(ctx, member), openId: null } };
}

/**
 * Whether no other user has this value. An email is compared as written; a phone number in every form a user may
 * hold it in (`+86 138…`, `0086138…`, `138…` for the default country), as the sign-in's phone matching does.
 */
async function freeValue(
  ctx: MemberContext,
  field: 'phone' | 'email',
  value: string,
  phone: DingTalkPhone | undefined,
  userId: number | undefined,
  transaction: Transaction,
): Promise<boolean> {
  const others: Record<string, unknown> = userId ? { id: { $ne: userId } } : {};
  if (field === 'email') return !(await ctx.db.getRepository('users').findOne({ filter: { email: value, ...others }, transaction }));
  if (!phone) return true;
  const holders = (await ctx.db.getRepository('users').find({ filter: { phone: { $in: storedForms(phone, ctx.defaultCountryCode) }, ...others }, transaction })) as Model[];
  return !holders.some((holder) => samePhone(holder.get('phone') as string, phone, ctx.defaultCountryCode));
}

/**
 * Writes one member. `outer`: a transaction of the caller's holding several members (the full sync batches them: a
 * commit per member is most of the time of a large first sync on SQLite); without one, the member's writes get
 * their own.
 */
export async function applyMember(
  ctx: MemberContext,
  member: DirectoryMember,
  state: MemberState | undefined,
  outer?: Transaction,
): Promise<{ outcome: MemberOutcome; userId: number; collisions: Collision[] }> {
  const { db } = ctx;
  const inTransaction = <T>(fn: (transaction: Transaction) => Promise<T>): Promise<T> => (outer ? fn(outer) : writeTransaction(db, fn));
  const { dingTalkPhone, phone, email } = memberContact(member, ctx.defaultCountryCode);
  const { wanted, main } = wantedDepartments(ctx, member);
  const meta = linkMeta(ctx, member);
  const collisions: Collision[] = [];

  if (!state) {
    const userId = await inTransaction(async (transaction) => {
      const values: Record<string, unknown> = { nickname: member.name };
      for (const [field, value] of [['phone', phone], ['email', email]] as const) {
        if (!value) continue;
        if (await freeValue(ctx, field, value, dingTalkPhone, undefined, transaction)) values[field] = value;
        else collisions.push({ userid: member.userid, field });
      }
      if (ctx.departments && wanted.size) {
        // With the user, in one write: the association's rows are made together and plugin-departments accepts a
        // main department among them; per-row creates cost a save hook each (the main department, a cache key).
        values.departments = [...wanted.keys()];
        values.mainDepartmentId = main;
      }
      const user = (await db.getRepository('users').create({ values, transaction })) as Model;
      const id = user.get('id') as number;
      await db.getRepository('usersAuthenticators').create({ values: newLinkValues(ctx, member, id), transaction });
      const owned = [...wanted].filter(([, isOwner]) => isOwner).map(([departmentId]) => departmentId);
      if (owned.length) {
        await db.getRepository('departmentsUsers').update({ filter: { userId: id, departmentId: { $in: owned } }, values: { isOwner: true }, transaction });
      }
      return id;
    });
    return { outcome: 'created', userId, collisions };
  }

  const { user, link } = state;
  const userId = user.get('id') as number;
  const userChanges: Record<string, unknown> = {};
  if (user.get('nickname') !== member.name) userChanges.nickname = member.name;
  for (const [field, value] of [['phone', phone], ['email', email]] as const) {
    if (!value || user.get(field) === value) continue;
    // The same number written another way (`+86 138…`) is left as the user has it.
    if (field === 'phone' && dingTalkPhone && samePhone(user.get('phone') as string, dingTalkPhone, ctx.defaultCountryCode)) continue;
    userChanges[field] = value;
  }
  const oldMeta = (link.get('meta') ?? {}) as Record<string, unknown>;
  const metaChanged = (Object.keys(meta) as Array<keyof typeof meta>).some((key) => meta[key] !== null && oldMeta[key] !== meta[key]);
  const membershipChanged =
    ctx.departments !== undefined &&
    (wanted.size !== state.departments.size ||
    [...wanted].some(([id, owner]) => state.departments.get(id) !== owner) ||
    String(user.get('mainDepartmentId') ?? '') !== String(main ?? ''));
  if (!Object.keys(userChanges).length && !metaChanged && !membershipChanged) return { outcome: 'unchanged', userId, collisions };

  await inTransaction(async (transaction) => {
    for (const field of ['phone', 'email'] as const) {
      if (!(field in userChanges)) continue;
      if (!(await freeValue(ctx, field, userChanges[field] as string, dingTalkPhone, userId, transaction))) {
        delete userChanges[field];
        collisions.push({ userid: member.userid, field });
      }
    }
    if (Object.keys(userChanges).length) await db.getRepository('users').update({ filterByTk: userId, values: userChanges, transaction });
    if (metaChanged) {
      const merged = { ...oldMeta, ...Object.fromEntries(Object.entries(meta).filter(([, value]) => value !== null)) };
      await db.getRepository('usersAuthenticators').update({
        filter: { authenticator: ctx.authenticatorName, uuid: member.unionId },
        values: { nickname: member.name, meta: merged },
        transaction,
      });
    }
    if (membershipChanged) await writeMemberships(db, userId, state.departments, wanted, main, user.get('mainDepartmentId'), transaction);
  });
  const wrote = Object.keys(userChanges).length || metaChanged || membershipChanged;
  return { outcome: wrote ? 'updated' : 'unchanged', userId, collisions };
}

/** Adds, removes and re-flags the user's rows in departmentsUsers, then sets the main department. */
async function writeMemberships(
  db: Database,
  userId: number,
  current: Map<string, boolean>,
  wanted: Map<string, boolean>,
  main: string | null,
  currentMain: unknown,
  transaction: Transaction,
): Promise<void> {
  const rows = db.getRepository('departmentsUsers');
  const gone = [...current.keys()].filter((id) => !wanted.has(id));
  if (gone.length) await rows.destroy({ filter: { userId, departmentId: { $in: gone } }, transaction });
  for (const [departmentId, isOwner] of wanted) {
    if (!current.has(departmentId)) await rows.create({ values: { userId, departmentId, isOwner }, transaction });
    else if (current.get(departmentId) !== isOwner) await rows.update({ filter: { userId, departmentId }, values: { isOwner }, transaction });
  }
  if (String(currentMain ?? '') !== String(main ?? '')) {
    await db.getRepository('users').update({ filterByTk: userId, values: { mainDepartmentId: main }, transaction });
  }
}
