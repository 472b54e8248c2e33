/**
 * Directory events end to end: a NocoBase app with a DingTalk sync source, the emulator's directory changed through
 * its control calls, and the change arriving as DingTalk delivers it, by Stream (the source's own connection) or by
 * encrypted HTTP push to `dingtalkDirectory:events`. Users, links and tokens are read back from NocoBase.
 */
import type { Model } from '@nocobase/database';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, createAuthenticator, type Harness, signInWithDingTalk, startHarness } from './harness';

const SOURCE = 'dingtalk-events';
const TOKEN = 'eventtoken';
const AES_KEY = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';
const ZHANGSAN = {
  userid: 'zhangsan01',
  unionid: 'emuUnionZhangsan0001iE',
  name: '张三',
  mobile: '13800000001',
  state_code: '86',
  dept_id_list: [1],
};
const LISI = { userid: 'lisi01', unionid: 'ev-union-lisi', name: '李四', dept_id_list: [1] };

let h: Harness;
let admin: Awaited<ReturnType<ReturnType<Harness['app']['agent']>['login']>>;

beforeAll(async () => {
  h = await startHarness({ extraPlugins: ['user-data-sync', 'departments'] });
  // The organization named, so that an event of another one can be told apart.
  await createAuthenticator(h.app, { options: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, autoSignup: true, corpId: 'dingemulatorcorp' } });
  const root = await h.app.db.getRepository('users').findOne({ filter: { email: 'admin@nocobase.com' } });
  admin = await h.app.agent().login(root, 'root');
});
afterAll(() => h?.close());
beforeEach(async () => {
  h.emulator.reset();
  h.emulator.directory().replace({ departments: [{ dept_id: 1, name: 'Emulated Co.' }], members: [ZHANGSAN, LISI] });
});

async function saveSource(options: Record<string, unknown>): Promise<void> {
  const repo = h.app.db.getRepository('userDataSyncSources');
  const values = { name: SOURCE, sourceType: 'dingtalk', enabled: true, options: { authenticator: 'dingtalk', ...options } };
  if (await repo.findOne({ filter: { name: SOURCE } })) await repo.update({ filter: { name: SOURCE }, values });
  else await repo.create({ values });
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function tasks(): Promise<Array<{ status: string; message: string }>> {
  const source = (await h.app.db.getRepository('userDataSyncSources').findOne({ filter: { name: SOURCE } })) as Model;
  const rows = (await h.app.db.getRepository('userDataSyncTasks').find({ filter: { sourceId: source.get('id') }, sort: ['id'] })) as Model[];
  return rows.map((row) => ({ status: row.get('status') as string, message: String(row.get('message') ?? '') }));
}

async function syncNow(): Promise<void> {
  const before = (await tasks()).length;
  expect((await admin.post('/api/userData:pull').query({ name: SOURCE })).status).toBe(200);
  const all = await until(tasks, (list) => list.length > before && ['success', 'failed'].includes(list.at(-1)!.status), 'the sync task');
  expect(all.at(-1)!.status, all.at(-1)!.message).toBe('success');
}

async function userOf(unionId: string): Promise<Model | null> {
  const link = (await h.app.db.getRepository('usersAuthenticators').findOne({ filter: { authenticator: 'dingtalk', uuid: unionId } })) as Model | null;
  return link ? ((await h.app.db.getRepository('users').findOne({ filterByTk: link.get('userId') })) as Model) : null;
}

const check = (token: string) => h.app.agent().get('/api/auth:check').set('Authorization', `Bearer ${token}`).set('X-Authenticator', 'dingtalk');

const connected = () => until(async () => h.emulator.streamConnections(), (list) => list.length === 1, 'the Stream connection');

describe('directory events by Stream (the default)', () => {
  beforeAll(async () => {
    await saveSource({});
  });

  it('keeps one connection for the source, made with the app credentials', async () => {
    const [connection] = await connected();
    expect(connection.clientId).toBe(CLIENT_ID);
  });

  it('a member who joins is created, one who changes is updated, within the test, without a sync', async () => {
    await syncNow();
    await connected();
    h.emulator.setDirectoryEvents({ mode: 'stream' });
    h.emulator.directory().addMember({ userid: 'wangwu', unionid: 'ev-union-wangwu', name: '王五', mobile: '13700000003', dept_id_list: [1] });
    const created = await until(() => userOf('ev-union-wangwu'), (user) => user !== null, 'the new user');
    expect(created!.get('nickname')).toBe('王五');
    h.emulator.directory().updateMember('wangwu', { name: '王五五' });
    await until(() => userOf('ev-union-wangwu'), (user) => user?.get('nickname') === '王五五', 'the rename');
    const events = await until(async () => h.emulator.streamEvents(), (list) => list.every((event) => event.status === 'acked'), 'the acknowledgements');
    expect(events.map((event) => [event.eventType, event.status])).toEqual([
      ['user_add_org', 'acked'],
      ['user_modify_org', 'acked'],
    ]);
  });

  it('a leaver is locked out: their token stops working, and it took less than the test waits', async () => {
    await syncNow();
    await connected();
    const signedIn = await signInWithDingTalk(h, { identity: 'zhangsan' });
    const token = signedIn.signIn?.body.data.token as string;
    expect((await check(token)).status).toBe(200);
    h.emulator.setDirectoryEvents({ mode: 'stream' });
    const started = Date.now();
    h.emulator.directory().removeMember('zhangsan01');
    await until(async () => (await check(token)).status, (status) => status === 401, 'the token to stop working');
    const latency = Date.now() - started;
    expect(latency).toBeLessThan(15_000);
    console.log(`user_leave_org → auth:check refused after ${latency} ms`);
  });

  it('a leaver is locked out at once while a full sync holds the lock, and stays out after it', async () => {
    await syncNow();
    await connected();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // NocoBase compares token times in whole seconds
    const signedIn = await signInWithDingTalk(h, { identity: 'zhangsan' });
    const token = signedIn.signIn?.body.data.token as string;
    expect((await check(token)).status).toBe(200);
    // A sync that is slow to read DingTalk holds the source's lock: four levels of departments, read a level at a
    // time, each answered after 1.2 s (under the plugin's 1.5 s timeout in tests). Its snapshot may still list the
    // leaver.
    for (const dept_id of [2, 3, 4]) h.emulator.directory().addDepartment({ dept_id, name: `Level ${dept_id}`, parent_id: dept_id - 1 });
    h.emulator.setFault({ mode: 'slow', endpoint: 'deptListSub', delayMs: 1200, times: 4 });
    const before = (await tasks()).length;
    const logged = h.emulator.log().length;
    expect((await admin.post('/api/userData:pull').query({ name: SOURCE })).status).toBe(200);
    await until(tasks, (list) => list.length > before && list.at(-1)!.status === 'processing', 'the sync to start');
    await new Promise((resolve) => setTimeout(resolve, 300));
    h.emulator.setDirectoryEvents({ mode: 'stream' });
    h.emulator.directory().removeMember('zhangsan01');
    await until(async () => (await check(token)).status, (status) => status === 401, 'the token to stop working', 10_000);
    // Out before the sync had even listed the members, let alone written anything.
    expect(h.emulator.log().slice(logged).filter((entry) => entry.path === '/topapi/v2/user/list')).toEqual([]);
    expect((await tasks()).at(-1)!.status).toBe('processing');
    const all = await until(tasks, (list) => list.length > before && list.at(-1)!.status !== 'processing', 'the sync to end');
    expect(all.at(-1)!.status, all.at(-1)!.message).toBe('success');
    // The event is applied again under the lock once the sync is done: still out, whatever the sync read.
    await until(async () => h.emulator.streamEvents(), (list) => list.every((event) => event.status === 'acked'), 'the acknowledgement');
    expect((await check(token)).status).toBe(401);
    const again = await signInWithDingTalk(h, { identity: 'zhangsan' });
    expect(again.landing.searchParams.get('dingtalk_error')).toBe('DIRECTORY_LEFT');
    h.emulator.setFault(null);
  });

  it('after the gateway drops the connection, it reconnects and runs a catch-up sync', async () => {
    await connected();
    const before = (await tasks()).length;
    h.emulator.dropStreamConnections();
    await until(async () => h.emulator.streamConnections(), (list) => list.length === 1, 'the reconnection');
    const all = await until(tasks, (list) => list.length > before && list.at(-1)!.status === 'success', 'the catch-up sync');
    expect(all.at(-1)!.message).toContain('Users:');
  });

  it('stops the connection when the source turns events off', async () => {
    await saveSource({ events: 'off' });
    await until(async () => h.emulator.streamConnections(), (list) => list.length === 0, 'the close');
  });
});

describe('directory events by HTTP push', () => {
  let url: string;
  beforeAll(async () => {
    await saveSource({ events: 'push', pushToken: TOKEN, pushAesKey: AES_KEY });
    const address = h.app.agent().get('/').url;
    url = `${new URL(address).origin}/api/dingtalkDirectory:events?source=${SOURCE}`;
  });
  const target = () => ({ url, token: TOKEN, aesKey: AES_KEY, owner: CLIENT_ID });

  it('answers DingTalk URL check and applies a pushed leave; the answer is the encrypted success', async () => {
    await syncNow();
    expect((await h.emulator.pushDirectoryEvent(target(), { EventType: 'check_url' })).result).toMatchObject({ status: 200, acknowledged: true });
    expect(await userOf('ev-union-lisi')).not.toBeNull();
    h.emulator.setDirectoryEvents({ mode: 'push', target: target() });
    h.emulator.directory().updateMember('lisi01', { name: '李四四' });
    await until(() => userOf('ev-union-lisi'), (user) => user?.get('nickname') === '李四四', 'the pushed change');
    await until(async () => h.emulator.pushLog(), (log) => log.at(-1)?.result !== undefined, 'the answer');
    expect(h.emulator.pushLog().at(-1)!.result).toMatchObject({ status: 200, acknowledged: true });
  });

  it('refuses forged, stale and other-app pushes, and changes nothing', async () => {
    await syncNow();
    const leave = { EventType: 'user_leave_org', CorpId: 'dingemulatorcorp', TimeStamp: String(Date.now()), UserId: ['lisi01'] };
    for (const tamper of ['signature', 'stale', 'owner'] as const) {
      const record = await h.emulator.pushDirectoryEvent(target(), leave, tamper);
      expect(record.result, tamper).toMatchObject({ status: 403, acknowledged: false });
    }
    const user = await userOf('ev-union-lisi');
    const link = (await h.app.db.getRepository('usersAuthenticators').findOne({ filter: { authenticator: 'dingtalk', uuid: 'ev-union-lisi' } })) as Model;
    expect(JSON.stringify(link.get('meta'))).not.toMatch(/left/i);
    expect(user).not.toBeNull();
    // Another organization's event, correctly encrypted for this app: taken, not applied.
    const foreign = await h.emulator.pushDirectoryEvent(target(), { ...leave, CorpId: 'dingforeigncorp' });
    expect(foreign.result).toMatchObject({ status: 200, acknowledged: true });
    expect(JSON.stringify(((await h.app.db.getRepository('usersAuthenticators').findOne({ filter: { authenticator: 'dingtalk', uuid: 'ev-union-lisi' } })) as Model).get('meta'))).toBe(
      JSON.stringify(link.get('meta')),
    );
  });

  it('tells the admin the Callback URL to enter in the DingTalk console', async () => {
    const res = await admin.get('/api/dingtalkDirectory:callbackUrl').query({ source: SOURCE });
    expect(res.status).toBe(200);
    const shown = new URL(res.body.data.url);
    expect(`${shown.pathname}${shown.search}`).toBe(`/api/dingtalkDirectory:events?source=${SOURCE}`);
    const anonymous = await h.app.agent().get('/api/dingtalkDirectory:callbackUrl').query({ source: SOURCE });
    expect(anonymous.status, JSON.stringify(anonymous.body)).toBe(401);
  });

  it('is not open for a source that is not in push mode', async () => {
    await saveSource({ events: 'stream' });
    const record = await h.emulator.pushDirectoryEvent(target(), { EventType: 'check_url' });
    expect(record.result).toMatchObject({ status: 404, acknowledged: false });
    await saveSource({ events: 'off' });
  });
});
