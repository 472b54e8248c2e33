/**
 * The Stream subscription (server/directory-stream.ts) through DingTalk's SDK against the emulator's Stream gateway,
 * over real HTTP and WebSocket: what is applied, what is acknowledged, what comes again, and how the connection
 * comes back. The applying side is a recorder here: the directory sync's tests cover what an event changes.
 */
import { startEmulator, type Emulator } from '@opensso/dingtalk-emulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DirectoryEvent } from '../directory-events';
import { StreamSubscription, type StreamSubscriptionOptions } from '../directory-stream';
import { eventClaims } from '../event-claims';
import type { CacheLike } from '../one-time-store';

const APP = { clientId: 'dingstreamapp', clientSecret: 'stream-secret', corpId: 'dingstreamcorp' };

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ clients: [APP], stream: { redeliverAfterMs: 300, maxAttempts: 5 } });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const noCache: CacheLike = { get: async () => undefined, set: async () => undefined, del: async () => undefined };
const running: StreamSubscription[] = [];
afterEach(() => {
  for (const subscription of running.splice(0)) subscription.stop();
});

interface Node {
  subscription: StreamSubscription;
  applied: DirectoryEvent[];
  catchUps: number;
  logs: Array<{ level: string; message: string; meta?: Record<string, unknown> }>;
}

function node(overrides: Partial<StreamSubscriptionOptions> = {}, claims = eventClaims(() => noCache, 'test')): Node {
  const result: Node = { subscription: undefined as unknown as StreamSubscription, applied: [], catchUps: 0, logs: [] };
  result.subscription = new StreamSubscription({
    hosts: { loginUrl: emu.url, apiUrl: emu.url, oapiUrl: emu.url },
    clientId: APP.clientId,
    clientSecret: APP.clientSecret,
    corpId: APP.corpId,
    callOptions: { timeoutMs: 2000 },
    apply: async (event) => {
      result.applied.push(event);
    },
    catchUp: async () => {
      result.catchUps += 1;
    },
    claims,
    logger: {
      info: (message, meta) => result.logs.push({ level: 'info', message, meta }),
      warn: (message, meta) => result.logs.push({ level: 'warn', message, meta }),
    },
    backoff: { initialMs: 50, maxMs: 400 },
    ...overrides,
  });
  running.push(result.subscription);
  result.subscription.start();
  return result;
}

async function until(check: () => boolean, what: string, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const connected = (n: Node) => until(() => n.subscription.status().state === 'connected', 'the connection');

describe('Stream subscription', () => {
  it('connects through the configured API host, applies a directory event, then acknowledges it', async () => {
    const a = node();
    await connected(a);
    expect(emu.streamConnections()).toEqual([expect.objectContaining({ clientId: APP.clientId, ua: 'nocobase-plugin-auth-dingtalk' })]);
    const sent = emu.publishStreamEvent({ eventType: 'user_leave_org', data: { timeStamp: '1700000000000', userId: ['u-leaver'] } });
    await until(() => emu.streamEvents()[0]?.status === 'acked', 'the acknowledgement');
    expect(a.applied).toEqual([
      { type: 'user_leave_org', eventId: sent.eventId, corpId: APP.corpId, bornAt: expect.any(Number), userIds: ['u-leaver'], deptIds: [] },
    ]);
    expect(emu.streamEvents()[0].answers).toEqual(['SUCCESS']);
  });

  it('answers LATER when applying fails, and applies the redelivery', async () => {
    let failures = 1;
    const applied: string[] = [];
    const a = node({
      apply: async (event) => {
        if (failures-- > 0) throw new Error('database busy');
        applied.push(event.eventId);
      },
    });
    await connected(a);
    const sent = emu.publishStreamEvent({ eventType: 'org_dept_modify', data: { deptId: [42] } });
    await until(() => emu.streamEvents()[0]?.status === 'acked', 'the acknowledgement');
    expect(emu.streamEvents()[0].answers).toEqual(['LATER', 'SUCCESS']);
    expect(applied).toEqual([sent.eventId]);
    expect(a.logs.some((log) => log.level === 'warn' && log.meta?.eventId === sent.eventId && log.meta?.code === 'INTERNAL_ERROR')).toBe(true);
  });

  it('on two nodes, applies each event once: a redelivery to the other node finds it claimed', async () => {
    const claims = eventClaims(() => noCache, 'shared');
    // Node A applies slowly: its answer misses the gateway's retry interval, so the event is sent to node B too.
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const appliedBy: string[] = [];
    const appliedIds: string[] = [];
    let firstApply = true;
    const applyAs = (name: string) => async (event: DirectoryEvent) => {
      if (firstApply) {
        firstApply = false;
        await slow;
      }
      appliedBy.push(name);
      appliedIds.push(event.eventId);
    };
    const a = node({ apply: applyAs('a') }, claims);
    const b = node({ apply: applyAs('b') }, claims);
    await connected(a);
    await connected(b);
    emu.publishStreamEvent({ eventType: 'user_modify_org', data: { userId: ['u1'] } });
    await until(() => emu.streamEvents()[0]?.sentTo.length === 2, 'the redelivery');
    await until(() => emu.streamEvents()[0]?.status === 'acked', 'the acknowledgement');
    release();
    await until(() => appliedBy.length === 1, 'the slow apply');
    const [first, second] = emu.streamEvents()[0].sentTo;
    expect(first).not.toBe(second);
    // Whichever node got it first applies it; the other only acknowledges.
    expect(appliedBy).toHaveLength(1);

    // Many events across both nodes: each applied exactly once.
    const ids = Array.from({ length: 20 }, (_, i) => emu.publishStreamEvent({ eventType: 'user_add_org', data: { userId: [`n${i}`] } }).eventId);
    await until(() => emu.streamEvents().filter((e) => ids.includes(e.eventId) && e.status === 'acked').length === 20, 'twenty acknowledgements');
    expect(appliedIds.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
  });

  it('acknowledges but does not apply an event of another organization, a malformed one, or another kind of event', async () => {
    const a = node();
    await connected(a);
    emu.publishStreamEvent({ eventType: 'user_leave_org', corpId: 'dingforeigncorp', data: { userId: ['u1'] } });
    emu.publishStreamEvent({ eventType: 'user_leave_org', data: { userId: 'not-a-list' } });
    emu.publishStreamEvent({ eventType: 'bpms_instance_change', data: { processInstanceId: 'p1' } });
    emu.sendRawStreamFrame('{not json');
    await until(() => emu.streamEvents().every((e) => e.status === 'acked'), 'the acknowledgements');
    expect(a.applied).toEqual([]);
    const refusals = a.logs.filter((log) => log.message === 'dingtalk: directory event refused').map((log) => log.meta?.refusal);
    expect(refusals.sort()).toEqual(['malformed', 'malformed', 'other-organization']);
    // Still connected, and still applying.
    emu.publishStreamEvent({ eventType: 'org_dept_create', data: { deptId: ['7'] } });
    await until(() => a.applied.length === 1, 'the next event');
    expect(a.applied[0].deptIds).toEqual([7]);
  });

  it('comes back after the gateway drops it, with a catch-up sync, and gets the events sent meanwhile', async () => {
    const a = node();
    await connected(a);
    expect(a.catchUps).toBe(0);
    emu.setStreamOutage(true);
    emu.dropStreamConnections();
    await until(() => a.subscription.status().state === 'waiting', 'the wait');
    const sent = emu.publishStreamEvent({ eventType: 'user_leave_org', data: { userId: ['u-gone'] } });
    await until(() => (a.subscription.status() as { attempt?: number }).attempt! >= 3, 'three attempts');
    const waiting = a.subscription.status();
    expect(waiting).toMatchObject({ state: 'waiting', reason: 'DINGTALK_UNAVAILABLE' });
    emu.setStreamOutage(false);
    await connected(a);
    await until(() => a.catchUps === 1, 'the catch-up sync');
    await until(() => a.applied.some((event) => event.eventId === sent.eventId), 'the event sent while away');
    // The waits grew: 50 ms, then up to 100, 200… (half to all of each ceiling).
    const waits = a.logs.filter((log) => log.message === 'dingtalk: directory events not connected').map((log) => log.meta?.retryInMs as number);
    expect(waits.length).toBeGreaterThanOrEqual(3);
    expect(waits[2]).toBeGreaterThanOrEqual(100);
    expect(waits.every((ms) => ms <= 400)).toBe(true);
  });

  it('with a wrong secret, waits and says why; the secret and the ticket are in no log line', async () => {
    const a = node({ clientSecret: 'wrong-secret' });
    await until(() => a.subscription.status().state === 'waiting', 'the wait');
    expect(a.subscription.status()).toMatchObject({ state: 'waiting', reason: 'DINGTALK_CREDENTIALS_INVALID' });
    const b = node();
    await connected(b);
    const text = JSON.stringify([...a.logs, ...b.logs]);
    expect(text).not.toContain('wrong-secret');
    expect(text).not.toContain(APP.clientSecret);
    expect(text).not.toMatch(/ticket/i);
  });

  it('stops: no connection left, no reconnection', async () => {
    const a = node();
    await connected(a);
    a.subscription.stop();
    await until(() => emu.streamConnections().length === 0, 'the close');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(emu.streamConnections()).toEqual([]);
    expect(a.subscription.status()).toEqual({ state: 'stopped' });
  });
});
