/**
 * Pure logic of the settings form's account-hygiene fields: the default country of phone numbers stored without
 * one (checklist G2). The server reads the same option with the same rule (src/server/options.ts).
 */
import { COUNTRY_CODE_PATTERN } from '../constants';

/** A country calling code as typed: `+86`, `0086` and ` 86 ` are 86. Anything else stays as typed, to be refused. */
export function countryCodeOf(value: unknown): string {
  if (typeof value !== 'string') return '';
  const trimmed = value.trim();
  const code = trimmed.replace(/^(\+|00)\s*/, '');
  return /^\d+$/.test(code) ? code : trimmed;
}

export function isCountryCode(value: unknown): boolean {
  return typeof value === 'string' && COUNTRY_CODE_PATTERN.test(value);
}
