/**
 * First sign-in time against a users table of a given size (issue 10, goal 4), for a test or the benchmark against
 * a harness app: fills `users` up to `userCount` (numbers in the forms people type), then times the DingTalk
 * callback (where the user is found by phone, or signed up) of `samples` new people matched by phone and as many
 * new to the app. On SQLite, or PostgreSQL (its plan printed too), as the harness runs.
 *
 *   const figures = await firstSignInAtScale(h, 100_000);
 */
import type { Database } from '@nocobase/database';
import { storedForms } from '../phone';
import { Harness, approveAtDingTalk, followCallback, startSignIn } from './harness';

export interface ScaleFigures {
  users: number;
  /** Median milliseconds of the callback of a first sign-in that links a user found by phone. */
  matchedMedianMs: number;
  /** Median milliseconds of the callback of a first sign-in that signs a new person up. */
  signedUpMedianMs: number;
  /** How the database runs the phone lookup (EXPLAIN), one line per step. */
  plan: string[];
  matched: number;
}

const CHUNK = 5_000;

/** A stored number for user `i`, in one of the forms people type (the DingTalk number is `155` + 8 digits). */
function numberOf(i: number): { mobile: string; stored: string } {
  const mobile = `155${String(i).padStart(8, '0')}`;
  const forms = [mobile, `+86${mobile}`, `+86 ${mobile.slice(0, 3)} ${mobile.slice(3, 7)} ${mobile.slice(7)}`, `${mobile.slice(0, 3)}-${mobile.slice(3, 7)}-${mobile.slice(7)}`];
  return { mobile, stored: forms[i % forms.length] };
}

async function fillUsers(db: Database, userCount: number): Promise<void> {
  const model = db.getCollection('users').model;
  let existing = await model.count();
  while (existing < userCount) {
    const rows = [];
    for (let i = existing; i < Math.min(userCount, existing + CHUNK); i += 1) rows.push({ nickname: `scale ${i}`, phone: numberOf(i).stored });
    await model.bulkCreate(rows, { hooks: false });
    existing += rows.length;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timedCallback(h: Harness, identity: Record<string, string>): Promise<number> {
  const browser = h.app.agent();
  const start = await startSignIn(browser);
  const callback = await approveAtDingTalk(h.emulator, start.body.data.url, identity);
  const began = performance.now();
  const res = await followCallback(browser, callback);
  const elapsed = performance.now() - began;
  if (new URL(res.headers.location ?? '', 'http://x').searchParams.get('dingtalk_error')) throw new Error(`first sign-in refused: ${res.headers.location}`);
  return elapsed;
}

/** `tag` keeps the people of one run apart from another's (their unionIds). */
export async function firstSignInAtScale(h: Harness, userCount: number, samples = 9, tag = 'scale'): Promise<ScaleFigures> {
  const db = h.app.db;
  await fillUsers(db, userCount);
  const users = await db.getCollection('users').model.count();
  const matched: number[] = [];
  const signedUp: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    // A user spread over the table, and a number nobody holds.
    const { mobile } = numberOf(Math.floor(((i + 0.5) * userCount) / samples));
    matched.push(await timedCallback(h, { nick: `${tag} m${i}`, mobile, stateCode: '86', unionId: `${tag}-${userCount}-m${i}`, openId: `${tag}-${userCount}-om${i}` }));
    signedUp.push(
      await timedCallback(h, { nick: `${tag} s${i}`, mobile: `156${String(userCount + i).padStart(8, '0')}`, stateCode: '86', unionId: `${tag}-${userCount}-s${i}`, openId: `${tag}-${userCount}-os${i}` }),
    );
  }
  const links = db.getRepository('usersAuthenticators');
  let found = 0;
  for (let i = 0; i < samples; i += 1) if (await links.findOne({ filter: { uuid: `${tag}-${userCount}-m${i}` } })) found += 1;
  return { users, matchedMedianMs: median(matched), signedUpMedianMs: median(signedUp), plan: await phoneLookupPlan(db), matched: found };
}

/** The database's plan for the lookup `user-resolver.ts` makes, with the forms of one number. */
export async function phoneLookupPlan(db: Database): Promise<string[]> {
  const forms = storedForms({ mobile: '15500000042', stateCode: '86' }, '86').map((form) => db.sequelize.escape(form));
  const select = `SELECT * FROM ${db.getCollection('users').quotedTableName()} WHERE phone IN (${forms.join(', ')})`;
  if (db.sequelize.getDialect() === 'sqlite') {
    const [rows] = await db.sequelize.query(`EXPLAIN QUERY PLAN ${select}`);
    return (rows as Array<{ detail: string }>).map((row) => row.detail);
  }
  const [rows] = await db.sequelize.query(`EXPLAIN ${select}`);
  return (rows as Array<Record<string, string>>).map((row) => Object.values(row)[0]);
}
