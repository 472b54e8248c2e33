/**
 * DingTalk's two directory listings an enterprise internal app pages through for a full sync, on the old host:
 *   - `POST /topapi/v2/department/listsub` {dept_id (default 1), language}: the direct sub-departments, unpaged
 *     (https://open.dingtalk.com/document/orgapp/obtain-the-department-list-v2);
 *   - `POST /topapi/v2/user/list` {dept_id, cursor, size <= 100, order_field, contain_access_limit, language}: the
 *     department's own members with their details, in cursor pages (`has_more`, `next_cursor`)
 *     (https://open.dingtalk.com/document/orgapp/queries-the-complete-information-of-a-department-user).
 * An unknown department answers errcode 60003, a size outside 1..100 errcode 400002 (DingTalk's "无效的参数"), a
 * missing field 40035. Optionally a QPS limit per app and endpoint, answered with errcode 90018 like DingTalk's.
 */
import { answer } from './fault-play';
import { ROOT_DEPT_ID } from './directory';
import { directoryOf, listEntry } from './directory-store';
import type { ApiEndpoint } from './faults';
import { topapi, type App } from './oapi';
import { oapiErrors, oapiResult } from './responses';
import type { EmulatorState, RequestContext } from './state';

export { directoryOf } from './directory-store';

export const DEPT_LISTSUB_PATH = '/topapi/v2/department/listsub';
export const USER_LIST_PATH = '/topapi/v2/user/list';
export const USER_LIST_MAX_SIZE = 100;


/** true when this call is over the limit: at most `directoryQps` calls per app, endpoint and wall-clock second. */
function overQps(state: EmulatorState, app: App, endpoint: ApiEndpoint): boolean {
  if (!state.directoryQps) return false;
  const second = Math.floor(Date.now() / 1000);
  const key = `${app.clientId}\n${endpoint}`;
  const window = state.qpsWindows.get(key);
  if (!window || window.second !== second) {
    state.qpsWindows.set(key, { second, count: 1 });
    return false;
  }
  window.count += 1;
  return window.count > state.directoryQps;
}

const qpsExceeded = () => oapiErrors.custom(90018, '当前企业调用该接口的QPS超过限制，请降低调用频率');
const deptNotFound = () => oapiErrors.custom(60003, '部门不存在或者部门已经被删除');
const invalidParameter = (name: string) => oapiErrors.custom(400002, `无效的参数: ${name}`);

/** Parses a non-negative integer body field sent as JSON number or form text; undefined when absent. */
function intField(fields: Record<string, string>, name: string): number | undefined | 'bad' {
  const raw = fields[name];
  if (raw === undefined || raw === '') return undefined;
  return /^[0-9]{1,15}$/.test(raw) ? Number(raw) : 'bad';
}

export const handleDeptListSub = topapi('deptListSub', (ctx, app, fields) => {
  if (overQps(ctx.state, app, 'deptListSub')) return answer(ctx, qpsExceeded());
  const deptId = intField(fields, 'dept_id');
  if (deptId === 'bad') return answer(ctx, invalidParameter('dept_id'));
  const directory = directoryOf(ctx.state, app.corpId);
  const parent = deptId ?? ROOT_DEPT_ID;
  if (!directory.department(parent)) return answer(ctx, deptNotFound());
  const list = directory.children(parent).map((dept) => ({
    dept_id: dept.dept_id,
    name: dept.name,
    parent_id: dept.parent_id,
    create_dept_group: false,
    auto_add_user: false,
  }));
  return answer(ctx, oapiResult(list));
});


export const handleUserList = topapi('userList', (ctx, app, fields, options) => {
  if (overQps(ctx.state, app, 'userList')) return answer(ctx, qpsExceeded());
  for (const name of ['dept_id', 'cursor', 'size']) if (fields[name] === undefined) return answer(ctx, oapiErrors.missingParameter(name));
  const deptId = intField(fields, 'dept_id');
  const cursor = intField(fields, 'cursor');
  const size = intField(fields, 'size');
  if (typeof deptId !== 'number') return answer(ctx, invalidParameter('dept_id'));
  if (typeof cursor !== 'number') return answer(ctx, invalidParameter('cursor'));
  if (typeof size !== 'number' || size < 1 || size > USER_LIST_MAX_SIZE) return answer(ctx, invalidParameter('size'));
  const directory = directoryOf(ctx.state, app.corpId);
  if (!directory.department(deptId)) return answer(ctx, deptNotFound());
  const members = directory.membersOf(deptId);
  const page = members.slice(cursor, cursor + size);
  const hasMore = cursor + size < members.length;
  return answer(
    ctx,
    oapiResult({
      has_more: hasMore,
      ...(hasMore ? { next_cursor: cursor + size } : {}),
      list: page.map((member) => listEntry(member, deptId, !options.noMobile)),
    }),
  );
});

export function isDirectoryRoute(ctx: RequestContext): boolean {
  return ctx.url.pathname === DEPT_LISTSUB_PATH || ctx.url.pathname === USER_LIST_PATH;
}

