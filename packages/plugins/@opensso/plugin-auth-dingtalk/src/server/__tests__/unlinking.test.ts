/**
 * Unlinking sticks (checklist G8): a link removed by an admin or by its user is not made again by phone or email
 * matching at the next sign-in; a deliberate link (self-service linking) or an admin clearing the block undoes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  APP_URL,
  Browser,
  CREDENTIALS,
  Harness,
  approveAtDingTalk,
  countLinks,
  createAuthenticator,
  followCallback,
  people,
  signInWithDingTalk,
  startHarness,
  readLogs,
} from './harness';

const storage = mkdtempSync(join(tmpdir(), 'auth-dingtalk-unlinking-'));
let h: Harness;
let admin: Browser;
let seq = 0;

const person = people('解绑', '1360000');
const users = () => h.app.db.getRepository('users');

async function authenticator(prefix: string, options: Record<string, unknown> = {}) {
  const name = `${prefix}-${++seq}`;
  await createAuthenticator(h.app, { name, options: { ...CREDENTIALS, ...options } });
  return name;
}

/** A local user with a password (so they may unlink) and the DingTalk person's phone, signed in in a browser. */
async function localUser(phone: string) {
  const user = await users().create({ values: { nickname: `Local${++seq}`, phone, password: 'secret-pass-1' } });
  return { user, id: user.get('id') as number, agent: await h.app.agent().login(user) };
}

async function relink(agent: Browser, name: string, identity: Record<string, string>) {
  const start = await agent.post('/api/dingtalk:getLinkUrl').set('X-Authenticator', name).send({ redirect: '/admin' });
  const landed = await followCallback(agent, await approveAtDingTalk(h.emulator, start.body.data.url, identity));
  expect(new URL(landed.headers.location, APP_URL).searchParams.get('dingtalk_link')).toBe(name);
  return agent.post('/api/dingtalk:completeLink').send({ authenticator: name });
}


/** The fields of the JSON log lines with this message, once the file transport has written them. */
async function logged(message: string): Promise<Array<Record<string, unknown>>> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  return readLogs(storage)
    .split('\n')
    .filter((line) => line.includes(message))
    .map((line) => (JSON.parse(line) as { meta: Record<string, unknown> }).meta);
}

beforeAll(async () => {
  Object.assign(process.env, { STORAGE_PATH: storage, LOGGER_SILENT: 'false', LOGGER_TRANSPORT: 'file', LOGGER_FORMAT: 'json' });
  h = await startHarness();
  admin = await h.app.agent().login(await users().findOne({ filter: { email: 'admin@nocobase.com' } }), 'root');
}, 60_000);

afterAll(async () => {
  await h?.close();
  rmSync(storage, { recursive: true, force: true });
});

beforeEach(() => {
  h.emulator.reset();
});

describe('unlinking sticks (checklist G8)', () => {
  it('G8 after an admin removes a link, the next sign-in does not link it again by phone, and the log says why', async () => {
    const name = await authenticator('g8-admin');
    const identity = person();
    const local = await localUser(identity.mobile);
    expect((await signInWithDingTalk(h, identity, { authenticator: name })).signIn!.body.data.user.id).toBe(local.id);
    expect((await admin.post('/api/dingtalk:removeLink').send({ authenticator: name, userId: local.id })).status).toBe(200);

    const again = await signInWithDingTalk(h, identity, { authenticator: name });
    expect(again.landing.searchParams.get('dingtalk_error')).toBe('USER_NOT_FOUND');
    expect(await countLinks(h.app, name)).toBe(0);
    const [skipped] = (await logged('dingtalk: match skipped')).filter((line) => line.authenticator === name);
    expect(skipped).toMatchObject({ rule: 'phone', reason: 'unlinked', userId: local.id });
    expect(JSON.stringify(skipped)).not.toContain(identity.mobile);
    expect(JSON.stringify(skipped)).not.toContain(identity.unionId);
  });

  it('G8 after the user unlinks, the next sign-in does not link it again (with sign-up on, it is a new user)', async () => {
    const name = await authenticator('g8-user', { autoSignup: true });
    const identity = person();
    const local = await localUser(identity.mobile);
    expect((await signInWithDingTalk(h, identity, { authenticator: name })).signIn!.body.data.user.id).toBe(local.id);
    expect((await local.agent.post('/api/dingtalk:unlinkMe').send({ authenticator: name })).status).toBe(200);

    const again = await signInWithDingTalk(h, identity, { authenticator: name });
    expect(again.signIn!.status).toBe(200);
    expect(again.signIn!.body.data.user.id).not.toBe(local.id);
    expect(await h.app.db.getRepository('usersAuthenticators').count({ filter: { authenticator: name, userId: local.id } })).toBe(0);
  });

  it('G8 linking the same DingTalk account again from the profile clears the block', async () => {
    const name = await authenticator('g8-relink');
    const identity = person();
    const local = await localUser(identity.mobile);
    await signInWithDingTalk(h, identity, { authenticator: name });
    await local.agent.post('/api/dingtalk:unlinkMe').send({ authenticator: name });
    expect((await signInWithDingTalk(h, identity, { authenticator: name })).landing.searchParams.get('dingtalk_error')).toBe('USER_NOT_FOUND');

    expect((await relink(local.agent, name, identity)).status).toBe(200);
    expect((await admin.get(`/api/dingtalk:listLinkBlocks?authenticator=${name}`)).body.meta.count).toBe(0);
    // Signed in through the link made deliberately.
    expect((await signInWithDingTalk(h, identity, { authenticator: name })).signIn!.body.data.user.id).toBe(local.id);
  });

  it('G8 an admin sees the block and clears it: the next sign-in matches again; members can do neither', async () => {
    const name = await authenticator('g8-clear');
    const identity = person();
    const local = await localUser(identity.mobile);
    await signInWithDingTalk(h, identity, { authenticator: name });
    await admin.post('/api/dingtalk:removeLink').send({ authenticator: name, userId: local.id });

    const list = await admin.get(`/api/dingtalk:listLinkBlocks?authenticator=${name}`);
    expect(list.status).toBe(200);
    expect(list.body.meta.count).toBe(1);
    expect(list.body.data[0]).toMatchObject({ userId: local.id, unionId: identity.unionId, removedBy: 'admin', user: { id: local.id } });

    expect((await local.agent.get(`/api/dingtalk:listLinkBlocks?authenticator=${name}`)).body.errors[0].code).toBe('FORBIDDEN');
    const byMember = await local.agent.post('/api/dingtalk:removeLinkBlock').send({ authenticator: name, userId: local.id, unionId: identity.unionId });
    expect(byMember.status).toBe(403);

    const cleared = await admin.post('/api/dingtalk:removeLinkBlock').send({ authenticator: name, userId: local.id, unionId: identity.unionId });
    expect(cleared.status).toBe(200);
    expect((await admin.get(`/api/dingtalk:listLinkBlocks?authenticator=${name}`)).body.meta.count).toBe(0);
    expect((await signInWithDingTalk(h, identity, { authenticator: name })).signIn!.body.data.user.id).toBe(local.id);
    const again = await admin.post('/api/dingtalk:removeLinkBlock').send({ authenticator: name, userId: local.id, unionId: identity.unionId });
    expect(again.body.errors[0].code).toBe('NOT_BLOCKED');
  });

  it('G8 the block covers every matching rule for that user, and only its authenticator', async () => {
    const name = await authenticator('g8-rules', { matchBy: ['phone', 'email'] });
    const identity = person();
    const local = await localUser(identity.mobile);
    await signInWithDingTalk(h, identity, { authenticator: name });
    await local.agent.post('/api/dingtalk:unlinkMe').send({ authenticator: name });
    // The same user by email is the same blocked pair: skipped too.
    await users().update({ filterByTk: local.id, values: { email: identity.email } });
    expect((await signInWithDingTalk(h, identity, { authenticator: name })).landing.searchParams.get('dingtalk_error')).toBe('USER_NOT_FOUND');
    // Another authenticator never saw the unlink.
    const other = await authenticator('g8-other');
    expect((await signInWithDingTalk(h, identity, { authenticator: other })).signIn!.body.data.user.id).toBe(local.id);
  });

  it('G8 an existing install gets the block table from the migration', async () => {
    const collection = h.app.db.getCollection('dingtalkLinkBlocks');
    await h.app.db.sequelize.getQueryInterface().dropTable(collection.getTableNameWithSchema());
    expect(await collection.existsInDb()).toBe(false);
    const { default: LinkBlocksMigration } = await import('../migrations/20261202000000-link-blocks');
    const db = h.app.db;
    await new LinkBlocksMigration({ db, sequelize: db.sequelize, queryInterface: db.sequelize.getQueryInterface() }).up();
    expect(await collection.existsInDb()).toBe(true);
    // And it works: an unlink after the migration sticks.
    const name = await authenticator('g8-migrated');
    const identity = person();
    const local = await localUser(identity.mobile);
    await signInWithDingTalk(h, identity, { authenticator: name });
    await local.agent.post('/api/dingtalk:unlinkMe').send({ authenticator: name });
    expect((await signInWithDingTalk(h, identity, { authenticator: name })).landing.searchParams.get('dingtalk_error')).toBe('USER_NOT_FOUND');
  });
});
