/**
 * Who a DingTalk identity is in NocoBase. The key is (authenticator, unionId): unionId is the same for one
 * person in every app of the organization and in the in-app flow, where openId is per app and nick, mobile and
 * email change. Order: the existing link; else one user with the same phone (the rule of NocoBase's own DingTalk
 * plugin); else a new user when the admin turned sign-up on; else a refusal. Linking and creating run in one
 * transaction so a failure leaves neither a user without its link nor a link without its user.
 */
import type { Database, Model, Transaction } from '@nocobase/database';
import { isUniqueViolation } from './db-errors';
import type { DingTalkProfile } from './dingtalk-api';
import { LOCK_TTL_MS, LockLike, sha256 } from './one-time-store';
import { SignInError } from './sign-in-error';

export interface ResolveInput {
  db: Database;
  /** Serialises first sign-ins of one identity (NocoBase's lock manager: in-process, or Redis in a cluster). */
  lock: LockLike;
  authenticatorName: string;
  profile: DingTalkProfile;
  autoSignup: boolean;
}

export type Resolution = { user: Model; outcome: 'linked-user' | 'matched-phone' | 'signed-up' };

export async function resolveUser(input: ResolveInput): Promise<Resolution> {
  const linked = await findLinkedUser(input.db, input.authenticatorName, input.profile.unionId);
  if (linked) return { user: linked, outcome: 'linked-user' };
  // A first sign-in writes; two of the same person at once take turns, and the second finds the first's link.
  const key = `auth-dingtalk:identity:${sha256(`${input.authenticatorName}\n${input.profile.unionId}`)}`;
  return input.lock.runExclusive(key, () => resolveUnlinked(input), LOCK_TTL_MS);
}

async function resolveUnlinked({ db, authenticatorName, profile, autoSignup }: ResolveInput): Promise<Resolution> {
  const linked = await findLinkedUser(db, authenticatorName, profile.unionId);
  if (linked) return { user: linked, outcome: 'linked-user' };

  if (!profile.mobile) {
    // Without the phone permission DingTalk leaves `mobile` out; matching and sign-up both need it.
    throw new SignInError('MOBILE_PERMISSION_MISSING', { status: 403, detail: 'Contact.User.mobile' });
  }

  const candidates = await db.getRepository('users').find({ filter: { phone: { $in: phoneForms(profile) } } });
  if (candidates.length > 1) throw new SignInError('PHONE_AMBIGUOUS', { status: 409 });
  if (candidates.length === 1) {
    const user = candidates[0];
    return raceSafe(db, authenticatorName, profile.unionId, async () => {
      await db.sequelize.transaction(async (transaction) => {
        await assertNotLinkedElsewhere(db, authenticatorName, user.get('id') as number, transaction);
        await link(db, authenticatorName, user.get('id') as number, profile, transaction);
      });
      return { user, outcome: 'matched-phone' };
    });
  }

  if (!autoSignup) throw new SignInError('USER_NOT_FOUND', { status: 401 });

  return raceSafe(db, authenticatorName, profile.unionId, async () => {
    const user = await db.sequelize.transaction(async (transaction) => {
      const values: Record<string, unknown> = { nickname: profile.nick || profile.mobile, phone: profile.mobile };
      // users.email is unique and DingTalk does not verify it: a taken address is left out, not fought over.
      if (profile.email && !(await db.getRepository('users').findOne({ filter: { email: profile.email }, transaction }))) {
        values.email = profile.email;
      }
      const created = await db.getRepository('users').create({ values, transaction });
      await link(db, authenticatorName, created.get('id') as number, profile, transaction);
      return created;
    });
    return { user, outcome: 'signed-up' };
  });
}

/**
 * Runs a first sign-in's writes. When another first sign-in of the same person got there first on another app
 * node (the lock is per node unless the lock manager is shared), the unique (authenticator, uuid) index (or
 * users.phone) rejects this one and its transaction rolls back; the person then signs in as the user the winner
 * linked.
 */
async function raceSafe(
  db: Database,
  authenticatorName: string,
  unionId: string,
  write: () => Promise<Resolution>,
): Promise<Resolution> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof SignInError) throw error;
    if (isUniqueViolation(error)) {
      const winner = await findLinkedUser(db, authenticatorName, unionId);
      if (winner) return { user: winner, outcome: 'linked-user' };
      throw new SignInError('ACCOUNT_CONFLICT', { status: 409, cause: error });
    }
    throw error;
  }
}

async function findLinkedUser(db: Database, authenticatorName: string, unionId: string): Promise<Model | null> {
  const linkRecord = await db
    .getRepository('usersAuthenticators')
    .findOne({ filter: { authenticator: authenticatorName, uuid: unionId } });
  if (!linkRecord) return null;
  return db.getRepository('users').findOne({ filterByTk: linkRecord.get('userId') as number });
}

/** A user already linked to another DingTalk identity of this authenticator is not taken over by a phone match. */
async function assertNotLinkedElsewhere(
  db: Database,
  authenticatorName: string,
  userId: number,
  transaction: Transaction,
): Promise<void> {
  const existing = await db
    .getRepository('usersAuthenticators')
    .findOne({ filter: { authenticator: authenticatorName, userId }, transaction });
  if (existing) throw new SignInError('ACCOUNT_CONFLICT', { status: 409 });
}

async function link(
  db: Database,
  authenticatorName: string,
  userId: number,
  profile: DingTalkProfile,
  transaction: Transaction,
): Promise<void> {
  await db.getRepository('usersAuthenticators').create({
    values: {
      authenticator: authenticatorName,
      userId,
      uuid: profile.unionId,
      nickname: profile.nick ?? '',
      avatar: profile.avatarUrl ?? '',
      meta: { unionId: profile.unionId, openId: profile.openId ?? null, nick: profile.nick ?? null },
    },
    transaction,
  });
}

/**
 * The stored forms a DingTalk number may have in NocoBase for this issue's exact-match rule: the bare number
 * and `+<country code><number>`.
 */
export function phoneForms(profile: Pick<DingTalkProfile, 'mobile' | 'stateCode'>): string[] {
  const mobile = profile.mobile?.trim();
  if (!mobile) return [];
  const forms = new Set([mobile]);
  const country = profile.stateCode?.replace(/\D/g, '');
  if (country) forms.add(`+${country}${mobile}`);
  return [...forms];
}
