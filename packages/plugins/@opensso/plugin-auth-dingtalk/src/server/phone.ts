/**
 * Phone numbers compared as `+<country code><national number>`. DingTalk gives `mobile` and `stateCode` ("86"
 * when absent); NocoBase users hold whatever was typed or imported. Only a number written with its country says
 * which country it is in, so a stored number is read as:
 *   - `+…` or `00…`: international, e.g. `+86 138 0000 0000`, `0086 13800000000`, `+33 (0)6 12 34 56 78`;
 *   - anything else: a national number of the admin's default country, its trunk prefix dropped, e.g.
 *     `138-0000-0000` (86), `1-864-555-0199` (1), `06 12 34 56 78` (33). Never in the DingTalk person's country:
 *     that would let a DingTalk account of one country claim a user of another. `86-138…` is therefore a national
 *     number too, and no longer a Chinese one.
 * Spaces, dashes, dots and parentheses are ignored.
 */

export interface DingTalkPhone {
  mobile: string;
  stateCode?: string;
}

/** DingTalk's own default: it leaves `stateCode` out only for Chinese numbers. */
const DINGTALK_COUNTRY = '86';

type Trunk = { prefix: string; nationalLength?: number };

/**
 * The prefix dialled (and often written) before a national number inside its country: `0` in most countries. Where
 * a national number may itself start with that digit (Russian numbers may start with 8), the prefix is only
 * recognised in front of a number of the country's length; North America is held to the same exactness.
 */
const TRUNK_PREFIXES: Record<string, Trunk> = {
  '1': { prefix: '1', nationalLength: 10 },
  '7': { prefix: '8', nationalLength: 10 },
};
const DEFAULT_TRUNK: Trunk = { prefix: '0' };

function digits(value: string): string {
  return value.replace(/\D/g, '');
}

/** A national number without its country's trunk prefix. */
function withoutTrunk(national: string, country: string): string {
  const { prefix, nationalLength } = TRUNK_PREFIXES[country] ?? DEFAULT_TRUNK;
  if (!national.startsWith(prefix)) return national;
  if (nationalLength !== undefined && national.length !== prefix.length + nationalLength) return national;
  return national.slice(prefix.length);
}

function countryOf(phone: DingTalkPhone): string {
  return digits(phone.stateCode ?? '') || DINGTALK_COUNTRY;
}

/** The DingTalk number in international form, e.g. `+8613800000000`. */
export function internationalOf(phone: DingTalkPhone): string {
  const country = countryOf(phone);
  return `+${country}${withoutTrunk(digits(phone.mobile), country)}`;
}

/** A stored number in international form (`defaultCountry` for a bare one), or undefined when it is no number. */
export function normalizeStored(stored: string, defaultCountry: string): string | undefined {
  const trimmed = stored.trim();
  if (!/\d/.test(trimmed) || /[^\d\s+().\-]/.test(trimmed)) return undefined;
  const plus = /^[\s(]*\+/.test(trimmed);
  const international = plus || digits(trimmed).startsWith('00');
  // `+33 (0)6…`: the trunk prefix some write in brackets after the country code.
  const all = digits(international ? trimmed.replace('(0)', '') : trimmed);
  if (plus) return `+${all}`;
  if (international) return `+${all.slice(2)}`;
  return `+${defaultCountry}${withoutTrunk(all, defaultCountry)}`;
}

/** Whether a stored number is the DingTalk person's number, bare numbers read in `defaultCountry`. */
export function samePhone(stored: string | null | undefined, phone: DingTalkPhone, defaultCountry: string): boolean {
  return typeof stored === 'string' && normalizeStored(stored, defaultCountry) === internationalOf(phone);
}

/**
 * How the plugin writes a DingTalk number into a user (sign-up, profile sync): the bare national number for a
 * number of the default country (as users there usually have it), `+<country code><number>` otherwise. Both read
 * back as exactly this number, and as no number of another country, under the same default country.
 */
export function storedPhone(phone: DingTalkPhone, defaultCountry: string): string {
  const country = countryOf(phone);
  const national = withoutTrunk(digits(phone.mobile), country);
  return country === defaultCountry ? national : `+${country}${national}`;
}

/**
 * A cheap database pre-filter for candidates: the last four digits, which every format above keeps together.
 * Candidates are then compared with `samePhone`.
 */
export function lastDigits(phone: DingTalkPhone): string {
  return digits(phone.mobile).slice(-4);
}
