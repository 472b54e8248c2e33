/**
 * Work notifications (工作通知) of an enterprise internal app, on the old host:
 *   - `POST /topapi/message/corpconversation/asyncsend_v2` {agent_id, userid_list, msg} → `{ errcode: 0, task_id }`
 *     https://open.dingtalk.com/document/orgapp/asynchronous-sending-of-enterprise-session-messages
 *   - `POST /topapi/message/corpconversation/getsendresult` {agent_id, task_id} → `{ errcode: 0, send_result }`
 *     https://open.dingtalk.com/document/orgapp/gets-the-result-of-sending-messages-asynchronously-to-the-enterprise
 * DingTalk's documented limits are kept: at most 100 userids per call, a msg of at most 2048 bytes, the same content
 * to the same person once a day (the repeat is "forbidden", code 143106) and 500 messages a day per person (143105).
 * The call only queues: who got it, who was invalid and who was throttled is read back with getsendresult.
 * Where DingTalk's table gives no errcode for a case, the errcode is marked inferred.
 */
import { createHash, randomUUID } from 'node:crypto';
import { findClient } from './authorize';
import { shortHash } from './codes';
import { answer, playFault } from './fault-play';
import type { ApiEndpoint } from './faults';
import { parseJsonObject, readBody } from './http';
import { escapeHtml } from './login-page';
import { findPerson, membersOf } from './organizations';
import { newOapiRequestId, oapiErrors } from './responses';
import type { EmulatorState, RequestContext } from './state';

export const ASYNCSEND_PATH = '/topapi/message/corpconversation/asyncsend_v2';
export const GETSENDRESULT_PATH = '/topapi/message/corpconversation/getsendresult';
/** "接收者的userid列表，最大用户列表长度100". */
export const MAX_USERIDS_PER_CALL = 100;
/** "消息内容，最长不超过2048个字节". */
export const MAX_MSG_BYTES = 2048;
/** "同一个企业内部应用在一天之内，最多可以给一个用户发送500条消息通知". */
export const MAX_PER_USER_PER_DAY = 500;
/** The AgentId of an app that was given none. */
export const DEFAULT_AGENT_ID = 3000000001;

export const MSG_TYPES = ['text', 'markdown', 'action_card', 'link', 'oa'] as const;

/** One message in one person's work-notification conversation. */
export interface WorkNotice {
  id: string;
  taskId: number;
  clientId: string;
  corpId: string;
  agentId: number;
  userid: string;
  /** The identity's handle (`zhangsan`), whose inbox shows it. */
  identity: string;
  msgtype: string;
  msg: Record<string, unknown>;
  time: string;
  read: boolean;
}

/** One accepted asyncsend_v2 call, as getsendresult reports it. */
export interface SendTask {
  taskId: number;
  clientId: string;
  agentId: number;
  msgtype: string;
  userids: string[];
  delivered: string[];
  invalid: string[];
  forbidden: Array<{ userid: string; code: string; count: number }>;
  time: string;
}

export class WorkNoticeStore {
  readonly tasks = new Map<number, SendTask>();
  readonly notices: WorkNotice[] = [];
  private nextTaskId = 256271667526;
  /** `clientId|userid|day|sha256(msg)`: the content a person already got today from an app. */
  private readonly sentToday = new Set<string>();
  /** `clientId|userid|day` → how many messages today. */
  private readonly perDay = new Map<string, number>();

  newTaskId(): number {
    this.nextTaskId += 1;
    return this.nextTaskId;
  }

  /** `null` when the person may get it; else the throttling code and its threshold, as getsendresult's forbidden_list. */
  admit(clientId: string, userid: string, msgJson: string): { code: string; count: number } | null {
    const day = new Date().toISOString().slice(0, 10);
    const person = `${clientId}|${userid}|${day}`;
    const content = `${person}|${createHash('sha256').update(msgJson).digest('hex')}`;
    if (this.sentToday.has(content)) return { code: '143106', count: 1 };
    const count = this.perDay.get(person) ?? 0;
    if (count >= MAX_PER_USER_PER_DAY) return { code: '143105', count: MAX_PER_USER_PER_DAY };
    this.sentToday.add(content);
    this.perDay.set(person, count + 1);
    return null;
  }

  clear(): void {
    this.tasks.clear();
    this.notices.length = 0;
    this.sentToday.clear();
    this.perDay.clear();
  }
}

type App = EmulatorState['clients'][number];

function agentIdOf(app: App): number {
  return app.agentId ?? DEFAULT_AGENT_ID;
}

/** The body as DingTalk's SDKs send it: JSON (msg an object or a JSON string), or a form post (msg a JSON string). */
async function readFields(ctx: RequestContext): Promise<Record<string, unknown>> {
  const raw = await readBody(ctx.req);
  const type = (ctx.req.headers['content-type'] ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  return parseJsonObject(raw) ?? {};
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === 'string') return parseJsonObject(value);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** `userid_list` is documented as a comma-separated string; a JSON array is read too. */
function useridsOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return list.map((userid) => userid.trim()).filter(Boolean);
}

const text = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** What is wrong with a msg of one of DingTalk's types ("消息类型与数据格式"), or null. */
export function msgProblem(msg: Record<string, unknown>): string | null {
  const type = msg.msgtype;
  if (typeof type !== 'string' || !(MSG_TYPES as readonly string[]).includes(type)) return 'msgtype';
  const body = asObject(msg[type]);
  if (!body) return type;
  switch (type) {
    case 'text':
      return text(body.content) ? null : 'text.content';
    case 'markdown':
      return text(body.title) && text(body.text) ? null : 'markdown.title/text';
    case 'action_card': {
      if (!text(body.title) || !text(body.markdown)) return 'action_card.title/markdown';
      if (text(body.single_title) && text(body.single_url)) return null;
      const buttons = body.btn_json_list;
      const valid = Array.isArray(buttons) && buttons.length > 0 && buttons.every((button) => text(asObject(button)?.title) && text(asObject(button)?.action_url));
      return valid ? null : 'action_card.btn_json_list';
    }
    default:
      return null;
  }
}

/** Reads the body, notes who calls, plays a fault, checks the app token (88/40014), as every topapi endpoint does. */
function workNoticeEndpoint(endpoint: ApiEndpoint, handle: (ctx: RequestContext, app: App, fields: Record<string, unknown>) => void) {
  return async (ctx: RequestContext): Promise<void> => {
    const fields = await readFields(ctx);
    const token = ctx.url.searchParams.get('access_token') || (typeof fields.access_token === 'string' ? fields.access_token : undefined);
    const clientId = token ? ctx.state.appTokens.lookup(token) : undefined;
    const app = clientId ? findClient(ctx.state, clientId) : undefined;
    if (token) ctx.entry.tokenHash = shortHash(token);
    ctx.entry.clientId = app?.clientId;
    ctx.entry.corpId = app?.corpId;
    if (!(await playFault(ctx, endpoint))) return;
    if (!token) return answer(ctx, oapiErrors.blankAccessToken());
    if (!app) return answer(ctx, oapiErrors.invalidAccessToken());
    return handle(ctx, app, fields);
  };
}

/** errcode 40056 "不合法的agentid" (DingTalk's global table). */
const invalidAgent = () => oapiErrors.custom(40056, '不合法的agentid');
/** Parameter errors: errcode inferred (DingTalk's "不合法的参数"). */
const invalidParameter = (name: string) => oapiErrors.custom(40035, `不合法的参数 ${name}`);

export const handleAsyncSend = workNoticeEndpoint('asyncsend', (ctx, app, fields) => {
  if (fields.agent_id === undefined || fields.agent_id === '') return answer(ctx, oapiErrors.missingParameter('agent_id'));
  if (Number(fields.agent_id) !== agentIdOf(app)) return answer(ctx, invalidAgent());
  const msg = asObject(fields.msg);
  if (!msg) return answer(ctx, oapiErrors.missingParameter('msg'));
  const msgJson = JSON.stringify(msg);
  if (Buffer.byteLength(msgJson) > MAX_MSG_BYTES) return answer(ctx, invalidParameter('msg (longer than 2048 bytes)'));
  const problem = msgProblem(msg);
  if (problem) return answer(ctx, invalidParameter(`msg.${problem}`));
  const userids = [...new Set(useridsOf(fields.userid_list))];
  // Departments and "everyone" are not emulated: the plugin only ever names people.
  if (userids.length === 0) return answer(ctx, oapiErrors.custom(1430000, '接受者为空'));
  if (userids.length > MAX_USERIDS_PER_CALL) return answer(ctx, invalidParameter('userid_list (more than 100)'));

  const store = ctx.state.workNotices;
  const task: SendTask = {
    taskId: store.newTaskId(),
    clientId: app.clientId,
    agentId: agentIdOf(app),
    msgtype: String(msg.msgtype),
    userids,
    delivered: [],
    invalid: [],
    forbidden: [],
    time: new Date().toISOString(),
  };
  const members = new Map(membersOf(ctx.state, app.corpId).map((member) => [member.membership.userid, member]));
  const hidden = new Set(app.invisibleUserids ?? []);
  for (const userid of userids) {
    const member = members.get(userid);
    // Not a member, or outside the app's visible range (inferred: DingTalk lists both as invalid userids).
    if (!member || hidden.has(userid)) {
      task.invalid.push(userid);
      continue;
    }
    const refused = store.admit(app.clientId, userid, msgJson);
    if (refused) {
      task.forbidden.push({ userid, ...refused });
      continue;
    }
    task.delivered.push(userid);
    store.notices.push({
      id: randomUUID(),
      taskId: task.taskId,
      clientId: app.clientId,
      corpId: app.corpId,
      agentId: task.agentId,
      userid,
      identity: member.identity.id,
      msgtype: task.msgtype,
      msg,
      time: task.time,
      read: false,
    });
  }
  store.tasks.set(task.taskId, task);
  ctx.entry.userid = userids.length === 1 ? userids[0] : `${userids.length} userids`;
  return answer(ctx, { status: 200, body: { errcode: 0, task_id: task.taskId, request_id: newOapiRequestId() } });
});

export const handleGetSendResult = workNoticeEndpoint('getsendresult', (ctx, app, fields) => {
  if (fields.agent_id === undefined || fields.agent_id === '') return answer(ctx, oapiErrors.missingParameter('agent_id'));
  if (Number(fields.agent_id) !== agentIdOf(app)) return answer(ctx, invalidAgent());
  if (fields.task_id === undefined || fields.task_id === '') return answer(ctx, oapiErrors.missingParameter('task_id'));
  const task = ctx.state.workNotices.tasks.get(Number(fields.task_id));
  if (!task || task.clientId !== app.clientId) return answer(ctx, invalidParameter('task_id'));
  const notices = ctx.state.workNotices.notices.filter((notice) => notice.taskId === task.taskId);
  const read = notices.filter((notice) => notice.read).map((notice) => notice.userid);
  const unread = notices.filter((notice) => !notice.read).map((notice) => notice.userid);
  return answer(ctx, {
    status: 200,
    body: {
      errcode: 0,
      errmsg: 'ok',
      send_result: {
        invalid_user_id_list: task.invalid,
        forbidden_user_id_list: task.forbidden.map((entry) => entry.userid),
        failed_user_id_list: [],
        read_user_id_list: read,
        unread_user_id_list: unread,
        invalid_dept_id_list: [],
        forbidden_list: task.forbidden,
      },
      request_id: newOapiRequestId(),
    },
  });
});

/** One person's messages, newest first. */
export function inboxOf(state: EmulatorState, identity: string): WorkNotice[] {
  return state.workNotices.notices.filter((notice) => notice.identity === identity).reverse();
}

/** The buttons of a message: [title, url] pairs (action card buttons, or a link message's target). */
export function buttonsOf(notice: WorkNotice): Array<{ title: string; url: string }> {
  const body = asObject(notice.msg[notice.msgtype]) ?? {};
  if (notice.msgtype === 'action_card') {
    if (text(body.single_title) && text(body.single_url)) return [{ title: body.single_title, url: body.single_url }];
    const list = Array.isArray(body.btn_json_list) ? body.btn_json_list : [];
    return list.map((button) => asObject(button) ?? {}).map((button) => ({ title: String(button.title), url: String(button.action_url) }));
  }
  if (notice.msgtype === 'link' && text(body.messageUrl)) return [{ title: String(body.title ?? body.messageUrl), url: body.messageUrl }];
  return [];
}

/**
 * Where a button goes: DingTalk's "open inside the client" wrapper (`dingtalk://dingtalkclient/page/link?url=`) is
 * unwrapped to the page it opens; only http(s) pages are followed.
 */
export function targetOf(url: string): string | undefined {
  let target = url;
  if (target.startsWith('dingtalk://')) {
    try {
      target = new URL(target).searchParams.get('url') ?? '';
    } catch {
      return undefined;
    }
  }
  return /^https?:\/\//i.test(target) ? target : undefined;
}

function bodyText(notice: WorkNotice): { title?: string; text: string } {
  const body = asObject(notice.msg[notice.msgtype]) ?? {};
  switch (notice.msgtype) {
    case 'text':
      return { text: String(body.content ?? '') };
    case 'markdown':
      return { title: String(body.title ?? ''), text: String(body.text ?? '') };
    case 'action_card':
      return { title: String(body.title ?? ''), text: String(body.markdown ?? '') };
    default:
      return { title: String(body.title ?? ''), text: String(body.text ?? JSON.stringify(body)) };
  }
}

/** The inbox page: the person's work notifications as DingTalk's conversation lists them; buttons open the message's URL. */
export function renderInbox(state: EmulatorState, identity: string): string | undefined {
  const person = findPerson(state, identity);
  if (!person) return undefined;
  const items = inboxOf(state, identity)
    .map((notice) => {
      const { title, text: body } = bodyText(notice);
      const buttons = buttonsOf(notice)
        .map((button, index) => {
          const open = `/__emulator/inbox/${encodeURIComponent(identity)}/open/${notice.id}/${index}`;
          return `<a class="button" href="${escapeHtml(open)}" data-url="${escapeHtml(button.url)}">${escapeHtml(button.title)}</a>`;
        })
        .join('');
      return `<li class="notice ${notice.read ? 'read' : 'unread'}" data-id="${notice.id}" data-msgtype="${escapeHtml(notice.msgtype)}">
  <div class="head"><span class="app">${escapeHtml(notice.clientId)} · ${notice.agentId}</span><time>${escapeHtml(notice.time)}</time></div>
  ${title ? `<h2>${escapeHtml(title)}</h2>` : ''}<pre>${escapeHtml(body)}</pre>${buttons ? `<div class="buttons">${buttons}</div>` : ''}
</li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(person.nick)} · 工作通知</title>
<style>
body{margin:0;font-family:system-ui,-apple-system,"PingFang SC",sans-serif;background:#f2f4f7;color:#1f2329}
.banner{background:#0089ff;color:#fff;padding:12px 24px;font-weight:600}
main{max-width:560px;margin:24px auto;padding:0 12px}
ul{list-style:none;padding:0}
.notice{background:#fff;border-radius:10px;padding:14px 18px;margin:12px 0;box-shadow:0 1px 6px rgba(0,0,0,.08)}
.notice.unread{border-left:4px solid #0089ff}
.head{display:flex;justify-content:space-between;color:#8f959e;font-size:12px}
h2{font-size:16px;margin:8px 0 4px}
pre{white-space:pre-wrap;font:inherit;margin:6px 0}
.buttons{display:flex;gap:8px;margin-top:10px;border-top:1px solid #eee;padding-top:10px}
.button{color:#0089ff;text-decoration:none;font-weight:600}
.empty{color:#8f959e}
</style></head>
<body><div class="banner">DingTalk emulator · 工作通知 · ${escapeHtml(person.nick)}</div>
<main><ul id="inbox">${items || '<li class="empty">No work notifications yet.</li>'}</ul></main></body></html>`;
}

/** Opening a button marks the message read (getsendresult then lists the person as read) and goes to its page. */
export function openNotice(state: EmulatorState, identity: string, noticeId: string, index: number): string | undefined {
  const notice = state.workNotices.notices.find((item) => item.id === noticeId && item.identity === identity);
  if (!notice) return undefined;
  const button = buttonsOf(notice)[index];
  const target = button ? targetOf(button.url) : undefined;
  if (!target) return undefined;
  notice.read = true;
  return target;
}
