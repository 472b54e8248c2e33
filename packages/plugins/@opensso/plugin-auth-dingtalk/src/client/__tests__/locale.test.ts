import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_MESSAGES, MESSAGES_WITHOUT_DETAIL } from '../../errors';
import { IN_APP_LOAD_FAILED, IN_APP_OUTDATED, IN_APP_REFUSED, IN_APP_TIMEOUT } from '../in-app';
import { GENERIC_ERROR, PERMISSION_DENIED_NO_DETAIL } from '../landing';
import { REMOVED_BY_ADMIN, REMOVED_BY_USER } from '../link-blocks';
import { LINK_DONE, LINK_DONE_AS, LINKED, LINKED_AS, LINKED_AS_SINCE, LINKED_SINCE, NOT_LINKED } from '../links';

const clientDir = join(__dirname, '..');
const localeDir = join(clientDir, '..', 'locale');
const languages = ['en-US', 'zh-CN', 'fr-FR'];
const locales = Object.fromEntries(
  languages.map((lang) => [lang, JSON.parse(readFileSync(join(localeDir, `${lang}.json`), 'utf8')) as Record<string, string>]),
);

/**
 * Every literal passed to `t('...')` or `t("...")` in the client sources (the English sentence is the key), and the
 * keys kept in constants.
 */
function keysUsedInSources(): string[] {
  const keys = new Set<string>([
    GENERIC_ERROR,
    PERMISSION_DENIED_NO_DETAIL,
    ...Object.values(ERROR_MESSAGES),
    ...Object.values(MESSAGES_WITHOUT_DETAIL),
    NOT_LINKED,
    LINKED,
    LINKED_AS,
    LINKED_SINCE,
    LINKED_AS_SINCE,
    LINK_DONE,
    LINK_DONE_AS,
    IN_APP_LOAD_FAILED,
    IN_APP_TIMEOUT,
    IN_APP_REFUSED,
    REMOVED_BY_USER,
    REMOVED_BY_ADMIN,
    IN_APP_OUTDATED,
  ]);
  for (const file of readdirSync(clientDir)) {
    if (!/\.tsx?$/.test(file) || file.endsWith('.d.ts')) continue;
    const source = readFileSync(join(clientDir, file), 'utf8');
    for (const match of source.matchAll(/\bt\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g)) {
      keys.add(match[1] !== undefined ? match[1].replace(/\\'/g, "'") : match[2].replace(/\\"/g, '"'));
    }
  }
  return [...keys];
}

describe('locales', () => {
  const keys = keysUsedInSources();

  it('finds the keys of the sources', () => {
    expect(keys).toContain('Sign in with DingTalk');
    expect(keys).toContain('Client Secret');
    // Double-quoted (it has an apostrophe), and inside the settings page's title template.
    expect(keys).toContain("Check membership in the organization's directory");
    expect(keys).toContain('DingTalk accounts');
    expect(keys).toContain("Set this as the homepage of the app's H5 micro-app in the DingTalk developer console.");
    expect(keys).toContain(IN_APP_REFUSED);
  });

  it.each(languages)('%s translates every key the client uses', (lang) => {
    const missing = keys.filter((key) => typeof locales[lang][key] !== 'string' || !locales[lang][key].trim());
    expect(missing).toEqual([]);
  });

  it('en-US maps each key to itself', () => {
    for (const key of keys) expect(locales['en-US'][key]).toBe(key);
  });

  it('all languages have the same keys', () => {
    const en = Object.keys(locales['en-US']).sort();
    for (const lang of languages) expect(Object.keys(locales[lang]).sort()).toEqual(en);
  });

  it('keeps the interpolation placeholders', () => {
    for (const lang of languages) {
      for (const [key, value] of Object.entries(locales[lang])) {
        const wanted = key.match(/\{\{\w+\}\}/g) ?? [];
        for (const placeholder of wanted) expect(value, `${lang}: ${key}`).toContain(placeholder);
      }
    }
  });

  // A line break may not split « from its word or a sign from the sentence it ends: French typesetting wants
  // U+202F (narrow no-break) before ; : ! ? and U+00A0 inside guillemets.
  it('fr-FR keeps ; : ! ? and « » on the line of their words', () => {
    const problems: string[] = [];
    for (const [key, value] of Object.entries(locales['fr-FR'])) {
      if (/[ \t\u00a0][;:!?]/.test(value)) problems.push(`ordinary space before a sign: ${key}`);
      if (/(^|[^ \u202f\u00a0])[;:!?](\s|$)/u.test(value.replace(/https?:/g, ''))) problems.push(`no space before a sign: ${key}`);
      if (/«(?!\u00a0)|(?<!\u00a0)»/.test(value)) problems.push(`guillemet without U+00A0: ${key}`);
    }
    expect(problems).toEqual([]);
  });
});
