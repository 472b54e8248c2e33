/**
 * Reads an organization's whole directory from DingTalk for a full sync: the departments breadth-first from the
 * root (`department/listsub`, one call per department), then each department's members in cursor pages of 100
 * (`user/list`). A person in several departments is listed by each; they are merged into one member whose
 * `leaderOf` collects the departments they lead.
 *
 * DingTalk's limits: calls are started on a pace (`DINGTALK_SYNC_QPS`, default 15 a second, under the 20 a second
 * DingTalk documents per app and API, a few in flight at once), a throttling answer (90002, 90018, 90019) waits and tries the same call again with
 * exponential backoff, and a transport failure is retried once by `dingtalk-api.ts`. Anything else stops the pull.
 */
import type { AppTokenCache, AppCredentials } from './app-token';
import {
  CallOptions,
  DingTalkHosts,
  listDepartmentUsers,
  listSubDepartments,
  type DingTalkDeptUser,
} from './dingtalk-api';
import { SignInError } from './sign-in-error';

export const ROOT_DEPT_ID = 1;

export interface DirectoryDepartment {
  deptId: number;
  name: string;
  /** Undefined for the department the pull started from. */
  parentId?: number;
}

export interface DirectoryMember {
  userid: string;
  unionId: string;
  name: string;
  mobile?: string;
  stateCode?: string;
  email?: string;
  title?: string;
  /** Departments as DingTalk lists them; the first one is the main department. */
  deptIds: number[];
  leaderOf: number[];
  active: boolean;
}

export interface DirectorySnapshot {
  departments: DirectoryDepartment[];
  members: DirectoryMember[];
  /** DingTalk calls made, throttling answers met. */
  calls: number;
  throttled: number;
}

export interface PullInput {
  appTokens: AppTokenCache;
  credentials: AppCredentials;
  hosts: DingTalkHosts;
  calls: CallOptions;
  /** The department the sync starts from (default the root). */
  rootDeptId?: number;
  qps?: number;
  /** Backoff before the n-th retry of a throttled call: base * 2^(n-1) ms. */
  backoffBaseMs?: number;
  maxThrottleRetries?: number;
  onProgress?: (event: { departments: number; members: number; calls: number }) => void;
}

const THROTTLED = new Set(['errcode-90002', 'errcode-90018', 'errcode-90019']);

export function syncQpsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.DINGTALK_SYNC_QPS);
  return Number.isFinite(value) && value > 0 ? value : 15;
}

/**
 * Calls in flight at once. Each call is started on the pace; a few at once keep that pace when an answer takes longer
 * than the gap between two calls (a busy server, a distant DingTalk), which one call at a time did not: 1,003 calls
 * took 75 s instead of 67 at 15 a second.
 */
const CONCURRENT_CALLS = 4;

export async function pullDirectory(input: PullInput): Promise<DirectorySnapshot> {
  const root = input.rootDeptId ?? ROOT_DEPT_ID;
  const minGapMs = 1000 / (input.qps ?? syncQpsFromEnv());
  const backoffBaseMs = input.backoffBaseMs ?? 1000;
  const maxRetries = input.maxThrottleRetries ?? 5;
  const stats = { calls: 0, throttled: 0 };
  let nextAt = 0;

  const call = async <T>(fn: (token: string) => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt += 1) {
      // The start time is taken before waiting, so that calls made at once are spread on the pace.
      const at = Math.max(Date.now(), nextAt);
      nextAt = at + minGapMs;
      if (at > Date.now()) await sleep(at - Date.now());
      stats.calls += 1;
      try {
        return await input.appTokens.withToken(input.credentials, input.hosts, input.calls, fn);
      } catch (error) {
        const throttled = error instanceof SignInError && error.code === 'DINGTALK_RATE_LIMITED' && THROTTLED.has(error.dingtalkCode ?? '');
        if (!throttled || attempt >= maxRetries) throw error;
        stats.throttled += 1;
        // Everything waits: the limit is the app's, not this call's.
        nextAt = Math.max(nextAt, Date.now() + backoffBaseMs * 2 ** attempt);
      }
    }
  };

  const departments: DirectoryDepartment[] = [{ deptId: root, name: '', parentId: undefined }];
  // Breadth-first, a level at a time: a parent is always listed (and written) before its children. Walked even when
  // departments are not synced: members are listed per department.
  for (let level = departments.slice(); level.length; ) {
    const children = await inTurns(level, (parent) => call((token) => listSubDepartments(input.hosts, token, parent.deptId, input.calls)));
    const next: DirectoryDepartment[] = [];
    level.forEach((parent, i) => {
      for (const child of children[i]) next.push({ deptId: child.dept_id, name: child.name, parentId: parent.deptId });
    });
    departments.push(...next);
    input.onProgress?.({ departments: departments.length, members: 0, calls: stats.calls });
    level = next;
  }

  const pages = await inTurns(departments, async (department) => {
    const listed: DingTalkDeptUser[] = [];
    for (let cursor = 0; ; ) {
      const page = await call((token) => listDepartmentUsers(input.hosts, token, { deptId: department.deptId, cursor }, input.calls));
      listed.push(...page.list);
      if (!page.has_more || page.next_cursor === undefined) break;
      cursor = page.next_cursor;
    }
    input.onProgress?.({ departments: departments.length, members: listed.length, calls: stats.calls });
    return listed;
  });
  // Merged in the departments' order, whatever order the answers came in: the same directory, the same snapshot.
  const members = new Map<string, DirectoryMember>();
  departments.forEach((department, i) => {
    for (const user of pages[i]) merge(members, user, department.deptId);
  });
  return { departments: departments.slice(1), members: [...members.values()], ...stats };
}

/**
 * `work` on every item, CONCURRENT_CALLS at a time, the results in the items' order. The first failure stops it: no
 * new item is started, and it is thrown once the ones under way have ended.
 */
async function inTurns<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        results[i] = await work(items[i]);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_CALLS, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}

function merge(members: Map<string, DirectoryMember>, user: DingTalkDeptUser, listedIn: number): void {
  const known = members.get(user.userid);
  if (known) {
    if (user.leader && !known.leaderOf.includes(listedIn)) known.leaderOf.push(listedIn);
    return;
  }
  members.set(user.userid, memberOf(user, user.leader ? [listedIn] : []));
}

/** A member as DingTalk lists or reads it (`user/list`, `user/get`), with the departments they lead. */
export function memberOf(user: Omit<DingTalkDeptUser, 'leader'>, leaderOf: number[]): DirectoryMember {
  return {
    userid: user.userid,
    unionId: user.unionid,
    name: user.name,
    mobile: user.mobile || undefined,
    stateCode: user.state_code || undefined,
    email: user.email || undefined,
    title: user.title || undefined,
    deptIds: user.dept_id_list,
    leaderOf,
    active: user.active,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
