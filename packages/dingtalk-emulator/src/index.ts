import type { AddressInfo } from 'node:net';
import { AppTokenStore, CodeStore, InClientCodeStore, TokenStore } from './codes';
import { resetState } from './control-api';
import { FaultSwitch, parseFault, type Fault } from './faults';
import { defaultIdentities, loadIdentitiesFile, parseIdentities, type Identity } from './identities';
import { mintInClientCode, type MintedCode, type MintRequest } from './jsapi';
import { listOrganizations, type OrganizationInfo } from './organizations';
import { Recorder, type LogEntry } from './recorder';
import { DEFAULT_CORP_ID } from './responses';
import { createEmulatorServer } from './server';
import { directoryControl, type DirectoryControl } from './directory-control';
import type { Client, EmulatorState } from './state';
import { inboxOf, WorkNoticeStore, type SendTask, type WorkNotice } from './work-notices';
import { deliverPush, type DirectoryEventsMode, type PushRecord } from './directory-events';
import type { PushTamper, PushTarget } from './event-push';
import { createStreamGateway, type PublishRequest, type StreamConnectionInfo, type StreamEventRecord, type StreamGatewayOptions } from './stream-gateway';

export type { Identity, OrgMembership } from './identities';
export type { Fault, FaultMode, FaultEndpoint, ApiEndpoint, BadJsonVariant } from './faults';
export type { LogEntry } from './recorder';
export type { Client } from './state';
export type { SendTask, WorkNotice } from './work-notices';
export {
  ASYNCSEND_PATH,
  DEFAULT_AGENT_ID,
  GETSENDRESULT_PATH,
  MAX_MSG_BYTES,
  MAX_PER_USER_PER_DAY,
  MAX_USERIDS_PER_CALL,
} from './work-notices';
export type { PublishRequest, StreamConnectionInfo, StreamEventRecord, StreamGatewayOptions } from './stream-gateway';
export { STREAM_CONNECT_PATH, STREAM_OPEN_PATH } from './stream-gateway';
export type { DirectoryEventsMode, PushRecord } from './directory-events';
export { decryptMessage, encryptMessage, pushEvent, type PushResult, type PushTamper, type PushTarget } from './event-push';
export type { OrganizationInfo } from './organizations';
export type { MintRequest, MintedCode, BridgeDefaults } from './jsapi';
export type {
  DingTalkError,
  TokenResponse,
  UserProfile,
  ApiAnswer,
  OapiBody,
  GetUserInfoResult,
  UserGetResult,
} from './responses';
export { API_ENDPOINTS, FAULT_ENDPOINTS, FAULT_MODES, FaultError, parseFault } from './faults';
export { IdentityError, defaultIdentities, loadIdentitiesFile, memberships, parseIdentities } from './identities';
export {
  errors,
  oapiErrors,
  appTokenResponse,
  gettokenResponse,
  getUserInfoResult,
  oapiResult,
  profileResponse,
  tokenResponse,
  userGetResult,
  DEFAULT_CORP_ID,
} from './responses';
export { ACCESS_TOKEN_HEADER, APP_TOKEN_PATH, ME_PATH, TOKEN_PATH } from './openapi';
export { GETBYUNIONID_PATH, GETTOKEN_PATH, GETUSERINFO_PATH, USER_GET_PATH } from './oapi';
export { APPROVE_PATH, AUTHORIZE_PATH } from './authorize';
export type { DirDepartment, DirMember, GenerateOptions } from './directory';
export type { DirectoryControl } from './directory-control';
export { DirectoryError, generateDirectory, ROOT_DEPT_ID } from './directory';
export { DEPT_LISTSUB_PATH, USER_LIST_MAX_SIZE, USER_LIST_PATH } from './directory-api';
/** How the log names a code or token it saw, so a test can recognise one in its own logs. */
export { shortHash } from './codes';
export {
  DINGTALK_ANDROID_USER_AGENT,
  DINGTALK_CLIENT_VERSION,
  DINGTALK_IOS_USER_AGENT,
  JSAPI_BRIDGE_PATH,
  JSAPI_CODE_PATH,
  JsapiError,
  renderJsapiBridge,
  DINGTALK_PC_USER_AGENT,
  PC_CLIENT_PATH,
  PC_CONTAINER_ID,
  dingTalkUserAgent,
  pcFrameName,
  renderPcClientPage,
  type DingTalkPlatform,
} from './jsapi';

export const DEFAULT_CLIENT: Readonly<Client> = Object.freeze({
  clientId: 'dingemulatorclient',
  clientSecret: 'emulator-secret',
});

export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the emulator is for loopback use only. */
  host?: string;
  /** Takes precedence over identitiesFile; the package's identities.json is used when neither is given. */
  identities?: Identity[];
  identitiesFile?: string;
  /** Apps; each belongs to one organization (`corpId`, default `dingemulatorcorp`). */
  clients?: Client[];
  /** Lifetime of auth codes and of in-client (免登) codes; default 5 minutes. */
  codeTtlMs?: number;
  /** Lifetime of user access tokens, reported as `expireIn`; default 7200. */
  tokenTtlSeconds?: number;
  /** Lifetime of app access tokens (`/v1.0/oauth2/accessToken`, `/gettoken`); default 7200. */
  appTokenTtlSeconds?: number;
  /** The Stream gateway's redelivery interval and attempts. */
  stream?: StreamGatewayOptions;
  /**
   * DingTalk's QPS limit on the directory listings (`department/listsub`, `user/list`), per app and endpoint: a
   * call beyond it in the same second answers errcode 90018. Default: no limit.
   */
  directoryQps?: number;
}

export interface Emulator {
  /** e.g. http://127.0.0.1:41234, no trailing slash. Serves the login page and the API alike. */
  url: string;
  close(): Promise<void>;
  /** Validated like the control API; throws FaultError on a bad fault. */
  setFault(fault: Fault | null): void;
  fault(): Fault | null;
  /** Clears fault, counters, log, codes and tokens (user and app tokens, auth and in-client codes). */
  reset(): void;
  counters(): Record<string, number>;
  log(): LogEntry[];
  identities(): Identity[];
  /** Organizations with their apps and members (as `GET /__emulator/organizations`). */
  organizations(): OrganizationInfo[];
  /**
   * Mints a one-time in-client (免登) code, as the DingTalk client does for `requestAuthCode`
   * (as `POST /__emulator/jsapi/code`). Throws JsapiError when the person is not a member.
   */
  mintJsapiCode(request: MintRequest): MintedCode;
  /** Every accepted work-notification call (asyncsend_v2), oldest first (as `GET /__emulator/work-notifications`). */
  workNotifications(): SendTask[];
  /** One person's work notifications, newest first (the inbox page `GET /__emulator/inbox/<identity>` shows them). */
  inbox(identity: string): WorkNotice[];
  /** Stream gateway: sends an event to the app's open connections (or queues it until one opens). */
  publishStreamEvent(request: Omit<PublishRequest, 'clientId'> & { clientId?: string }): StreamEventRecord;
  streamEvents(): StreamEventRecord[];
  streamConnections(): StreamConnectionInfo[];
  /** Ends the app's Stream connections as a gateway restart would; returns how many. */
  dropStreamConnections(clientId?: string): number;
  /** While on, the Stream gateway is down (connections/open answers 503, sockets are refused). */
  setStreamOutage(on: boolean): void;
  /** Sends a frame as it is (garbled, say) on every open Stream connection. */
  sendRawStreamFrame(text: string): void;
  /** How directory changes made through `directory()` are delivered as events: Stream, HTTP push, or not (null). */
  setDirectoryEvents(mode: DirectoryEventsMode | null): void;
  /** Sends one event by HTTP push now, as DingTalk would, or forged (`tamper`); resolves with the receiver's answer. */
  pushDirectoryEvent(target: PushTarget, event: Record<string, unknown>, tamper?: PushTamper): Promise<PushRecord>;
  /** Every HTTP push sent, with the receiver's answer. */
  pushLog(): PushRecord[];
  /** An organization's directory (default the default app's), to read and change between two syncs. */
  directory(corpId?: string): DirectoryControl;
}

function validateClients(clients: Client[]): EmulatorState['clients'] {
  if (clients.length === 0) throw new Error('dingtalk-emulator: at least one client is needed');
  const seen = new Set<string>();
  return clients.map((client, i) => {
    if (typeof client.clientId !== 'string' || client.clientId === '' || typeof client.clientSecret !== 'string' || client.clientSecret === '') {
      throw new Error(`dingtalk-emulator: clients[${i}] needs a non-empty clientId and clientSecret`);
    }
    if (client.corpId !== undefined && (typeof client.corpId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(client.corpId))) {
      throw new Error(`dingtalk-emulator: clients[${i}].corpId must be letters, digits, "_" or "-"`);
    }
    if (client.agentId !== undefined && !(Number.isSafeInteger(client.agentId) && client.agentId > 0)) {
      throw new Error(`dingtalk-emulator: clients[${i}].agentId must be a positive integer`);
    }
    if (client.invisibleUserids !== undefined && !(Array.isArray(client.invisibleUserids) && client.invisibleUserids.every((id) => typeof id === 'string'))) {
      throw new Error(`dingtalk-emulator: clients[${i}].invisibleUserids must be a list of userids`);
    }
    if (seen.has(client.clientId)) throw new Error(`dingtalk-emulator: duplicate clientId "${client.clientId}"`);
    seen.add(client.clientId);
    return {
      ...client,
      redirectUris: client.redirectUris ? [...client.redirectUris] : undefined,
      invisibleUserids: client.invisibleUserids ? [...client.invisibleUserids] : undefined,
      corpId: client.corpId ?? DEFAULT_CORP_ID,
    };
  });
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`dingtalk-emulator: ${name} must be a positive number`);
  }
  return value;
}

// 0.0.0.0 and :: are where to listen, not where to connect.
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const identities = options.identities
    ? parseIdentities(structuredClone(options.identities), 'options.identities')
    : options.identitiesFile
      ? loadIdentitiesFile(options.identitiesFile)
      : defaultIdentities();
  const clients = validateClients(options.clients ?? [{ ...DEFAULT_CLIENT }]);
  const host = options.host ?? '127.0.0.1';
  let baseUrl = '';

  const codeTtlMs = positive(options.codeTtlMs, 5 * 60 * 1000, 'codeTtlMs');
  const state: EmulatorState = {
    identities,
    customIdentities: new Map(),
    clients,
    codes: new CodeStore(codeTtlMs),
    tokens: new TokenStore(positive(options.tokenTtlSeconds, 7200, 'tokenTtlSeconds')),
    appTokens: new AppTokenStore(positive(options.appTokenTtlSeconds, 7200, 'appTokenTtlSeconds')),
    inClientCodes: new InClientCodeStore(codeTtlMs),
    faults: new FaultSwitch(),
    recorder: new Recorder(),
    workNotices: new WorkNoticeStore(),
    baseUrl: () => baseUrl,
    timers: new Set(),
    stream: createStreamGateway(clients, options.stream),
    pushLog: [],
    directories: new Map(),
    directoryQps: options.directoryQps === undefined ? undefined : positive(options.directoryQps, 0, 'directoryQps'),
    qpsWindows: new Map(),
  };

  const running = createEmulatorServer(state);
  await new Promise<void>((resolve, reject) => {
    running.server.once('error', reject);
    running.server.listen(options.port ?? 0, host, () => {
      running.server.off('error', reject);
      resolve();
    });
  });
  const { port } = running.server.address() as AddressInfo;
  baseUrl = `http://${urlHost(host)}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    close: () => (closing ??= running.close()),
    setFault: (fault) => state.faults.set(parseFault(fault)),
    fault: () => state.faults.current(),
    reset: () => resetState(state),
    counters: () => state.recorder.counters(),
    log: () => state.recorder.log(),
    identities: () => structuredClone(state.identities),
    organizations: () => listOrganizations(state),
    mintJsapiCode: (request) => mintInClientCode(state, request),
    workNotifications: () => structuredClone([...state.workNotices.tasks.values()]),
    inbox: (identity) => structuredClone(inboxOf(state, identity)),
    publishStreamEvent: (request) => state.stream.publish({ ...request, clientId: request.clientId ?? state.clients[0].clientId }),
    streamEvents: () => state.stream.listEvents(),
    streamConnections: () => state.stream.listConnections(),
    dropStreamConnections: (clientId) => state.stream.drop(clientId),
    setStreamOutage: (on) => state.stream.refuseConnections(on),
    sendRawStreamFrame: (text) => state.stream.sendRaw(text),
    setDirectoryEvents: (mode) => {
      state.directoryEvents = mode ?? undefined;
    },
    pushDirectoryEvent: (target, event, tamper) => deliverPush(state, target, event, tamper),
    pushLog: () => structuredClone(state.pushLog),
    directory: (corpId) => directoryControl(state, corpId),
  };
}
