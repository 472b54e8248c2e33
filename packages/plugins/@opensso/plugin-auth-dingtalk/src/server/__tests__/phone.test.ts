import { describe, expect, it } from 'vitest';
import { internationalOf, normalizeStored, samePhone, storedForms, storedPhone } from '../phone';

const zhang = { mobile: '13800000000', stateCode: '86' };

describe('phone matching (checklist C2)', () => {
  it.each(['13800000000', '+86 138 0000 0000', '+8613800000000', '0086 13800000000', '138-0000-0000', '(+86) 138.0000.0000'])(
    'C2 %s is the DingTalk number 13800000000 (+86)',
    (stored) => {
      expect(samePhone(stored, zhang, '86')).toBe(true);
    },
  );

  it.each(['+1 13800000000', '13800000001', '3800000000', '+86 1380000000', '1-3800000000x', 'n/a', ''])('C2 %s is not', (stored) => {
    expect(samePhone(stored, zhang, '86')).toBe(false);
  });

  it('C2 defaults the country to 86 when DingTalk gives none', () => {
    expect(internationalOf({ mobile: '13800000000' })).toBe('+8613800000000');
  });
});

/**
 * G2: only `+…` and `00…` carry a country. A bare stored number is a national number of the admin's default
 * country (its trunk prefix dropped), whatever the DingTalk person's country is.
 */
describe('phone numbers of different countries (checklist G2)', () => {
  const us = (mobile: string) => ({ mobile, stateCode: '1' });
  const cn = (mobile: string) => ({ mobile, stateCode: '86' });
  const fr = (mobile: string) => ({ mobile, stateCode: '33' });
  const ru = (mobile: string) => ({ mobile, stateCode: '7' });

  it.each([
    // Default country 86: bare numbers are Chinese.
    ['86', '18645678901', us('8645678901'), false],
    ['86', '1-864-567-8901', us('8645678901'), false],
    ['86', '+1 864-567-8901', us('8645678901'), true],
    ['86', '001 864 567 8901', us('8645678901'), true],
    ['86', '18645678901', cn('18645678901'), true],
    ['86', '06 12 34 56 78', fr('612345678'), false],
    ['86', '+33 6 12 34 56 78', fr('612345678'), true],
    ['86', '+33 (0)6 12 34 56 78', fr('612345678'), true],
    // "86-138…" is a bare number: a national number of the default country, not +86.
    ['86', '86-13800000000', cn('13800000000'), false],
    ['86', '8613800000000', cn('13800000000'), false],
    // Default country 1 (NANP, trunk prefix 1): bare numbers are North American.
    ['1', '1-864-555-0199', cn('18645550199'), false],
    ['1', '18645550199', cn('18645550199'), false],
    ['1', '1-864-555-0199', us('8645550199'), true],
    ['1', '(864) 555-0199', us('8645550199'), true],
    ['1', '864.555.0199', us('8645550199'), true],
    ['1', '+86 186 4555 0199', cn('18645550199'), true],
    ['1', '0086 18645550199', cn('18645550199'), true],
    // Default country 33 (trunk prefix 0).
    ['33', '06 12 34 56 78', fr('612345678'), true],
    ['33', '612345678', fr('612345678'), true],
    ['33', '06 12 34 56 78', cn('612345678'), false],
    // Default country 7 (trunk prefix 8 before a 10-digit number).
    ['7', '8 916 123-45-67', ru('9161234567'), true],
    ['7', '916 123 45 67', ru('9161234567'), true],
    ['7', '+7 916 123 45 67', ru('9161234567'), true],
    ['7', '8 812 123 4567', ru('8121234567'), true],
    ['7', '812 123 4567', ru('8121234567'), true],
    ['7', '8 916 123-45-67', cn('9161234567'), false],
  ] as const)('G2 default country %s: stored %s vs DingTalk %o → %s', (country, stored, phone, expected) => {
    expect(samePhone(stored, phone, country)).toBe(expected);
  });

  it('G2 reads a bare number in the default country only, never in the DingTalk person\'s', () => {
    expect(normalizeStored('18645678901', '86')).toBe('+8618645678901');
    expect(normalizeStored('1-864-555-0199', '1')).toBe('+18645550199');
    expect(normalizeStored('8645550199', '1')).toBe('+18645550199');
    expect(normalizeStored('06 12 34 56 78', '33')).toBe('+33612345678');
    expect(normalizeStored('89161234567', '7')).toBe('+79161234567');
    expect(normalizeStored('0033 6 12 34 56 78', '86')).toBe('+33612345678');
    expect(normalizeStored('n/a', '86')).toBeUndefined();
  });

  it.each([
    ['86', cn('13800000000'), '13800000000'],
    ['86', us('8645678901'), '+18645678901'],
    ['1', us('8645550199'), '8645550199'],
    ['1', cn('18645550199'), '+8618645550199'],
    ['33', fr('612345678'), '612345678'],
    ['7', ru('9161234567'), '9161234567'],
  ] as const)('G2 sign-up and profile sync store, with default country %s, DingTalk %o as %s', (country, phone, stored) => {
    expect(storedPhone(phone, country)).toBe(stored);
    // Unambiguous: read back under the same default country it is this number, and no number of another country.
    expect(samePhone(stored, phone, country)).toBe(true);
    for (const other of [cn(phone.mobile), us(phone.mobile), fr(phone.mobile), ru(phone.mobile)]) {
      if (other.stateCode !== phone.stateCode) expect(samePhone(stored, other, country)).toBe(false);
    }
  });
});

/** The exact values a sign-in looks up in users.phone (an indexed `IN`, not a scan). */
describe('the stored forms a phone lookup asks for (issue 10)', () => {
  it.each([
    ['86', { mobile: '13800000000', stateCode: '86' }, ['13800000000', '138 0000 0000', '138-0000-0000', '+8613800000000', '+86 138 0000 0000', '0086 13800000000', '0086 138-0000-0000', '+86-13800000000']],
    ['1', { mobile: '8645550199', stateCode: '1' }, ['8645550199', '1-864-555-0199', '(864) 555-0199', '864.555.0199', '+1 864-555-0199', '001 864 555 0199']],
    ['33', { mobile: '612345678', stateCode: '33' }, ['06 12 34 56 78', '612345678', '+33 6 12 34 56 78', '0033612345678']],
    ['7', { mobile: '9161234567', stateCode: '7' }, ['89161234567', '916 123 45 67', '+7 916 123 45 67']],
  ] as const)('default country %s: %o is looked up as, among others, %o', (country, phone, expected) => {
    const forms = storedForms(phone, country);
    for (const form of expected) expect(forms).toContain(form);
    // Never a form that the matching rules read as another number, and few enough for one indexed IN.
    for (const form of forms) expect(samePhone(form, phone, country)).toBe(true);
    expect(forms.length).toBeLessThanOrEqual(100);
  });

  it('G2 a number of another country than the default one is looked up only with its country code', () => {
    const forms = storedForms({ mobile: '8645678901', stateCode: '1' }, '86');
    expect(forms).toContain('+1 864-567-8901');
    expect(forms).not.toContain('18645678901');
    expect(forms).not.toContain('1-864-567-8901');
    expect(forms.every((form) => form.startsWith('+1') || form.startsWith('001'))).toBe(true);
  });
});
