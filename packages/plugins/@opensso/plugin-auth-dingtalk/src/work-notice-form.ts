/**
 * The message of a DingTalk work notification as NocoBase's message form stores it (the channel's message form in
 * the notification manager and in the workflow "Notification" node), shared by the server, which turns it into
 * DingTalk's msg JSON, and the browser form, which offers these fields.
 */

export const WORK_NOTICE_TYPE = 'dingtalk-work-notification';

export const MESSAGE_TYPES = ['text', 'markdown', 'actionCard'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** How an action card lays out its buttons: DingTalk's `btn_orientation` "0" (vertical) or "1" (side by side). */
export const BUTTON_LAYOUTS = ['vertical', 'horizontal'] as const;
export type ButtonLayout = (typeof BUTTON_LAYOUTS)[number];

export interface WorkNoticeButton {
  title?: string;
  /** An absolute http(s) address, or a path of this NocoBase app (`/admin/...`), which opens inside DingTalk. */
  url?: string;
}

export interface WorkNoticeMessage {
  msgType?: MessageType;
  /** Markdown and action card: the title DingTalk shows in the conversation list. */
  title?: string;
  /** The text (plain for `text`, Markdown for the others). */
  content?: string;
  buttons?: WorkNoticeButton[];
  buttonLayout?: ButtonLayout;
  /** NocoBase's user selection (user ids, or filters of users), as the in-app message channel reads it. */
  receivers?: unknown[];
}

/** The channel's settings (`options` of the notification channel). */
export interface WorkNoticeChannelOptions {
  /** Name of the DingTalk authenticator whose Client ID/Secret are the app's AppKey/AppSecret. */
  authenticator?: string;
  /** The app's AgentId (a number; kept as the form typed it). */
  agentId?: string | number;
}

/** Digits only, as DingTalk numbers AgentIds; anything else is a typo the channel refuses to save. */
export const AGENT_ID_PATTERN = /^[1-9]\d{0,17}$/;

export function parseAgentId(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!AGENT_ID_PATTERN.test(text)) return undefined;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : undefined;
}

/** The message form's fields that only some message types have (the others have `content` alone). */
export const TYPED_FIELDS = {
  title: ['markdown', 'actionCard'],
  buttons: ['actionCard'],
  buttonLayout: ['actionCard'],
} as const satisfies Record<string, readonly MessageType[]>;

/** Whether the form shows `field` for a message of type `msgType` (none chosen yet: a text message). */
export function showsField(field: keyof typeof TYPED_FIELDS, msgType: unknown): boolean {
  const type = MESSAGE_TYPES.find((candidate) => candidate === msgType) ?? 'text';
  return (TYPED_FIELDS[field] as readonly MessageType[]).includes(type);
}
