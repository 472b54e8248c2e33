/**
 * What the callback's popup page tells the app's tabs (constants.ts `POPUP_CHANNEL`), shared by the server, which
 * writes it, and the sign-in button, which reads it. Never a secret: the ticket stays in its httpOnly cookie, so a
 * success only names the authenticator whose ticket waits; a failure is a code of the closed list and its detail.
 */
import { ErrorCode, isErrorCode, isSafeDetail } from './errors';

export type PopupOutcome =
  | { type: 'dingtalk-signin'; authenticator: string; outcome: 'signed-in' }
  | { type: 'dingtalk-signin'; authenticator: string; outcome: 'failed'; code: ErrorCode; detail?: string };

/** What the button answers once it took the outcome, so the popup closes rather than finishing the sign-in itself. */
export const POPUP_ACK = 'dingtalk-signin-ack';

/** The outcome in a message from the channel, or undefined for anything else (another tab's ack, a stray post). */
export function popupOutcomeOf(message: unknown): PopupOutcome | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as Record<string, unknown>;
  if (m.type !== 'dingtalk-signin' || typeof m.authenticator !== 'string' || !m.authenticator) return undefined;
  if (m.outcome === 'signed-in') return { type: 'dingtalk-signin', authenticator: m.authenticator, outcome: 'signed-in' };
  if (m.outcome !== 'failed' || !isErrorCode(m.code)) return undefined;
  const detail = isSafeDetail(m.detail) ? m.detail : undefined;
  return { type: 'dingtalk-signin', authenticator: m.authenticator, outcome: 'failed', code: m.code, ...(detail ? { detail } : {}) };
}
