/**
 * DingTalk work notifications through NocoBase's notification manager (and the workflow "Notification" node),
 * against the emulator over HTTP: what DingTalk receives for each message type, who gets it, the batches, the token
 * refresh and the rate-limit waits, each errcode's code in the log, and the node failing with the reason.
 */
import { DEFAULT_AGENT_ID } from '@opensso/dingtalk-emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_MESSAGES, type ErrorCode } from '../../errors';
import { APP_URL, Harness, createAuthenticator, startHarness } from './harness';

let h: Harness;
const CHANNEL = 'dingtalk-notify';
const ZHANGSAN = { unionId: 'emuUnionZhangsan0001iE', userid: 'zhangsan01' };
const LISI = { unionId: 'emuUnionLisi0002iE' };
const ALICE = { unionId: 'emuUnionAlice0003iE' }; // a member of another organization only
const users: Record<string, number> = {};

interface Manager {
  send(options: Record<string, unknown>): Promise<{ status: string; reason?: string }>;
}
const manager = () => h.app.pm.get('notification-manager') as unknown as Manager;
const count = (path: string) => h.emulator.counters()[`POST ${path}`] ?? 0;
const ASYNCSEND = '/topapi/message/corpconversation/asyncsend_v2';
const GETBYUNIONID = '/topapi/user/getbyunionid';
const APP_TOKEN = '/v1.0/oauth2/accessToken';

let seq = 0;
/** DingTalk delivers the same content to a person once a day: every test sends its own. */
const unique = (text: string) => `${text} #${(seq += 1)}`;

async function send(message: Record<string, unknown>, userIds: number[], channelName = CHANNEL) {
  return manager().send({ channelName, message, triggerFrom: 'test', receivers: { type: 'userId', value: userIds } });
}

async function lastLog() {
  const [log] = await h.app.db.getRepository('notificationSendLogs').find({ sort: ['-createdAt'], limit: 1 });
  return log.toJSON() as { status: string; reason: string; channelName: string };
}

async function createUser(nickname: string, link?: { unionId: string; userid?: string }) {
  const user = await h.app.db.getRepository('users').create({ values: { nickname, username: nickname } });
  const id = user.get('id') as number;
  if (link) {
    await h.app.db.getRepository('usersAuthenticators').create({
      values: { authenticator: 'dingtalk', userId: id, uuid: link.unionId, nickname, meta: { unionId: link.unionId, userid: link.userid ?? null } },
    });
  }
  return id;
}

async function createChannel(name: string, options: Record<string, unknown>) {
  await h.app.db.getRepository('notificationChannels').create({
    values: { name, title: name, notificationType: 'dingtalk-work-notification', options },
  });
}

beforeAll(async () => {
  process.env.DINGTALK_NOTIFY_BACKOFF_MS = '20';
  // Only where a test waits for it: in-memory SQLite has one connection, which a re-read in the background would share.
  process.env.DINGTALK_NOTIFY_RECHECK_MS = '0';
  h = await startHarness({ extraPlugins: ['notification-manager', 'workflow', 'workflow-notification'] });
  await createAuthenticator(h.app);
  await createChannel(CHANNEL, { authenticator: 'dingtalk', agentId: String(DEFAULT_AGENT_ID) });
  users.zhangsan = await createUser('zs', ZHANGSAN); // linked in the app: the link knows the userid
  users.lisi = await createUser('ls', LISI); // linked in a browser: only the unionId
  users.alice = await createUser('alice', ALICE);
  users.nolink = await createUser('nolink');
}, 120_000);

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.emulator.setFault(null);
  process.env.DINGTALK_NOTIFY_RECHECK_MS = '0';
});

describe('message types', () => {
  it('sends a text to linked users, looks up a userid by unionId once, and logs the users it skipped', async () => {
    const lookups = count(GETBYUNIONID);
    const content = unique('审批待处理');
    const result = await send({ msgType: 'text', content }, [users.zhangsan, users.lisi, users.alice, users.nolink]);
    expect(result.status).toBe('success');
    expect(h.emulator.inbox('zhangsan')[0]).toMatchObject({ msg: { msgtype: 'text', text: { content } }, agentId: DEFAULT_AGENT_ID });
    expect(h.emulator.inbox('lisi')[0]).toMatchObject({ msg: { msgtype: 'text', text: { content } } });
    expect(count(GETBYUNIONID) - lookups).toBe(2); // lisi, and alice (not a member)
    const log = await lastLog();
    expect(log).toMatchObject({ status: 'success', channelName: CHANNEL });
    expect(log.reason).toMatch(/DingTalk accepted the message for 2 recipients in 1 calls \(task ids: \d+\)/);
    expect(log.reason).toContain('Delivery reported by DingTalk: 2 unread, 0 read');
    expect(log.reason).toContain(`Skipped 1 users without a DingTalk link: ${users.nolink}.`);
    expect(log.reason).toContain(`Skipped 1 users whose DingTalk account is not in the app's organization: ${users.alice}.`);

    // The userid found by unionId is cached: no lookup for lisi the second time.
    await send({ msgType: 'text', content: unique('again') }, [users.lisi]);
    expect(count(GETBYUNIONID) - lookups).toBe(2);
  });

  it('sends Markdown with its title', async () => {
    const text = unique('## 工单\n- **优先级**: 高');
    expect((await send({ msgType: 'markdown', title: '新工单', content: text }, [users.zhangsan])).status).toBe('success');
    expect(h.emulator.inbox('zhangsan')[0].msg).toEqual({ msgtype: 'markdown', markdown: { title: '新工单', text } });
  });

  it('sends an action card whose NocoBase page opens inside DingTalk and whose other links stay as they are', async () => {
    const markdown = unique('**#7** 分配给你');
    const result = await send(
      {
        msgType: 'actionCard',
        title: '工单 #7',
        content: markdown,
        buttonLayout: 'horizontal',
        buttons: [
          { title: '查看', url: '/admin/tickets/7' },
          { title: 'Docs', url: 'https://docs.example.com/tickets' },
        ],
      },
      [users.zhangsan],
    );
    expect(result.status).toBe('success');
    const inside = `dingtalk://dingtalkclient/page/link?${new URLSearchParams({ url: `${APP_URL}/admin/tickets/7`, pc_slide: 'false' })}`;
    expect(h.emulator.inbox('zhangsan')[0].msg).toEqual({
      msgtype: 'action_card',
      action_card: {
        title: '工单 #7',
        markdown,
        btn_orientation: '1',
        btn_json_list: [
          { title: '查看', action_url: inside },
          { title: 'Docs', action_url: 'https://docs.example.com/tickets' },
        ],
      },
    });
  });

  it.each([
    ['no content', { msgType: 'text', content: '  ' }],
    ['a card without buttons', { msgType: 'actionCard', title: 'T', content: 'x' }],
    ['a button to another scheme', { msgType: 'actionCard', title: 'T', content: 'x', buttons: [{ title: 'b', url: 'javascript:alert(1)' }] }],
    ['a button to //host', { msgType: 'actionCard', title: 'T', content: 'x', buttons: [{ title: 'b', url: '//evil.example/x' }] }],
    ['more than 2048 bytes', { msgType: 'text', content: '字'.repeat(700) }],
  ])('refuses %s without calling DingTalk (NOTIFY_MESSAGE_INVALID)', async (_name, message) => {
    const before = count(ASYNCSEND);
    const result = await send(message, [users.zhangsan]);
    expect(result.status).toBe('failure');
    expect(result.reason).toContain(`${ERROR_MESSAGES.NOTIFY_MESSAGE_INVALID} (NOTIFY_MESSAGE_INVALID)`);
    expect(count(ASYNCSEND)).toBe(before);
  });
});

describe('recipients and batches', () => {
  it("splits 251 recipients into calls of DingTalk's maximum of 100, and reports the unknown ones", async () => {
    const bulk = await h.app.db.getRepository('users').createMany({
      records: Array.from({ length: 250 }, (_, i) => ({ nickname: `bulk${i}`, username: `bulk${i}` })),
    });
    const ids = (bulk as Array<{ get(key: string): unknown }>).map((user) => user.get('id') as number);
    await h.app.db.getRepository('usersAuthenticators').createMany({
      records: ids.map((userId, i) => ({ authenticator: 'dingtalk', userId, uuid: `bulk-union-${i}`, meta: { userid: `bulk-${i}` } })),
    });
    const before = h.emulator.workNotifications().length;
    const result = await send({ msgType: 'text', content: unique('bulk') }, [users.zhangsan, ...ids]);
    const tasks = h.emulator.workNotifications().slice(before);
    expect(tasks.map((task) => task.userids.length)).toEqual([100, 100, 51]);
    expect(new Set(tasks.flatMap((task) => task.userids)).size).toBe(251);
    expect(result.status).toBe('success');
    expect(result.reason).toContain('DingTalk accepted the message for 251 recipients in 3 calls');
    expect(result.reason).toContain("1 unread, 0 read, 250 not found or outside the app's visible range");
  });

  it('fails with NOTIFY_NO_RECIPIENTS when nobody is linked, and NOTIFY_RECIPIENTS_INVISIBLE when DingTalk knows none of them', async () => {
    const none = await send({ msgType: 'text', content: unique('x') }, [users.nolink]);
    expect(none).toMatchObject({ status: 'failure' });
    expect(none.reason).toContain('(NOTIFY_NO_RECIPIENTS)');
    const ghost = await createUser('ghost', { unionId: 'ghost-union', userid: 'ghost-userid' });
    const invisible = await send({ msgType: 'text', content: unique('x') }, [ghost]);
    expect(invisible.status).toBe('failure');
    expect(invisible.reason).toContain(`${ERROR_MESSAGES.NOTIFY_RECIPIENTS_INVISIBLE} (NOTIFY_RECIPIENTS_INVISIBLE)`);
  });
});

describe('receivers in the message', () => {
  it('reads user ids and filters of users, and ignores an empty filter instead of reading it as everyone', async () => {
    const viaManager = (receivers: unknown[]) =>
      manager().send({ channelName: CHANNEL, triggerFrom: 'test', message: { msgType: 'text', content: unique('receivers'), receivers } });
    const everyone = await viaManager([{ filter: {} }]);
    expect(everyone.status).toBe('failure');
    expect(everyone.reason).toContain('(NOTIFY_NO_RECIPIENTS)');
    const before = h.emulator.workNotifications().length;
    const picked = await viaManager([String(users.lisi), { filter: { id: users.zhangsan } }]);
    expect(picked.status).toBe('success');
    expect(h.emulator.workNotifications().slice(before).flatMap((task) => task.userids).sort()).toEqual(['lisi02', 'zhangsan01']);
  });
});

describe('DingTalk answers', () => {
  it('fetches a new app token once when DingTalk calls the cached one invalid (88/40014)', async () => {
    await send({ msgType: 'text', content: unique('warm') }, [users.zhangsan]);
    const tokens = count(APP_TOKEN);
    h.emulator.setFault({ mode: 'token-invalid', endpoint: 'asyncsend', times: 1 });
    const result = await send({ msgType: 'text', content: unique('after refresh') }, [users.zhangsan]);
    expect(result.status).toBe('success');
    expect(count(APP_TOKEN) - tokens).toBe(1);
  });

  it('waits and tries again while DingTalk rate-limits the send (143104, 90018)', async () => {
    const before = count(ASYNCSEND);
    h.emulator.setFault({ mode: 'errcode', endpoint: 'asyncsend', errcode: 143104, errmsg: '企业每分钟发送人次QPM超限', times: 2 });
    const result = await send({ msgType: 'text', content: unique('later') }, [users.zhangsan]);
    expect(result.status).toBe('success');
    expect(count(ASYNCSEND) - before).toBe(3);
  });

  it.each<[number, ErrorCode]>([
    [40056, 'NOTIFY_AGENT_INVALID'],
    [60011, 'NOTIFY_PERMISSION_DENIED'],
    [143105, 'NOTIFY_QUOTA_EXCEEDED'],
    [90020, 'NOTIFY_QUOTA_EXCEEDED'],
    [33012, 'NOTIFY_RECIPIENTS_INVISIBLE'],
    [60020, 'DINGTALK_IP_NOT_ALLOWED'],
    [90018, 'DINGTALK_RATE_LIMITED'],
    [1430002, 'NOTIFY_MESSAGE_INVALID'],
    [12345, 'DINGTALK_ERROR'],
  ])('errcode %i is logged as %s, with its sentence', async (errcode, code) => {
    h.emulator.setFault({ mode: 'errcode', endpoint: 'asyncsend', errcode });
    const result = await send({ msgType: 'text', content: unique('refused') }, [users.zhangsan]);
    expect(result.status).toBe('failure');
    expect(result.reason).toContain(`${ERROR_MESSAGES[code]} (${code})`);
    expect(await lastLog()).toMatchObject({ status: 'failure', reason: result.reason });
  });

  it("names a wrong AgentId (DingTalk's own 40056) and a channel without a DingTalk sign-in method", async () => {
    await createChannel('wrong-agent', { authenticator: 'dingtalk', agentId: '12345' });
    const wrong = await send({ msgType: 'text', content: unique('x') }, [users.zhangsan], 'wrong-agent');
    expect(wrong.reason).toContain('(NOTIFY_AGENT_INVALID)');
    await createChannel('no-app', { authenticator: 'nobody', agentId: '12345' });
    const noApp = await send({ msgType: 'text', content: unique('x') }, [users.zhangsan], 'no-app');
    expect(noApp).toMatchObject({ status: 'failure' });
    expect(noApp.reason).toContain('(NOTIFY_CHANNEL_INVALID)');
  });

  it('reads the delivery report again later and rewrites the log: a message opened since is read', async () => {
    process.env.DINGTALK_NOTIFY_RECHECK_MS = '400';
    const result = await send({ msgType: 'actionCard', title: 'Recheck', content: unique('open me'), buttons: [{ title: 'Open', url: '/admin' }] }, [users.lisi]);
    expect(result.reason).toContain('1 unread, 0 read');
    const [notice] = h.emulator.inbox('lisi');
    const opened = await fetch(`${h.emulator.url}/__emulator/inbox/lisi/open/${notice.id}/0`, { redirect: 'manual' });
    expect(opened.status).toBe(302);
    const deadline = Date.now() + 5000;
    let log = await lastLog();
    while (!log.reason.includes('Delivery checked again') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      log = await lastLog();
    }
    expect(log.reason).toContain('0 unread, 1 read');
    expect(log.reason).toContain('Delivery checked again 0 s after sending.');
    process.env.DINGTALK_NOTIFY_RECHECK_MS = '0';
  });

  it('still sends when only the delivery report fails, and says so', async () => {
    h.emulator.setFault({ mode: 'server-error', endpoint: 'getsendresult' });
    const result = await send({ msgType: 'text', content: unique('report') }, [users.zhangsan]);
    expect(result.status).toBe('success');
    expect(result.reason).toContain('DingTalk has not reported the delivery of every task yet.');
  });
});

describe('send test message', () => {
  it('sends a test text to the chosen user for an admin, and refuses a member', async () => {
    const admin = await h.app.agent().login(await h.app.db.getRepository('users').findOne({ filter: { email: 'admin@nocobase.com' } }), 'root');
    const res = await admin.post('/api/dingtalkWorkNotifications:sendTest').send({ channelName: CHANNEL, userId: users.lisi });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ status: 'success' });
    expect(h.emulator.inbox('lisi')[0].msg).toMatchObject({ msgtype: 'text', text: { content: expect.stringContaining('Test message from NocoBase') } });
    const member = await h.app.db.getRepository('users').create({ values: { username: 'member1', roles: ['member'] } });
    const refused = await (await h.app.agent().login(member)).post('/api/dingtalkWorkNotifications:sendTest').send({ channelName: CHANNEL, userId: users.lisi });
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0]).toMatchObject({ code: 'NOTIFY_FORBIDDEN' });
    const incomplete = await admin.post('/api/dingtalkWorkNotifications:sendTest').send({ channelName: CHANNEL });
    expect(incomplete.body.errors[0]).toMatchObject({ code: 'NOTIFY_TEST_INVALID' });
  });
});

describe('workflow Notification node', () => {
  async function workflowOn(collection: string, config: Record<string, unknown>) {
    h.app.db.collection({ name: collection, fields: [{ type: 'string', name: 'title' }, { type: 'bigInt', name: 'assigneeId' }] });
    await h.app.db.sync();
    const workflow = await h.app.db.getRepository('workflows').create({
      values: { enabled: true, type: 'collection', sync: true, config: { mode: 1, collection } },
    });
    await (workflow as unknown as { createNode(values: object): Promise<unknown> }).createNode({ type: 'notification', config });
    return workflow;
  }

  async function lastJob(workflowId: number) {
    const [execution] = await h.app.db.getRepository('executions').find({ filter: { workflowId }, sort: ['-id'], limit: 1, appends: ['jobs'] });
    const json = execution.toJSON() as { status: number; jobs: Array<{ status: number; result: { status: string; reason?: string } }> };
    return { execution: json.status, job: json.jobs[0] };
  }

  it('renders the record into every field and notifies its assignee', async () => {
    const workflow = await workflowOn('tickets', {
      channelName: CHANNEL,
      msgType: 'actionCard',
      title: 'Ticket {{$context.data.title}}',
      content: '**{{$context.data.title}}** is assigned to you',
      buttons: [{ title: 'Open {{$context.data.title}}', url: '/admin/tickets/{{$context.data.id}}' }],
      receivers: ['{{$context.data.assigneeId}}'],
    });
    const ticket = await h.app.db.getRepository('tickets').create({ values: { title: 'Printer down', assigneeId: users.zhangsan } });
    const { execution, job } = await lastJob(workflow.get('id') as number);
    expect(job.status).toBe(1);
    expect(execution).toBe(1);
    expect(h.emulator.inbox('zhangsan')[0].msg).toMatchObject({
      msgtype: 'action_card',
      action_card: {
        title: 'Ticket Printer down',
        markdown: '**Printer down** is assigned to you',
        btn_json_list: [{ title: 'Open Printer down', action_url: expect.stringContaining(encodeURIComponent(`/admin/tickets/${ticket.get('id')}`)) }],
      },
    });
  });

  it('fails the node with the reason when DingTalk refuses, without an engine error', async () => {
    const workflow = await workflowOn('incidents', { channelName: CHANNEL, msgType: 'text', content: 'Incident {{$context.data.title}}', receivers: ['{{$context.data.assigneeId}}'] });
    h.emulator.setFault({ mode: 'errcode', endpoint: 'asyncsend', errcode: 60011 });
    await h.app.db.getRepository('incidents').create({ values: { title: 'Disk full', assigneeId: users.zhangsan } });
    const { execution, job } = await lastJob(workflow.get('id') as number);
    expect(job.status).toBe(-1); // FAILED, not ERROR (-2): the channel did not throw
    expect(execution).toBe(-1);
    expect(job.result).toMatchObject({ status: 'failure', reason: expect.stringContaining('(NOTIFY_PERMISSION_DENIED)') });
  });
});
