import { describe, expect, it } from 'vitest';
import { DEFAULT_RETURN_PATH, QUERY } from '../../constants';
import { ERROR_CODES, ERROR_MESSAGES, MESSAGES_WITHOUT_DETAIL } from '../../errors';
import {
  authUrlFromBody,
  startsAtOtherOrigin,
  authUrlRequest,
  GENERIC_ERROR,
  messageFor,
  parseLanding,
  PERMISSION_DENIED_NO_DETAIL,
  requestFailure,
  returnPath,
  stripLandingParams,
  ticketSignInRequest,
  tokenFromBody,
} from '../landing';

const q = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`;

describe('parseLanding', () => {
  it('is none on a plain sign-in page', () => {
    expect(parseLanding('', 'dt')).toEqual({ kind: 'none' });
    expect(parseLanding('?redirect=/admin/x', 'dt')).toEqual({ kind: 'none' });
  });

  it("leaves a successful callback's marker to the ticket landing, which runs before the page renders", () => {
    expect(parseLanding(q({ redirect: '/admin', [QUERY.signin]: 'dt' }), 'dt')).toEqual({ kind: 'none' });
  });

  it('reads a known error code for the named authenticator', () => {
    expect(parseLanding(q({ [QUERY.error]: 'CANCELLED', [QUERY.authenticator]: 'dt' }), 'dt')).toEqual({
      kind: 'error',
      code: 'CANCELLED',
    });
    expect(parseLanding(q({ [QUERY.error]: 'CANCELLED', [QUERY.authenticator]: 'other' }), 'dt')).toEqual({
      kind: 'none',
    });
  });

  it('shows an error without a target authenticator on every DingTalk button', () => {
    expect(parseLanding(q({ [QUERY.error]: 'STATE_INVALID' }), 'dt')).toEqual({ kind: 'error', code: 'STATE_INVALID' });
  });

  it('never trusts an unknown code', () => {
    for (const raw of ['', 'nope', '<script>', 'toString', '__proto__', 'cancelled']) {
      expect(parseLanding(q({ [QUERY.error]: raw, [QUERY.authenticator]: 'dt' }), 'dt')).toEqual({
        kind: 'error',
        code: undefined,
      });
    }
  });

  it('keeps a detail only when it is an entry of the closed lists', () => {
    const base = { [QUERY.error]: 'DINGTALK_PERMISSION_DENIED', [QUERY.authenticator]: 'dt' };
    expect(parseLanding(q({ ...base, [QUERY.detail]: 'Contact.User.Read,Contact.User.mobile' }), 'dt')).toEqual({
      kind: 'error',
      code: 'DINGTALK_PERMISSION_DENIED',
      detail: 'Contact.User.Read,Contact.User.mobile',
    });
    for (const bad of ['', 'a b', '<b>x</b>', 'x'.repeat(201), 'Contact.User.Read;drop']) {
      expect(parseLanding(q({ ...base, [QUERY.detail]: bad }), 'dt')).toEqual({
        kind: 'error',
        code: 'DINGTALK_PERMISSION_DENIED',
      });
    }
  });

  it('prefers the error when both are present', () => {
    expect(parseLanding(q({ [QUERY.signin]: 'dt', [QUERY.error]: 'TICKET_INVALID' }), 'dt')).toEqual({
      kind: 'error',
      code: 'TICKET_INVALID',
    });
  });

  it('accepts URLSearchParams', () => {
    expect(parseLanding(new URLSearchParams({ [QUERY.error]: 'CANCELLED' }), 'dt')).toEqual({ kind: 'error', code: 'CANCELLED' });
  });
});

describe('stripLandingParams', () => {
  it('removes every dingtalk_* parameter and keeps the others in order', () => {
    const search = q({
      redirect: '/admin/abc?x=1',
      [QUERY.error]: 'CANCELLED',
      [QUERY.authenticator]: 'dt',
      [QUERY.detail]: 'x',
      [QUERY.signin]: 'dt',
      lang: 'fr',
    });
    expect(stripLandingParams(search)).toBe(`?redirect=${encodeURIComponent('/admin/abc?x=1')}&lang=fr`);
    expect(stripLandingParams(q({ [QUERY.signin]: 'dt' }))).toBe('');
    expect(stripLandingParams('')).toBe('');
  });

  it('does not modify the URLSearchParams it is given', () => {
    const params = new URLSearchParams({ [QUERY.signin]: 'dt' });
    stripLandingParams(params);
    expect(params.get(QUERY.signin)).toBe('dt');
  });
});

describe('messageFor', () => {
  it('gives the English key of every code', () => {
    for (const code of ERROR_CODES) {
      if (code === 'DINGTALK_PERMISSION_DENIED' || code === 'CONFIG_INVALID') continue;
      expect(messageFor(code)).toEqual({ key: ERROR_MESSAGES[code] });
    }
  });

  it('G11 names the setting of CONFIG_INVALID, or says the credentials are missing when it names none', () => {
    expect(messageFor('CONFIG_INVALID', 'allowedCorpIds')).toEqual({
      key: 'The DingTalk sign-in is not configured correctly (setting "{{detail}}"). Ask your administrator.',
      values: { detail: 'allowedCorpIds' },
    });
    expect(messageFor('CONFIG_INVALID', 'profileSync.email').values).toEqual({ detail: 'profileSync.email' });
    expect(messageFor('CONFIG_INVALID')).toEqual({ key: MESSAGES_WITHOUT_DETAIL.CONFIG_INVALID });
    expect(MESSAGES_WITHOUT_DETAIL.CONFIG_INVALID).toContain('Client ID or Client Secret is missing');
  });

  it('interpolates the permission detail, or uses a sentence without it', () => {
    expect(messageFor('DINGTALK_PERMISSION_DENIED', 'Contact.User.Read')).toEqual({
      key: ERROR_MESSAGES.DINGTALK_PERMISSION_DENIED,
      values: { detail: 'Contact.User.Read' },
    });
    expect(messageFor('DINGTALK_PERMISSION_DENIED')).toEqual({ key: PERMISSION_DENIED_NO_DETAIL });
  });

  it('falls back to a generic message', () => {
    expect(messageFor(undefined)).toEqual({ key: GENERIC_ERROR });
  });
});

describe('requests', () => {
  it('builds the getAuthUrl request from the sign-in page query', () => {
    expect(authUrlRequest('dt', '?redirect=%2Fadmin%2Fpage1')).toEqual({
      url: 'dingtalk:getAuthUrl',
      method: 'post',
      headers: { 'X-Authenticator': 'dt' },
      data: { redirect: '/admin/page1' },
      skipNotify: true,
    });
    expect(authUrlRequest('dt', '').data).toEqual({ redirect: DEFAULT_RETURN_PATH });
    expect(authUrlRequest('dt', '?redirect=').data).toEqual({ redirect: DEFAULT_RETURN_PATH });
    // The modern client's button gives its own admin page, where the callback then lands.
    expect(authUrlRequest('dt', '', '/v/admin').data).toEqual({ redirect: '/v/admin' });
    expect(authUrlRequest('dt', '?redirect=%2Fv%2Fx', '/v/admin').data).toEqual({ redirect: '/v/x' });
  });

  it('returnPath reads ?redirect=', () => {
    expect(returnPath('?redirect=/v2/x')).toBe('/v2/x');
    expect(returnPath('?other=1')).toBe('/admin');
  });

  it('builds the ticket exchange as an empty auth:signIn with the authenticator header', () => {
    expect(ticketSignInRequest('dt')).toEqual({
      url: 'auth:signIn',
      method: 'post',
      headers: { 'X-Authenticator': 'dt' },
      data: {},
      skipNotify: true,
    });
  });
});

describe('answers', () => {
  it('reads a contract error code from an axios error', () => {
    const error = { response: { status: 401, data: { errors: [{ message: 'x', code: 'TICKET_INVALID' }] } } };
    expect(requestFailure(error)).toEqual({ code: 'TICKET_INVALID' });
    const withDetail = {
      response: { data: { errors: [{ code: 'DINGTALK_PERMISSION_DENIED', detail: 'Contact.User.mobile' }] } },
    };
    expect(requestFailure(withDetail)).toEqual({ code: 'DINGTALK_PERMISSION_DENIED', detail: 'Contact.User.mobile' });
  });

  it('keeps the server message for other codes, nothing for network errors', () => {
    expect(requestFailure({ response: { data: { errors: [{ message: ' The user is disabled ', code: 'X' }] } } })).toEqual({
      serverMessage: 'The user is disabled',
    });
    expect(requestFailure({ message: 'Network Error' })).toEqual({});
    expect(requestFailure(new Error('boom'))).toEqual({});
    expect(requestFailure(undefined)).toEqual({});
    expect(requestFailure({ response: { data: '<html>502</html>' } })).toEqual({});
  });

  it('accepts only an http(s) authorization URL', () => {
    const url = 'https://login.dingtalk.com/oauth2/auth?client_id=a&state=b';
    expect(authUrlFromBody({ data: { url } })).toBe(url);
    expect(authUrlFromBody({ data: { url: 'http://127.0.0.1:13200/oauth2/auth' } })).toBe(
      'http://127.0.0.1:13200/oauth2/auth',
    );
    expect(authUrlFromBody({ data: { url: 'javascript:alert(1)' } })).toBeUndefined();
    expect(authUrlFromBody({ data: { url: '/relative' } })).toBeUndefined();
    expect(authUrlFromBody({ data: {} })).toBeUndefined();
    expect(authUrlFromBody(null)).toBeUndefined();
  });

  it('reads whether the start is on another origin than the page, only from an explicit otherOrigin: true', () => {
    const url = 'http://nocobase.example/api/dingtalk:start?authenticator=dt';
    expect(startsAtOtherOrigin({ data: { url, otherOrigin: true } })).toBe(true);
    expect(startsAtOtherOrigin({ data: { url } })).toBe(false);
    expect(startsAtOtherOrigin({ data: { url, otherOrigin: 'true' } })).toBe(false);
    expect(startsAtOtherOrigin(null)).toBe(false);
  });

  it('reads the token', () => {
    expect(tokenFromBody({ data: { token: 't', user: {} } })).toBe('t');
    expect(tokenFromBody({ data: { token: '' } })).toBeUndefined();
  });
});
