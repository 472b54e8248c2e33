import { describe, expect, it } from 'vitest';
import { internationalOf, normalizeStored, samePhone } from '../phone';

const zhang = { mobile: '13800000000', stateCode: '86' };

describe('phone matching (checklist C2)', () => {
  it.each(['13800000000', '+86 138 0000 0000', '+8613800000000', '86-13800000000', '8613800000000', '0086 13800000000', '138-0000-0000', '(+86) 138.0000.0000'])(
    'C2 %s is the DingTalk number 13800000000 (+86)',
    (stored) => {
      expect(samePhone(stored, zhang)).toBe(true);
    },
  );

  it.each(['+1 13800000000', '13800000001', '3800000000', '+86 1380000000', '1-3800000000x', 'n/a', ''])('C2 %s is not', (stored) => {
    expect(samePhone(stored, zhang)).toBe(false);
  });

  it('C2 defaults the country to 86 when DingTalk gives none', () => {
    expect(internationalOf({ mobile: '13800000000' })).toBe('+8613800000000');
  });

  it('C2 reads a national number in the person\'s own country, with its trunk 0', () => {
    const alice = { mobile: '612345678', stateCode: '33' };
    expect(internationalOf(alice)).toBe('+33612345678');
    expect(samePhone('06 12 34 56 78', alice)).toBe(true);
    expect(samePhone('+33 6 12 34 56 78', alice)).toBe(true);
    expect(samePhone('33612345678', alice)).toBe(true);
    expect(samePhone('+86 612345678', alice)).toBe(false);
    expect(normalizeStored('0033 6 12 34 56 78', alice)).toBe('+33612345678');
  });
});
