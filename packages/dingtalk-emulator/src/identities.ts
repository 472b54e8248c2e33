import { readFileSync } from 'node:fs';
import bundledIdentities from '../identities.json';

/**
 * One DingTalk user the emulator can sign in as. The fields mirror what
 * `GET /v1.0/contact/users/me` returns (see /work/shared/dingtalk-api.md §1.3);
 * `id` is only a handle for tests and the login page, DingTalk has no such field.
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
  /** Returned by the token endpoint only when the scope asked for `corpid`. */
  corpId?: string;
}

export class IdentityError extends Error {
  override name = 'IdentityError';
}

const REQUIRED = ['id', 'nick', 'unionId', 'openId'] as const;
const OPTIONAL = ['mobile', 'stateCode', 'email', 'avatarUrl', 'corpId'] as const;
const KNOWN = new Set<string>([...REQUIRED, ...OPTIONAL]);

// `id` ends up in HTML attributes, URLs and log lines; keeping it plain avoids surprises there.
const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const DIGITS = /^[0-9]{1,20}$/;

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
  return out as unknown as Identity;
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
