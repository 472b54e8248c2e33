import { OAPI_ENDPOINTS, type ApiEndpoint, type Fault } from './faults';
import { sendJson, sendText } from './http';
import { errors, oapiErrors, type ApiAnswer } from './responses';
import type { RequestContext } from './state';

/** Sends an API answer and notes its error code (new API `code`, old API `errcode`/`sub_code`) in the log. */
export function answer(ctx: RequestContext, result: ApiAnswer): void {
  const body = result.body as { code?: unknown; errcode?: unknown; sub_code?: unknown; request_id?: unknown };
  if (result.status >= 400 && typeof body?.code === 'string') ctx.entry.errorCode = body.code;
  if (typeof body?.errcode === 'number' && body.errcode !== 0) {
    ctx.entry.errorCode = String(body.errcode);
    if (typeof body.sub_code === 'string') ctx.entry.subCode = body.sub_code;
  }
  sendJson(ctx.res, result.status, result.body, typeof body?.request_id === 'string' ? body.request_id : undefined);
}

function delay(ctx: RequestContext, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ctx.state.timers.delete(timer);
      resolve();
    }, ms);
    ctx.state.timers.add(timer);
  });
}

/** Broken bodies for `bad-json`: the plugin must reject each of them with a controlled error. */
function badJsonBody(fault: Fault, endpoint: ApiEndpoint): unknown {
  const variant = fault.variant ?? 'missing-field';
  const ok = { errcode: 0, errmsg: 'ok', request_id: 'emubadjson001' };
  const bodies: Record<ApiEndpoint, Record<typeof variant, unknown>> = {
    userAccessToken: {
      array: [{ accessToken: 'x', expireIn: 7200 }],
      'wrong-types': { accessToken: 12345, refreshToken: null, expireIn: '7200' },
      'missing-field': { refreshToken: 'emulator-refresh-token', expireIn: 7200 },
    },
    me: {
      array: [{ nick: '张三', unionId: 'emuUnionZhangsan0001iE' }],
      'wrong-types': { nick: 42, avatarUrl: false, mobile: 13800000001, stateCode: 86, openId: null, unionId: 12345, visitor: 'no' },
      'missing-field': { nick: '张三', avatarUrl: '', openId: 'emuOpenZhangsan0001iE', visitor: false },
    },
    appAccessToken: {
      array: [{ accessToken: 'x', expireIn: 7200 }],
      'wrong-types': { accessToken: 12345, expireIn: '7200' },
      'missing-field': { expireIn: 7200 },
    },
    gettoken: {
      array: [{ errcode: 0, access_token: 'x', expires_in: 7200 }],
      'wrong-types': { errcode: '0', errmsg: 'ok', access_token: 12345, expires_in: '7200' },
      'missing-field': { errcode: 0, errmsg: 'ok', expires_in: 7200 },
    },
    getuserinfo: {
      array: [{ ...ok, result: { userid: 'zhangsan01' } }],
      'wrong-types': { ...ok, result: { userid: 1001, unionid: null, name: 42, sys: 'no', sys_level: '0' } },
      'missing-field': { ...ok, result: { name: '张三', device_id: 'x', sys: false, sys_level: 0 } },
    },
    getbyunionid: {
      array: [{ ...ok, result: { contact_type: 0, userid: 'zhangsan01' } }],
      'wrong-types': { ...ok, result: { contact_type: '0', userid: 1001 } },
      'missing-field': { ...ok, result: { contact_type: 0 } },
    },
    userGet: {
      array: [{ ...ok, result: { userid: 'zhangsan01', unionid: 'emuUnionZhangsan0001iE' } }],
      'wrong-types': { ...ok, result: { userid: 1001, unionid: 12345, name: 42, mobile: 13800000001, active: 'yes', dept_id_list: '1' } },
      'missing-field': { ...ok, result: { userid: 'zhangsan01', name: '张三', active: true } },
    },
    asyncsend: {
      array: [{ ...ok, task_id: 1 }],
      'wrong-types': { ...ok, task_id: 'not-a-number' },
      'missing-field': { ...ok },
    },
    getsendresult: {
      array: [{ ...ok, send_result: {} }],
      'wrong-types': { ...ok, send_result: { unread_user_id_list: 'zhangsan01', read_user_id_list: 1 } },
      'missing-field': { ...ok },
    },
    deptListSub: {
      array: [{ ...ok, result: [{ dept_id: 2, name: 'x', parent_id: 1 }] }],
      'wrong-types': { ...ok, result: [{ dept_id: '2', name: 42, parent_id: null }] },
      'missing-field': { ...ok, result: [{ name: 'Department 2', parent_id: 1 }] },
    },
    userList: {
      array: [{ ...ok, result: { has_more: false, list: [] } }],
      'wrong-types': { ...ok, result: { has_more: 'no', next_cursor: '100', list: [{ userid: 1001, unionid: 12345, active: 'yes' }] } },
      'missing-field': { ...ok, result: { has_more: false, list: [{ userid: 'zhangsan01', name: '张三', active: true }] } },
    },
  };
  return bodies[endpoint][variant];
}

function clientIp(ctx: RequestContext): string {
  return (ctx.req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
}

/**
 * Plays the active fault for this endpoint. Returns options for the normal answer when the
 * request should go on (`slow`, `no-mobile`), or null when the fault already dealt with it.
 * Faults answer before the request is processed, so a failed exchange leaves the code unused.
 * On the old host (`gettoken`, topapi) errors are HTTP 200 `{ errcode, errmsg }` like DingTalk's.
 */
export async function playFault(ctx: RequestContext, endpoint: ApiEndpoint): Promise<{ noMobile: boolean } | null> {
  const fault = ctx.state.faults.take(endpoint);
  if (!fault) return { noMobile: false };
  ctx.entry.fault = fault.mode;
  await delay(ctx, fault.delayMs ?? (fault.mode === 'slow' ? 5000 : 0));
  const oldApi = OAPI_ENDPOINTS.includes(endpoint);
  switch (fault.mode) {
    case 'slow':
      return { noMobile: false };
    case 'no-mobile':
      return { noMobile: true };
    case 'hang':
      // Deliberately never answered; the socket stays open until the client gives up or close() destroys it.
      return null;
    case 'reset':
      ctx.req.socket.destroy();
      return null;
    case 'forbidden':
      answer(ctx, oldApi ? oapiErrors.noPermission() : errors.forbidden(undefined, fault.scopes));
      return null;
    case 'server-error':
      answer(ctx, oldApi ? oapiErrors.systemBusy(fault.status ?? 500) : errors.serverError(fault.status ?? 500));
      return null;
    case 'rate-limit':
      answer(ctx, oldApi ? oapiErrors.rateLimited() : errors.throttled(fault.status ?? 403));
      return null;
    case 'ip-whitelist':
      answer(ctx, oldApi ? oapiErrors.ipNotWhitelisted(clientIp(ctx), ctx.entry.clientId) : errors.ipNotWhitelisted());
      return null;
    case 'token-invalid':
      answer(ctx, oapiErrors.invalidAccessToken());
      return null;
    case 'not-member':
      answer(ctx, oapiErrors.userNotFound());
      return null;
    case 'errcode':
      answer(ctx, oapiErrors.custom(fault.errcode ?? -1, fault.errmsg, fault.sub_code, fault.sub_msg));
      return null;
    case 'garbage':
      sendText(
        ctx.res,
        200,
        'text/html;charset=utf-8',
        '<html><head><title>系统繁忙</title></head><body><h1>系统繁忙，请稍后再试</h1><p>emulated non-JSON answer</p></body></html>',
      );
      return null;
    case 'bad-json':
      sendJson(ctx.res, 200, badJsonBody(fault, endpoint));
      return null;
  }
}
