/**
 * Benchmark, not a check: one work notification to 5,000 NocoBase users (`DINGTALK_NOTIFY_BENCH_USERS` to change
 * it), half linked in the DingTalk app (the link knows the userid), half in a browser (a getbyunionid lookup each),
 * against an emulator whose organization has them all. Prints the DingTalk calls made, the time, and the server's
 * memory (this process runs the NocoBase app). Skipped unless `DINGTALK_NOTIFY_BENCH=1`:
 *
 *   DINGTALK_NOTIFY_BENCH=1 node_modules/.bin/vitest run --config packages/plugins/@opensso/plugin-auth-dingtalk/vitest.config.mts work-notifications-bench
 */
import { DEFAULT_AGENT_ID, startEmulator, type Emulator, type Identity } from '@opensso/dingtalk-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, Harness, createAuthenticator, startHarness } from './harness';

const RUN = process.env.DINGTALK_NOTIFY_BENCH === '1';
const COUNT = Number(process.env.DINGTALK_NOTIFY_BENCH_USERS) || 5_000;

let h: Harness;
let crowd: Emulator;

describe.skipIf(!RUN)(`one work notification to ${COUNT} users`, () => {
  beforeAll(async () => {
    h = await startHarness({ extraPlugins: ['notification-manager'] });
    const identities: Identity[] = Array.from({ length: COUNT }, (_, i) => ({
      id: `p${i}`,
      nick: `P${i}`,
      unionId: `bench-union-${i}`,
      openId: `bench-open-${i}`,
      corpId: 'dingemulatorcorp',
      userid: `bench-${i}`,
    }));
    // An organization of COUNT people; the plugin reads the DingTalk hosts at each call.
    crowd = await startEmulator({ identities, clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] });
    process.env.DINGTALK_API_URL = crowd.url;
    process.env.DINGTALK_OAPI_URL = crowd.url;
    await createAuthenticator(h.app);
    await h.app.db.getRepository('notificationChannels').create({
      values: { name: 'bench', title: 'bench', notificationType: 'dingtalk-work-notification', options: { authenticator: 'dingtalk', agentId: String(DEFAULT_AGENT_ID) } },
    });
    // Rows written in bulk, without the hooks a user's creation runs (roles, sort): set-up, not what is measured.
    await h.app.db.getModel('users').bulkCreate(identities.map((person) => ({ nickname: person.nick, username: person.id })), { hooks: false });
    const users = (await h.app.db.getRepository('users').find({ fields: ['id', 'username'], filter: { username: { $startsWith: 'p' } } })) as Array<{ get(key: string): unknown }>;
    const idOf = new Map(users.map((user) => [user.get('username') as string, user.get('id') as number]));
    await h.app.db.getModel('usersAuthenticators').bulkCreate(
      identities.map((person, i) => ({
        authenticator: 'dingtalk',
        userId: idOf.get(person.id),
        uuid: person.unionId,
        meta: { unionId: person.unionId, userid: i % 2 === 0 ? person.userid : null },
      })),
      { hooks: false },
    );
  }, 300_000);

  afterAll(async () => {
    await h?.close();
    await crowd?.close();
  });

  it('sends, and prints calls, time and memory', async () => {
    const users = (await h.app.db.getRepository('users').find({ fields: ['id'], filter: { username: { $startsWith: 'p' } } })) as Array<{ get(key: string): unknown }>;
    const ids = users.map((user) => user.get('id') as number);
    global.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const started = performance.now();
    const manager = h.app.pm.get('notification-manager') as unknown as { send(options: object): Promise<{ status: string; reason?: string }> };
    const result = await manager.send({
      channelName: 'bench',
      triggerFrom: 'bench',
      receivers: { type: 'userId', value: ids },
      message: { msgType: 'actionCard', title: 'Bench', content: `**${COUNT}** people`, buttons: [{ title: 'Open', url: '/admin' }] },
    });
    const ms = performance.now() - started;
    clearInterval(sampler);
    const after = process.memoryUsage();
    const calls = Object.entries(crowd.counters()).filter(([path]) => !path.includes('__emulator'));
    console.log(
      [
        `work notification to ${ids.length} users (${process.env.DB_DIALECT}): ${result.status} in ${(ms / 1000).toFixed(2)} s`,
        `DingTalk calls: ${calls.map(([path, n]) => `${path} ×${n}`).join(', ')}`,
        `server memory: rss ${(before.rss / 2 ** 20).toFixed(0)} → ${(after.rss / 2 ** 20).toFixed(0)} MiB (peak ${(peakRss / 2 ** 20).toFixed(0)}), heap used ${(before.heapUsed / 2 ** 20).toFixed(0)} → ${(after.heapUsed / 2 ** 20).toFixed(0)} MiB`,
        `reason: ${result.reason?.split('\n').slice(0, 3).join(' | ')}`,
      ].join('\n'),
    );
    expect(result.status).toBe('success');
    expect(crowd.workNotifications().reduce((sum, task) => sum + task.delivered.length, 0)).toBe(ids.length);
  }, 600_000);
});
