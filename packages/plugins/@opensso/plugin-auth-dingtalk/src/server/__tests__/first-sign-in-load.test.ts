/**
 * First sign-ins under ordinary load (issue 10, goal 2): a department clicking the button at once must not be told
 * to try again. SQLite in a file here (in memory every transaction shares one connection, which no deployment
 * does); once more on PostgreSQL through vitest.postgres.config.mts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_URL,
  Browser,
  Harness,
  approveAtDingTalk,
  countLinks,
  countUsers,
  createAuthenticator,
  followCallback,
  people,
  redeem,
  startHarness,
  startSignIn,
} from './harness';

let h: Harness;

const person = people('负载', '1330077');

beforeAll(async () => {
  h = await startHarness({ databaseFile: true });
  await createAuthenticator(h.app);
  // The emulator answers from this process, whose event loop the callbacks share: under a burst some answers take
  // longer than the harness's short DingTalk timeout, which would measure the machine, not the sign-up.
  process.env.DINGTALK_TIMEOUT_MS = '20000';
}, 60_000);

afterAll(async () => {
  process.env.DINGTALK_TIMEOUT_MS = '1500';
  await h?.close();
});

type Identity = Record<string, string>;

/** Start and approval done beforehand, so that only the callbacks (where users are made) and redeems race. */
async function prepare(identity: Identity): Promise<{ browser: Browser; callback: URL }> {
  const browser = h.app.agent();
  const start = await startSignIn(browser);
  if (start.status !== 200) throw new Error(`getAuthUrl answered ${start.status}`);
  return { browser, callback: await approveAtDingTalk(h.emulator, start.body.data.url, identity) };
}

/** Callback then redeem; the user id signed in as, or the error the person was shown. */
async function finish({ browser, callback }: { browser: Browser; callback: URL }): Promise<{ userId?: number; error?: string }> {
  const landing = new URL((await followCallback(browser, callback)).headers.location ?? '', APP_URL);
  const error = landing.searchParams.get('dingtalk_error');
  if (error) return { error };
  const signIn = await redeem(browser);
  if (signIn.status !== 200) return { error: `auth:signIn ${signIn.status} ${JSON.stringify(signIn.body?.errors ?? signIn.body)}` };
  return { userId: signIn.body.data.user.id };
}

async function tally<T>(label: string, run: () => Promise<Array<{ userId?: number; error?: string }>>) {
  const usersBefore = await countUsers(h.app);
  const linksBefore = await countLinks(h.app);
  const began = Date.now();
  const results = await run();
  const figures = {
    usersCreated: (await countUsers(h.app)) - usersBefore,
    linksCreated: (await countLinks(h.app)) - linksBefore,
    signedIn: results.filter((r) => r.userId !== undefined).length,
    distinctUsers: new Set(results.map((r) => r.userId).filter((id) => id !== undefined)).size,
    errors: results.map((r) => r.error).filter((e): e is string => Boolean(e)),
  };
  console.log(
    `${label} (${process.env.DB_DIALECT}): users created ${figures.usersCreated}, links created ${figures.linksCreated}, ` +
      `signed in ${figures.signedIn} as ${figures.distinctUsers} users, errors ${figures.errors.length} ` +
      `${JSON.stringify([...new Set(figures.errors)])}, ${Date.now() - began} ms`,
  );
  return figures;
}

describe('first sign-ins under load (issue 10)', () => {
  it('50 distinct new people signing in at once: 50 users, 50 links, no error', async () => {
    const prepared: Array<{ browser: Browser; callback: URL }> = [];
    for (let i = 0; i < 50; i += 1) prepared.push(await prepare(person()));
    const figures = await tally('50 new people at once', () => Promise.all(prepared.map(finish)));
    expect(figures.errors).toEqual([]);
    expect(figures.usersCreated).toBe(50);
    expect(figures.linksCreated).toBe(50);
    expect(figures.distinctUsers).toBe(50);
  }, 180_000);

  it('one new person racing ten times: one user, one link, all ten signed in as that user', async () => {
    const identity = person();
    const prepared: Array<{ browser: Browser; callback: URL }> = [];
    for (let i = 0; i < 10; i += 1) prepared.push(await prepare(identity));
    const figures = await tally('one person ten times', () => Promise.all(prepared.map(finish)));
    expect(figures.errors).toEqual([]);
    expect(figures.usersCreated).toBe(1);
    expect(figures.linksCreated).toBe(1);
    expect(figures.signedIn).toBe(10);
    expect(figures.distinctUsers).toBe(1);
  }, 120_000);

  it('a stream of 60 new people, 10 at a time from start to sign-in: 60 users, no error', async () => {
    const queue = Array.from({ length: 60 }, () => person());
    const figures = await tally('60 new people, 10 at a time', async () => {
      const results: Array<{ userId?: number; error?: string }> = [];
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          for (let identity = queue.shift(); identity; identity = queue.shift()) results.push(await finish(await prepare(identity)));
        }),
      );
      return results;
    });
    expect(figures.errors).toEqual([]);
    expect(figures.usersCreated).toBe(60);
    expect(figures.linksCreated).toBe(60);
  }, 180_000);
});
