import { describe, expect, it } from 'vitest';
import { readOptions } from '../../server/options';
import { consoleUrlsFromBody, matchesByEmail, normalizeCorpIds, normalizeMatchBy, optionDefaults, syncModeOf } from '../options';

describe('normalizeMatchBy', () => {
  it("keeps the admin's order, each rule once", () => {
    expect(normalizeMatchBy(['email', 'phone'])).toEqual(['email', 'phone']);
    expect(normalizeMatchBy(['phone', 'email', 'phone'])).toEqual(['phone', 'email']);
  });

  it('keeps an empty choice (no matching) and drops unknown rules', () => {
    expect(normalizeMatchBy([])).toEqual([]);
    expect(normalizeMatchBy(['username', 'phone', 3, null])).toEqual(['phone']);
  });

  it("is the server's default when the option was never saved", () => {
    expect(normalizeMatchBy(undefined)).toEqual(['phone']);
    expect(normalizeMatchBy('email')).toEqual(['phone']);
  });
});

describe('matchesByEmail', () => {
  it('is true only while email is one of the rules', () => {
    expect(matchesByEmail(['phone', 'email'])).toBe(true);
    expect(matchesByEmail(['email'])).toBe(true);
    expect(matchesByEmail(['phone'])).toBe(false);
    expect(matchesByEmail([])).toBe(false);
    expect(matchesByEmail(undefined)).toBe(false);
  });
});

describe('normalizeCorpIds', () => {
  it('splits pasted lists, trims, drops empties and repeats, keeps order', () => {
    expect(normalizeCorpIds([' dingA ', 'dingB,dingC', 'dingA', '', 'dingD;  dingE\ndingF'])).toEqual([
      'dingA',
      'dingB',
      'dingC',
      'dingD',
      'dingE',
      'dingF',
    ]);
    // Full-width separators, as typed with a Chinese input method.
    expect(normalizeCorpIds(['dingA，dingB；dingC'])).toEqual(['dingA', 'dingB', 'dingC']);
  });

  it('accepts nothing else than strings', () => {
    expect(normalizeCorpIds(undefined)).toEqual([]);
    expect(normalizeCorpIds([1, null, 'dingA'])).toEqual(['dingA']);
    expect(normalizeCorpIds('dingA dingB')).toEqual(['dingA', 'dingB']);
  });
});

describe('syncModeOf', () => {
  it('is the mode, or sign-up only', () => {
    expect(syncModeOf('fill')).toBe('fill');
    expect(syncModeOf('overwrite')).toBe('overwrite');
    expect(syncModeOf('always')).toBe('signup');
    expect(syncModeOf(undefined)).toBe('signup');
  });
});

describe('consoleUrlsFromBody', () => {
  const redirectUrl = 'https://nocobase.example.com/api/dingtalk:redirect';
  const homepageUrl = 'https://nocobase.example.com/admin';

  it('reads both URLs and where they come from', () => {
    expect(consoleUrlsFromBody({ data: { redirectUrl, homepageUrl, fromConfiguration: true } })).toEqual({
      redirectUrl,
      homepageUrl,
      fromConfiguration: true,
    });
    expect(consoleUrlsFromBody({ data: { redirectUrl, homepageUrl, fromConfiguration: false } })).toMatchObject({
      fromConfiguration: false,
    });
  });

  it('warns of nothing when an older server does not say (no homepage either)', () => {
    expect(consoleUrlsFromBody({ data: { redirectUrl } })).toEqual({ redirectUrl, fromConfiguration: true });
  });

  it('is undefined without a Redirect URL', () => {
    for (const body of [undefined, null, {}, { data: null }, { data: { redirectUrl: '' } }, { data: { homepageUrl } }, { data: { redirectUrl: 3 } }]) {
      expect(consoleUrlsFromBody(body)).toBeUndefined();
    }
  });

  it('drops a homepage that is not a string', () => {
    expect(consoleUrlsFromBody({ data: { redirectUrl, homepageUrl: 5, fromConfiguration: true } })).toEqual({
      redirectUrl,
      fromConfiguration: true,
    });
  });
});

describe('optionDefaults', () => {
  it("fills in every option but the app's identifiers with what the server reads when it is absent", () => {
    const app = { clientId: 'dingappkey', clientSecret: 'secret', corpId: '' };
    const filled: Record<string, unknown> = { ...app };
    for (const [path, value] of optionDefaults()) {
      let target = filled;
      for (const key of path.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
      target[path[path.length - 1]] = value;
    }
    expect(filled).toEqual(readOptions(app));
  });

  it('gives each form its own arrays', () => {
    const first = optionDefaults().find(([path]) => path[0] === 'matchBy')![1] as string[];
    first.push('email');
    expect(optionDefaults().find(([path]) => path[0] === 'matchBy')![1]).toEqual(['phone']);
  });
});
