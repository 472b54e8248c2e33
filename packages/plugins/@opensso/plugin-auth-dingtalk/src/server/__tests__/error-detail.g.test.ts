/**
 * The detail of an error (checklist G13): only names from the closed lists of errors.ts travel to the page, whatever
 * DingTalk's answer says; the sentence is then shown without a detail.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROFILE_FIELDS } from '../../constants';
import { isSafeDetail, SETTING_DETAILS } from '../../errors';
import { readOptions } from '../options';
import { people, Harness, createAuthenticator, signInWithDingTalk, startHarness } from './harness';

let h: Harness;
let seq = 0;

const person = people('细节', '1310000');

beforeAll(async () => {
  h = await startHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.emulator.reset();
});

async function signInAgainst403(scopes: string[]) {
  const name = `g13-${++seq}`;
  await createAuthenticator(h.app, { name });
  h.emulator.setFault({ mode: 'forbidden', endpoint: 'me', scopes });
  const { landing } = await signInWithDingTalk(h, person(), { authenticator: name });
  return landing;
}

describe('error details (checklist G13)', () => {
  it.each([[['Evil.Call.The.Helpdesk.At.555.0100']], [['Contact.User.Read', 'Contact.Org.Write.Everything']]])(
    'G13 a DingTalk 403 naming an unknown scope (%j) yields no detail in the redirect',
    async (scopes) => {
      const landing = await signInAgainst403(scopes);
      expect(landing.searchParams.get('dingtalk_error')).toBe('DINGTALK_PERMISSION_DENIED');
      expect(landing.searchParams.has('dingtalk_detail')).toBe(false);
    },
  );

  it('G13 a DingTalk 403 naming the permissions the plugin uses keeps them in the redirect', async () => {
    const landing = await signInAgainst403(['Contact.User.Read', 'Contact.User.mobile']);
    expect(landing.searchParams.get('dingtalk_error')).toBe('DINGTALK_PERMISSION_DENIED');
    expect(landing.searchParams.get('dingtalk_detail')).toBe('Contact.User.Read,Contact.User.mobile');
  });

  it('G13 every option of the settings (and each profile sync field) is a detail a settings error may name', () => {
    const names = [...Object.keys(readOptions({ clientId: 'id', clientSecret: 'secret' })), ...PROFILE_FIELDS.map((f) => `profileSync.${f}`)];
    expect(names.filter((name) => !isSafeDetail(name))).toEqual([]);
    expect([...SETTING_DETAILS].sort()).toEqual(expect.arrayContaining(names.sort()));
  });
});
