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
 * The ways this number is commonly written in a user's `phone`, for an exact, indexed lookup (`phone IN (…)`):
 * a leading-wildcard `LIKE` reads the whole users table, and a first sign-in would slow down as the table grows.
 * Matched (each one only if `samePhone` reads it as this number under `defaultCountry`):
 *   - international: `+<cc>` or `00<cc>`, then nothing, a space or a dash, then the national number;
 *   - national, only when the number's country is the default one: the national number, with or without the
 *     country's trunk prefix (`0`, or `1` in North America, `8` in Russia);
 *   - the national part (and the trunk-prefixed one) as one block of digits, or grouped by spaces, dashes or dots
 *     the usual ways: 3-4-4 for 11 digits (`138 0000 0000`, `1-864-555-0199`), 3-3-4 and 3-3-2-2 for 10
 *     (`864-555-0199`, `916 123 45 67`), pairs from the end (`06 12 34 56 78`), and `(864) 555-0199` in North
 *     America.
 * Anything else (mixed separators inside the number, `(0)` after the country code, brackets around `+86`) is not
 * found by a sign-in: such numbers are best normalised in NocoBase (`storedPhone` writes the first form above).
 */
export function storedForms(phone: DingTalkPhone, defaultCountry: string): string[] {
  const country = countryOf(phone);
  const national = withoutTrunk(digits(phone.mobile), country);
  const bodies = spellings(national);
  const forms = new Set<string>();
  for (const prefix of [`+${country}`, `00${country}`]) {
    for (const gap of ['', ' ', '-']) for (const body of bodies) forms.add(`${prefix}${gap}${body}`);
  }
  if (country === defaultCountry) {
    const { prefix } = TRUNK_PREFIXES[country] ?? DEFAULT_TRUNK;
    for (const body of [...bodies, ...spellings(`${prefix}${national}`)]) forms.add(body);
    if (country === '1' && national.length === 10) forms.add(`(${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}`);
  }
  return [...forms].filter((form) => samePhone(form, phone, defaultCountry));
}

/** A block of digits written whole and in its usual groupings, with each common separator. */
function spellings(block: string): string[] {
  const groupings: number[][] = [[block.length]];
  if (block.length === 11) groupings.push([3, 4, 4], [1, 3, 3, 4]);
  if (block.length === 10) groupings.push([3, 3, 4], [3, 3, 2, 2]);
  if (block.length >= 7) groupings.push(pairsFromEnd(block.length));
  const spelled = new Set<string>();
  for (const sizes of groupings) {
    const groups: string[] = [];
    let at = 0;
    for (const size of sizes) {
      groups.push(block.slice(at, at + size));
      at += size;
    }
    for (const separator of ['', ' ', '-', '.']) spelled.add(groups.join(separator));
  }
  return [...spelled];
}

/** `6 12 34 56 78`, `06 12 34 56 78`: pairs counted from the end, a single digit first when the length is odd. */
function pairsFromEnd(length: number): number[] {
  return [...(length % 2 ? [1] : []), ...Array.from({ length: Math.floor(length / 2) }, () => 2)];
}
