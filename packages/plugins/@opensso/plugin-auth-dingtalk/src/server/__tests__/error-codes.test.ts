/**
 * The closed list of error codes (src/errors.ts) is what a person, an admin or support sees: each code needs a row
 * in docs/design.md's error table (the README sends readers there) and its sentence in every shipped language,
 * including the variants the server itself sends without a detail (server/translate.ts translates with the same
 * locale files, under the plugin's namespace). A failure names the codes that lack one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_MESSAGES, ErrorCode, MESSAGES_WITHOUT_DETAIL } from '../../errors';

const pluginDir = join(__dirname, '../../..');
const design = readFileSync(join(pluginDir, '../../../../docs/design.md'), 'utf8');
const languages = ['en-US', 'zh-CN', 'fr-FR'];
const locales = Object.fromEntries(
  languages.map((lang) => [lang, JSON.parse(readFileSync(join(pluginDir, 'src/locale', `${lang}.json`), 'utf8')) as Record<string, unknown>]),
);

/** The codes in the first column of the table under "## Error codes". */
function documentedCodes(): string[] {
  const section = design.split(/^## Error codes$/m)[1]?.split(/^## /m)[0] ?? '';
  return [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
}

/** Every sentence a code may be shown with: its usual one, and the one without a detail when it has one. */
function sentencesOf(code: ErrorCode): string[] {
  const withoutDetail: Partial<Record<ErrorCode, string>> = MESSAGES_WITHOUT_DETAIL;
  return [ERROR_MESSAGES[code], withoutDetail[code]].filter((sentence): sentence is string => sentence !== undefined);
}

const translated = (lang: string, sentence: string) => {
  const value = locales[lang][sentence];
  return typeof value === 'string' && value.trim() !== '';
};

describe('every error code is documented and translated', () => {
  it('reads the error table of docs/design.md', () => {
    expect(documentedCodes()).toContain('STATE_INVALID');
  });

  it('has a row in docs/design.md for every code, and no row for a code that does not exist', () => {
    const documented = documentedCodes();
    expect(ERROR_CODES.filter((code) => !documented.includes(code)), 'codes without a row in docs/design.md').toEqual([]);
    expect(documented.filter((code) => !(ERROR_CODES as string[]).includes(code)), 'rows for unknown codes').toEqual([]);
    expect(documented.filter((code, index) => documented.indexOf(code) !== index), 'codes with two rows').toEqual([]);
  });

  it.each(languages)('%s has a message for every code, with and without a detail', (lang) => {
    const missing = ERROR_CODES.filter((code) => !sentencesOf(code).every((sentence) => translated(lang, sentence)));
    expect(missing, `codes without a ${lang} message`).toEqual([]);
  });
});
