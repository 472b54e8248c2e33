/**
 * The directory sync's figures (issue 12), printed, not asserted: run by `npm run bench:directory` (scripts/
 * bench-directory-sync.mjs), skipped otherwise. A generated directory (DINGTALK_BENCH_USERS members in
 * DINGTALK_BENCH_DEPARTMENTS departments, default 10,000 in 500) is synced twice from the emulator with DingTalk's
 * 20-calls-a-second limit on, through "Sync now" as an admin does; then one member leaves in the emulator, which
 * sends `user_leave_org` over the source's Stream connection, timed to the moment their token fails `auth:check`.
 */
import type { Model } from '@nocobase/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadavg } from 'node:os';
import { createAuthenticator, type Harness, startHarness } from './harness';

const enabled = Boolean(process.env.DINGTALK_DIRECTORY_BENCH);
const users = Number(process.env.DINGTALK_BENCH_USERS) || 10_000;
const departments = Number(process.env.DINGTALK_BENCH_DEPARTMENTS) || 500;

let h: Harness;

describe.runIf(enabled)('directory sync benchmark', () => {
  beforeAll(async () => {
    h = await startHarness({ extraPlugins: ['user-data-sync', 'departments'], databaseFile: true, emulatorOptions: { directoryQps: 20 } });
    await createAuthenticator(h.app);
    await h.app.db.getRepository('userDataSyncSources').create({
      values: { name: 'bench', sourceType: 'dingtalk', enabled: true, options: { authenticator: 'dingtalk' } },
    });
    h.emulator.directory().generate({ users, departments });
  }, 120_000);
  afterAll(() => h?.close());

  async function timedSync(admin: ReturnType<Harness['app']['agent']>) {
    const source = (await h.app.db.getRepository('userDataSyncSources').findOne({ filter: { name: 'bench' } })) as Model;
    const calls = Object.values(h.emulator.counters()).reduce((a, b) => a + b, 0);
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
    const started = Date.now();
    await admin.post('/api/userData:pull').query({ name: 'bench' });
    for (;;) {
      const [task] = (await h.app.db.getRepository('userDataSyncTasks').find({ filter: { sourceId: source.get('id') }, sort: ['-id'] })) as Model[];
      if (task && ['success', 'failed'].includes(task.get('status') as string)) {
        clearInterval(sampler);
        const made = Object.values(h.emulator.counters()).reduce((a, b) => a + b, 0) - calls;
        return { ms: Date.now() - started, status: task.get('status'), message: task.get('message'), calls: made, peakMiB: Math.round(peak / 2 ** 20) };
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Generated member `n` leaves; the time from the emulator's change to their token's refusal. */
  async function timedLeave(n: number): Promise<{ ms: number; status: number }> {
    const leaver = (await h.app.db.getRepository('users').findOne({ filter: { nickname: `User ${n}` } })) as Model;
    const member = await h.app.agent().login(leaver);
    expect((await member.get('/api/auth:check')).status).toBe(200);
    const started = Date.now();
    h.emulator.directory().removeMember(`u${n}`);
    let status = 200;
    while (status !== 401 && Date.now() - started < 120_000) status = (await member.get('/api/auth:check')).status;
    return { ms: Date.now() - started, status };
  }

  /** Events off and nothing under way, so that the app closes idle (a sync still writing would outlive it). */
  async function settle() {
    const until = async (done: () => Promise<boolean> | boolean) => {
      for (const deadline = Date.now() + 300_000; !(await done()) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 100));
    };
    await until(() => h.emulator.streamEvents().every((event) => event.status === 'acked'));
    await h.app.db.getRepository('userDataSyncSources').update({ filter: { name: 'bench' }, values: { options: { authenticator: 'dingtalk', events: 'off' } } });
    await until(() => h.emulator.streamConnections().length === 0);
    await until(async () => !(await h.app.db.getRepository('userDataSyncTasks').count({ filter: { status: { $in: ['init', 'processing'] } } })));
  }

  it(`syncs ${users} members in ${departments} departments, twice, then one leaver`, async () => {
    const root = await h.app.db.getRepository('users').findOne({ filter: { email: 'admin@nocobase.com' } });
    const admin = await h.app.agent().login(root, 'root');
    const load = () => loadavg().map((value) => value.toFixed(1)).join(' ');
    console.log(`load average before: ${load()}`);
    const first = await timedSync(admin);
    console.log(`first sync: ${(first.ms / 1000).toFixed(1)} s, ${first.calls} DingTalk calls, peak RSS ${first.peakMiB} MiB: ${first.status}: ${first.message}`);
    const second = await timedSync(admin);
    console.log(`second sync: ${(second.ms / 1000).toFixed(1)} s, ${second.calls} DingTalk calls, peak RSS ${second.peakMiB} MiB: ${second.status}: ${second.message}`);

    // A leaver: the emulator removes them and sends user_leave_org over the source's Stream connection.
    for (let i = 0; !h.emulator.streamConnections().length; i += 1) {
      if (i > 300) throw new Error('no Stream connection');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    h.emulator.setDirectoryEvents({ mode: 'stream' });
    const leave = await timedLeave(1);
    console.log(`user_leave_org (Stream) to a refused auth:check: ${leave.ms} ms (status ${leave.status})`);

    // Another while a third full sync holds the source's lock (5 s into its reading of DingTalk).
    const source = (await h.app.db.getRepository('userDataSyncSources').findOne({ filter: { name: 'bench' } })) as Model;
    await admin.post('/api/userData:pull').query({ name: 'bench' });
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const during = await timedLeave(2);
    const [third] = (await h.app.db.getRepository('userDataSyncTasks').find({ filter: { sourceId: source.get('id') }, sort: ['-id'] })) as Model[];
    console.log(`user_leave_org during a full sync (task ${third.get('status')}) to a refused auth:check: ${during.ms} ms (status ${during.status})`);
    console.log(`load average after: ${load()}`);
    await settle();
    const changes = /Changes: (\d+)/.exec(String(second.message))?.[1];
    console.log(
      [
        `directory ${users} members / ${departments} departments`,
        `first sync ${(first.ms / 1000).toFixed(1)} s`,
        `${first.calls} DingTalk calls`,
        `peak RSS ${Math.max(first.peakMiB, second.peakMiB)} MiB`,
        `second sync ${(second.ms / 1000).toFixed(1)} s, ${changes} changes`,
        `leave → refused ${leave.ms} ms (${during.ms} ms during a sync)`,
        `load ${load()}`,
      ].join(' | '),
    );
    expect(first.status).toBe('success');
    expect([leave.status, during.status]).toEqual([401, 401]);
  }, 1_800_000);
});
