/**
 * The "DingTalk" source of user-data-sync against the emulator's directory, driven as the admin drives it: a source
 * saved in Synchronization settings, `userData:pull` ("Sync now"), the task's status and message in
 * `userDataSyncTasks`. Users, links, departments and memberships are read back from NocoBase's own tables.
 */
import type { Model } from '@nocobase/database';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_MESSAGES } from '../../errors';
import { applyDirectoryChange } from '../directory-change';
import { createMembers, HeldValues } from '../directory-members-bulk';
import { writeTransaction } from '../write-transaction';
import { CLIENT_ID, createAuthenticator, type Harness, signInWithDingTalk, startHarness } from './harness';

let h: Harness;
let admin: Awaited<ReturnType<ReturnType<Harness['app']['agent']>['login']>>;

const ROOT = { dept_id: 1, name: 'Emulated Co.' };
const SALES = { dept_id: 10, name: 'Sales', parent_id: 1 };
const EAST = { dept_id: 11, name: 'Sales East', parent_id: 10 };
const RND = { dept_id: 20, name: 'R&D', parent_id: 1 };
/** 张三 is also an identity of the emulator's login page, so the browser flow can sign in as him. */
const ZHANGSAN = {
  userid: 'zhangsan01',
  unionid: 'emuUnionZhangsan0001iE',
  name: '张三',
  mobile: '13800000001',
  state_code: '86',
  email: 'zhangsan@example.com',
  title: '工程师',
  dept_id_list: [10, 20],
  leader_dept_ids: [10],
};
const WANGWU = { userid: 'ww', unionid: 'ds-union-ww', name: '王五', mobile: '13700000003', dept_id_list: [11] };
const ZHAOLIU = { userid: 'zl', unionid: 'ds-union-zl', name: '赵六', dept_id_list: [1] };
const PENDING = { userid: 'pending', unionid: 'ds-union-pending', name: 'Not yet', dept_id_list: [20], active: false };

function baseDirectory() {
  return { departments: [ROOT, SALES, EAST, RND], members: [ZHANGSAN, WANGWU, ZHAOLIU, PENDING] };
}

beforeAll(async () => {
  h = await startHarness({ extraPlugins: ['user-data-sync', 'departments'] });
  await createAuthenticator(h.app);
  const root = await h.app.db.getRepository('users').findOne({ filter: { email: 'admin@nocobase.com' } });
  admin = await h.app.agent().login(root, 'root');
  await h.app.db.getRepository('userDataSyncSources').create({
    // Events off: these tests are about the full sync; a Stream reconnection's catch-up sync would add tasks.
    values: { name: 'dingtalk-directory', sourceType: 'dingtalk', enabled: true, options: { authenticator: 'dingtalk', events: 'off' } },
  });
});
afterAll(() => h?.close());
beforeEach(() => {
  h.emulator.reset();
  h.emulator.setFault(null);
});

async function setSource(options: Record<string, unknown>) {
  await h.app.db.getRepository('userDataSyncSources').update({ filter: { name: 'dingtalk-directory' }, values: { options: { authenticator: 'dingtalk', events: 'off', ...options } } });
}

/** "Sync now", then the task once it has finished. */
async function syncNow(): Promise<{ status: string; message: string }> {
  const source = (await h.app.db.getRepository('userDataSyncSources').findOne({ filter: { name: 'dingtalk-directory' } })) as Model;
  const before = await h.app.db.getRepository('userDataSyncTasks').count({ filter: { sourceId: source.get('id') } });
  const res = await admin.post('/api/userData:pull').query({ name: 'dingtalk-directory' });
  expect(res.status).toBe(200);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const tasks = (await h.app.db.getRepository('userDataSyncTasks').find({ filter: { sourceId: source.get('id') }, sort: ['-id'] })) as Model[];
    const task = tasks[0];
    if (tasks.length > before && task && ['success', 'failed'].includes(task.get('status') as string)) {
      return { status: task.get('status') as string, message: String(task.get('message') ?? '') };
    }
    if (Date.now() > deadline) throw new Error(`the sync task did not finish: ${JSON.stringify(task?.toJSON())}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function userOf(unionId: string): Promise<Model | null> {
  const link = (await h.app.db.getRepository('usersAuthenticators').findOne({ filter: { authenticator: 'dingtalk', uuid: unionId } })) as Model | null;
  return link ? ((await h.app.db.getRepository('users').findOne({ filterByTk: link.get('userId') })) as Model) : null;
}

async function rolesOf(user: Model): Promise<string[]> {
  const rows = (await h.app.db.getRepository('rolesUsers').find({ filter: { userId: user.get('id') } })) as Model[];
  return rows.map((row) => row.get('roleName') as string).sort();
}

async function departmentTree(): Promise<Record<string, string | null>> {
  const rows = (await h.app.db.getRepository('departments').find()) as Model[];
  const title = new Map(rows.map((row) => [String(row.get('id')), row.get('title') as string]));
  return Object.fromEntries(rows.map((row) => [row.get('title') as string, row.get('parentId') == null ? null : title.get(String(row.get('parentId'))) ?? '?']));
}

/** The departments of a user by title, with owner flags, and the main one. */
async function membershipOf(user: Model): Promise<{ departments: Record<string, boolean>; main: string | null }> {
  const rows = (await h.app.db.getRepository('departmentsUsers').find({ filter: { userId: user.get('id') } })) as Model[];
  const departments = (await h.app.db.getRepository('departments').find()) as Model[];
  const title = new Map(departments.map((row) => [String(row.get('id')), row.get('title') as string]));
  const fresh = (await h.app.db.getRepository('users').findOne({ filterByTk: user.get('id') })) as Model;
  return {
    departments: Object.fromEntries(rows.map((row) => [title.get(String(row.get('departmentId'))) ?? '?', row.get('isOwner') === true])),
    main: fresh.get('mainDepartmentId') == null ? null : title.get(String(fresh.get('mainDepartmentId'))) ?? '?',
  };
}

async function check(token: string) {
  return h.app.agent().get('/api/auth:check').set('Authorization', `Bearer ${token}`).set('X-Authenticator', 'dingtalk');
}

describe('a full sync of the DingTalk directory', () => {
  it('creates exactly the directory: departments, users linked by unionId, memberships, owners, main departments', async () => {
    h.emulator.directory().replace(baseDirectory());
    const users = await h.app.db.getRepository('users').count();
    const task = await syncNow();
    expect(task.status, task.message).toBe('success');
    expect(task.message).toContain('Users: 3 created, 0 updated, 0 unchanged.');
    expect(task.message).toContain('Departments: 3 created, 0 updated, 0 removed, 0 unchanged.');
    // The inactive member gets no account.
    expect(await h.app.db.getRepository('users').count()).toBe(users + 3);
    expect(await userOf(PENDING.unionid)).toBeNull();

    expect(await departmentTree()).toEqual({ Sales: null, 'Sales East': 'Sales', 'R&D': null });
    const zhangsan = (await userOf(ZHANGSAN.unionid))!;
    // Stored as the sign-in stores it: national form for the default country (+86).
    expect(zhangsan.toJSON()).toMatchObject({ nickname: '张三', phone: '13800000001', email: 'zhangsan@example.com' });
    expect(await membershipOf(zhangsan)).toEqual({ departments: { Sales: true, 'R&D': false }, main: 'Sales' });
    expect(await membershipOf((await userOf(WANGWU.unionid))!)).toEqual({ departments: { 'Sales East': false }, main: 'Sales East' });
    // A member of the organization's root only: no department.
    expect(await membershipOf((await userOf(ZHAOLIU.unionid))!)).toEqual({ departments: {}, main: null });
    const link = (await h.app.db.getRepository('usersAuthenticators').findOne({ filter: { authenticator: 'dingtalk', uuid: ZHANGSAN.unionid } })) as Model;
    expect(link.get('meta')).toMatchObject({ unionId: ZHANGSAN.unionid, userid: 'zhangsan01', nick: '张三' });
    // Given as NocoBase gives it to a user it creates (plugin-acl's hook), although the users were written in bulk.
    for (const unionId of [ZHANGSAN.unionid, WANGWU.unionid, ZHAOLIU.unionid]) expect(await rolesOf((await userOf(unionId))!)).toEqual(['member']);
    // Paged and breadth-first: listsub for the root and each of the 3 departments, user/list for the 4 of them.
    expect(h.emulator.counters()).toMatchObject({ 'POST /topapi/v2/department/listsub': 4, 'POST /topapi/v2/user/list': 4 });
  });

  it('a second sync with no change at DingTalk changes nothing', async () => {
    const snapshot = async () => ({
      users: ((await h.app.db.getRepository('users').find({ sort: ['id'] })) as Model[]).map((u) => [u.get('id'), u.get('nickname'), u.get('phone'), u.get('email'), String(u.get('mainDepartmentId')), String(u.get('updatedAt'))]),
      departments: ((await h.app.db.getRepository('departments').find({ sort: ['id'] })) as Model[]).map((d) => [String(d.get('id')), d.get('title'), String(d.get('parentId')), String(d.get('updatedAt'))]),
      memberships: ((await h.app.db.getRepository('departmentsUsers').find()) as Model[]).map((m) => [m.get('userId'), String(m.get('departmentId')), m.get('isOwner')]),
    });
    const before = await snapshot();
    const task = await syncNow();
    expect(task.status, task.message).toBe('success');
    expect(task.message).toContain('Users: 0 created, 0 updated, 3 unchanged.');
    expect(task.message).toContain('Changes: 0.');
    expect(await snapshot()).toEqual(before);
  });

  it('a synced person signing in with DingTalk lands as the synced user', async () => {
    const synced = (await userOf(ZHANGSAN.unionid))!;
    const { signIn } = await signInWithDingTalk(h, 'zhangsan');
    expect(signIn?.status).toBe(200);
    expect(signIn!.body.data.user.id).toBe(synced.get('id'));
    // Signed in with the default role the sync gave, as a user NocoBase made itself would be: NocoBase refuses a
    // role the user does not have (and any request of a user with no role at all).
    const as = (role: string) => h.app.agent().get('/api/auth:check').set('Authorization', `Bearer ${signIn!.body.data.token}`).set('X-Authenticator', 'dingtalk').set('X-Role', role);
    expect((await as('member')).status).toBe(200);
    expect((await as('admin')).status).toBe(401);
  });

  it('follows a renamed, a moved and a deleted department, and a changed phone number', async () => {
    const directory = h.emulator.directory();
    directory.updateDepartment(20, { name: 'Research' });
    directory.updateDepartment(11, { parent_id: 20 });
    directory.updateMember('ww', { dept_id_list: [20], mobile: '13700000999' });
    directory.removeDepartment(11);
    const task = await syncNow();
    expect(task.status, task.message).toBe('success');
    // R&D renamed; Sales lost its only sub-department (isLeaf); Sales East removed.
    expect(task.message).toContain('Departments: 0 created, 2 updated, 1 removed, 0 unchanged.');
    expect(await departmentTree()).toEqual({ Sales: null, Research: null });
    const wangwu = (await userOf(WANGWU.unionid))!;
    expect(wangwu.get('phone')).toBe('13700000999');
    expect(await membershipOf(wangwu)).toEqual({ departments: { Research: false }, main: 'Research' });

    directory.addDepartment({ dept_id: 30, name: 'Support', parent_id: 10 });
    directory.updateDepartment(20, { parent_id: 10 });
    expect((await syncNow()).status).toBe('success');
    expect(await departmentTree()).toEqual({ Sales: null, Research: 'Sales', Support: 'Sales' });
  });

  it('updates a person who signed in before the sync instead of making a second user', async () => {
    const person = { nick: 'Early Bird', mobile: '13600000001', stateCode: '86', email: 'early@example.com', unionId: 'ds-union-early', openId: 'ds-open-early' };
    const { signIn } = await signInWithDingTalk(h, person);
    expect(signIn?.status).toBe(200);
    const users = await h.app.db.getRepository('users').count();
    h.emulator.directory().addMember({ userid: 'early', unionid: 'ds-union-early', name: 'Early Bird (Sales)', mobile: '13600000001', dept_id_list: [10] });
    const task = await syncNow();
    expect(task.message).toContain('Users: 0 created, 1 updated');
    expect(await h.app.db.getRepository('users').count()).toBe(users);
    const user = (await userOf('ds-union-early'))!;
    expect(user.get('id')).toBe(signIn!.body.data.user.id);
    expect(user.get('nickname')).toBe('Early Bird (Sales)');
    expect((await membershipOf(user)).departments).toEqual({ Sales: false });
  });

  it('skips and reports a phone number or email another user already has, and never merges into that user', async () => {
    const other = (await h.app.db.getRepository('users').create({ values: { nickname: 'Someone else', phone: '+8613500000001', email: 'taken@example.com' } })) as Model;
    h.emulator.directory().addMember({ userid: 'dup', unionid: 'ds-union-dup', name: 'Duplicate', mobile: '13500000001', email: 'taken@example.com', dept_id_list: [10] });
    const task = await syncNow();
    expect(task.status, task.message).toBe('success');
    expect(task.message).toContain('Not written because another user has the same value: dup (phone), dup (email).');
    const dup = (await userOf('ds-union-dup'))!;
    expect(dup.get('id')).not.toBe(other.get('id'));
    expect(dup.get('phone') ?? null).toBeNull();
    expect(dup.get('email') ?? null).toBeNull();
    expect(((await h.app.db.getRepository('users').findOne({ filterByTk: other.get('id') })) as Model).get('nickname')).toBe('Someone else');
  });
});

describe('new members written in bulk', () => {
  it('a chunk that fails rolls back whole; its members are then written one by one, each once, with link, departments and role', async () => {
    const fresh = [1, 2, 3].map((n) => ({ userid: `bulk${n}`, unionid: `ds-union-bulk${n}`, name: `Bulk ${n}`, mobile: `1390000000${n}`, dept_id_list: [10] }));
    for (const member of fresh) h.emulator.directory().addMember(member);
    const users = await h.app.db.getRepository('users').count();
    // The database refuses the chunk's links after its users were inserted (as a lost connection or a constraint
    // would): once, so that the members' second write, one by one, goes through.
    let refused = 0;
    const refuse = async () => {
      if (refused++ === 0) throw new Error('links refused');
    };
    h.app.db.on('usersAuthenticators.afterBulkCreate', refuse);
    try {
      const task = await syncNow();
      expect(task.status, task.message).toBe('success');
      expect(task.message).toContain('Users: 3 created');
    } finally {
      h.app.db.off('usersAuthenticators.afterBulkCreate', refuse);
    }
    expect(refused).toBe(1);
    // Nothing of the rolled-back chunk is left: exactly one user per member, each linked, placed and given the role.
    expect(await h.app.db.getRepository('users').count()).toBe(users + 3);
    for (const member of fresh) {
      expect(await h.app.db.getRepository('users').count({ filter: { nickname: member.name } })).toBe(1);
      const user = (await userOf(member.unionid))!;
      expect(user.get('phone')).toBe(member.mobile);
      expect((await membershipOf(user)).departments).toEqual({ Sales: false });
      expect(await rolesOf(user)).toEqual(['member']);
    }
  });

  it('a phone number or email twice among new members: the first keeps it, the second is reported; a long report still fits the task', async () => {
    h.emulator.directory().addMember({ userid: 'twin1', unionid: 'ds-union-twin1', name: 'Twin 1', mobile: '13900000077', email: 'twin@example.com', dept_id_list: [10] });
    h.emulator.directory().addMember({ userid: 'twin2', unionid: 'ds-union-twin2', name: 'Twin 2', mobile: '13900000077', email: 'twin@example.com', dept_id_list: [10] });
    const task = await syncNow();
    // The task's message is a VARCHAR(255) on PostgreSQL: a longer one failed the task. The list is cut to fit.
    expect(task.status, task.message).toBe('success');
    expect(task.message.length).toBeLessThanOrEqual(255);
    expect(task.message).toMatch(/Not written because another user has the same value: dup \(phone\)(, [^ ]+ \([a-z]+\))* … \+\d+\.$/);
    expect((await userOf('ds-union-twin1'))!.toJSON()).toMatchObject({ phone: '13900000077', email: 'twin@example.com' });
    expect((await userOf('ds-union-twin2'))!.toJSON()).toMatchObject({ phone: null, email: null });
  });

  it('a member whose first DingTalk sign-in linked them after the sync read the links is handed back to be updated, not created again', async () => {
    const person = { nick: 'Late Linker', mobile: '13600000077', stateCode: '86', email: 'late@example.com', unionId: 'ds-union-late', openId: 'ds-open-late' };
    const { signIn, landing } = await signInWithDingTalk(h, person);
    expect(signIn?.status, landing.search).toBe(200);
    const users = await h.app.db.getRepository('users').count();
    const context = { db: h.app.db, authenticatorName: 'dingtalk', defaultCountryCode: '86' };
    const late = { userid: 'late', unionId: 'ds-union-late', name: 'Late Linker', deptIds: [1], leaderOf: [], active: true };
    const other = { userid: 'other', unionId: 'ds-union-other', name: 'Other', deptIds: [1], leaderOf: [], active: true };
    const result = await writeTransaction(h.app.db, (transaction) => createMembers(context, [late, other], new HeldValues('86'), transaction));
    expect(result.linkedMeanwhile.map((member) => member.userid)).toEqual(['late']);
    expect([...result.created.keys()]).toEqual(['ds-union-other']);
    expect(await h.app.db.getRepository('users').count()).toBe(users + 1);
    expect((await userOf('ds-union-late'))!.get('id')).toBe(signIn!.body.data.user.id);
  });

  it("a later chunk sees a phone number a user was given since the sync's first chunk, in any spelling", async () => {
    const context = { db: h.app.db, authenticatorName: 'dingtalk', defaultCountryCode: '86' };
    const member = (n: number) => ({ userid: `chunk${n}`, unionId: `ds-union-chunk${n}`, name: `Chunk ${n}`, mobile: `1390000009${n}`, deptIds: [1], leaderOf: [], active: true });
    const held = new HeldValues('86');
    const first = await writeTransaction(h.app.db, (transaction) => createMembers(context, [member(1)], held, transaction));
    expect(first.collisions).toEqual([]);
    // Between two chunks, an admin gives someone the second member's number, written their own way.
    await h.app.db.getRepository('users').create({ values: { nickname: 'Meanwhile', phone: '+86 139-0000-0092' } });
    const second = await writeTransaction(h.app.db, (transaction) => createMembers(context, [member(2), member(3)], held, transaction));
    expect(second.collisions).toEqual([{ userid: 'chunk2', field: 'phone' }]);
    expect((await userOf('ds-union-chunk2'))!.get('phone') ?? null).toBeNull();
    expect((await userOf('ds-union-chunk3'))!.get('phone')).toBe('13900000093');
  });
});

describe('two syncs at once', () => {
  it('a second "Sync now" during the first waits for it, and nothing is created twice', async () => {
    h.emulator.directory().addDepartment({ dept_id: 40, name: 'Twice', parent_id: 1 });
    h.emulator.directory().addMember({ userid: 'twice', unionid: 'ds-union-twice', name: 'Twice', dept_id_list: [40] });
    const source = (await h.app.db.getRepository('userDataSyncSources').findOne({ filter: { name: 'dingtalk-directory' } })) as Model;
    const before = await h.app.db.getRepository('userDataSyncTasks').count({ filter: { sourceId: source.get('id') } });
    await Promise.all([1, 2].map(() => admin.post('/api/userData:pull').query({ name: 'dingtalk-directory' })));
    for (;;) {
      const tasks = (await h.app.db.getRepository('userDataSyncTasks').find({ filter: { sourceId: source.get('id') }, sort: ['-id'], limit: 2 })) as Model[];
      const count = await h.app.db.getRepository('userDataSyncTasks').count({ filter: { sourceId: source.get('id') } });
      if (count === before + 2 && tasks.every((task) => ['success', 'failed'].includes(task.get('status') as string))) {
        expect(tasks.map((task) => task.get('status'))).toEqual(['success', 'success']);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await h.app.db.getRepository('departments').count({ filter: { title: 'Twice' } })).toBe(1);
    expect(await h.app.db.getRepository('usersAuthenticators').count({ filter: { authenticator: 'dingtalk', uuid: 'ds-union-twice' } })).toBe(1);
  });
});

describe('departments off', () => {
  it('syncs every member of every department but leaves departments and memberships to the admin', async () => {
    const zhangsan = (await userOf(ZHANGSAN.unionid))!;
    const before = await membershipOf(zhangsan);
    const departments = await h.app.db.getRepository('departments').count();
    await setSource({ syncDepartments: false });
    h.emulator.directory().addMember({ userid: 'deep', unionid: 'ds-union-deep', name: 'Deep', dept_id_list: [30] });
    h.emulator.directory().updateMember('zhangsan01', { dept_id_list: [20], leader_dept_ids: [] });
    const task = await syncNow();
    expect(task.status, task.message).toBe('success');
    expect(task.message).toContain('Users: 1 created, 0 updated');
    expect(await membershipOf((await userOf('ds-union-deep'))!)).toEqual({ departments: {}, main: null });
    expect(await membershipOf(zhangsan)).toEqual(before);
    expect(await h.app.db.getRepository('departments').count()).toBe(departments);
    h.emulator.directory().updateMember('zhangsan01', { dept_id_list: ZHANGSAN.dept_id_list, leader_dept_ids: ZHANGSAN.leader_dept_ids });
    await setSource({});
  });
});

describe('leavers', () => {
  it('with "only report", a leaver is counted and keeps their access', async () => {
    const { signIn } = await signInWithDingTalk(h, 'zhangsan');
    const token = signIn!.body.data.token as string;
    await setSource({ leavers: 'report' });
    h.emulator.directory().removeMember('zhangsan01');
    const task = await syncNow();
    expect(task.message).toContain('Leavers: 0 locked out, 1 reported, 0 back.');
    expect((await check(token)).status).toBe(200);
    h.emulator.directory().addMember(ZHANGSAN);
    await setSource({});
  });

  it('a member gone from the directory is locked out: their session ends and DingTalk sign-in is refused; the user stays', async () => {
    const { signIn } = await signInWithDingTalk(h, 'zhangsan');
    const token = signIn!.body.data.token as string;
    expect((await check(token)).status).toBe(200);
    const userId = signIn!.body.data.user.id;

    h.emulator.directory().removeMember('zhangsan01');
    const task = await syncNow();
    expect(task.message).toContain('Leavers: 1 locked out');
    const refused = await check(token);
    expect(refused.status).toBe(401);
    const again = await signInWithDingTalk(h, 'zhangsan');
    expect(again.landing.searchParams.get('dingtalk_error')).toBe('DIRECTORY_LEFT');
    expect(await h.app.db.getRepository('users').findOne({ filterByTk: userId })).toBeTruthy();

    // A second sync does not count them again; back in the directory, they can sign in again.
    expect((await syncNow()).message).toContain('Leavers: 0 locked out');
    h.emulator.directory().addMember(ZHANGSAN);
    expect((await syncNow()).message).toContain('1 back.');
    await new Promise((resolve) => setTimeout(resolve, 1100)); // NocoBase compares token times in whole seconds
    const back = await signInWithDingTalk(h, 'zhangsan');
    expect(back.signIn?.status).toBe(200);
    expect(back.signIn!.body.data.user.id).toBe(userId);
  });

  it('a member deactivated in DingTalk is a leaver too', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const { signIn } = await signInWithDingTalk(h, 'zhangsan');
    h.emulator.directory().updateMember('zhangsan01', { active: false });
    expect((await syncNow()).message).toContain('Leavers: 1 locked out');
    expect((await check(signIn!.body.data.token)).status).toBe(401);
    h.emulator.directory().updateMember('zhangsan01', { active: true });
    expect((await syncNow()).message).toContain('1 back.');
  });
});

describe('one directory change, as an event of the directory will apply it', () => {
  const settings = { authenticatorName: 'dingtalk', sourceName: 'dingtalk-directory', defaultCountryCode: '86', leavers: 'lockOut' as const };

  it('a member who left (by userid) is locked out at once', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const { signIn } = await signInWithDingTalk(h, 'zhangsan');
    const token = signIn!.body.data.token as string;
    expect((await check(token)).status).toBe(200);
    const started = Date.now();
    expect(await applyDirectoryChange({ db: h.app.db, app: h.app }, settings, { kind: 'memberLeft', userid: 'zhangsan01' })).toEqual({ outcome: 'lockedOut', collisions: [] });
    expect((await check(token)).status).toBe(401);
    console.log(`user_leave_org applied to a refused auth:check: ${Date.now() - started} ms`);
    expect(await applyDirectoryChange({ db: h.app.db, app: h.app }, settings, { kind: 'memberLeft', userid: 'nobody' })).toEqual({ outcome: 'ignored', collisions: [] });
  });

  it('a changed member is written like the full sync writes them, into the departments it made', async () => {
    const member = { userid: 'zhangsan01', unionId: ZHANGSAN.unionid, name: '张三丰', mobile: '13800000077', stateCode: '86', deptIds: [20], leaderOf: [20], active: true };
    expect((await applyDirectoryChange({ db: h.app.db, app: h.app }, settings, { kind: 'member', member })).outcome).toBe('updated');
    const user = (await userOf(ZHANGSAN.unionid))!;
    expect(user.toJSON()).toMatchObject({ nickname: '张三丰', phone: '13800000077' });
    expect(await membershipOf(user)).toEqual({ departments: { Research: true }, main: 'Research' });
    expect((await applyDirectoryChange({ db: h.app.db, app: h.app }, settings, { kind: 'member', member })).outcome).toBe('unchanged');
    // The full sync puts back what DingTalk's directory says.
    expect((await syncNow()).message).toContain('Users: 0 created, 1 updated');
    expect(((await userOf(ZHANGSAN.unionid))!).get('nickname')).toBe('张三');
  });
});

describe("DingTalk's limits and refusals", () => {
  it('backs off on throttling answers (90018, 90002) and finishes', async () => {
    h.emulator.setFault({ mode: 'errcode', errcode: 90018, errmsg: 'qps', endpoint: 'userList', times: 1 });
    const first = await syncNow();
    expect(first.status, first.message).toBe('success');
    h.emulator.setFault({ mode: 'rate-limit', endpoint: 'deptListSub', times: 1 });
    const logged = h.emulator.log().length;
    const started = Date.now();
    const second = await syncNow();
    expect(second.status, second.message).toBe('success');
    // The throttled call was made again after a pause, not at once.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const listsub = h.emulator.log().slice(logged).filter((entry) => entry.path === '/topapi/v2/department/listsub');
    expect(listsub[0].errorCode).toBe('90002');
    expect(listsub[1].errorCode).toBeUndefined();
  });

  it('stops cleanly with a translated reason when DingTalk refuses the credentials, and writes nothing', async () => {
    await createAuthenticator(h.app, { name: 'dingtalk-bad', options: { clientId: CLIENT_ID, clientSecret: 'wrong', autoSignup: true } });
    await setSource({ authenticator: 'dingtalk-bad' });
    const departments = await h.app.db.getRepository('departments').count();
    const task = await syncNow();
    expect(task.status).toBe('failed');
    expect(task.message).toBe(`${ERROR_MESSAGES.SYNC_STOPPED} ${ERROR_MESSAGES.DINGTALK_CREDENTIALS_INVALID}`);
    expect(await h.app.db.getRepository('departments').count()).toBe(departments);
    await setSource({ authenticator: 'nobody' });
    expect((await syncNow()).message).toBe(`${ERROR_MESSAGES.SYNC_STOPPED} ${ERROR_MESSAGES.SYNC_SOURCE_INVALID}`);
    await setSource({});
  });

  it('says which permission is missing when DingTalk refuses the directory (60011)', async () => {
    h.emulator.setFault({ mode: 'forbidden', endpoint: 'deptListSub', times: 1 });
    const task = await syncNow();
    expect(task.status).toBe('failed');
    expect(task.message).toContain('qyapi_get_department_list');
  });
});
