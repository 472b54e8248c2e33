import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEmulator, type Emulator } from '../src/index';
import { CLIENT_ID, CLIENT_SECRET } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({
    clients: [
      { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      { clientId: 'other-app', clientSecret: 'other-secret', corpId: 'dingothercorp' },
    ],
    stream: { redeliverAfterMs: 150, maxAttempts: 3 },
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

type Frame = { specVersion: string; type: string; headers: Record<string, string>; data: string };

function open(body: unknown): Promise<Response> {
  return fetch(`${emu.url}/v1.0/gateway/connections/open`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
}

/** A raw client: what the SDK does, frame by frame, so the gateway's side of the protocol is what is tested. */
class RawClient {
  readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];
  constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      this.frames.push(JSON.parse(String(raw)) as Frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }
  static async connect(clientId = CLIENT_ID, clientSecret = CLIENT_SECRET): Promise<RawClient> {
    const { endpoint, ticket } = (await (await open({ clientId, clientSecret, ua: 'test', subscriptions: [{ type: 'EVENT', topic: '*' }] })).json()) as {
      endpoint: string;
      ticket: string;
    };
    const socket = new WebSocket(`${endpoint}?ticket=${ticket}`);
    const client = new RawClient(socket);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return client;
  }
  async next(type: string, count = 1): Promise<Frame[]> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = this.frames.filter((frame) => frame.type === type);
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`no ${count} ${type} frame(s); got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }
  ack(frame: Frame, status: 'SUCCESS' | 'LATER'): void {
    this.socket.send(JSON.stringify({ code: 200, headers: { contentType: 'application/json', messageId: frame.headers.messageId }, message: 'OK', data: JSON.stringify({ status }) }));
  }
  close(): void {
    this.socket.terminate();
  }
}

const until = async (check: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('Stream gateway: connections/open', () => {
  it('answers a WebSocket endpoint and a ticket for the app credentials', async () => {
    const res = await open({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ua: 'x', subscriptions: [] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(body.endpoint).toBe(`${emu.url.replace('http', 'ws')}/stream/connect`);
    expect(body.ticket).toMatch(/^[0-9a-f]{32}$/);
  });

  it('refuses a wrong secret with the API error, and a ticket opens one connection only', async () => {
    const refused = await open({ clientId: CLIENT_ID, clientSecret: 'wrong' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { code: string }).code).toBe('invalidClientIdOrSecret');

    const { endpoint, ticket } = (await (await open({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })).json()) as { endpoint: string; ticket: string };
    const first = new WebSocket(`${endpoint}?ticket=${ticket}`);
    await new Promise((resolve, reject) => first.once('open', resolve).once('error', reject));
    const second = new WebSocket(`${endpoint}?ticket=${ticket}`);
    const status = await new Promise<number>((resolve) => second.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(401);
    first.terminate();
  });
});

describe('Stream gateway: events', () => {
  it('sends an event frame in the Stream format and marks it acknowledged on SUCCESS', async () => {
    const client = await RawClient.connect();
    expect((await client.next('SYSTEM'))[0].headers.topic).toBe('CONNECTED');
    const record = emu.publishStreamEvent({ eventType: 'user_leave_org', data: { timeStamp: '1', userId: ['u1'] } });
    const [frame] = await client.next('EVENT');
    expect(frame.headers).toMatchObject({ eventType: 'user_leave_org', eventId: record.eventId, eventCorpId: 'dingemulatorcorp', appId: CLIENT_ID, topic: '*' });
    expect(JSON.parse(frame.data)).toEqual({ timeStamp: '1', userId: ['u1'] });
    client.ack(frame, 'SUCCESS');
    await until(() => emu.streamEvents()[0].status === 'acked');
    expect(emu.streamEvents()[0].answers).toEqual(['SUCCESS']);
    client.close();
  });

  it('sends an event again when it is not acknowledged, or acknowledged LATER, and gives up after the attempts', async () => {
    const client = await RawClient.connect();
    emu.publishStreamEvent({ eventType: 'user_modify_org', data: { userId: ['u2'] } });
    const [first] = await client.next('EVENT');
    client.ack(first, 'LATER');
    const [, second] = await client.next('EVENT', 2); // LATER
    expect(second.headers.eventId).toBe(first.headers.eventId);
    expect(second.headers.messageId).not.toBe(first.headers.messageId);
    await client.next('EVENT', 3); // no answer
    await until(() => emu.streamEvents()[0].status === 'abandoned');
    expect(emu.streamEvents()[0].sentTo).toHaveLength(3);
    client.close();
  });

  it('delivers each event to one connection of its app; a retry goes to another connection', async () => {
    const a = await RawClient.connect();
    const b = await RawClient.connect();
    const other = await RawClient.connect('other-app', 'other-secret');
    emu.publishStreamEvent({ eventType: 'org_dept_create', data: { deptId: [7] } });
    await until(() => a.frames.some((f) => f.type === 'EVENT') || b.frames.some((f) => f.type === 'EVENT'));
    const [taker, idle] = a.frames.some((f) => f.type === 'EVENT') ? [a, b] : [b, a];
    expect(idle.frames.filter((f) => f.type === 'EVENT')).toHaveLength(0);
    // No answer: the retry goes to the other connection, which acknowledges it.
    const [retry] = await idle.next('EVENT');
    idle.ack(retry, 'SUCCESS');
    await until(() => emu.streamEvents()[0].status === 'acked');
    expect(taker.frames.filter((f) => f.type === 'EVENT')).toHaveLength(1);
    expect(other.frames.filter((f) => f.type === 'EVENT')).toHaveLength(0);
    for (const client of [a, b, other]) client.close();
  });

  it('keeps an event published while no connection is open until one opens', async () => {
    emu.publishStreamEvent({ eventType: 'user_add_org', data: { userId: ['u3'] } });
    expect(emu.streamEvents()[0].sentTo).toEqual([]);
    const client = await RawClient.connect();
    const [frame] = await client.next('EVENT');
    expect(JSON.parse(frame.data)).toEqual({ userId: ['u3'] });
    client.close();
  });

  it('drops connections with a disconnect frame, and refuses everything during an outage', async () => {
    const client = await RawClient.connect();
    const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
    expect(emu.dropStreamConnections()).toBe(1);
    expect(await closed).toBe(1001);
    expect(client.frames.some((f) => f.type === 'SYSTEM' && f.headers.topic === 'disconnect')).toBe(true);
    await until(() => emu.streamConnections().length === 0);

    emu.setStreamOutage(true);
    expect((await open({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })).status).toBe(503);
    emu.setStreamOutage(false);
    expect((await open({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })).status).toBe(200);
  });

  it('is driven over the control API too', async () => {
    const client = await RawClient.connect();
    const res = await fetch(`${emu.url}/__emulator/stream/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ eventType: 'org_dept_remove', data: { deptId: [9] } }),
    });
    expect(res.status).toBe(200);
    const [frame] = await client.next('EVENT');
    expect(frame.headers.eventType).toBe('org_dept_remove');
    const connections = (await (await fetch(`${emu.url}/__emulator/stream/connections`)).json()) as unknown[];
    expect(connections).toHaveLength(1);
    client.close();
  });
});

describe('directory changes delivered as events', () => {
  it('by Stream: each control change is the matching event, and user/get answers from the directory', async () => {
    emu.setDirectoryEvents({ mode: 'stream' });
    const client = await RawClient.connect();
    const directory = emu.directory();
    directory.addMember({ userid: 'newbie', unionid: 'union-newbie', name: '新人', dept_id_list: [1], active: true, title: 'Engineer' });
    directory.updateMember('newbie', { name: '新人二' });
    directory.removeMember('newbie');
    directory.addDepartment({ dept_id: 77, name: 'Ops', parent_id: 1 });
    const frames = await client.next('EVENT', 4);
    expect(frames.map((frame) => [frame.headers.eventType, JSON.parse(frame.data)])).toEqual([
      ['user_add_org', { timeStamp: expect.any(String), userId: ['newbie'] }],
      ['user_modify_org', { timeStamp: expect.any(String), userId: ['newbie'] }],
      ['user_leave_org', { timeStamp: expect.any(String), userId: ['newbie'] }],
      ['org_dept_create', { timeStamp: expect.any(String), deptId: [77] }],
    ]);
    client.close();

    directory.addMember({ userid: 'lead', unionid: 'union-lead', name: '组长', dept_id_list: [1, 77], leader_dept_ids: [77], active: true });
    const token = ((await (await fetch(`${emu.url}/gettoken?appkey=${CLIENT_ID}&appsecret=${CLIENT_SECRET}`)).json()) as { access_token: string }).access_token;
    const get = async (userid: string) =>
      (await (await fetch(`${emu.url}/topapi/v2/user/get?access_token=${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userid }) })).json()) as {
        errcode: number;
        result?: Record<string, unknown>;
      };
    expect((await get('lead')).result).toMatchObject({ userid: 'lead', unionid: 'union-lead', name: '组长', dept_id_list: [1, 77], active: true, leader_in_dept: [{ dept_id: 1, leader: false }, { dept_id: 77, leader: true }] });
    expect((await get('newbie')).errcode).toBe(60121);
  });

  it('by HTTP push: encrypted, signed, and the receiver must answer success', async () => {
    const { createServer } = await import('node:http');
    const { createHash } = await import('node:crypto');
    const { decryptMessage, encryptMessage } = await import('../src/index');
    const target = { token: 'tok', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', owner: CLIENT_ID };
    const received: unknown[] = [];
    const receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const { encrypt } = JSON.parse(raw) as { encrypt: string };
        const [timestamp, nonce] = [url.searchParams.get('timestamp') ?? '', url.searchParams.get('nonce') ?? ''];
        const sign = (ts: string, n: string, e: string) => createHash('sha1').update([target.token, ts, n, e].sort().join('')).digest('hex');
        expect(url.searchParams.get('msg_signature')).toBe(sign(timestamp, nonce, encrypt));
        received.push(JSON.parse(decryptMessage(target.aesKey, encrypt).message));
        const reply = encryptMessage(target.aesKey, 'success', target.owner);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ msg_signature: sign('1', 'n', reply), timeStamp: '1', nonce: 'n', encrypt: reply }));
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/callback`;
    try {
      emu.setDirectoryEvents({ mode: 'push', target: { url, ...target } });
      emu.directory().addDepartment({ dept_id: 88, name: 'Temp', parent_id: 1 });
      emu.directory().removeDepartment(88);
      await until(() => emu.pushLog().length === 2 && emu.pushLog().every((record) => record.result !== undefined));
      expect(emu.pushLog()[1].result).toMatchObject({ status: 200, acknowledged: true });
      expect(received[1]).toEqual({ EventType: 'org_dept_remove', CorpId: 'dingemulatorcorp', TimeStamp: expect.any(String), DeptId: [88] });
    } finally {
      receiver.close();
    }
  });
});
