/**
 * Who a DingTalk identity is in NocoBase. The key is (authenticator, unionId): unionId is the same for one
 * person in every app of the organization and in the in-app flow, where openId is per app and nick, mobile and
 * email change. Order: the existing link; else the admin's matching rules in their order (phone, email), each
 * linking exactly one user and refusing several, and skipping a user this DingTalk account was unlinked from
 * (link-blocks.ts); else a new user when sign-up is on; else a refusal. Linking and creating run in one
 * transaction, so a failure leaves neither a user without its link nor the reverse.
 */
import type { Database, Model, Transaction } from '@nocobase/database';
import type { MatchRule, ProfileField, SyncMode } from '../constants';
import { isUniqueViolation } from './db-errors';
import type { DingTalkProfile } from './dingtalk-api';
import { hasLeft } from './directory-leavers';
import { isBlocked, unblock } from './link-blocks';
import { LOCK_TTL_MS, LockLike, sha256 } from './one-time-store';
import { samePhone, storedForms, storedPhone } from './phone';
import { SignInError } from './sign-in-error';
import { inWriteTurn, writeTransaction } from './write-transaction';

/** What DingTalk told us about a person: the profile, and the organization context when known. */
export interface DingTalkIdentity {
  profile: DingTalkProfile;
  /** The organization the person chose at DingTalk (`scope=openid corpid`). */
  corpId?: string;
  /** The person's id in the app's organization directory (membership check, in-app sign-in). */
  userid?: string;
}

export interface ResolvePolicy {
  autoSignup: boolean;
  matchBy: MatchRule[];
  signupWithoutPhone: boolean;
  profileSync: Record<ProfileField, SyncMode>;
  /** The country of a stored number written without one. */
  defaultCountryCode: string;
  copyEmailAtSignup: boolean;
  allowedCorpIds: string[];
}

/**
 * Whether DingTalk's email may be written into a user (sign-up, profile sync). DingTalk does not verify it: a
 * stranger could sign up with a colleague's address and be matched by it later on another sign-in method
 * (pre-hijacking). Only when the admin opts in, or when only members of allowed organizations get in.
 */
export function emailTrusted(policy: ResolvePolicy): boolean {
  return policy.copyEmailAtSignup || policy.allowedCorpIds.length > 0;
}

interface Logger {
  info?(message: string, meta?: object): void;
  warn?(message: string, meta?: object): void;
}

export interface ResolveInput {
  db: Database;
  /** Serialises first sign-ins of one identity (NocoBase's lock manager: in-process, or Redis in a cluster). */
  lock: LockLike;
  authenticatorName: string;
  identity: DingTalkIdentity;
  policy: ResolvePolicy;
  log?: Logger;
}

export type Outcome = 'linked-user' | 'matched-phone' | 'matched-email' | 'signed-up';
export type Resolution = { user: Model; outcome: Outcome };

export async function resolveUser(input: ResolveInput): Promise<Resolution> {
  const resolution = await findOrLink(input);
  if (resolution.outcome !== 'signed-up') await syncProfile(input, resolution.user);
  return resolution;
}

async function findOrLink(input: ResolveInput): Promise<Resolution> {
  const linked = await findLink(input.db, input.authenticatorName, input.identity.profile.unionId);
  // Someone the directory sync found gone or deactivated: their account stays, their DingTalk sign-in does not.
  if (linked && hasLeft(linked.row)) throw new SignInError('DIRECTORY_LEFT', { status: 403 });
  if (linked) {
    await refreshLink(input, linked);
    return { user: linked.user, outcome: 'linked-user' };
  }
  // A first sign-in writes; two of the same person at once take turns, and the second finds the first's link.
  return input.lock.runExclusive(identityLockKey(input.authenticatorName, input.identity.profile.unionId), () => resolveUnlinked(input), LOCK_TTL_MS);
}

/**
 * One of 256 lock keys, by the identity's hash: NocoBase's local lock manager keeps a mutex per key for the life of
 * the process, so a key per person would grow with every first sign-in. Two people sharing a key only wait for
 * each other's first sign-in.
 */
export function identityLockKey(authenticatorName: string, unionId: string): string {
  return `auth-dingtalk:identity:${sha256(`${authenticatorName}\n${unionId}`).slice(0, 2)}`;
}

async function resolveUnlinked(input: ResolveInput): Promise<Resolution> {
  const { db, authenticatorName, identity, policy, log } = input;
  const { profile } = identity;
  const linked = await findLinkedUser(db, authenticatorName, profile.unionId);
  if (linked) return { user: linked, outcome: 'linked-user' };

  if (!profile.mobile && !policy.signupWithoutPhone) {
    // Without the phone permission DingTalk leaves `mobile` out; the admin has not accepted phone-less accounts.
    throw new SignInError('MOBILE_PERMISSION_MISSING', { status: 403, detail: 'Contact.User.mobile' });
  }

  for (const rule of policy.matchBy) {
    const user = rule === 'phone' ? await findByPhone(db, profile, policy.defaultCountryCode) : await findByEmail(db, profile);
    if (!user) continue;
    if (await isBlocked(db, authenticatorName, profile.unionId, user.get('id') as number)) {
      log?.info?.('dingtalk: match skipped', { authenticator: authenticatorName, rule, userId: user.get('id'), reason: 'unlinked' });
      continue;
    }
    return raceSafe(db, authenticatorName, profile.unionId, async () => {
      await writeTransaction(db, async (transaction) => {
        await assertNotLinkedElsewhere(db, authenticatorName, user.get('id') as number, transaction);
        await link(db, authenticatorName, user.get('id') as number, identity, transaction);
      });
      return { user, outcome: rule === 'phone' ? 'matched-phone' : 'matched-email' };
    });
  }

  if (!policy.autoSignup) throw new SignInError('USER_NOT_FOUND', { status: 401 });

  return raceSafe(db, authenticatorName, profile.unionId, async () => {
    const user = await writeTransaction(db, async (transaction) => {
      const values: Record<string, unknown> = { nickname: profile.nick || profile.mobile || '' };
      // users.phone and users.email are unique, and DingTalk does not verify email: a value another user holds is
      // left out, not fought over.
      for (const [field, value] of [
        ['phone', profile.mobile ? storedPhone({ mobile: profile.mobile, stateCode: profile.stateCode }, policy.defaultCountryCode) : undefined],
        ['email', emailTrusted(policy) ? profile.email : undefined],
      ] as const) {
        if (value && !(await db.getRepository('users').findOne({ filter: { [field]: value }, transaction }))) {
          values[field] = value;
        }
      }
      const created = await db.getRepository('users').create({ values, transaction });
      await link(db, authenticatorName, created.get('id') as number, identity, transaction);
      return created;
    });
    return { user, outcome: 'signed-up' };
  });
}

/**
 * Exactly one user whose stored number is this DingTalk number written in one of the forms `storedForms` lists
 * (an exact lookup through the unique index of users.phone), a number stored without its country being one of
 * `defaultCountry`.
 */
async function findByPhone(db: Database, profile: DingTalkProfile, defaultCountry: string): Promise<Model | undefined> {
  if (!profile.mobile) return undefined;
  const phone = { mobile: profile.mobile, stateCode: profile.stateCode };
  const candidates = await db.getRepository('users').find({ filter: { phone: { $in: storedForms(phone, defaultCountry) } } });
  const matches = candidates.filter((user: Model) => samePhone(user.get('phone') as string, phone, defaultCountry));
  if (matches.length > 1) throw new SignInError('PHONE_AMBIGUOUS', { status: 409 });
  return matches[0];
}

/** Exactly one user with this email, ignoring case. Only when the admin chose it: DingTalk does not verify email. */
async function findByEmail(db: Database, profile: DingTalkProfile): Promise<Model | undefined> {
  const email = profile.email?.trim().toLowerCase();
  if (!email) return undefined;
  const candidates = await db.getRepository('users').find({ filter: { email: { $includes: email.split('@')[0] } } });
  const matches = candidates.filter((user: Model) => String(user.get('email') ?? '').trim().toLowerCase() === email);
  if (matches.length > 1) throw new SignInError('EMAIL_AMBIGUOUS', { status: 409 });
  return matches[0];
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
    if (error instanceof SignInError || !isUniqueViolation(error)) throw error;
    const winner = await findLinkedUser(db, authenticatorName, unionId);
    if (winner) return { user: winner, outcome: 'linked-user' };
    throw new SignInError('ACCOUNT_CONFLICT', { status: 409, cause: error });
  }
}

export async function findLinkedUser(db: Database, authenticatorName: string, unionId: string): Promise<Model | null> {
  return (await findLink(db, authenticatorName, unionId))?.user ?? null;
}

/** The link row of an identity and its user: a returning sign-in reads the row once, here. */
async function findLink(db: Database, authenticatorName: string, unionId: string): Promise<{ row: Model; user: Model } | null> {
  const row = await db.getRepository('usersAuthenticators').findOne({ filter: { authenticator: authenticatorName, uuid: unionId } });
  if (!row) return null;
  const user = await db.getRepository('users').findOne({ filterByTk: row.get('userId') as number });
  return user ? { row, user } : null;
}

/** A user already linked to another DingTalk identity of this authenticator is not taken over by a match. */
async function assertNotLinkedElsewhere(
  db: Database,
  authenticatorName: string,
  userId: number,
  transaction?: Transaction,
): Promise<void> {
  const existing = await db
    .getRepository('usersAuthenticators')
    .findOne({ filter: { authenticator: authenticatorName, userId }, transaction });
  if (existing) throw new SignInError('ACCOUNT_CONFLICT', { status: 409 });
}

function linkValues(identity: DingTalkIdentity) {
  const { profile } = identity;
  return {
    nickname: profile.nick ?? '',
    avatar: profile.avatarUrl ?? '',
    meta: {
      unionId: profile.unionId,
      openId: profile.openId ?? null,
      corpId: identity.corpId ?? null,
      userid: identity.userid ?? null,
      nick: profile.nick ?? null,
    },
  };
}

export async function link(
  db: Database,
  authenticatorName: string,
  userId: number,
  identity: DingTalkIdentity,
  transaction?: Transaction,
): Promise<void> {
  await db.getRepository('usersAuthenticators').create({
    values: { authenticator: authenticatorName, userId, uuid: identity.profile.unionId, ...linkValues(identity) },
    transaction,
  });
  // A link made on purpose (self-service linking) lifts an earlier unlink's block; matching never links a blocked pair.
  await unblock(db, authenticatorName, identity.profile.unionId, userId, transaction);
}

/** Keeps the link's nickname, openId, corpId and userid current; the key (unionId) never changes. */
async function refreshLink({ db, authenticatorName, identity }: ResolveInput, { row, user }: { row: Model; user: Model }): Promise<void> {
  const values = linkValues(identity);
  const oldMeta = (row.get('meta') ?? {}) as Record<string, unknown>;
  // Keep what this sign-in did not learn (the browser flow knows no userid, the in-app flow no openId).
  const meta = Object.fromEntries(
    Object.entries(values.meta).map(([key, value]) => [key, value ?? oldMeta[key] ?? null]),
  );
  if (JSON.stringify(meta) === JSON.stringify(oldMeta) && row.get('nickname') === values.nickname) return;
  await inWriteTurn(db, () =>
    db.getRepository('usersAuthenticators').update({
      filter: { authenticator: authenticatorName, uuid: identity.profile.unionId, userId: user.get('id') as number },
      values: { nickname: values.nickname, meta },
    }),
  );
}

/**
 * Profile fields the admin keeps in step with DingTalk (`fill` when empty, `overwrite` always) for an existing
 * user. A value another user holds (email, phone are unique) is skipped and logged: it never fails the sign-in.
 * The email follows the sign-up rule (`emailTrusted`): otherwise it is skipped and logged.
 */
async function syncProfile({ db, identity, policy, log, authenticatorName }: ResolveInput, user: Model): Promise<void> {
  const { profile } = identity;
  const phone = profile.mobile ? { mobile: profile.mobile, stateCode: profile.stateCode } : undefined;
  const fromDingTalk: Record<ProfileField, string | undefined> = {
    nickname: profile.nick || undefined,
    email: profile.email || undefined,
    phone: phone ? storedPhone(phone, policy.defaultCountryCode) : undefined,
  };
  for (const field of Object.keys(fromDingTalk) as ProfileField[]) {
    const mode = policy.profileSync[field];
    const value = fromDingTalk[field];
    if (mode === 'signup' || !value) continue;
    const current = (user.get(field) as string | null) ?? '';
    if (mode === 'fill' && current) continue;
    const same = field === 'phone' && phone ? samePhone(current, phone, policy.defaultCountryCode) : current === value;
    if (same) continue;
    const userId = user.get('id') as number;
    if (field === 'email' && !emailTrusted(policy)) {
      log?.info?.('dingtalk: profile field not synced', { authenticator: authenticatorName, userId, field, reason: 'unverified' });
      continue;
    }
    if (field !== 'nickname') {
      const holder = await db.getRepository('users').findOne({ filter: { [field]: value, id: { $ne: userId } } });
      if (holder) {
        log?.warn?.('dingtalk: profile field not synced', { authenticator: authenticatorName, userId, field, reason: 'taken' });
        continue;
      }
    }
    try {
      await inWriteTurn(db, () => db.getRepository('users').update({ filterByTk: userId, values: { [field]: value } }));
      user.set(field, value);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      log?.warn?.('dingtalk: profile field not synced', { authenticator: authenticatorName, userId, field, reason: 'taken' });
    }
  }
}
