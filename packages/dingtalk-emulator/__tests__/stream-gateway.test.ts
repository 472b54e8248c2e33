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
