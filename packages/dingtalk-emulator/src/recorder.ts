import type { FaultMode } from './faults';

/**
 * One request as seen by the emulator. Secrets, codes and tokens are never stored verbatim:
 * only whether they were present, or a short hash to tell them apart.
 */
export interface LogEntry {
  time: string;
  method: string;
  path: string;
  /** HTTP status sent; 0 when no answer was sent (hang, reset, client gone). */
  status: number;
  durationMs?: number;
  fault?: FaultMode;
  /** The DingTalk error `code` of an error answer; for the old API the `errcode` as a string. */
  errorCode?: string;
  /** The old API's `sub_code`, when the answer had one (e.g. "40014" under errcode 88). */
  subCode?: string;
  /** The client id, or the appKey of an app-token request. */
  clientId?: string;
  clientSecretPresent?: boolean;
  grantType?: string;
  codeHash?: string;
  tokenHash?: string;
  /** Handle of the identity a code or token belonged to. */
  identity?: string;
  /** The organization involved: the one picked at sign-in, or the app's for the old API. */
  corpId?: string;
  /** The userid an old-API call asked about or answered. */
  userid?: string;
  redirectUri?: string;
  scope?: string;
  prompt?: string;
  statePresent?: boolean;
}

const MAX_LOG = 1000;

export class Recorder {
  private counts: Record<string, number> = {};
  private entries: LogEntry[] = [];

  /** Counts the request and opens its log entry; handlers fill in details as they learn them. */
  begin(method: string, path: string): LogEntry {
    const key = `${method} ${path}`;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    const entry: LogEntry = { time: new Date().toISOString(), method, path, status: 0 };
    this.entries.push(entry);
    if (this.entries.length > MAX_LOG) this.entries.shift();
    return entry;
  }

  counters(): Record<string, number> {
    return { ...this.counts };
  }

  log(): LogEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  reset(): void {
    this.counts = {};
    this.entries = [];
  }
}
