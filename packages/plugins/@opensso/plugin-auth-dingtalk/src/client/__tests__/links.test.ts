import { describe, expect, it } from 'vitest';
import { QUERY } from '../../constants';
import { ERROR_MESSAGES } from '../../errors';
import { GENERIC_ERROR, shownFromError, textOf } from '../landing';
import {
  accountRows,
  completedLinkFromBody,
  completeLinkRequest,
  dingTalkAuthenticatorsFromBody,
  dingTalkAuthenticatorsRequest,
  formatDate,
  isLinkLandingPage,
  LINK_DONE,
  LINK_DONE_AS,
  LINKED,
  LINKED_AS,
  LINKED_AS_SINCE,
  LINKED_SINCE,
  linkDoneMessage,
  linkReturnPath,
  linksPageFromBody,
  linksRequest,
  linkStateMessage,
  linkUrlRequest,
  myLinksFromBody,
  myLinksRequest,
  NOT_LINKED,
  parseLinkLanding,
  publicListRequest,
  removeLinkRequest,
  unlinkMeRequest,
} from '../links';
import { appBasePath } from '../app-path';

const q = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`;

describe('link requests', () => {
  it('starts linking with the authenticator header and the return path, on the user session', () => {
    expect(linkUrlRequest('dt', '/admin/page1?x=1')).toEqual({
      url: 'dingtalk:getLinkUrl',
      method: 'post',
      headers: { 'X-Authenticator': 'dt' },
      data: { redirect: '/admin/page1?x=1' },
      skipNotify: true,
    });
  });

  it('names the authenticator in the body of completeLink, unlinkMe and removeLink', () => {
    expect(completeLinkRequest('dt')).toEqual({
      url: 'dingtalk:completeLink',
      method: 'post',
      data: { authenticator: 'dt' },
      skipNotify: true,
    });
    expect(unlinkMeRequest('dt')).toEqual({
      url: 'dingtalk:unlinkMe',
      method: 'post',
      data: { authenticator: 'dt' },
      skipNotify: true,
    });
    expect(removeLinkRequest('dt', 7)).toEqual({
      url: 'dingtalk:removeLink',
      method: 'post',
      data: { authenticator: 'dt', userId: 7 },
      skipNotify: true,
    });
    // Never in a header: these POSTs must keep the user's own X-Authenticator (their session's authenticator).
    for (const request of [completeLinkRequest('dt'), unlinkMeRequest('dt'), removeLinkRequest('dt', 7)]) {
      expect(request).not.toHaveProperty('headers');
    }
  });

  it('lists with GET and query parameters', () => {
    expect(myLinksRequest()).toEqual({ url: 'dingtalk:listMyLinks', method: 'get', skipNotify: true });
    expect(linksRequest('dt', 2, 20)).toEqual({
      url: 'dingtalk:listLinks',
      method: 'get',
      params: { authenticator: 'dt', page: 2, pageSize: 20 },
      skipNotify: true,
    });
    expect(publicListRequest()).toMatchObject({ url: 'authenticators:publicList', method: 'get' });
    expect(dingTalkAuthenticatorsRequest()).toMatchObject({
      url: 'authenticators:list',
      method: 'get',
      params: { filter: { authType: 'dingtalk' }, paginate: false },
    });
  });
});

describe('dingTalkAuthenticatorsFromBody', () => {
  it('keeps the DingTalk authenticators of publicList in order, enabled', () => {
    const body = {
      data: [
        { name: 'basic', authType: 'Email/Password', title: 'Password' },
        { name: 'dt-b', authType: 'dingtalk', title: 'DingTalk B', options: {} },
        { name: 'sms', authType: 'SMS' },
        { name: 'dt-a', authType: 'dingtalk' },
      ],
    };
    expect(dingTalkAuthenticatorsFromBody(body)).toEqual([
      { name: 'dt-b', title: 'DingTalk B', enabled: true },
      { name: 'dt-a', enabled: true },
    ]);
  });

  it('reads `enabled` from authenticators:list', () => {
    const body = { data: [{ name: 'dt', authType: 'dingtalk', enabled: false, title: '' }] };
    expect(dingTalkAuthenticatorsFromBody(body)).toEqual([{ name: 'dt', enabled: false }]);
  });

  it('ignores malformed entries and answers', () => {
    expect(dingTalkAuthenticatorsFromBody({ data: [null, 'x', { authType: 'dingtalk' }, { name: 3, authType: 'dingtalk' }] })).toEqual([]);
    expect(dingTalkAuthenticatorsFromBody({ data: { rows: [] } })).toEqual([]);
    expect(dingTalkAuthenticatorsFromBody(undefined)).toEqual([]);
    expect(
      dingTalkAuthenticatorsFromBody({ data: [{ name: 'dt', authType: 'dingtalk' }, { name: 'dt', authType: 'dingtalk' }] }),
    ).toHaveLength(1);
  });
});

describe('myLinksFromBody and accountRows', () => {
  const links = myLinksFromBody({
    data: [
      { authenticator: 'dt', title: 'DingTalk', nickname: '张三', linkedAt: '2025-11-20T08:00:00.000Z', canUnlink: true },
      { authenticator: 'old', title: 'Old DingTalk', nickname: null, linkedAt: 12, canUnlink: false },
      { nickname: 'no authenticator' },
    ],
  });

  it('reads the links, dropping what is not a string; only an explicit canUnlink: false locks a link', () => {
    expect(links).toEqual([
      { authenticator: 'dt', title: 'DingTalk', nickname: '张三', linkedAt: '2025-11-20T08:00:00.000Z', canUnlink: true },
      { authenticator: 'old', title: 'Old DingTalk', canUnlink: false },
    ]);
    expect(myLinksFromBody({ data: [{ authenticator: 'x', canUnlink: 'no' }] })).toEqual([{ authenticator: 'x', canUnlink: true }]);
    expect(myLinksFromBody({ data: null })).toEqual([]);
  });

  it('lists every enabled authenticator with its link, then the links of the others', () => {
    const rows = accountRows(
      [
        { name: 'dt', enabled: true },
        { name: 'dt2', title: 'Second DingTalk', enabled: true },
        { name: 'off', enabled: false },
      ],
      links,
    );
    expect(rows).toEqual([
      // The authenticator has no title of its own in publicList: the link's title is used.
      { name: 'dt', title: 'DingTalk', available: true, link: { nickname: '张三', linkedAt: '2025-11-20T08:00:00.000Z' } },
      { name: 'dt2', title: 'Second DingTalk', available: true },
      // Linked through a disabled authenticator: listed, to unlink, but not to link again.
      { name: 'old', title: 'Old DingTalk', available: false, link: {} },
    ]);
  });
});

describe('linkStateMessage', () => {
  const linkedAt = '2025-11-20T08:00:00.000Z';
  const date = formatDate(linkedAt, 'en-US')!;

  it('says who and since when, with what it has', () => {
    const row = { name: 'dt', available: true };
    expect(linkStateMessage(row, 'en-US')).toEqual({ key: NOT_LINKED });
    expect(linkStateMessage({ ...row, link: { nickname: '张三', linkedAt } }, 'en-US')).toEqual({
      key: LINKED_AS_SINCE,
      values: { nickname: '张三', date },
    });
    expect(linkStateMessage({ ...row, link: { nickname: '张三' } }, 'en-US')).toEqual({
      key: LINKED_AS,
      values: { nickname: '张三' },
    });
    expect(linkStateMessage({ ...row, link: { linkedAt } }, 'en-US')).toEqual({ key: LINKED_SINCE, values: { date } });
    expect(linkStateMessage({ ...row, link: { linkedAt: 'not a date' } }, 'en-US')).toEqual({ key: LINKED });
  });

  it('formats dates in the user language, and survives an odd locale', () => {
    expect(date).toBe('Nov 20, 2025');
    expect(formatDate(linkedAt, 'zh-CN')).toBe('2025年11月20日');
    expect(formatDate(linkedAt, 'not a locale!!')).toBeTypeOf('string');
    expect(formatDate(undefined, 'en-US')).toBeUndefined();
    expect(formatDate('', 'en-US')).toBeUndefined();
  });
});

describe('completedLinkFromBody and linkDoneMessage', () => {
  it('names the DingTalk account when the server gave its nickname', () => {
    expect(completedLinkFromBody({ data: { authenticator: 'dt', nickname: '张三' } })).toEqual({
      authenticator: 'dt',
      nickname: '张三',
    });
    expect(completedLinkFromBody({ data: null })).toEqual({});
    expect(linkDoneMessage('张三')).toEqual({ key: LINK_DONE_AS, values: { nickname: '张三' } });
    expect(linkDoneMessage(undefined)).toEqual({ key: LINK_DONE });
  });
});

describe('linksPageFromBody', () => {
  const row = {
    userId: 5,
    user: { id: 5, nickname: 'Zhang San', username: 'zhangsan', email: null, phone: '13800000001' },
    uuid: 'emuUnionZhangsan0001iE',
    nickname: '张三',
    meta: { unionId: 'emuUnionZhangsan0001iE', openId: 'open1', corpId: 'dingcorp1', userid: 'u1' },
    createdAt: '2025-11-20T08:00:00.000Z',
  };
  const expected = {
    userId: 5,
    user: { id: 5, nickname: 'Zhang San', username: 'zhangsan', phone: '13800000001' },
    uuid: 'emuUnionZhangsan0001iE',
    nickname: '张三',
    unionId: 'emuUnionZhangsan0001iE',
    openId: 'open1',
    corpId: 'dingcorp1',
    dingTalkUserId: 'u1',
    createdAt: '2025-11-20T08:00:00.000Z',
  };

  it("reads NocoBase's list shape, `{ data: rows, meta: { count } }`", () => {
    expect(linksPageFromBody({ data: [row], meta: { count: 41, page: 1, pageSize: 20, totalPage: 3 } })).toEqual({
      rows: [expected],
      count: 41,
    });
  });

  it('reads `{ data: { rows, count } }` too', () => {
    expect(linksPageFromBody({ data: { rows: [row], count: 1 } })).toEqual({ rows: [expected], count: 1 });
  });

  it('falls back to the uuid for the unionId, keeps string ids, drops rows without a user id', () => {
    const page = linksPageFromBody({ data: [{ userId: '9007199254740993', uuid: 'u' }, { uuid: 'x' }, null] });
    expect(page).toEqual({ rows: [{ userId: '9007199254740993', uuid: 'u', unionId: 'u' }], count: 1 });
  });

  it('never reports fewer rows than it got', () => {
    expect(linksPageFromBody({ data: [row, row], meta: { count: 1 } }).count).toBe(2);
    expect(linksPageFromBody({ data: [row], meta: { count: 'x' } }).count).toBe(1);
    expect(linksPageFromBody({})).toEqual({ rows: [], count: 0 });
  });
});

describe('parseLinkLanding', () => {
  it('is none without dingtalk parameters', () => {
    expect(parseLinkLanding('')).toEqual({ kind: 'none' });
    expect(parseLinkLanding('?x=1')).toEqual({ kind: 'none' });
    expect(parseLinkLanding(q({ [QUERY.link]: '' }))).toEqual({ kind: 'none' });
    // A sign-in landing is the sign-in page's business.
    expect(parseLinkLanding(q({ [QUERY.signin]: 'dt' }))).toEqual({ kind: 'none' });
  });

  it('reads the authenticator whose link ticket waits', () => {
    expect(parseLinkLanding(q({ x: '1', [QUERY.link]: 'dt' }))).toEqual({ kind: 'link', authenticator: 'dt' });
  });

  it('reads a known error code and a safe detail only', () => {
    expect(parseLinkLanding(q({ [QUERY.error]: 'IDENTITY_LINKED_ELSEWHERE', [QUERY.authenticator]: 'dt' }))).toEqual({
      kind: 'error',
      code: 'IDENTITY_LINKED_ELSEWHERE',
    });
    expect(parseLinkLanding(q({ [QUERY.error]: '<img src=x>' }))).toEqual({ kind: 'error', code: undefined });
    expect(
      parseLinkLanding(q({ [QUERY.error]: 'DINGTALK_PERMISSION_DENIED', [QUERY.detail]: 'Contact.User.Read' })),
    ).toEqual({ kind: 'error', code: 'DINGTALK_PERMISSION_DENIED', detail: 'Contact.User.Read' });
    expect(parseLinkLanding(q({ [QUERY.error]: 'DINGTALK_PERMISSION_DENIED', [QUERY.detail]: 'a b' }))).toEqual({
      kind: 'error',
      code: 'DINGTALK_PERMISSION_DENIED',
    });
  });

  it('prefers the error when both are present', () => {
    expect(parseLinkLanding(q({ [QUERY.link]: 'dt', [QUERY.error]: 'TICKET_INVALID' }))).toEqual({
      kind: 'error',
      code: 'TICKET_INVALID',
    });
  });
});

describe('where the link landing runs', () => {
  it('runs on the pages of the app, not on the auth pages', () => {
    for (const path of ['/admin', '/admin/abc', '/', '/m/page', '/signin-help']) expect(isLinkLandingPage(path)).toBe(true);
    for (const path of ['/signin', '/signin/', '/signup', '/forgot-password', '/reset-password']) {
      expect(isLinkLandingPage(path)).toBe(false);
    }
  });

  it('comes back to the current page without the parameters of an earlier landing', () => {
    expect(linkReturnPath('/admin/abc', '?tab=2')).toBe('/admin/abc?tab=2');
    expect(linkReturnPath('/apps/sub/admin', q({ [QUERY.error]: 'CANCELLED', [QUERY.link]: 'dt', tab: '2' }))).toBe(
      '/apps/sub/admin?tab=2',
    );
    expect(linkReturnPath('', '')).toBe('/');
  });

  it('gives the path under a sub-app\'s base path, which the server of that sub-app puts back in front', () => {
    expect(linkReturnPath('/apps/sub1/admin/abc', '?x=1', appBasePath('/', 'sub1'))).toBe('/admin/abc?x=1');
    expect(linkReturnPath('/nb/apps/sub1/admin', q({ [QUERY.link]: 'dt' }), appBasePath('/nb/', 'sub1'))).toBe('/admin');
    expect(appBasePath('/nb', null)).toBe('/nb/');
    expect(appBasePath('/', 'main')).toBe('/');
  });

  it('gives the path under the public path, which the server puts back in front', () => {
    expect(linkReturnPath('/nocobase/admin/abc', '?x=1', '/nocobase/')).toBe('/admin/abc?x=1');
    expect(linkReturnPath('/nocobase/apps/sub/admin', '', '/nocobase')).toBe('/apps/sub/admin');
    expect(linkReturnPath('/nocobase', '', '/nocobase/')).toBe('/');
    expect(linkReturnPath('/admin', '', '/')).toBe('/admin');
    // Not under it (should not happen): kept, for the server to refuse or accept as any other path.
    expect(linkReturnPath('/nocobaseX/admin', '', '/nocobase/')).toBe('/nocobaseX/admin');
  });
});

describe('shownFromError and textOf', () => {
  const t = (key: string, options?: Record<string, unknown>) => `T(${key})${options ? JSON.stringify(options) : ''}`;

  it('translates a contract code, shows a server message as is, else a generic sentence', () => {
    const code = { response: { data: { errors: [{ message: 'x', code: 'UNLINK_WOULD_LOCK_OUT' }] } } };
    expect(textOf(t, shownFromError(code))).toBe(`T(${ERROR_MESSAGES.UNLINK_WOULD_LOCK_OUT})`);
    const other = { response: { data: { errors: [{ message: 'No permissions', code: 'NOCOBASE_OWN_CODE' }] } } };
    expect(textOf(t, shownFromError(other))).toBe('No permissions');
    expect(textOf(t, shownFromError(new Error('Network Error')))).toBe(`T(${GENERIC_ERROR})`);
  });

  it('passes values unescaped: React escapes what it renders', () => {
    expect(textOf(t, { key: LINK_DONE_AS, values: { nickname: 'A&B' } })).toBe(
      `T(${LINK_DONE_AS}){"nickname":"A&B","interpolation":{"escapeValue":false}}`,
    );
  });
});
