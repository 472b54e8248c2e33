/**
 * What a browser sign-in or linking carries between its requests, and where: the state (start → DingTalk's
 * callback) and the tickets (callback → `auth:signIn` or `dingtalk:completeLink`). Each is a sealed single-use
 * value (`one-time-store.ts`) remembering the hash of the browser's binding cookie (`browser-binding.ts`).
 */
import type { DingTalkIdentity } from './user-resolver';
import { CacheLike, OneTimeStore } from './one-time-store';
import { Sealer } from './sealed';

export type Purpose = 'signin' | 'link';

export interface PendingSignIn {
  purpose: Purpose;
  authenticator: string;
  returnPath: string;
  /** SHA-256 of the browser's binding cookie. */
  binding: string;
  /** Linking only: the signed-in user who started it. */
  userId?: number;
  /** Started in a popup window: the callback answers with the popup page (popup-page.ts), not a redirect. */
  popup?: true;
}

export interface Ticket {
  authenticator: string;
  userId: number;
  binding: string;
}

export interface LinkTicket extends Ticket {
  identity: DingTalkIdentity;
}

const STATE_TTL_MS = 10 * 60 * 1000;
export const TICKET_TTL_MS = 60 * 1000;

function ttlFromEnv(name: string, fallbackMs: number): () => number {
  return () => {
    const seconds = Number(process.env[name]);
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : fallbackMs;
  };
}

export class FlowStores {
  readonly states: OneTimeStore<PendingSignIn>;
  readonly tickets: OneTimeStore<Ticket>;
  readonly linkTickets: OneTimeStore<LinkTicket>;
  /** One lifetime for the state and the binding cookie that goes with it (checklist G10). */
  readonly stateTtlMs = ttlFromEnv('DINGTALK_STATE_TTL_SECONDS', STATE_TTL_MS);

  constructor(sealer: Sealer, cache: () => CacheLike) {
    this.states = new OneTimeStore(sealer, cache, 'auth-dingtalk:state', this.stateTtlMs);
    this.tickets = new OneTimeStore(sealer, cache, 'auth-dingtalk:ticket', () => TICKET_TTL_MS);
    this.linkTickets = new OneTimeStore(sealer, cache, 'auth-dingtalk:link-ticket', () => TICKET_TTL_MS);
  }
}
