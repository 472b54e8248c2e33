import { describe, expect, it } from 'vitest';
import {
  linkBlocksPageFromBody,
  linkBlocksRequest,
  REMOVED_BY_ADMIN,
  REMOVED_BY_USER,
  removedByMessage,
  removeLinkBlockRequest,
  userLabel,
} from '../link-blocks';

describe('link block requests (checklist G8)', () => {
  it('lists with GET and query parameters', () => {
    expect(linkBlocksRequest('dt', 3, 50)).toEqual({
      url: 'dingtalk:listLinkBlocks',
      method: 'get',
      params: { authenticator: 'dt', page: 3, pageSize: 50 },
      skipNotify: true,
    });
  });

  it('clears one block by authenticator, user and unionId in the body, never in a header', () => {
    const request = removeLinkBlockRequest('dt', 7, 'union7');
    expect(request).toEqual({
      url: 'dingtalk:removeLinkBlock',
      method: 'post',
      data: { authenticator: 'dt', userId: 7, unionId: 'union7' },
      skipNotify: true,
    });
    expect(request).not.toHaveProperty('headers');
  });
});

describe('linkBlocksPageFromBody', () => {
  const row = {
    userId: 5,
    user: { id: 5, nickname: 'Zhang San', username: 'zhangsan', email: null, phone: '13800000001' },
    unionId: 'emuUnionZhangsan0001iE',
    nickname: '张三',
    removedBy: 'admin',
    createdAt: '2026-11-20T08:00:00.000Z',
  };
  const expected = {
    userId: 5,
    user: { id: 5, nickname: 'Zhang San', username: 'zhangsan', phone: '13800000001' },
    unionId: 'emuUnionZhangsan0001iE',
    nickname: '张三',
    removedBy: 'admin',
    createdAt: '2026-11-20T08:00:00.000Z',
  };

  it("reads NocoBase's list shape, or the unwrapped one", () => {
    expect(linkBlocksPageFromBody({ data: [row], meta: { count: 41 } })).toEqual({ rows: [expected], count: 41 });
    expect(linkBlocksPageFromBody({ data: { rows: [row], count: 1 } })).toEqual({ rows: [expected], count: 1 });
  });

  it('drops rows without a user id or a unionId (a block cannot be cleared without both), and unknown removers', () => {
    const rows = [row, { ...row, userId: null }, { ...row, unionId: '' }, { ...row, removedBy: 'someone' }];
    const page = linkBlocksPageFromBody({ data: rows, meta: { count: 4 } });
    expect(page.rows).toHaveLength(2);
    expect(page.rows[1]).not.toHaveProperty('removedBy');
  });

  it('is empty for anything else', () => {
    for (const body of [undefined, null, 'x', { data: 'x' }, { data: { rows: 'x' } }]) {
      expect(linkBlocksPageFromBody(body)).toEqual({ rows: [], count: 0 });
    }
  });
});

describe('userLabel', () => {
  it('is the nickname, else the username, email, phone, else #id', () => {
    expect(userLabel({ id: 1, nickname: 'N', username: 'u' }, 1)).toBe('N');
    expect(userLabel({ id: 1, username: 'u', email: 'e@x' }, 1)).toBe('u');
    expect(userLabel({ id: 1, email: 'e@x', phone: '1' }, 1)).toBe('e@x');
    expect(userLabel({ id: 1, phone: '138' }, 1)).toBe('138');
    expect(userLabel(undefined, 9)).toBe('#9');
  });
});

describe('removedByMessage', () => {
  it('names who unlinked', () => {
    expect(removedByMessage('user')).toBe(REMOVED_BY_USER);
    expect(removedByMessage('admin')).toBe(REMOVED_BY_ADMIN);
    expect(removedByMessage(undefined)).toBeUndefined();
  });
});
