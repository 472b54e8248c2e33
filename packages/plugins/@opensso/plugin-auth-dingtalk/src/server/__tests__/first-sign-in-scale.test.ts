/**
 * First sign-in time from a small to a large users table (issue 10, goal 4): the phone lookup is an indexed exact
 * match, so people are still found by phone among many, and the figures printed stay flat. 100 and 5,000 users by
 * default; `DINGTALK_SCALE_USERS=100000` for the figure the issue asks for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, createAuthenticator, startHarness } from './harness';
import { firstSignInAtScale } from './first-sign-in-scale';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await createAuthenticator(h.app);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('first sign-in against a growing users table (issue 10)', () => {
  it('people are found by phone among 100 users and among many more, by an indexed lookup', async () => {
    const large = Number(process.env.DINGTALK_SCALE_USERS) || 5_000;
    for (const users of [100, large]) {
      const figures = await firstSignInAtScale(h, users);
      console.log(
        `first sign-in at ${figures.users} users (${process.env.DB_DIALECT}): matched by phone ${figures.matchedMedianMs.toFixed(1)} ms, ` +
          `signed up ${figures.signedUpMedianMs.toFixed(1)} ms (medians of 9 callbacks); plan ${JSON.stringify(figures.plan)}`,
      );
      expect(figures.matched).toBe(9);
      if (h.app.db.sequelize.getDialect() === 'sqlite') expect(figures.plan.join('\n')).toMatch(/USING (COVERING )?INDEX .*\(phone=\?\)/);
    }
  }, 600_000);
});
