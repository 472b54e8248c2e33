/**
 * Phone numbers compared as `+<country code><national number>`. DingTalk gives `mobile` and `stateCode`
 * ("86" when absent); NocoBase users hold whatever was typed or imported. A stored number is read as:
 *   - `+…` or `00…`: international, e.g. `+86 138 0000 0000`, `+8613800000000`, `0086 13800000000`;
 *   - the person's country code followed by exactly their national number, e.g. `86-13800000000`;
 *   - anything else: a national number of the person's country, one leading trunk `0` dropped,
 *     e.g. `13800000000`, `138-0000-0000`, `(0)6 12 34 56 78` for a French number.
 * Spaces, dashes, dots and parentheses are ignored. A number of another country never matches.
 */

export interface DingTalkPhone {
  mobile: string;
  stateCode?: string;
}

const DEFAULT_COUNTRY = '86';

function digits(value: string): string {
  return value.replace(/\D/g, '');
}

/** The DingTalk number in international form, e.g. `+8613800000000`. */
export function internationalOf(phone: DingTalkPhone): string {
  const country = digits(phone.stateCode ?? '') || DEFAULT_COUNTRY;
  return `+${country}${digits(phone.mobile).replace(/^0/, '')}`;
}

/** A stored number in international form, read in the context of the DingTalk person's country. */
export function normalizeStored(stored: string, context: DingTalkPhone): string | undefined {
  const trimmed = stored.trim();
  if (!/\d/.test(trimmed) || /[^\d\s+().\-]/.test(trimmed)) return undefined;
  const country = digits(context.stateCode ?? '') || DEFAULT_COUNTRY;
  const national = digits(context.mobile).replace(/^0/, '');
  const all = digits(trimmed);
  if (trimmed.startsWith('+')) return `+${all}`;
  if (all.startsWith('00')) return `+${all.slice(2)}`;
  if (all.startsWith(country) && all.length === country.length + national.length) return `+${all}`;
  return `+${country}${all.replace(/^0/, '')}`;
}

/** Whether a stored number is the DingTalk person's number. */
export function samePhone(stored: string | null | undefined, phone: DingTalkPhone): boolean {
  return typeof stored === 'string' && normalizeStored(stored, phone) === internationalOf(phone);
}

/**
 * A cheap database pre-filter for candidates: the last four digits, which every format above keeps together.
 * Candidates are then compared with `samePhone`.
 */
export function lastDigits(phone: DingTalkPhone): string {
  return digits(phone.mobile).slice(-4);
}
