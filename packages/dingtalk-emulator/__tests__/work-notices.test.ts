import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_ID, startEmulator, type Emulator } from '../src/index';
import { appToken, CLIENT_ID, CLIENT_SECRET, OAPI_REQUEST_ID, topapi } from './helpers';

const ASYNCSEND = '/topapi/message/corpconversation/asyncsend_v2';
const GETSENDRESULT = '/topapi/message/corpconversation/getsendresult';
const AGENT = 4242;

let emu: Emulator;
let token: string;
beforeAll(async () => {
  emu = await startEmulator({
    clients: [
      { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, agentId: AGENT, invisibleUserids: ['wangwu04'] },
      { clientId: 'second-app', clientSecret: 'second-secret' },
    ],
  });
});
afterAll(() => emu.close());
beforeEach(async () => {
  emu.reset();
  token = await appToken(emu);
});

async function send(body: Record<string, unknown>, as = token) {
  const res = await topapi(emu, ASYNCSEND, body, as);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

async function result(taskId: unknown, agentId = AGENT) {
  const res = await topapi(emu, GETSENDRESULT, { agent_id: agentId, task_id: taskId }, token);
  return (await res.json()) as { errcode: number; send_result: Record<string, unknown> };
}

const text = (content: string) => ({ msgtype: 'text', text: { content } });

describe('asyncsend_v2', () => {
  it('queues a text message to each listed member and answers a task id', async () => {
    const body = await send({ agent_id: AGENT, userid_list: 'zhangsan01,lisi02', msg: text('审批待处理') });
    expect(body).toEqual({ errcode: 0, task_id: expect.any(Number), request_id: expect.stringMatching(OAPI_REQUEST_ID) });
    expect(emu.inbox('zhangsan')).toMatchObject([{ msgtype: 'text', msg: text('审批待处理'), agentId: AGENT, userid: 'zhangsan01', read: false }]);
    expect(emu.inbox('lisi')).toHaveLength(1);
    expect(emu.workNotifications()).toMatchObject([{ taskId: body.task_id, userids: ['zhangsan01', 'lisi02'], delivered: ['zhangsan01', 'lisi02'] }]);
  });

  it('reads msg sent as a JSON string in a form post, as the old SDKs do', async () => {
    const res = await fetch(`${emu.url}${ASYNCSEND}?access_token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ agent_id: String(AGENT), userid_list: 'zhangsan01', msg: JSON.stringify({ msgtype: 'markdown', markdown: { title: 'T', text: '# hi' } }) }).toString(),
    });
    expect(await res.json()).toMatchObject({ errcode: 0 });
    expect(emu.inbox('zhangsan')[0]).toMatchObject({ msgtype: 'markdown', msg: { markdown: { title: 'T', text: '# hi' } } });
  });

  it('refuses a wrong AgentId with errcode 40056, and an app without one set uses the default', async () => {
    expect(await send({ agent_id: AGENT + 1, userid_list: 'zhangsan01', msg: text('x') })).toMatchObject({ errcode: 40056, errmsg: '不合法的agentid' });
    const second = await appToken(emu, 'second-app', 'second-secret');
    expect(await send({ agent_id: DEFAULT_AGENT_ID, userid_list: 'zhangsan01', msg: text('y') }, second)).toMatchObject({ errcode: 0 });
    expect(emu.inbox('zhangsan')).toHaveLength(1);
  });

  it('refuses more than 100 userids in one call, and an empty list', async () => {
    const many = Array.from({ length: 101 }, (_, i) => `u${i}`).join(',');
    expect(await send({ agent_id: AGENT, userid_list: many, msg: text('x') })).toMatchObject({ errcode: 40035 });
    expect(await send({ agent_id: AGENT, userid_list: '', msg: text('x') })).toMatchObject({ errcode: 1430000 });
    expect(emu.workNotifications()).toEqual([]);
  });

  it('refuses a msg over 2048 bytes and malformed messages of each type', async () => {
    expect(await send({ agent_id: AGENT, userid_list: 'zhangsan01', msg: text('字'.repeat(700)) })).toMatchObject({ errcode: 40035 });
    for (const msg of [
      { msgtype: 'video', video: {} },
      { msgtype: 'text', text: {} },
      { msgtype: 'markdown', markdown: { title: 'only a title' } },
      { msgtype: 'action_card', action_card: { title: 'T', markdown: 'M' } },
      { msgtype: 'action_card', action_card: { title: 'T', markdown: 'M', btn_json_list: [{ title: 'no url' }] } },
    ]) {
      expect(await send({ agent_id: AGENT, userid_list: 'zhangsan01', msg })).toMatchObject({ errcode: 40035 });
    }
    expect(emu.inbox('zhangsan')).toEqual([]);
  });

  it('answers an unknown app token with 88/40014 before anything is sent', async () => {
    expect(await send({ agent_id: AGENT, userid_list: 'zhangsan01', msg: text('x') }, 'f'.repeat(32))).toMatchObject({ errcode: 88, sub_code: '40014' });
    expect(emu.inbox('zhangsan')).toEqual([]);
  });

  it('plays errcode faults on the new endpoints (no permission, quota, rate limit)', async () => {
    emu.setFault({ mode: 'errcode', endpoint: 'asyncsend', errcode: 143104, errmsg: '企业每分钟发送人次QPM超限', times: 1 });
    expect(await send({ agent_id: AGENT, userid_list: 'zhangsan01', msg: text('x') })).toMatchObject({ errcode: 143104 });
    emu.setFault({ mode: 'forbidden', endpoint: 'asyncsend', times: 1 });
    expect(await send({ agent_id: AGENT, userid_list: 'zhangsan01', msg: text('x') })).toMatchObject({ errcode: 60011 });
    expect(await send({ agent_id: AGENT, userid_list: 'zhangsan01', msg: text('x') })).toMatchObject({ errcode: 0 });
    expect(emu.inbox('zhangsan')).toHaveLength(1);
  });
});

describe('getsendresult', () => {
  it('lists unread, read, invalid (not a member, outside the visible range) and throttled (same content twice a day)', async () => {
    const first = await send({ agent_id: AGENT, userid_list: 'zhangsan01', msg: text('same') });
    const second = await send({ agent_id: AGENT, userid_list: 'zhangsan01,lisi02,nobody99,wangwu04', msg: text('same') });
    expect(await result(first.task_id)).toEqual({
      errcode: 0,
      errmsg: 'ok',
      send_result: {
        invalid_user_id_list: [],
        forbidden_user_id_list: [],
        failed_user_id_list: [],
        read_user_id_list: [],
        unread_user_id_list: ['zhangsan01'],
        invalid_dept_id_list: [],
        forbidden_list: [],
      },
      request_id: expect.stringMatching(OAPI_REQUEST_ID),
    });
    expect((await result(second.task_id)).send_result).toMatchObject({
      invalid_user_id_list: ['nobody99', 'wangwu04'],
      forbidden_user_id_list: ['zhangsan01'],
      forbidden_list: [{ userid: 'zhangsan01', code: '143106', count: 1 }],
      unread_user_id_list: ['lisi02'],
    });
  });

  it('lists a person as read once they open the message from their inbox', async () => {
    const url = 'http://nocobase.test/admin/tickets/7';
    const task = await send({
      agent_id: AGENT,
      userid_list: 'lisi02',
      msg: { msgtype: 'action_card', action_card: { title: '工单', markdown: '**#7** 分配给你', btn_orientation: '1', btn_json_list: [{ title: '查看', action_url: url }] } },
    });
    const page = await (await fetch(`${emu.url}/__emulator/inbox/lisi`)).text();
    expect(page).toContain('工单');
    const href = /href="([^"]+)" data-url="([^"]+)">查看</.exec(page);
    expect(href?.[2]).toBe(url);
    const opened = await fetch(`${emu.url}${href?.[1]}`, { redirect: 'manual' });
    expect(opened.status).toBe(302);
    expect(opened.headers.get('location')).toBe(url);
    expect((await result(task.task_id)).send_result).toMatchObject({ read_user_id_list: ['lisi02'], unread_user_id_list: [] });
  });

  it("refuses another agent's or an unknown task", async () => {
    const task = await send({ agent_id: AGENT, userid_list: 'zhangsan01', msg: text('z') });
    expect(await result(task.task_id, AGENT + 1)).toMatchObject({ errcode: 40056 });
    expect(await result(123)).toMatchObject({ errcode: 40035 });
  });
});

describe('inbox page', () => {
  it('escapes message content and unwraps DingTalk links that open inside the client', async () => {
    const target = 'http://nocobase.test/admin';
    await send({
      agent_id: AGENT,
      userid_list: 'zhangsan01',
      msg: { msgtype: 'action_card', action_card: { title: '<b>x</b>', markdown: 'y', single_title: 'Open', single_url: `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(target)}&pc_slide=false` } },
    });
    const page = await (await fetch(`${emu.url}/__emulator/inbox/zhangsan`)).text();
    expect(page).toContain('&lt;b&gt;x&lt;/b&gt;');
    const href = /href="([^"]+)" data-url="[^"]+">Open</.exec(page)?.[1];
    expect((await fetch(`${emu.url}${href}`, { redirect: 'manual' })).headers.get('location')).toBe(target);
    const json = await (await fetch(`${emu.url}/__emulator/inbox/zhangsan?format=json`)).json();
    expect(json).toMatchObject([{ read: true }]);
    expect((await fetch(`${emu.url}/__emulator/inbox/nobody`)).status).toBe(404);
  });
});
