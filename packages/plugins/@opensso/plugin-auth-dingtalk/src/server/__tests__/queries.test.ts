/**
 * What a sign-in asks the database (issue 10, goals 4 and 5), read from the SQL NocoBase's Sequelize runs: matching by
 * phone is an exact lookup the unique index of users.phone answers (EXPLAIN), and a returning sign-in reads its
 * link row once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@nocobase/database';
import { Harness, createAuthenticator, people, signInWithDingTalk, startHarness } from './harness';
import { pluginTimePerSignIn } from './plugin-time';

let h: Harness;

const person = people('查询', '1330079');

beforeAll(async () => {
  h = await startHarness();
  await createAuthenticator(h.app);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** The SQL statements run while `fn` runs. */
async function statements(db: Database, fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  // Sequelize reads `options.logging` at each query; its public types leave `options` out.
  const options = (db.sequelize as unknown as { options: { logging?: unknown } }).options;
  const previous = options.logging;
  options.logging = (sql: string) => seen.push(sql);
  try {
    await fn();
  } finally {
    options.logging = previous;
  }
  return seen;
}

/** The table's own name, without the schema PostgreSQL puts before it. */
function table(name: string): string {
  return h.app.db.getCollection(name).model.tableName;
}

describe('the queries of a sign-in (issue 10)', () => {
  it('matching by phone is an exact IN lookup that the unique index of users.phone answers, not a scan', async () => {
    const identity = person();
    const local = await h.app.db.getRepository('users').create({ values: { nickname: 'By phone', phone: `+86 ${identity.mobile}` } });
    const sql = await statements(h.app.db, () => signInWithDingTalk(h, identity));
    const lookup = sql.find((statement) => /FROM (\S+\.)?[`"]users[`"]/.test(statement) && / IN \(/.test(statement) && statement.includes(identity.mobile));
    expect(lookup, 'the phone lookup').toBeDefined();
    expect(sql.some((statement) => /phone[`"]? LIKE/i.test(statement))).toBe(false);
    const select = lookup!.replace(/^Executing \([^)]*\): /, '');
    if (h.app.db.sequelize.getDialect() === 'sqlite') {
      const [plan] = await h.app.db.sequelize.query(`EXPLAIN QUERY PLAN ${select}`);
      const steps = (plan as Array<{ detail: string }>).map((row) => row.detail);
      console.log(`phone lookup plan (${table('users')}): ${JSON.stringify(steps)}`);
      expect(steps.some((step) => /SEARCH .*users.* USING (COVERING )?INDEX .*\(phone=\?\)/.test(step))).toBe(true);
      expect(steps.some((step) => /^SCAN .*users/.test(step))).toBe(false);
    }
    const linked = await h.app.db.getRepository('usersAuthenticators').findOne({ filter: { uuid: identity.unionId } });
    expect(linked?.get('userId')).toBe(local.get('id'));
  });

  it('a returning sign-in reads its link row once', async () => {
    const identity = person();
    await signInWithDingTalk(h, identity);
    const sql = await statements(h.app.db, () => signInWithDingTalk(h, identity));
    const links = table('usersAuthenticators');
    const linkReads = sql.filter((statement) => /SELECT/.test(statement) && new RegExp(`FROM (\\S+\\.)?[\`"]${links}[\`"]`).test(statement));
    console.log(`returning sign-in: ${sql.length} statements, ${linkReads.length} read(s) of ${links}`);
    expect(linkReads).toHaveLength(1);
  });

  it("the plugin's own code in a returning sign-in, by V8's CPU profile (figures for the record; the benchmark reads them)", async () => {
    const figures = await pluginTimePerSignIn(h, person(), 50);
    console.log(
      `plugin's own server time per returning sign-in (${figures.signIns} sign-ins, ${process.env.DB_DIALECT}): ` +
        `self ${figures.selfMsPerSignIn.toFixed(2)} ms, inclusive ${figures.inclusiveMsPerSignIn.toFixed(2)} ms, ` +
        `of a busy process time of ${figures.busyMsPerSignIn.toFixed(1)} ms`,
    );
    // The profile saw the plugin run (a figure of 0 would mean its files were not recognised).
    expect(figures.selfMsPerSignIn).toBeGreaterThan(0);
    expect(figures.inclusiveMsPerSignIn).toBeGreaterThanOrEqual(figures.selfMsPerSignIn);
    expect(figures.busyMsPerSignIn).toBeGreaterThan(figures.inclusiveMsPerSignIn);
  }, 120_000);
});
