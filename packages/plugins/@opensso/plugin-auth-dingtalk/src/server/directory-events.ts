/**
 * DingTalk's directory events (通讯录事件) as the directory sync applies them: what changed and which people or
 * departments, whatever way the event came. Stream frames carry the event in their headers (`eventType`,
 * `eventId`, `eventCorpId`, `eventBornTime`) and its business data as a JSON string in lower camel case
 * (`{"timeStamp": "…", "userId": ["…"]}`, `deptId` for departments). An HTTP push carries one JSON object in upper
 * camel case (`{"EventType": "…", "CorpId": "…", "TimeStamp": "…", "UserId": ["…"]}`, `DeptId`) and no event id. The event never says what the person or
 * department now looks like: the sync reads that from the directory, so a late or repeated event is harmless.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const DIRECTORY_EVENT_TYPES = [
  'user_add_org',
  'user_modify_org',
  'user_leave_org',
  'user_active_org',
  'org_dept_create',
  'org_dept_modify',
  'org_dept_remove',
] as const;
export type DirectoryEventType = (typeof DIRECTORY_EVENT_TYPES)[number];

export interface DirectoryEvent {
  type: DirectoryEventType;
  eventId: string;
  corpId: string;
  /** When DingTalk produced it (epoch ms). */
  bornAt: number;
  /** The people concerned (userid), for user events. */
  userIds: string[];
  /** The departments concerned, for department events. */
  deptIds: number[];
}

/** Why an event is not applied; it is still acknowledged, since sending it again would not change the answer. */
export type EventRefusal = 'not-directory' | 'malformed' | 'other-organization';

export type ParsedEvent = { ok: true; event: DirectoryEvent } | { ok: false; refusal: EventRefusal; eventType?: string };

const StreamHeaders = z.object({
  eventType: z.string().min(1),
  eventId: z.string().min(1),
  eventCorpId: z.string().min(1),
  eventBornTime: z.union([z.string(), z.number()]).optional(),
});

const Ids = <T extends z.ZodTypeAny>(item: T) => z.array(item).max(1000).default([]);

const EventData = z.object({
  userId: Ids(z.string().min(1)),
  deptId: Ids(z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)])),
});

/**
 * A Stream `EVENT` frame's headers and data, checked. `corpId`: the organization of the app whose connection it
 * came on, when the authenticator names it; an event of another organization is refused.
 */
export function parseStreamEvent(headers: unknown, data: unknown, corpId: string | undefined): ParsedEvent {
  const parsedHeaders = StreamHeaders.safeParse(headers);
  if (!parsedHeaders.success) return { ok: false, refusal: 'malformed' };
  const { eventType, eventId, eventCorpId, eventBornTime } = parsedHeaders.data;
  if (!(DIRECTORY_EVENT_TYPES as readonly string[]).includes(eventType)) return { ok: false, refusal: 'not-directory', eventType };
  if (corpId !== undefined && eventCorpId !== corpId) return { ok: false, refusal: 'other-organization', eventType };
  let body: unknown;
  try {
    body = typeof data === 'string' ? JSON.parse(data) : data;
  } catch {
    return { ok: false, refusal: 'malformed', eventType };
  }
  const parsedData = EventData.safeParse(body);
  if (!parsedData.success) return { ok: false, refusal: 'malformed', eventType };
  const type = eventType as DirectoryEventType;
  const isUserEvent = type.startsWith('user_');
  const { userId, deptId } = parsedData.data;
  if (isUserEvent ? userId.length === 0 : deptId.length === 0) return { ok: false, refusal: 'malformed', eventType };
  const born = Number(eventBornTime);
  return {
    ok: true,
    event: {
      type,
      eventId,
      corpId: eventCorpId,
      bornAt: Number.isFinite(born) && born > 0 ? born : Date.now(),
      userIds: isUserEvent ? userId : [],
      deptIds: isUserEvent ? [] : deptId,
    },
  };
}

const PushMessage = z.object({
  EventType: z.string().min(1),
  CorpId: z.string().min(1).optional(),
  TimeStamp: z.union([z.string(), z.number()]).optional(),
  UserId: z.unknown().optional(),
  DeptId: z.unknown().optional(),
});

/** The URL check DingTalk pushes when the admin saves the callback URL in its console: answered, never applied. */
export const PUSH_URL_CHECK = 'check_url';

/**
 * A decrypted push message, checked (push-crypto.ts has verified its signature, age and app). A push has no event
 * id: a hash of the message stands for it, so DingTalk's retries of one push (the same message) are applied once.
 */
export function parsePushEvent(message: string, corpId: string | undefined): ParsedEvent | { ok: true; urlCheck: true } {
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    return { ok: false, refusal: 'malformed' };
  }
  const parsed = PushMessage.safeParse(body);
  if (!parsed.success) return { ok: false, refusal: 'malformed' };
  const { EventType, CorpId, TimeStamp, UserId, DeptId } = parsed.data;
  if (EventType === PUSH_URL_CHECK) return { ok: true, urlCheck: true };
  const eventId = `push-${createHash('sha256').update(message).digest('hex').slice(0, 32)}`;
  return parseStreamEvent(
    { eventType: EventType, eventId, eventCorpId: CorpId ?? corpId ?? '-', eventBornTime: TimeStamp },
    { userId: UserId, deptId: DeptId },
    corpId,
  );
}
