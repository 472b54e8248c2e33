/**
 * The two DingTalk calls of a work notification (工作通知), one typed function each:
 *   - `asyncsend_v2` queues one message to at most 100 userids and answers a task id; it does not say who got it.
 *     https://open.dingtalk.com/document/orgapp/asynchronous-sending-of-enterprise-session-messages
 *   - `getsendresult` reads a task back: unread, read, invalid (not a member or outside the app's visible range),
 *     forbidden (throttled: the same content twice a day, more than 500 a day to one person), failed.
 *     https://open.dingtalk.com/document/orgapp/gets-the-result-of-sending-messages-asynchronously-to-the-enterprise
 * Both are topapi calls (HTTP 200, `errcode`); their errcodes map to our codes here, the token ones (88/40014) as
 * `DINGTALK_TOKEN_INVALID` so that `AppTokenCache.withToken` fetches a new token once.
 */
import { z } from 'zod';
import { callDingTalk, CallOptions, DingTalkHosts, parseDingTalkAnswer, TopapiEnvelopeSchema } from './dingtalk-api';
import { SignInError } from './sign-in-error';

const ASYNCSEND_PATH = '/topapi/message/corpconversation/asyncsend_v2';
const GETSENDRESULT_PATH = '/topapi/message/corpconversation/getsendresult';

/** "userid_list … 最大用户列表长度100". */
export const MAX_RECIPIENTS_PER_CALL = 100;
/** "msg … 最长不超过2048个字节". */
export const MAX_MSG_BYTES = 2048;

/** DingTalk's msg JSON ("消息类型与数据格式") for the three types the channel sends. */
export type DingTalkMsg =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'markdown'; markdown: { title: string; text: string } }
  | {
      msgtype: 'action_card';
      action_card: { title: string; markdown: string; btn_orientation: '0' | '1'; btn_json_list: Array<{ title: string; action_url: string }> };
    };

const AsyncSendSchema = z.object({ task_id: z.number().int() });

const ids = z.array(z.string()).optional();
const SendResultSchema = z.object({
  send_result: z.object({
    invalid_user_id_list: ids,
    forbidden_user_id_list: ids,
    failed_user_id_list: ids,
    read_user_id_list: ids,
    unread_user_id_list: ids,
    forbidden_list: z.array(z.object({ code: z.string().optional(), count: z.number().optional(), userid: z.string().optional() })).optional(),
  }),
});
type SendResultAnswer = z.infer<typeof SendResultSchema>['send_result'];
/** getsendresult's lists, each present (DingTalk leaves empty ones out). */
export type SendResult = { [K in keyof SendResultAnswer]-?: NonNullable<SendResultAnswer[K]> };

/** Rate limits: per API (90002), per IP/app (90018/90019), work notification QPM (143103/143104/143203/143204), system protection (1430003). */
const RATE_LIMITED = new Set([90002, 90018, 90019, 143103, 143104, 143203, 143204, 1430003]);
/** Daily limits of a person (143105/143205; 143106/143206 the same content twice) and the monthly API quota (90020). */
const QUOTA = new Set([90020, 143105, 143205, 143106, 143206]);

/** A work notification's errcode as one of our codes; `DINGTALK_RATE_LIMITED` is the one worth waiting for. */
export function classifyWorkNoticeErrcode(errcode: number, subCode: string, requestId?: string): SignInError {
  const base = { requestId, dingtalkCode: `errcode-${errcode}${subCode ? `/${subCode}` : ''}` };
  if (errcode === 88 || errcode === 40014 || subCode === '40014') return new SignInError('DINGTALK_TOKEN_INVALID', { ...base, status: 502 });
  if (errcode === 40056) return new SignInError('NOTIFY_AGENT_INVALID', { ...base, status: 502 });
  if (errcode === 60011) return new SignInError('NOTIFY_PERMISSION_DENIED', { ...base, status: 502 });
  if (QUOTA.has(errcode)) return new SignInError('NOTIFY_QUOTA_EXCEEDED', { ...base, status: 503 });
  if (RATE_LIMITED.has(errcode)) return new SignInError('DINGTALK_RATE_LIMITED', { ...base, status: 503 });
  if (errcode === 33012 || errcode === 60121) return new SignInError('NOTIFY_RECIPIENTS_INVISIBLE', { ...base, status: 502 });
  if (errcode === 40035 || errcode === 1430000 || errcode === 1430002) return new SignInError('NOTIFY_MESSAGE_INVALID', { ...base, status: 400 });
  if (errcode === 60020) return new SignInError('DINGTALK_IP_NOT_ALLOWED', { ...base, status: 502 });
  return new SignInError('DINGTALK_ERROR', { ...base, status: 502 });
}

async function topapi(
  hosts: DingTalkHosts,
  endpoint: string,
  path: string,
  appToken: string,
  body: object,
  options: CallOptions,
): Promise<unknown> {
  const url = `${hosts.oapiUrl}${path}?${new URLSearchParams({ access_token: appToken })}`;
  // Never retried here: a send whose answer was lost may have gone out, and a second one would reach people twice.
  const answer = await callDingTalk(endpoint, url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, options);
  const envelope = parseDingTalkAnswer(TopapiEnvelopeSchema, answer);
  if (envelope.errcode !== 0) throw classifyWorkNoticeErrcode(envelope.errcode, String(envelope.sub_code ?? ''), envelope.request_id);
  return answer;
}

/** Queues `msg` to `userids` (at most 100); returns DingTalk's task id. */
export async function asyncSend(
  hosts: DingTalkHosts,
  appToken: string,
  params: { agentId: number; userids: string[]; msg: DingTalkMsg },
  options: CallOptions,
): Promise<number> {
  if (params.userids.length === 0 || params.userids.length > MAX_RECIPIENTS_PER_CALL) throw new RangeError('1 to 100 userids per call');
  const answer = await topapi(
    hosts,
    'asyncsend_v2',
    ASYNCSEND_PATH,
    appToken,
    { agent_id: params.agentId, userid_list: params.userids.join(','), msg: params.msg },
    options,
  );
  return parseDingTalkAnswer(AsyncSendSchema, answer).task_id;
}

export async function getSendResult(
  hosts: DingTalkHosts,
  appToken: string,
  params: { agentId: number; taskId: number },
  options: CallOptions,
): Promise<SendResult> {
  const answer = await topapi(hosts, 'getsendresult', GETSENDRESULT_PATH, appToken, { agent_id: params.agentId, task_id: params.taskId }, options);
  const result = parseDingTalkAnswer(SendResultSchema, answer).send_result;
  return {
    invalid_user_id_list: result.invalid_user_id_list ?? [],
    forbidden_user_id_list: result.forbidden_user_id_list ?? [],
    failed_user_id_list: result.failed_user_id_list ?? [],
    read_user_id_list: result.read_user_id_list ?? [],
    unread_user_id_list: result.unread_user_id_list ?? [],
    forbidden_list: result.forbidden_list ?? [],
  };
}
