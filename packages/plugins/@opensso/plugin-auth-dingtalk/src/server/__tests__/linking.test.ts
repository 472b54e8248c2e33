/**
 * Atomic linking: the unique (authenticator, uuid) index and first sign-ins racing each other
 * (checklist F1; issue "Hardening", point 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINK_INDEX_NAME, ensureUniqueLinkIndex } from '../link-index';
import {
  APP_URL,
  Harness,
  approveAtDingTalk,
  countLinks,
  createAuthenticator,
  followCallback,
  redeem,
  startHarness,
  startSignIn,
} from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ databaseFile: true });
  await createAuthenticator(h.app);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

async function indexNames() {
  const table = h.app.db.getCollection('usersAuthenticators').getTableNameWithSchema();
  const indexes = (await h.app.db.sequelize.getQueryInterface().showIndex(table)) as Array<{ name: string }>;
  return indexes.map((index) => index.name);
}

/** `n` browsers, each with its own valid state and auth code for the same DingTalk person, then all at once. */
async function raceFirstSignIns(n: number, identity: Record<string, string>) {
  const prepared = [];
  for (let i = 0; i < n; i += 1) {
    const browser = h.app.agent();
    const start = await startSignIn(browser);
    prepared.push({ browser, callback: await approveAtDingTalk(h.emulator, start.body.data.url, identity) });
  }
  const callbacks = await Promise.all(prepared.map(({ browser, callback }) => followCallback(browser, callback)));
  const landings = callbacks.map((res) => new URL(res.headers.location, APP_URL));
  const signIns = await Promise.all(
    prepared.map(({ browser }, i) => (landings[i].searchParams.has('dingtalk_signin') ? redeem(browser) : undefined)),
  );
  const userIds = signIns.filter((res) => res?.status === 200).map((res) => res!.body.data.user.id);
  const errors = landings.map((url) => url.searchParams.get('dingtalk_error')).filter(Boolean);
  return { userIds, errors };
}

describe('atomic linking', () => {
  it('installs the unique (authenticator, uuid) index on the users-authenticators table', async () => {
    expect(await indexNames()).toContain(LINK_INDEX_NAME);
  });

  it('the index refuses a second link of one identity, whatever the code path', async () => {
    const users = h.app.db.getRepository('users');
    const a = await users.create({ values: { nickname: 'a' } });
    const b = await users.create({ values: { nickname: 'b' } });
    const links = h.app.db.getRepository('usersAuthenticators');
    await links.create({ values: { authenticator: 'dingtalk', uuid: 'dup-union', userId: a.get('id') } });
    await expect(
      links.create({ values: { authenticator: 'dingtalk', uuid: 'dup-union', userId: b.get('id') } }),
    ).rejects.toThrow(/unique|Validation/i);
  });

  it('a migration run on an install with duplicate links reports them and adds no index, then adds it once they are gone', async () => {
    const table = h.app.db.getCollection('usersAuthenticators').getTableNameWithSchema();
    const queryInterface = h.app.db.sequelize.getQueryInterface();
    await queryInterface.removeIndex(table, LINK_INDEX_NAME);
    const users = h.app.db.getRepository('users');
    const a = await users.create({ values: { nickname: 'c' } });
    const b = await users.create({ values: { nickname: 'd' } });
    const links = h.app.db.getRepository('usersAuthenticators');
    await links.create({ values: { authenticator: 'dingtalk', uuid: 'old-dup', userId: a.get('id') } });
    await links.create({ values: { authenticator: 'dingtalk', uuid: 'old-dup', userId: b.get('id') } });
    const logged: unknown[] = [];
    expect(await ensureUniqueLinkIndex(h.app.db, { error: (...args) => logged.push(args) })).toBe('duplicates');
    expect(await indexNames()).not.toContain(LINK_INDEX_NAME);
    expect(JSON.stringify(logged)).toContain('"count":2');
    await links.destroy({ filter: { uuid: 'old-dup', userId: b.get('id') } });
    expect(await ensureUniqueLinkIndex(h.app.db)).toBe('created');
    expect(await ensureUniqueLinkIndex(h.app.db)).toBe('exists');
  });

  it('F1 50 concurrent first sign-ins of one new identity (the checklist asks 20): one user, one link, each signed in as that user or told to retry', async () => {
    const identity = { nick: '五十', mobile: '13700000050', stateCode: '86', unionId: 'race-union-50', openId: 'race-open-50' };
    const usersBefore = await h.app.db.getRepository('users').count();
    const linksBefore = await countLinks(h.app);
    // The emulator answers from this process, whose event loop the 50 callbacks share: on PostgreSQL some of its
    // answers take longer than the harness's short DingTalk timeout, which would measure the machine, not linking.
    process.env.DINGTALK_TIMEOUT_MS = '15000';
    const { userIds, errors } = await raceFirstSignIns(50, identity).finally(() => {
      process.env.DINGTALK_TIMEOUT_MS = '1500';
    });
    const usersCreated = (await h.app.db.getRepository('users').count()) - usersBefore;
    const linksCreated = (await countLinks(h.app)) - linksBefore;
    // Figures for the record.
    console.log(
      `50-way race: users created ${usersCreated}, links created ${linksCreated}, ` +
        `signed in ${userIds.length} (distinct users ${new Set(userIds).size}), errors ${errors.length} ${JSON.stringify(errors)}`,
    );
    expect(usersCreated).toBe(1);
    expect(linksCreated).toBe(1);
    expect(new Set(userIds).size).toBe(1);
    expect(userIds.length + errors.length).toBe(50);
    for (const code of errors) expect(code).toBe('TRY_AGAIN');
  }, 180_000);
});
