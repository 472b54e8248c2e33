/**
 * Members who have no NocoBase user yet, written many at a time: a first sync of a large organization. Made one by
 * one through NocoBase's repositories, a user costs a transaction of a dozen queries and hooks (tens of ms on
 * SQLite), which made a first sync of 10,000 people take many minutes. Here a chunk of members is a handful of
 * statements in the caller's one transaction: the chunk's existing links read in one query, the phone numbers and
 * emails users hold kept up to date by `HeldValues` (one query), then one INSERT each for the users, their links,
 * their department memberships and their default role.
 *
 * What NocoBase's hooks do when a user is created one by one, and what a synced user needs of it (read in 2.2.15):
 *   - plugin-acl, `users.afterCreateWithAssociations`: the default role (`roles.default`) when the user has none.
 *     Reproduced: one `rolesUsers` row per user. Without it NocoBase refuses every request of the person.
 *   - plugin-departments, `users.beforeSave` / `afterSaveWithAssociations` / `departmentsUsers.afterSave`: check that
 *     the main department is one of the user's, else pick their first; drop a `departments:<id>` cache entry. The main
 *     department is written here as one of the rows written with it; a new user has nothing cached.
 *   - plugin-auth, `users.afterSave`: caches the user's row (`auth:<id>`), which `auth:check` reads through on a miss.
 *     Not needed.
 *   - plugin-users, `users.beforeUpdate`: `passwordChangeTz` when a password changes. A synced user has no password,
 *     so no `passwordChangeTz`, as one created by the sign-in.
 *   - field hooks that do run on a bulk insert (`beforeBulkCreate`): `createdAt`/`updatedAt`, the users' `sort`
 *     (plugin-field-sort), the JSON defaults.
 * The users' ids: PostgreSQL returns them (`RETURNING`), and its sequence advances as for any insert; SQLite and
 * MySQL return no ids from a multi-row INSERT, so they are given here, after the highest one, while the caller's
 * transaction holds the write lock (SQLite's `BEGIN IMMEDIATE`) and advances AUTOINCREMENT's counter itself.
 *
 * Phone and email are checked as `applyMember` checks them: a value another user holds (a phone in any form that
 * reads as the same number) is not written and is reported; within a chunk the first member keeps it.
 */
import { Op, type Database, type Transaction } from '@nocobase/database';
import { memberContact, newLinkValues, wantedDepartments, type Collision, type MemberContext } from './directory-members';
import type { DirectoryMember } from './directory-pull';
import { internationalOf, normalizeStored, type DingTalkPhone } from './phone';

export interface BulkResult {
  /** unionId → the new user's id. */
  created: Map<string, number>;
  collisions: Collision[];
  /** Members who got a link since the caller read the links (a first DingTalk sign-in meanwhile): to update. */
  linkedMeanwhile: DirectoryMember[];
}

interface Row {
  member: DirectoryMember;
  dingTalkPhone?: DingTalkPhone;
  phone?: string;
  email?: string;
}

/** Creates these members (none of them linked when the caller looked) as users, links, memberships and default role. */
export async function createMembers(ctx: MemberContext, members: DirectoryMember[], held: HeldValues, transaction: Transaction): Promise<BulkResult> {
  const { db } = ctx;
  const result: BulkResult = { created: new Map(), collisions: [], linkedMeanwhile: [] };
  if (!members.length) return result;

  const linked = new Set(
    (
      (await db.getModel('usersAuthenticators').findAll({
        attributes: ['uuid'],
        where: { authenticator: ctx.authenticatorName, uuid: { [Op.in]: members.map((member) => member.unionId) } },
        raw: true,
        transaction,
      })) as unknown as Array<{ uuid: string }>
    ).map((row) => row.uuid),
  );
  const rows: Row[] = [];
  for (const member of members) {
    if (linked.has(member.unionId)) result.linkedMeanwhile.push(member);
    else rows.push({ member, ...memberContact(member, ctx.defaultCountryCode) });
  }
  if (!rows.length) return result;

  await held.refresh(db, transaction);
  // Kept apart until the chunk is written: if it rolls back, what it took is free again.
  const chunkPhones = new Set<string>();
  const chunkEmails = new Set<string>();
  for (const row of rows) {
    const number = row.dingTalkPhone && internationalOf(row.dingTalkPhone);
    if (row.phone && number) {
      if (held.phones.has(number) || chunkPhones.has(number)) {
        row.phone = undefined;
        result.collisions.push({ userid: row.member.userid, field: 'phone' });
      } else chunkPhones.add(number);
    }
    if (row.email) {
      if (held.emails.has(row.email) || chunkEmails.has(row.email)) {
        row.email = undefined;
        result.collisions.push({ userid: row.member.userid, field: 'email' });
      } else chunkEmails.add(row.email);
    }
  }

  const wanted = rows.map((row) => wantedDepartments(ctx, row.member));
  const users = db.getModel('users');
  const values = rows.map((row, i) => ({
    nickname: row.member.name,
    ...(row.phone ? { phone: row.phone } : {}),
    ...(row.email ? { email: row.email } : {}),
    ...(ctx.departments ? { mainDepartmentId: wanted[i].main } : {}),
  }));
  const returning = db.sequelize.getDialect() === 'postgres';
  if (!returning) {
    const highest = Number((await users.max('id', { transaction })) ?? 0);
    values.forEach((value, i) => Object.assign(value, { id: highest + 1 + i }));
  }
  const inserted = await users.bulkCreate(values, { transaction, returning });
  const ids = inserted.map((user) => Number(user.get('id')));
  if (ids.length !== rows.length || ids.some((id) => !Number.isSafeInteger(id) || id <= 0)) throw new Error('directory sync: the new users have no ids');

  await db.getModel('usersAuthenticators').bulkCreate(
    rows.map(({ member }, i) => newLinkValues(ctx, member, ids[i])),
    { transaction },
  );
  const memberships = wanted.flatMap(({ wanted: departments }, i) => [...departments].map(([departmentId, isOwner]) => ({ userId: ids[i], departmentId, isOwner })));
  if (memberships.length) await db.getModel('departmentsUsers').bulkCreate(memberships, { transaction });
  const role = await defaultRole(db, transaction);
  if (role) await db.getModel('rolesUsers').bulkCreate(ids.map((userId) => ({ userId, roleName: role })), { transaction });

  for (const number of chunkPhones) held.phones.add(number);
  for (const email of chunkEmails) held.emails.add(email);
  rows.forEach(({ member }, i) => result.created.set(member.unionId, ids[i]));
  return result;
}

/**
 * The phone numbers (international form) and emails users hold, kept up to date across a sync's chunks. A lookup by
 * the chunk's own numbers would need each in every spelling `storedForms` knows (some 70 a number: 35,000 values for
 * a chunk of 500, most of the chunk's time); instead the first chunk reads every user's phone and email once, and
 * each later one only the users written since (with a margin for the clocks of other nodes), inside its
 * transaction, so a user made meanwhile by a sign-in or an admin is seen. A value freed meanwhile stays taken: the
 * member is reported, and the next sync writes it.
 */
export class HeldValues {
  readonly phones = new Set<string>();
  readonly emails = new Set<string>();
  private readAt?: Date;

  constructor(private readonly defaultCountryCode: string) {}

  async refresh(db: Database, transaction: Transaction): Promise<void> {
    const startedAt = new Date();
    const where = this.readAt
      ? { updatedAt: { [Op.gte]: new Date(this.readAt.getTime() - CLOCK_MARGIN_MS) } }
      : { [Op.or]: [{ phone: { [Op.ne]: null } }, { email: { [Op.ne]: null } }] };
    const rows = (await db.getModel('users').findAll({ attributes: ['phone', 'email'], where, raw: true, transaction })) as unknown as Array<{ phone: string | null; email: string | null }>;
    for (const { phone, email } of rows) {
      const number = phone ? normalizeStored(phone, this.defaultCountryCode) : undefined;
      if (number) this.phones.add(number);
      if (email) this.emails.add(email);
    }
    this.readAt = startedAt;
  }
}

const CLOCK_MARGIN_MS = 5_000;

async function defaultRole(db: Database, transaction: Transaction): Promise<string | undefined> {
  if (!db.hasCollection('roles') || !db.hasCollection('rolesUsers')) return undefined;
  const role = (await db.getModel('roles').findOne({ attributes: ['name'], where: { default: true }, raw: true, transaction })) as unknown as { name: string } | null;
  return role?.name;
}
