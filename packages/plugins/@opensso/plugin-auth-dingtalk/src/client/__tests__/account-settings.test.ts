import { describe, expect, it } from 'vitest';
import { DEFAULT_COUNTRY_CODE } from '../options';
import { countryCodeOf, isCountryCode } from '../account-settings';

describe('the default country of stored phone numbers (checklist G2)', () => {
  it("keeps the digits an admin means, whether typed with + or 00", () => {
    expect(countryCodeOf('86')).toBe('86');
    expect(countryCodeOf(' +1 ')).toBe('1');
    expect(countryCodeOf('0033')).toBe('33');
    expect(countryCodeOf('+ 44')).toBe('44');
  });

  it("leaves anything else as typed, for the form to refuse (the server refuses it too)", () => {
    expect(countryCodeOf('86a')).toBe('86a');
    expect(countryCodeOf('')).toBe('');
    expect(countryCodeOf(undefined)).toBe('');
  });

  it('accepts 1 to 3 digits not starting with 0', () => {
    for (const code of ['1', '7', '33', '86', '852', DEFAULT_COUNTRY_CODE]) expect(isCountryCode(code)).toBe(true);
    for (const code of ['', '0', '086', '1234', '+86', '8 6', 86]) expect(isCountryCode(code)).toBe(false);
  });

  it('defaults to China, as bare numbers were read before the option existed', () => {
    expect(DEFAULT_COUNTRY_CODE).toBe('86');
  });
});
