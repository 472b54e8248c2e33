import { readFileSync } from 'node:fs';
import bundledIdentities from '../identities.json';

/**
 * A person's membership of one DingTalk organization. `userid` is the person's id inside that
 * organization (docs/dingtalk-api.md §2): the same person has a different userid in each organization,
 * while `unionId` stays the same everywhere.
 */
export interface OrgMembership {
  corpId: string;
  userid: string;
  /** The organization's display name (e.g. "Emulated Co."); one name per corpId across the whole file. */
  name?: string;
  /** `topapi/v2/user/get` fields; all optional. */
  title?: string;
  jobNumber?: string;
  orgEmail?: string;
  /** Department ids; default [1] (the root department). */
  deptIds?: number[];
  /** Administrator of the organization (`admin`, `sys`, `sys_level` 1). */
  admin?: boolean;
  /** The organization's boss (`boss`, `sys_level` 100 unless also admin). */
  boss?: boolean;
}

/**
 * One DingTalk user the emulator can sign in as. The fields mirror what
 * `GET /v1.0/contact/users/me` returns (see docs/dingtalk-api.md §1.3);
 * `id` is only a handle for tests and the login page, DingTalk has no such field.
 *
 * Organizations: either `orgs` (any number, the first is the default choice) or the one-organization
 * shorthand `corpId` (+ optional `userid`, default the `id`). Neither means a personal account that
 * belongs to no organization.
 */
export interface Identity {
  id: string;
  nick: string;
  mobile?: string;
  stateCode?: string;
  email?: string;
  unionId: string;
  openId: string;
  avatarUrl?: string;
  /** Shorthand for `orgs: [{ corpId, userid }]`. */
  corpId?: string;
  /** With `corpId`: the person's userid in that organization (default: the `id`). */
  userid?: string;
  orgs?: OrgMembership[];
}

export class IdentityError extends Error {
  override name = 'IdentityError';
}

const REQUIRED = ['id', 'nick', 'unionId', 'openId'] as const;
const OPTIONAL = ['mobile', 'stateCode', 'email', 'avatarUrl', 'corpId', 'userid'] as const;
const KNOWN = new Set<string>([...REQUIRED, ...OPTIONAL, 'orgs']);

const ORG_STRINGS = ['corpId', 'userid', 'name', 'title', 'jobNumber', 'orgEmail'] as const;
const ORG_BOOLEANS = ['admin', 'boss'] as const;
const ORG_KNOWN = new Set<string>([...ORG_STRINGS, ...ORG_BOOLEANS, 'deptIds']);

// `id` ends up in HTML attributes, URLs and log lines; keeping it plain avoids surprises there.
const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const DIGITS = /^[0-9]{1,20}$/;
// corpIds look like `ding0123abcd…`; userids are short ASCII strings (`manager4220`, `0123456789`).
const CORP_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const USERID_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/;

function parseMembership(raw: unknown, where: string): OrgMembership {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new IdentityError(`${where}: must be an object`);
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!ORG_KNOWN.has(key)) throw new IdentityError(`${where}: unknown field "${key}"`);
  }
  const out: Record<string, unknown> = {};
  for (const key of ORG_STRINGS) {
    const value = record[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') throw new IdentityError(`${where}: "${key}" must be a non-empty string`);
    out[key] = value;
  }
  if (out.corpId === undefined || out.userid === undefined) throw new IdentityError(`${where}: "corpId" and "userid" are required`);
  if (!CORP_ID_PATTERN.test(out.corpId as string)) throw new IdentityError(`${where}: "corpId" may only hold letters, digits, "_" and "-"`);
  if (!USERID_PATTERN.test(out.userid as string)) throw new IdentityError(`${where}: "userid" may only hold letters, digits, "_", ".", "@" and "-"`);
  for (const key of ORG_BOOLEANS) {
    const value = record[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new IdentityError(`${where}: "${key}" must be true or false`);
    out[key] = value;
  }
  if (record.deptIds !== undefined) {
    const ids = record.deptIds;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => Number.isSafeInteger(id) && (id as number) > 0)) {
      throw new IdentityError(`${where}: "deptIds" must be a non-empty array of positive integers`);
    }
    out.deptIds = [...(ids as number[])];
  }
  return out as unknown as OrgMembership;
}

/** Validates one identity; `where` names it in error messages so a broken file is easy to fix. */
export function parseIdentity(raw: unknown, where = 'identity'): Identity {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new IdentityError(`${where}: must be an object`);
  }
  const record = raw as Record<string, unknown>;
  // Unknown keys are rejected because a misspelt `unionid` would otherwise silently vanish.
  for (const key of Object.keys(record)) {
    if (!KNOWN.has(key)) throw new IdentityError(`${where}: unknown field "${key}"`);
  }
  const out: Record<string, string> = {};
  for (const key of REQUIRED) {
    const value = record[key];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new IdentityError(`${where}: "${key}" must be a non-empty string`);
    }
    out[key] = value;
  }
  for (const key of OPTIONAL) {
    const value = record[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') {
      throw new IdentityError(`${where}: "${key}" must be a non-empty string when present`);
    }
    out[key] = value;
  }
  if (!ID_PATTERN.test(out.id)) {
    throw new IdentityError(`${where}: "id" may only hold letters, digits, "_", "." and "-" (max 64)`);
  }
  // DingTalk sends mobile and stateCode together or not at all (both hang on the same permission).
  if ((out.mobile === undefined) !== (out.stateCode === undefined)) {
    throw new IdentityError(`${where}: "mobile" and "stateCode" go together`);
  }
  if (out.mobile !== undefined && (!DIGITS.test(out.mobile) || !DIGITS.test(out.stateCode ?? ''))) {
    throw new IdentityError(`${where}: "mobile" and "stateCode" must be digits only`);
  }
  if (out.userid !== undefined && out.corpId === undefined) {
    throw new IdentityError(`${where}: "userid" needs "corpId" (or use "orgs")`);
  }
  if (out.corpId !== undefined) {
    if (record.orgs !== undefined) throw new IdentityError(`${where}: use either "orgs" or the "corpId"/"userid" shorthand, not both`);
    if (!CORP_ID_PATTERN.test(out.corpId)) throw new IdentityError(`${where}: "corpId" may only hold letters, digits, "_" and "-"`);
    if (out.userid !== undefined && !USERID_PATTERN.test(out.userid)) {
      throw new IdentityError(`${where}: "userid" may only hold letters, digits, "_", ".", "@" and "-"`);
    }
  }
  const identity = out as unknown as Identity;
  if (record.orgs !== undefined) {
    if (!Array.isArray(record.orgs)) throw new IdentityError(`${where}: "orgs" must be an array`);
    const orgs = record.orgs.map((entry, i) => parseMembership(entry, `${where}.orgs[${i}]`));
    const seen = new Set<string>();
    for (const org of orgs) {
      if (seen.has(org.corpId)) throw new IdentityError(`${where}: organization "${org.corpId}" listed twice`);
      seen.add(org.corpId);
    }
    identity.orgs = orgs;
  }
  return identity;
}

/** The organizations a person belongs to, in order (the first is the default choice); [] for a personal account. */
export function memberships(identity: Identity): OrgMembership[] {
  if (identity.orgs) return identity.orgs;
  if (identity.corpId) return [{ corpId: identity.corpId, userid: identity.userid ?? identity.id }];
  return [];
}

export function membershipIn(identity: Identity, corpId: string): OrgMembership | undefined {
  return memberships(identity).find((org) => org.corpId === corpId);
}

/** Checks what only makes sense across people: one name per organization, one person per userid. */
export function checkOrganizations(list: Identity[], source: string): void {
  const names = new Map<string, string>();
  const userids = new Map<string, string>();
  for (const identity of list) {
    for (const org of memberships(identity)) {
      if (org.name !== undefined) {
        const known = names.get(org.corpId);
        if (known !== undefined && known !== org.name) {
          throw new IdentityError(`${source}: organization "${org.corpId}" is named both "${known}" and "${org.name}"`);
        }
        names.set(org.corpId, org.name);
      }
      const key = `${org.corpId}\u0000${org.userid}`;
      const owner = userids.get(key);
      if (owner !== undefined && owner !== identity.id) {
        throw new IdentityError(`${source}: userid "${org.userid}" is used twice in organization "${org.corpId}" (${owner}, ${identity.id})`);
      }
      userids.set(key, identity.id);
    }
  }
}

/** Validates a whole identities list; ids, unionIds and openIds must be unique like on the real platform. */
export function parseIdentities(raw: unknown, source = 'identities'): Identity[] {
  if (!Array.isArray(raw)) throw new IdentityError(`${source}: must be a JSON array of identities`);
  const list = raw.map((entry, i) => parseIdentity(entry, `${source}[${i}]`));
  for (const key of ['id', 'unionId', 'openId'] as const) {
    const seen = new Set<string>();
    for (const identity of list) {
      if (seen.has(identity[key])) {
        throw new IdentityError(`${source}: duplicate ${key} "${identity[key]}"`);
      }
      seen.add(identity[key]);
    }
  }
  checkOrganizations(list, source);
  return list;
}

export function loadIdentitiesFile(file: string): Identity[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new IdentityError(`${file}: cannot read (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new IdentityError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return parseIdentities(json, file);
}

/** The people shipped in the package's identities.json; a fresh copy each call so callers may mutate it. */
export function defaultIdentities(): Identity[] {
  return parseIdentities(structuredClone(bundledIdentities), 'identities.json');
}
