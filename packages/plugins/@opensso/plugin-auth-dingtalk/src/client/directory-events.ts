/** The directory events settings' values and the Callback URL request, without React (directory-events-fields.tsx). */
import { isRecord } from '../api-answers';

export const EVENT_MODES = ['stream', 'push', 'off'] as const;
export type EventMode = (typeof EVENT_MODES)[number];
export const DEFAULT_EVENT_MODE: EventMode = 'stream';

export function eventModeOf(value: unknown): EventMode {
  return (EVENT_MODES as readonly unknown[]).includes(value) ? (value as EventMode) : DEFAULT_EVENT_MODE;
}

/** The request for a source's Callback URL (admins only). */
export function callbackUrlRequest(source: string) {
  return { url: `dingtalkDirectory:callbackUrl?source=${encodeURIComponent(source)}`, method: 'get' as const, skipNotify: true };
}

/** `{ url, fromConfiguration }` from the answer, or undefined. */
export function callbackUrlFromBody(body: unknown): { url: string; fromConfiguration: boolean } | undefined {
  const data = isRecord(body) && isRecord(body.data) ? body.data : undefined;
  return data && typeof data.url === 'string' ? { url: data.url, fromConfiguration: data.fromConfiguration === true } : undefined;
}
