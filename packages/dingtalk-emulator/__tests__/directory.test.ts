import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';
import { appToken, CLIENT_ID, CLIENT_SECRET, topapi } from './helpers';

const LISTSUB = '/topapi/v2/department/listsub';
const USER_LIST = '/topapi/v2/user/list';

let emu: Emulator;
let token: string;
beforeAll(async () => {
  emu = await startEmulator({ clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, { clientId: 'other-app', clientSecret: 'other-secret', corpId: 'dingothercorp' }] });
});
afterAll(() => emu.close());
beforeEach(async () => {
  emu.reset();
  emu.directory().reseed();
  token = await appToken(emu);
});

async function call(path: string, body: unknown, withToken = token): Promise<Record<string, any>> {
  const res = await topapi(emu, path, body, withToken);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, any>;
}

/** Every member of a department, following the cursor like a client must. */
async function allMembers(deptId: number, size = 100): Promise<{ pages: number; list: Array<Record<string, any>> }> {
  const list: Array<Record<string, any>> = [];
  let cursor = 0;
  let pages = 0;
  for (;;) {
    const body = await call(USER_LIST, { dept_id: deptId, cursor, size });
    expect(body.errcode).toBe(0);
    pages += 1;
    list.push(...body.result.list);
    if (!body.result.has_more) {
      expect(body.result).not.toHaveProperty('next_cursor');
      return { pages, list };
    }
    cursor = body.result.next_cursor;
  }
}

describe('the seeded directory', () => {
  it('has the organization as root and a department per dept id its identities name', async () => {
    const root = await call(LISTSUB, {});
    expect(root.errcode).toBe(0);
    expect(root.result.map((d: any) => d.dept_id)).toEqual([2, 3]);
    expect(root.result[0]).toEqual({ dept_id: 2, name: 'Department 2', parent_id: 1, create_dept_group: false, auto_add_user: false });
    const inTwo = await allMembers(2);
    expect(inTwo.list.map((m) => m.userid)).toEqual(['zhangsan01', 'lisi02']);
    expect(inTwo.list[0]).toMatchObject({ unionid: 'emuUnionZhangsan0001iE', name: '张三', mobile: '13800000001', state_code: '86', dept_id_list: [1, 2], active: true, admin: true });
  });

  it('only shows the calling app its own organization', async () => {
    const other = await appToken(emu, 'other-app', 'other-secret');
    const members = await call(USER_LIST, { dept_id: 1, cursor: 0, size: 100 }, other);
    // wangwu belongs to both organizations, with another userid in each.
    expect(members.result.list.map((m: any) => m.userid)).toEqual(['alice03', 'other-wangwu']);
  });
});

describe('user/list paging and limits', () => {
  it('pages 250 members of a department by 100 with has_more and next_cursor', async () => {
    expect(emu.directory().generate({ users: 250, departments: 0 })).toEqual({ departments: 1, members: 250 });
    const { pages, list } = await allMembers(1);
    expect(pages).toBe(3);
    expect(list).toHaveLength(250);
    expect(new Set(list.map((m) => m.userid)).size).toBe(250);
  });

  it.each([
    [{ dept_id: 1, cursor: 0, size: 101 }, 400002],
    [{ dept_id: 1, cursor: 0, size: 0 }, 400002],
    [{ dept_id: 1, cursor: 0 }, 40035],
    [{ cursor: 0, size: 10 }, 40035],
    [{ dept_id: 999, cursor: 0, size: 10 }, 60003],
  ])('refuses %j with errcode %i', async (body, errcode) => {
    expect((await call(USER_LIST, body)).errcode).toBe(errcode);
  });

  it('listsub of an unknown department answers 60003; without a token 88', async () => {
    expect((await call(LISTSUB, { dept_id: 4242 })).errcode).toBe(60003);
    const res = await topapi(emu, LISTSUB, {});
    expect(((await res.json()) as any).errcode).toBe(88);
  });

  it('marks the leader of the department being listed, not of the others', async () => {
    emu.directory().replace({
      departments: [{ dept_id: 1, name: 'Root' }, { dept_id: 5, name: 'Sales', parent_id: 1 }],
      members: [{ userid: 'boss', unionid: 'u-boss', name: 'Boss', dept_id_list: [1, 5], leader_dept_ids: [5] }],
    });
    expect((await allMembers(5)).list[0].leader).toBe(true);
    expect((await allMembers(1)).list[0].leader).toBe(false);
  });

  it('answers 90018 beyond the configured QPS, per app and endpoint', async () => {
    const limited = await startEmulator({ directoryQps: 3 });
    try {
      const t = await appToken(limited, 'dingemulatorclient', 'emulator-secret');
      // Within one wall-clock second (retry the batch if it straddles two).
      let codes: number[] = [];
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const started = Math.floor(Date.now() / 1000);
        codes = await Promise.all(Array.from({ length: 5 }, async () => ((await (await topapi(limited, LISTSUB, {}, t)).json()) as any).errcode));
        if (Math.floor(Date.now() / 1000) === started) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect(codes.filter((c) => c === 0)).toHaveLength(3);
      expect(codes.filter((c) => c === 90018)).toHaveLength(2);
    } finally {
      await limited.close();
    }
  });

  it('plays faults on the directory endpoints (rate-limit 90002, no-mobile)', async () => {
    emu.setFault({ mode: 'rate-limit', endpoint: 'userList', times: 1 });
    expect((await call(USER_LIST, { dept_id: 2, cursor: 0, size: 10 })).errcode).toBe(90002);
    emu.setFault({ mode: 'no-mobile', endpoint: 'userList', times: 1 });
    const body = await call(USER_LIST, { dept_id: 2, cursor: 0, size: 10 });
    expect(body.result.list[0]).not.toHaveProperty('mobile');
    expect(emu.counters()).toMatchObject({ 'POST /topapi/v2/user/list': 2 });
  });
});

describe('control calls change the directory', () => {
  it('adds, modifies and removes a member and a department over HTTP', async () => {
    const control = (method: string, path: string, body?: unknown) =>
      fetch(`${emu.url}/__emulator/directory${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await control('POST', '/departments', { dept_id: 10, name: 'Ops', parent_id: 2 })).status).toBe(201);
    expect((await control('POST', '/members', { userid: 'new1', unionid: 'u-new1', name: 'New', mobile: '13900000000', dept_id_list: [10] })).status).toBe(201);
    expect((await allMembers(10)).list.map((m) => m.name)).toEqual(['New']);

    expect((await control('PATCH', '/members/new1', { mobile: '13900000009', active: false })).status).toBe(200);
    expect((await allMembers(10)).list[0]).toMatchObject({ mobile: '13900000009', active: false });

    expect((await control('PATCH', '/departments/10', { name: 'Operations', parent_id: 3 })).status).toBe(200);
    expect((await call(LISTSUB, { dept_id: 3 })).result).toEqual([expect.objectContaining({ dept_id: 10, name: 'Operations', parent_id: 3 })]);
    // Not while it has a member; a move under itself is refused too.
    expect((await control('DELETE', '/departments/10')).status).toBe(400);
    expect((await control('PATCH', '/departments/3', { parent_id: 10 })).status).toBe(400);

    expect((await control('DELETE', '/members/new1')).status).toBe(200);
    expect((await allMembers(10)).list).toEqual([]);
    expect((await control('DELETE', '/departments/10')).status).toBe(200);
    expect((await call(LISTSUB, { dept_id: 3 })).result).toEqual([]);
    expect(emu.counters()['POST /__emulator/directory/members']).toBeUndefined();
  });

  it('refuses a member in an unknown department or with a unionid already present', () => {
    expect(() => emu.directory().addMember({ userid: 'x', unionid: 'x', name: 'X', dept_id_list: [77] })).toThrow(/no department 77/);
    expect(() => emu.directory().addMember({ userid: 'x', unionid: 'emuUnionLisi0002iE', name: 'X' })).toThrow(/already a member/);
  });

  it('generates N users in M departments, deterministic, with one leader per department', () => {
    const control = emu.directory();
    control.generate({ users: 1000, departments: 50 });
    const first = control.snapshot();
    expect(first.departments).toHaveLength(51);
    expect(first.members).toHaveLength(1000);
    const leaders = first.members.filter((m) => m.leader_dept_ids?.length);
    expect(leaders).toHaveLength(50);
    control.generate({ users: 1000, departments: 50 });
    expect(control.snapshot()).toEqual(first);
  });
});
