/**
 * DingTalk's Stream gateway, as the official SDK (`dingtalk-stream` on npm) speaks to it:
 *
 * 1. `POST /v1.0/gateway/connections/open` with the app's `clientId`/`clientSecret`, a `ua` and `subscriptions`
 *    answers `{ endpoint, ticket }`; the ticket opens one WebSocket connection, once, within a short time.
 * 2. On the socket the gateway sends frames `{ specVersion, type, headers, data }`: `SYSTEM` frames (topic `ping`,
 *    which the client echoes; `disconnect` before the gateway closes) and `EVENT` frames, each with a `messageId`
 *    the client answers `{ code: 200, headers: { messageId }, message: "OK", data: "{\"status\":\"SUCCESS\"}" }`.
 * 3. An event not acknowledged with SUCCESS (no answer in time, or `LATER`) is sent again, possibly on another of
 *    the app's connections: DingTalk delivers each event to one connection of the app, at least once.
 *
 * What it sends is the event subscription's Stream format: `eventType`, `eventId`, `eventCorpId`, `eventBornTime`
 * and `eventUnifiedAppId` in the headers, and the event's business data as a JSON string (lower camel case keys,
 * e.g. `{"timeStamp": "...", "userId": ["..."]}` for a user event, `deptId` for a department event).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { findClient, safeEqual } from './authorize';
import { answer } from './fault-play';
import { parseJsonObject, readBody } from './http';
import { errors } from './responses';
import type { RequestContext } from './state';

export const STREAM_OPEN_PATH = '/v1.0/gateway/connections/open';
export const STREAM_CONNECT_PATH = '/stream/connect';

/** A connection ticket is good for one connection, this soon. */
const TICKET_TTL_MS = 60_000;

export interface StreamGatewayOptions {
  /** How long an event waits for its SUCCESS before it is sent again (DingTalk retries within about 60 s). */
  redeliverAfterMs?: number;
  /** Sends of one event before the gateway gives up on it. */
  maxAttempts?: number;
}

export interface StreamConnectionInfo {
  connectionId: string;
  clientId: string;
  ua: string;
  openedAt: string;
}

/** What became of one event: who got it, how often, and whether it was acknowledged. */
export interface StreamEventRecord {
  eventId: string;
  eventType: string;
  clientId: string;
  corpId: string;
  /** Connection ids it was sent on, in order (one per attempt). */
  sentTo: string[];
  status: 'pending' | 'acked' | 'abandoned';
  /** The status values the client answered (`SUCCESS`, `LATER`), in order. */
  answers: string[];
}

export interface PublishRequest {
  clientId: string;
  eventType: string;
  /** The event's business data (an object, sent as its JSON text). */
  data: Record<string, unknown>;
  /** Default: the app's own organization. */
  corpId?: string;
  eventId?: string;
}

interface Connection extends StreamConnectionInfo {
  socket: WebSocket;
}

interface Pending {
  record: StreamEventRecord;
  frame: (connectionId: string, messageId: string) => string;
  /** The messageId of the current attempt. */
  messageId: string;
  timer?: NodeJS.Timeout;
}

export class StreamGatewayError extends Error {
  override name = 'StreamGatewayError';
}

export class StreamGateway {
  private readonly tickets = new Map<string, { clientId: string; ua: string; expiresAt: number }>();
  private readonly connections = new Map<string, Connection>();
  private readonly pending = new Map<string, Pending>();
  private readonly events: StreamEventRecord[] = [];
  private readonly turns = new Map<string, number>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly redeliverAfterMs: number;
  private readonly maxAttempts: number;
  private refusing = false;

  constructor(
    private readonly lookup: (clientId: string) => { clientId: string; clientSecret: string; corpId: string } | undefined,
    options: StreamGatewayOptions = {},
  ) {
    this.redeliverAfterMs = options.redeliverAfterMs ?? 2_000;
    this.maxAttempts = options.maxAttempts ?? 10;
  }

  /** `POST /v1.0/gateway/connections/open`. */
  async handleOpen(ctx: RequestContext): Promise<void> {
    const body = parseJsonObject(await readBody(ctx.req));
    const clientId = typeof body?.clientId === 'string' && body.clientId !== '' ? body.clientId : undefined;
    const clientSecret = typeof body?.clientSecret === 'string' && body.clientSecret !== '' ? body.clientSecret : undefined;
    ctx.entry.clientId = clientId;
    ctx.entry.clientSecretPresent = clientSecret !== undefined;
    if (this.refusing) return answer(ctx, errors.serverError(503));
    if (!body) return answer(ctx, errors.missingBody());
    if (!clientId) return answer(ctx, errors.missingParameter('clientId'));
    if (!clientSecret) return answer(ctx, errors.missingParameter('clientSecret'));
    const client = findClient(ctx.state, clientId);
    if (!client || !safeEqual(client.clientSecret, clientSecret)) return answer(ctx, errors.invalidClient());
    const ticket = randomBytes(16).toString('hex');
    this.tickets.set(ticket, { clientId, ua: typeof body.ua === 'string' ? body.ua : '', expiresAt: Date.now() + TICKET_TTL_MS });
    const endpoint = `${ctx.state.baseUrl().replace(/^http/, 'ws')}${STREAM_CONNECT_PATH}`;
    return answer(ctx, { status: 200, body: { endpoint, ticket } });
  }

  /** The HTTP server's `upgrade` event: only `/stream/connect?ticket=` with a fresh ticket becomes a socket. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const ticket = url.searchParams.get('ticket') ?? '';
    const granted = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (url.pathname !== STREAM_CONNECT_PATH || !granted || granted.expiresAt < Date.now() || this.refusing) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, granted.clientId, granted.ua));
  }

  private accept(socket: WebSocket, clientId: string, ua: string): void {
    const connectionId = randomUUID();
    const connection: Connection = { connectionId, clientId, ua, openedAt: new Date().toISOString(), socket };
    this.connections.set(connectionId, connection);
    socket.on('message', (raw) => this.onClientFrame(connection, String(raw)));
    socket.on('close', () => {
      this.connections.delete(connectionId);
      // What was in flight on this connection goes to another one (or waits for the next) right away.
      for (const item of this.pending.values()) {
        if (item.record.sentTo.at(-1) === connectionId && item.record.status === 'pending') this.schedule(item, 0);
      }
    });
    socket.send(this.systemFrame(connection, 'CONNECTED'));
    // Events that found no connection wait for the first one of their app.
    for (const item of this.pending.values()) {
      if (item.record.clientId === clientId && item.record.status === 'pending' && item.timer === undefined) this.send(item);
    }
  }

  private systemFrame(connection: Connection, topic: string, data = ''): string {
    return JSON.stringify({
      specVersion: '1.0',
      type: 'SYSTEM',
      headers: { contentType: 'application/json', messageId: randomUUID(), time: String(Date.now()), topic, connectionId: connection.connectionId },
      data,
    });
  }

  /** A client frame answers a frame of ours by its messageId: a ping's echo, or an event's acknowledgement. */
  private onClientFrame(connection: Connection, raw: string): void {
    const frame = parseJsonObject(raw);
    const headers = frame && parseJsonObject(JSON.stringify(frame.headers ?? null));
    const messageId = typeof headers?.messageId === 'string' ? headers.messageId : undefined;
    if (!messageId) return;
    const item = [...this.pending.values()].find((candidate) => candidate.messageId === messageId);
    if (!item || item.record.sentTo.at(-1) !== connection.connectionId) return;
    const ack = typeof frame?.data === 'string' ? parseJsonObject(frame.data) : undefined;
    const status = typeof ack?.status === 'string' ? ack.status : '';
    item.record.answers.push(status);
    if (frame?.code === 200 && status === 'SUCCESS') {
      item.record.status = 'acked';
      if (item.timer) clearTimeout(item.timer);
      this.pending.delete(item.record.eventId);
      return;
    }
    // LATER (or anything else): the event comes again after the retry interval.
    this.schedule(item, this.redeliverAfterMs);
  }

  /** Queues an event for the app's connections; it is sent at once when one is open. */
  publish(request: PublishRequest): StreamEventRecord {
    const client = this.lookup(request.clientId);
    if (!client) throw new StreamGatewayError(`no app "${request.clientId}"`);
    const eventId = request.eventId ?? randomBytes(16).toString('hex');
    const corpId = request.corpId ?? client.corpId;
    const bornAt = Date.now();
    const record: StreamEventRecord = { eventId, eventType: request.eventType, clientId: client.clientId, corpId, sentTo: [], status: 'pending', answers: [] };
    const data = JSON.stringify(request.data);
    const frame = (connectionId: string, messageId: string): string =>
      JSON.stringify({
        specVersion: '1.0',
        type: 'EVENT',
        headers: {
          appId: client.clientId,
          connectionId,
          contentType: 'application/json',
          messageId,
          time: String(Date.now()),
          topic: '*',
          eventType: request.eventType,
          eventBornTime: String(bornAt),
          eventId,
          eventCorpId: corpId,
          eventUnifiedAppId: client.clientId,
        },
        data,
      });
    const item: Pending = { record, frame, messageId: '' };
    this.events.push(record);
    this.pending.set(eventId, item);
    this.send(item);
    return structuredClone(record);
  }

  private send(item: Pending): void {
    item.timer = undefined;
    if (item.record.status !== 'pending') return;
    const open = [...this.connections.values()].filter((connection) => connection.clientId === item.record.clientId);
    if (open.length === 0) return; // waits for the app's next connection (accept)
    if (item.record.sentTo.length >= this.maxAttempts) {
      item.record.status = 'abandoned';
      this.pending.delete(item.record.eventId);
      return;
    }
    // One connection of the app gets it, in turn (DingTalk spreads events over an app's connections); a retry goes
    // to another connection than the last attempt's when there is one.
    const last = item.record.sentTo.at(-1);
    const turn = this.turns.get(item.record.clientId) ?? 0;
    this.turns.set(item.record.clientId, turn + 1);
    const candidates = open.length > 1 ? open.filter((connection) => connection.connectionId !== last) : open;
    const target = candidates[turn % candidates.length];
    item.messageId = randomUUID();
    item.record.sentTo.push(target.connectionId);
    target.socket.send(item.frame(target.connectionId, item.messageId));
    this.schedule(item, this.redeliverAfterMs);
  }

  private schedule(item: Pending, ms: number): void {
    if (item.timer) clearTimeout(item.timer);
    item.timer = setTimeout(() => this.send(item), ms);
  }

  /** Ends every connection of an app (all apps when omitted), as a gateway restart does: `disconnect`, then close. */
  drop(clientId?: string): number {
    let dropped = 0;
    for (const connection of [...this.connections.values()]) {
      if (clientId !== undefined && connection.clientId !== clientId) continue;
      connection.socket.send(this.systemFrame(connection, 'disconnect'));
      connection.socket.close(1001, 'gateway restart');
      dropped += 1;
    }
    return dropped;
  }

  /** While on, the gateway is down: `connections/open` answers 503 and new sockets are refused. */
  refuseConnections(on: boolean): void {
    this.refusing = on;
  }

  /** Sends `text` as it is on every open connection: what a client does with a frame that is not JSON. */
  sendRaw(text: string): void {
    for (const connection of this.connections.values()) connection.socket.send(text);
  }

  /** Sends a `ping` on every open connection; the SDK answers each with an echo. */
  ping(): void {
    for (const connection of this.connections.values()) connection.socket.send(this.systemFrame(connection, 'ping'));
  }

  listConnections(): StreamConnectionInfo[] {
    return [...this.connections.values()].map(({ connectionId, clientId, ua, openedAt }) => ({ connectionId, clientId, ua, openedAt }));
  }

  listEvents(): StreamEventRecord[] {
    return structuredClone(this.events);
  }

  reset(): void {
    for (const item of this.pending.values()) if (item.timer) clearTimeout(item.timer);
    this.pending.clear();
    this.events.length = 0;
    this.tickets.clear();
    this.refusing = false;
    for (const connection of this.connections.values()) connection.socket.terminate();
    this.connections.clear();
  }

  close(): void {
    this.reset();
    this.wss.close();
  }
}

/** The gateway of a running emulator, for its registered apps. */
export function createStreamGateway(clients: ReadonlyArray<{ clientId: string; clientSecret: string; corpId: string }>, options?: StreamGatewayOptions): StreamGateway {
  return new StreamGateway((clientId) => clients.find((client) => client.clientId === clientId), options);
}
