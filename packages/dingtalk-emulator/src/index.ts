import type { AddressInfo } from 'node:net';
import { CodeStore, TokenStore } from './codes';
import { resetState } from './control-api';
import { FaultSwitch, parseFault, type Fault } from './faults';
import { defaultIdentities, loadIdentitiesFile, parseIdentities, type Identity } from './identities';
import { Recorder, type LogEntry } from './recorder';
import { createEmulatorServer } from './server';
import type { Client, EmulatorState } from './state';

export type { Identity } from './identities';
export type { Fault, FaultMode, FaultEndpoint, BadJsonVariant } from './faults';
export type { LogEntry } from './recorder';
export type { Client } from './state';
export type { DingTalkError, TokenResponse, UserProfile, ApiAnswer } from './responses';
export { FAULT_MODES, FaultError, parseFault } from './faults';
export { IdentityError, defaultIdentities, loadIdentitiesFile, parseIdentities } from './identities';
export { errors, profileResponse, tokenResponse, DEFAULT_CORP_ID } from './responses';
export { ACCESS_TOKEN_HEADER, ME_PATH, TOKEN_PATH } from './openapi';
export { APPROVE_PATH, AUTHORIZE_PATH } from './authorize';

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
  clients?: Client[];
  /** Lifetime of auth codes; default 5 minutes. */
  codeTtlMs?: number;
  /** Lifetime of access tokens, reported as `expireIn`; default 7200. */
  tokenTtlSeconds?: number;
}

export interface Emulator {
  /** e.g. http://127.0.0.1:41234, no trailing slash. Serves the login page and the API alike. */
  url: string;
  close(): Promise<void>;
  /** Validated like the control API; throws FaultError on a bad fault. */
  setFault(fault: Fault | null): void;
  fault(): Fault | null;
  /** Clears fault, counters, log, codes and tokens. */
  reset(): void;
  counters(): Record<string, number>;
  log(): LogEntry[];
  identities(): Identity[];
}

function validateClients(clients: Client[]): Client[] {
  if (clients.length === 0) throw new Error('dingtalk-emulator: at least one client is needed');
  const seen = new Set<string>();
  return clients.map((client, i) => {
    if (typeof client.clientId !== 'string' || client.clientId === '' || typeof client.clientSecret !== 'string' || client.clientSecret === '') {
      throw new Error(`dingtalk-emulator: clients[${i}] needs a non-empty clientId and clientSecret`);
    }
    if (seen.has(client.clientId)) throw new Error(`dingtalk-emulator: duplicate clientId "${client.clientId}"`);
    seen.add(client.clientId);
    return { ...client, redirectUris: client.redirectUris ? [...client.redirectUris] : undefined };
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

  const state: EmulatorState = {
    identities,
    clients,
    codes: new CodeStore(positive(options.codeTtlMs, 5 * 60 * 1000, 'codeTtlMs')),
    tokens: new TokenStore(positive(options.tokenTtlSeconds, 7200, 'tokenTtlSeconds')),
    faults: new FaultSwitch(),
    recorder: new Recorder(),
    baseUrl: () => baseUrl,
    timers: new Set(),
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
  };
}
