import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Directory } from './directory';
import type { AppTokenStore, CodeStore, InClientCodeStore, TokenStore } from './codes';
import type { FaultSwitch } from './faults';
import type { Identity } from './identities';
import type { LogEntry, Recorder } from './recorder';
import type { WorkNoticeStore } from './work-notices';
import type { StreamGateway } from './stream-gateway';
import type { DirectoryEventsMode, PushRecord } from './directory-events';

/** An app registered "in the developer console". */
export interface Client {
  clientId: string;
  clientSecret: string;
  /** When set, redirect_uri must equal one of these exactly; otherwise any absolute http(s) URL is accepted. */
  redirectUris?: string[];
  /**
   * The organization the app belongs to (an enterprise internal app belongs to exactly one): its app
   * token only sees that organization's people. Default `dingemulatorcorp`.
   */
  corpId?: string;
  /** The app's AgentId, which work notifications must name (default `DEFAULT_AGENT_ID`). */
  agentId?: number;
  /** Members outside the app's visible range: work notifications to them are not delivered (listed as invalid). */
  invisibleUserids?: string[];
}

/** Everything the handlers share; one per running emulator so several can run side by side in tests. */
export interface EmulatorState {
  identities: Identity[];
  /** Custom identities typed on the login page that belong to an organization, by unionId; cleared by reset. */
  customIdentities: Map<string, Identity>;
  /** Every client has `corpId` set (defaulted at start). */
  clients: Array<Client & { corpId: string }>;
  codes: CodeStore;
  tokens: TokenStore;
  appTokens: AppTokenStore;
  inClientCodes: InClientCodeStore;
  faults: FaultSwitch;
  recorder: Recorder;
  /** Work notifications sent, per task and per person (their inbox). */
  workNotices: WorkNoticeStore;
  baseUrl(): string;
  /** Timers of delayed answers, cleared on close so a pending `slow` cannot keep the process alive. */
  timers: Set<NodeJS.Timeout>;
  /** DingTalk's Stream gateway (event subscription over an outbound WebSocket). */
  stream: StreamGateway;
  /** How directory changes are delivered as events (the app's event subscription); none when undefined. */
  directoryEvents?: DirectoryEventsMode;
  /** Every HTTP push sent, with the receiver's answer. */
  pushLog: PushRecord[];
  /** Each organization's directory (departments and members), by corpId; seeded when first read. */
  directories: Map<string, Directory>;
  /** Directory listings allowed per app, endpoint and second before errcode 90018; 0 or undefined: no limit. */
  directoryQps?: number;
  qpsWindows: Map<string, { second: number; count: number }>;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  entry: LogEntry;
  state: EmulatorState;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;
