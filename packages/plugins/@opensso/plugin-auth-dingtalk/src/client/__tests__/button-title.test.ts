import { describe, expect, it } from 'vitest';
import { NAMESPACE } from '../../constants';
import { buttonTitle } from '../button-title';

/** A stand-in for i18next's t with two languages' worth of words, per namespace. */
const words: Record<string, Record<string, string>> = {
  [NAMESPACE]: { 'Sign in with DingTalk': 'Se connecter avec DingTalk' },
  client: { 'Sign in': 'Se connecter' },
};
const t = (key: string, options?: Record<string, unknown>) => {
  const namespaces = (options?.ns as string[] | undefined) ?? [NAMESPACE, 'client'];
  for (const ns of namespaces) if (words[ns]?.[key]) return words[ns][key];
  return key;
};

describe('the DingTalk button title', () => {
  it('is the translated default when the title is empty or blank', () => {
    expect(buttonTitle('', t)).toBe('Se connecter avec DingTalk');
    expect(buttonTitle('   ', t)).toBe('Se connecter avec DingTalk');
    expect(buttonTitle(undefined, t)).toBe('Se connecter avec DingTalk');
  });

  it('is shown as typed otherwise', () => {
    expect(buttonTitle('Sign in with DingTalk', t)).toBe('Sign in with DingTalk');
    expect(buttonTitle('钉钉登录 (公司)', t)).toBe('钉钉登录 (公司)');
    expect(buttonTitle('{{t("Sign in")}} now', t)).toBe('{{t("Sign in")}} now');
  });

  it('translates a {{t("…")}} template, in the namespace it names or in NocoBase\'s own words', () => {
    expect(buttonTitle('{{t("Sign in")}}', t)).toBe('Se connecter');
    expect(buttonTitle(`{{t("Sign in with DingTalk", {"ns":"${NAMESPACE}"})}}`, t)).toBe('Se connecter avec DingTalk');
    expect(buttonTitle(`{{ t('Sign in with DingTalk', { ns: '${NAMESPACE}' }) }}`, t)).toBe('Se connecter avec DingTalk');
    expect(buttonTitle('{{t("Unknown words")}}', t)).toBe('Unknown words');
  });
});
