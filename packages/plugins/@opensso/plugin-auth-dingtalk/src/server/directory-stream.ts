/**
 * The directory sync's event subscription in Stream mode: an outbound WebSocket to DingTalk's gateway through
 * DingTalk's official Node SDK (`dingtalk-stream`), so an install needs no public callback URL and no encryption
 * keys. Each event is applied, then acknowledged: SUCCESS once applied (or refused for good), LATER when applying
 * failed, which makes DingTalk send it again.
 *
 * Where the SDK falls short, and what this module does instead:
 * - the gateway's address is a constant in the SDK: `getEndpoint` is replaced to ask the configured DingTalk API
 *   host (a proxy, or the emulator in tests) through `dingtalk-api.ts`, like every other DingTalk call;
 * - it acknowledges an event as soon as its listener returns, before any asynchronous work: `onEvent` is replaced
 *   to acknowledge after the event is applied;
 * - its reconnection retries every second forever and its keep-alive timer survives a dropped socket (a second
 *   timer then kills the next, healthy connection): both are off, and this module reconnects with an exponential
 *   backoff, pings the socket itself, and runs a catch-up sync after each reconnection, since events sent while
 *   no connection was open may have been given up by DingTalk.
 *
 * Every node of a cluster keeps its own connection: DingTalk hands each event to one connection of the app and
 * sends it again (maybe to another node) until it is acknowledged. `claims` makes each event applied once across
 * the nodes; applying is idempotent anyway (the sync reads the person or department as it now is).
 */
import { DWClient, type DWClientDownStream } from 'dingtalk-stream';
import type WebSocket from 'ws';
import { openStreamConnection, type CallOptions, type DingTalkHosts } from './dingtalk-api';
import { parseStreamEvent, type DirectoryEvent, type EventRefusal } from './directory-events';
import { asSignInError } from './sign-in-error';
import type { ErrorCode } from '../errors';

export interface EventClaims {
  /** True for the first caller of an event id across the nodes; later callers (a redelivery) get false. */
  claim(eventId: string): Promise<boolean>;
  /** Lets a redelivery of the event apply it again (applying failed). */
  release(eventId: string): Promise<void>;
}

export interface StreamLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

export interface StreamSubscriptionOptions {
  hosts: DingTalkHosts;
  clientId: string;
  clientSecret: string;
  /** The app's organization, when the authenticator names it: events of another organization are refused. */
  corpId?: string;
  callOptions: CallOptions;
  apply(event: DirectoryEvent): Promise<void>;
  /** After a reconnection: events may have been missed while no connection was open. */
  catchUp(): Promise<void>;
  claims: EventClaims;
  logger: StreamLogger;
  /** First and longest wait between connection attempts. */
  backoff?: { initialMs: number; maxMs: number };
  /** How often the socket is pinged; a ping without a pong by the next one ends the connection. */
  pingEveryMs?: number;
}

export type StreamStatus =
  | { state: 'connecting' | 'connected' | 'stopped' }
  | { state: 'waiting'; attempt: number; retryInMs: number; reason: ErrorCode };

/** The SDK's private members this module has to reach; in one place so an SDK update breaks one line. */
interface SdkInternals {
  dw_url?: string;
  socket?: WebSocket;
}

class GatewayClient extends DWClient {
  constructor(
    private readonly subscription: StreamSubscription,
    private readonly options: StreamSubscriptionOptions,
  ) {
    super({ clientId: options.clientId, clientSecret: options.clientSecret, keepAlive: false, debug: false, ua: 'nocobase-plugin-auth-dingtalk' });
    this.config.autoReconnect = false;
  }

  override async getEndpoint(): Promise<this> {
    const { clientId, clientSecret, hosts, callOptions } = this.options;
    const { endpoint, ticket } = await openStreamConnection(hosts, { clientId, clientSecret, ua: this.config.ua ?? '' }, callOptions);
    const url = new URL(endpoint);
    url.searchParams.set('ticket', ticket);
    (this as unknown as SdkInternals).dw_url = url.toString();
    return this;
  }

  /** The SDK parses frames without a guard: a garbled one would throw out of the socket's listener and end the process. */
  override onDownStream(data: string): void {
    try {
      super.onDownStream(data);
    } catch {
      this.subscription.garbled();
    }
  }

  override onEvent(message: DWClientDownStream): void {
    if (typeof message?.headers?.messageId !== 'string') return this.subscription.garbled();
    void this.subscription
      .handle(message)
      // The claims store unreachable, say: not applied, so DingTalk sends it again.
      .catch(() => 'LATER' as const)
      .then((status) => {
        // The socket may be gone by now: DingTalk then sends the event again.
        if (this.connected) this.send(message.headers.messageId, { status });
      });
  }

  openSocket(): WebSocket | undefined {
    return (this as unknown as SdkInternals).socket;
  }
}

export class StreamSubscription {
  private client?: GatewayClient;
  private timer?: NodeJS.Timeout;
  private pinger?: NodeJS.Timeout;
  private stopped = true;
  private attempt = 0;
  private connectedOnce = false;
  private current: StreamStatus = { state: 'stopped' };

  constructor(private readonly options: StreamSubscriptionOptions) {}

  status(): StreamStatus {
    return this.current;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    this.client?.disconnect();
    this.client = undefined;
    this.current = { state: 'stopped' };
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.current = { state: 'connecting' };
    const client = new GatewayClient(this, this.options);
    this.client = client;
    try {
      await client.getEndpoint();
      await client._connect();
    } catch (error) {
      client.disconnect();
      this.retry(asSignInError(error).code);
      return;
    }
    if (this.stopped || this.client !== client) {
      client.disconnect();
      return;
    }
    const socket = client.openSocket();
    socket?.once('close', () => this.onClosed(client));
    this.keepAlive(client, socket);
    this.attempt = 0;
    this.current = { state: 'connected' };
    const reconnected = this.connectedOnce;
    this.connectedOnce = true;
    this.options.logger.info('dingtalk: directory events connected', { clientId: this.options.clientId, reconnected });
    if (reconnected) {
      await this.options.catchUp().catch((error: unknown) => {
        this.options.logger.warn('dingtalk: catch-up sync after reconnecting failed', { code: asSignInError(error).code });
      });
    }
  }

  private keepAlive(client: GatewayClient, socket: WebSocket | undefined): void {
    clearInterval(this.pinger);
    if (!socket) return;
    let answered = true;
    socket.on('pong', () => {
      answered = true;
    });
    this.pinger = setInterval(() => {
      if (this.client !== client) return;
      if (!answered) {
        // A half-open connection: nothing would ever arrive on it.
        socket.terminate();
        return;
      }
      answered = false;
      socket.ping();
    }, this.options.pingEveryMs ?? 20_000);
    this.pinger.unref?.();
  }

  private onClosed(client: GatewayClient): void {
    if (this.stopped || this.client !== client) return;
    clearInterval(this.pinger);
    this.options.logger.warn('dingtalk: directory events connection closed; reconnecting', { clientId: this.options.clientId });
    this.retry('DINGTALK_UNAVAILABLE');
  }

  private retry(reason: ErrorCode): void {
    if (this.stopped) return;
    this.attempt += 1;
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 1_000, maxMs: 60_000 };
    const ceiling = Math.min(maxMs, initialMs * 2 ** (this.attempt - 1));
    // Full jitter: nodes that lost the gateway together do not come back together.
    const retryInMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.current = { state: 'waiting', attempt: this.attempt, retryInMs, reason };
    this.options.logger.warn('dingtalk: directory events not connected', { clientId: this.options.clientId, reason, attempt: this.attempt, retryInMs });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(), retryInMs);
    this.timer.unref?.();
  }

  /** One event frame: applied once, then the answer DingTalk expects. */
  async handle(message: DWClientDownStream): Promise<'SUCCESS' | 'LATER'> {
    const parsed = parseStreamEvent(message.headers, message.data, this.options.corpId);
    if (!parsed.ok) {
      this.refused(parsed.refusal, parsed.eventType);
      return 'SUCCESS';
    }
    const { event } = parsed;
    if (!(await this.options.claims.claim(event.eventId))) return 'SUCCESS';
    try {
      await this.options.apply(event);
      return 'SUCCESS';
    } catch (error) {
      await this.options.claims.release(event.eventId).catch(() => undefined);
      this.options.logger.warn('dingtalk: directory event not applied; DingTalk will send it again', {
        eventType: event.type,
        eventId: event.eventId,
        code: asSignInError(error).code,
      });
      return 'LATER';
    }
  }

  garbled(): void {
    this.refused('malformed', undefined);
  }

  private refused(refusal: EventRefusal, eventType: string | undefined): void {
    // Events of other kinds the app subscribed to are not ours to apply: nothing to report.
    if (refusal === 'not-directory') return;
    this.options.logger.warn('dingtalk: directory event refused', { clientId: this.options.clientId, refusal, eventType });
  }
}
