/**
 * Only a detail from a closed list reaches the page (checklist G13): anything else in `dingtalk_detail`, or in an
 * action's error body, is dropped and the message without a detail is shown.
 */
import { describe, expect, it } from 'vitest';
import { QUERY } from '../../constants';
import { DINGTALK_PERMISSION_DETAILS, ERROR_MESSAGES, isSafeDetail, SETTING_DETAILS } from '../../errors';
import { messageFor, parseLanding, PERMISSION_DENIED_NO_DETAIL, requestFailure, shownFromError } from '../landing';
import { parseLinkLanding } from '../links';

const q = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;
/** Free text that the old character class (`[A-Za-z0-9._,]`) let through into the official sentence. */
const FREE_TEXT = ['Contact.User.Read,then.call.the.helpdesk.at.555.0100', 'Your.account.is.locked', 'evil.example', 'x'];

describe('isSafeDetail (checklist G13)', () => {
  it('G13 accepts entries of the closed lists, alone or comma separated', () => {
    for (const value of [
      'Contact.User.Read',
      'Contact.User.mobile',
      'Contact.User.Read,Contact.User.mobile',
      'qyapi_get_member',
      'clientSecret',
      'profileSync.phone',
      'corpId',
    ]) {
      expect(isSafeDetail(value), value).toBe(true);
    }
    for (const entry of [...DINGTALK_PERMISSION_DETAILS, ...SETTING_DETAILS]) expect(isSafeDetail(entry), entry).toBe(true);
  });

  it('G13 refuses anything else: free text, unknown names, empty entries, other types', () => {
    for (const value of [
      ...FREE_TEXT,
      '',
      ',',
      'Contact.User.Read,',
      ',Contact.User.Read',
      'Contact.User.Read,,Contact.User.mobile',
      'Contact.User.Read, Contact.User.mobile',
      'contact.user.read',
      'Contact.User.Read.Extra',
      'toString',
      '__proto__',
      'constructor',
      'Contact.User.Read,'.repeat(30),
    ]) {
      expect(isSafeDetail(value), value).toBe(false);
    }
    for (const value of [undefined, null, 42, ['Contact.User.Read'], { toString: () => 'Contact.User.Read' }]) {
      expect(isSafeDetail(value)).toBe(false);
    }
  });

  it('G13 names the permissions the plugin can name, and every option of the settings', () => {
    expect(DINGTALK_PERMISSION_DETAILS).toEqual(expect.arrayContaining(['Contact.User.Read', 'Contact.User.mobile', 'qyapi_get_member']));
    expect(SETTING_DETAILS).toEqual(
      expect.arrayContaining(['profileSync.nickname', 'profileSync.email', 'profileSync.phone', 'defaultCountryCode', 'copyEmailAtSignup']),
    );
  });
});

describe('the page shows only a listed detail (checklist G13)', () => {
  const base = { [QUERY.error]: 'DINGTALK_PERMISSION_DENIED', [QUERY.authenticator]: 'dt' };

  it.each(FREE_TEXT)('G13 the sign-in page drops the detail %j and shows the sentence without one', (detail) => {
    const landing = parseLanding(q({ ...base, [QUERY.detail]: detail }), 'dt');
    expect(landing).toEqual({ kind: 'error', code: 'DINGTALK_PERMISSION_DENIED' });
    expect(messageFor('DINGTALK_PERMISSION_DENIED', landing.kind === 'error' ? landing.detail : undefined)).toEqual({
      key: PERMISSION_DENIED_NO_DETAIL,
    });
  });

  it('G13 the sign-in page keeps a listed detail', () => {
    expect(parseLanding(q({ ...base, [QUERY.detail]: 'Contact.User.mobile' }), 'dt')).toEqual({
      kind: 'error',
      code: 'DINGTALK_PERMISSION_DENIED',
      detail: 'Contact.User.mobile',
    });
  });

  it.each(FREE_TEXT)('G13 the link landing drops the detail %j', (detail) => {
    expect(parseLinkLanding(q({ [QUERY.error]: 'DINGTALK_PERMISSION_DENIED', [QUERY.detail]: detail }))).toEqual({
      kind: 'error',
      code: 'DINGTALK_PERMISSION_DENIED',
    });
  });

  it.each(FREE_TEXT)("G13 an action's error body with the detail %j shows the sentence without one", (detail) => {
    const error = { response: { data: { errors: [{ code: 'DINGTALK_PERMISSION_DENIED', detail }] } } };
    expect(requestFailure(error)).toEqual({ code: 'DINGTALK_PERMISSION_DENIED' });
    expect(shownFromError(error)).toEqual({ key: PERMISSION_DENIED_NO_DETAIL });
  });

  it("G13 an action's error body with a listed detail interpolates it", () => {
    const error = { response: { data: { errors: [{ code: 'DINGTALK_PERMISSION_DENIED', detail: 'Contact.User.Read' }] } } };
    expect(shownFromError(error)).toEqual({
      key: ERROR_MESSAGES.DINGTALK_PERMISSION_DENIED,
      values: { detail: 'Contact.User.Read' },
    });
  });
});
