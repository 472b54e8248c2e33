/**
 * The DingTalk Open Platform calls of the browser sign-in, one typed function each. The contract is
 * `docs/dingtalk-api.md` section 1; links point to DingTalk's own pages. Requests are built here and every
 * answer is checked against a zod schema before anything reads it: DingTalk's answers are input like any other.
 */
import { z } from 'zod';
import { authCodeOf, type VerifiedCallback } from './callback-check';
import { SignInError } from './sign-in-error';

export interface DingTalkHosts {
  /** The authorization page the browser visits. */
  loginUrl: string;
  /** The JSON API (`/v1.0/...`). */
  apiUrl: string;
  /** The older "topapi" API (enterprise internal apps). */
  oapiUrl: string;
}

export const DEFAULT_HOSTS: DingTalkHosts = {
  loginUrl: 'https://login.dingtalk.com',
  apiUrl: 'https://api.dingtalk.com',
  oapiUrl: 'https://oapi.dingtalk.com',
};

/** Read at each call so a test (or an admin restarting with new env) never sees a stale host. */
export function hostsFromEnv(env: NodeJS.ProcessEnv = process.env): DingTalkHosts {
  const pick = (value: string | undefined, fallback: string) => (value?.trim() || fallback).replace(/\/+$/, '');
  return {
    loginUrl: pick(env.DINGTALK_LOGIN_URL, DEFAULT_HOSTS.loginUrl),
    apiUrl: pick(env.DINGTALK_API_URL, DEFAULT_HOSTS.apiUrl),
    oapiUrl: pick(env.DINGTALK_OAPI_URL, DEFAULT_HOSTS.oapiUrl),
  };
}

export interface CallOptions {
  /** Abort a call after this many milliseconds (DingTalk's own gateway gives up at about 3 s). */
  timeoutMs: number;
  /** Called once per finished HTTP exchange, for logs: never receives secrets, codes or tokens. */
  onResponse?: (event: { endpoint: string; status: number; requestId?: string; durationMs: number }) => void;
}

export function timeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.DINGTALK_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : 5000;
}

// https://open.dingtalk.com/document/orgapp/tutorial-obtaining-user-personal-information (step 1)
const AUTHORIZE_PATH = '/oauth2/auth';
// https://open.dingtalk.com/document/orgapp/obtain-user-token
const USER_ACCESS_TOKEN_PATH = '/v1.0/oauth2/userAccessToken';
// https://open.dingtalk.com/document/orgapp/dingtalk-retrieve-user-information
const CURRENT_USER_PATH = '/v1.0/contact/users/me';
// https://open.dingtalk.com/document/orgapp/obtain-the-access_token-of-an-internal-app
const APP_ACCESS_TOKEN_PATH = '/v1.0/oauth2/accessToken';
// https://open.dingtalk.com/document/orgapp/query-a-user-by-the-union-id
const USER_BY_UNIONID_PATH = '/topapi/user/getbyunionid';
// https://open.dingtalk.com/document/orgapp/obtain-the-userid-of-a-user-by-using-the-log-free
const USER_INFO_BY_CODE_PATH = '/topapi/v2/user/getuserinfo';
// https://open.dingtalk.com/document/orgapp/query-user-details
const ORG_USER_PATH = '/topapi/v2/user/get';

export function buildAuthorizationUrl(
  hosts: DingTalkHosts,
  params: { clientId: string; redirectUri: string; state: string; scope?: string },
): string {
  const url = new URL(AUTHORIZE_PATH, `${hosts.loginUrl}/`);
  url.search = new URLSearchParams({
    redirect_uri: params.redirectUri,
    response_type: 'code',
    client_id: params.clientId,
    scope: params.scope ?? 'openid',
    state: params.state,
    // Marked required by DingTalk; it also makes users who consented before a permission was added consent again.
    prompt: 'consent',
  }).toString();
  return url.toString();
}

const UserAccessTokenSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().optional(),
  expireIn: z.number().optional(),
  corpId: z.string().optional(),
});
export type UserAccessToken = z.infer<typeof UserAccessTokenSchema>;

const ProfileSchema = z.object({
  nick: z.string().optional(),
  avatarUrl: z.string().optional(),
  mobile: z.string().optional(),
  stateCode: z.string().optional(),
  openId: z.string().optional(),
  unionId: z.string().optional(),
  email: z.string().optional(),
  visitor: z.boolean().optional(),
});
/** A profile whose identity key is known to be present. */
export type DingTalkProfile = z.infer<typeof ProfileSchema> & { unionId: string };

const ErrorBodySchema = z.object({
  code: z.string().optional(),
  message: z.string().optional(),
  requestid: z.string().optional(),
  accessdenieddetail: z.object({ requiredScopes: z.array(z.string()).optional() }).partial().optional(),
});

/**
 * Exchanges the browser's one-time auth code. Never retried: a second try with the same code cannot succeed.
 * Takes the callback only as `checkState` returns it (callback-check.ts), never a bare code.
 */
export async function exchangeAuthCode(
  hosts: DingTalkHosts,
  params: { clientId: string; clientSecret: string; callback: VerifiedCallback },
  options: CallOptions,
): Promise<UserAccessToken> {
  const code = authCodeOf(params.callback);
  const body = await call(
    'userAccessToken',
    `${hosts.apiUrl}${USER_ACCESS_TOKEN_PATH}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        clientId: params.clientId,
        clientSecret: params.clientSecret,
        code,
        grantType: 'authorization_code',
      }),
    },
    options,
  );
  return parse(UserAccessTokenSchema, body);
}

/** Reads the signed-in user's profile. A read: retried once after a 5xx or a dropped connection. */
export async function getCurrentUser(
  hosts: DingTalkHosts,
  accessToken: string,
  options: CallOptions,
): Promise<DingTalkProfile> {
  const request = () =>
    call(
      'users/me',
      `${hosts.apiUrl}${CURRENT_USER_PATH}`,
      { method: 'GET', headers: { 'x-acs-dingtalk-access-token': accessToken, accept: 'application/json' } },
      options,
    );
  const profile = parse(ProfileSchema, await withOneRetry(request));
  if (!profile.unionId) {
    throw new SignInError('PROFILE_INCOMPLETE', { status: 502 });
  }
  return { ...profile, unionId: profile.unionId };
}

const AppAccessTokenSchema = z.object({ accessToken: z.string().min(1), expireIn: z.number().positive() });
export type AppAccessToken = z.infer<typeof AppAccessTokenSchema>;

/** The organization app's own token (enterprise internal app: Client ID/Secret are its AppKey/AppSecret). */
export async function getAppAccessToken(
  hosts: DingTalkHosts,
  params: { appKey: string; appSecret: string },
  options: CallOptions,
): Promise<AppAccessToken> {
  const body = await call(
    'accessToken',
    `${hosts.apiUrl}${APP_ACCESS_TOKEN_PATH}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ appKey: params.appKey, appSecret: params.appSecret }),
    },
    options,
  );
  return parse(AppAccessTokenSchema, body);
}

const TopapiEnvelopeSchema = z.object({
  errcode: z.number(),
  errmsg: z.string().optional(),
  request_id: z.string().optional(),
  sub_code: z.union([z.string(), z.number()]).optional(),
  result: z.unknown().optional(),
});

/**
 * The older "topapi": always HTTP 200, `errcode != 0` is the error (docs/dingtalk-api.md 2.2). A read: retried once
 * after a 5xx or a dropped connection.
 */
async function topapi<T>(
  hosts: DingTalkHosts,
  endpoint: string,
  path: string,
  appToken: string,
  body: object,
  result: z.ZodType<T>,
  options: CallOptions,
): Promise<T> {
  const url = `${hosts.oapiUrl}${path}?${new URLSearchParams({ access_token: appToken })}`;
  const request = () =>
    call(endpoint, url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, options);
  const envelope = parse(TopapiEnvelopeSchema, await withOneRetry(request));
  if (envelope.errcode !== 0) throw classifyTopapi(envelope.errcode, String(envelope.sub_code ?? ''), envelope.request_id);
  return parse(result, envelope.result);
}

const UserByUnionIdSchema = z.object({ userid: z.string().min(1), contact_type: z.number().optional() });

/** The person's userid in the app's organization; `NOT_A_MEMBER` (60121) when they are not in it. */
export async function getUserIdByUnionId(
  hosts: DingTalkHosts,
  appToken: string,
  unionId: string,
  options: CallOptions,
): Promise<string> {
  const found = await topapi(hosts, 'getbyunionid', USER_BY_UNIONID_PATH, appToken, { unionid: unionId }, UserByUnionIdSchema, options);
  return found.userid;
}

const UserInfoByCodeSchema = z.object({ userid: z.string().min(1), unionid: z.string().optional(), name: z.string().optional() });

/** Resolves a one-time in-app code (from the JSAPI's `requestAuthCode`): works once, lasts 5 minutes. */
export async function getUserInfoByCode(hosts: DingTalkHosts, appToken: string, code: string, options: CallOptions) {
  return topapi(hosts, 'getuserinfo', USER_INFO_BY_CODE_PATH, appToken, { code }, UserInfoByCodeSchema, options);
}

const OrgUserSchema = z.object({
  userid: z.string().min(1),
  unionid: z.string().optional(),
  name: z.string().optional(),
  avatar: z.string().optional(),
  state_code: z.string().optional(),
  mobile: z.string().optional(),
  email: z.string().optional(),
});

/** A member of the app's organization, as the profile the browser flow reads (same `unionId`). */
export async function getOrgUser(
  hosts: DingTalkHosts,
  appToken: string,
  userid: string,
  options: CallOptions,
): Promise<{ userid: string; profile: DingTalkProfile }> {
  const user = await topapi(hosts, 'user/get', ORG_USER_PATH, appToken, { userid, language: 'zh_CN' }, OrgUserSchema, options);
  if (!user.unionid) throw new SignInError('PROFILE_INCOMPLETE', { status: 502 });
  return {
    userid: user.userid,
    profile: {
      unionId: user.unionid,
      nick: user.name,
      avatarUrl: user.avatar || undefined,
      mobile: user.mobile || undefined,
      stateCode: user.state_code || undefined,
      email: user.email || undefined,
    },
  };
}

/** topapi errcodes (docs/dingtalk-api.md 2.2) to our codes. */
function classifyTopapi(errcode: number, subCode: string, requestId: string | undefined): SignInError {
  const base = { requestId, dingtalkCode: `errcode-${errcode}${subCode ? `/${subCode}` : ''}` };
  if (errcode === 88 || errcode === 40014 || subCode === '40014') {
    return new SignInError('DINGTALK_TOKEN_INVALID', { ...base, status: 502, retryable: true });
  }
  if (errcode === 60020) return new SignInError('DINGTALK_IP_NOT_ALLOWED', { ...base, status: 502 });
  if (errcode === 60121) return new SignInError('NOT_A_MEMBER', { ...base, status: 403 });
  if (errcode === 40078) return new SignInError('DINGTALK_CODE_INVALID', { ...base, status: 401 });
  if ([90002, 90018, 90019].includes(errcode)) return new SignInError('DINGTALK_RATE_LIMITED', { ...base, status: 503 });
  if (errcode === 90020) return new SignInError('DINGTALK_QUOTA_EXCEEDED', { ...base, status: 503 });
  return new SignInError('DINGTALK_ERROR', { ...base, status: 502 });
}

async function withOneRetry(request: () => Promise<unknown>): Promise<unknown> {
  try {
    return await request();
  } catch (error) {
    // Only transport-level failures: a topapi error answer is HTTP 200 and is classified by the caller.
    if (!(error instanceof SignInError) || !error.retryable) throw error;
    await new Promise((resolve) => setTimeout(resolve, 250));
    return request();
  }
}

async function call(endpoint: string, url: string, init: RequestInit, options: CallOptions): Promise<unknown> {
  const started = Date.now();
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (cause) {
    const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
    throw new SignInError('DINGTALK_UNAVAILABLE', {
      status: 502,
      cause,
      dingtalkCode: timedOut ? 'timeout' : 'network',
      retryable: !timedOut,
    });
  }
  let text: string;
  try {
    text = await response.text();
  } catch (cause) {
    throw new SignInError('DINGTALK_UNAVAILABLE', { status: 502, cause, dingtalkCode: 'body', retryable: true });
  }
  const body = parseJson(text);
  const errorBody = ErrorBodySchema.safeParse(body);
  const requestId =
    (errorBody.success ? errorBody.data.requestid : undefined) ?? response.headers.get('x-acs-request-id') ?? undefined;
  options.onResponse?.({ endpoint, status: response.status, requestId, durationMs: Date.now() - started });

  if (response.ok) {
    if (body === undefined) throw new SignInError('DINGTALK_BAD_RESPONSE', { status: 502, requestId });
    return body;
  }
  const dingtalkCode = errorBody.success ? errorBody.data.code : undefined;
  throw classify(response.status, dingtalkCode, requestId, errorBody.success ? errorBody.data : undefined);
}

/**
 * Maps a DingTalk error answer to one of our codes (docs/dingtalk-api.md 1.2, 1.3 and 3). Throttling is checked before
 * the 403 rule: DingTalk also answers a QPS limit with a 403 `Forbidden.AccessDenied.QpsLimitForApi`.
 */
function classify(
  status: number,
  dingtalkCode: string | undefined,
  requestId: string | undefined,
  body: z.infer<typeof ErrorBodySchema> | undefined,
): SignInError {
  const base = { requestId, dingtalkCode: dingtalkCode ?? `http-${status}` };
  if (status === 429 || (dingtalkCode && /throttl|ratelimit|qpslimit|flowcontrol|quota/i.test(dingtalkCode))) {
    return new SignInError('DINGTALK_RATE_LIMITED', { ...base, status: 503 });
  }
  if (status >= 500) {
    return new SignInError('DINGTALK_UNAVAILABLE', { ...base, status: 502, retryable: true });
  }
  if (dingtalkCode === 'invalidParameter.authCode.notFound') {
    return new SignInError('DINGTALK_CODE_INVALID', { ...base, status: 401 });
  }
  if (dingtalkCode === 'invalidClientIdOrSecret') {
    return new SignInError('DINGTALK_CREDENTIALS_INVALID', { ...base, status: 502 });
  }
  if (status === 403 || dingtalkCode?.startsWith('Forbidden')) {
    const scopes = body?.accessdenieddetail?.requiredScopes?.join(',');
    return new SignInError('DINGTALK_PERMISSION_DENIED', { ...base, status: 403, detail: scopes || 'Contact.User.Read' });
  }
  if (status === 401 || dingtalkCode === 'InvalidAuthentication' || dingtalkCode?.startsWith('AuthenticationFailed')) {
    return new SignInError('DINGTALK_TOKEN_INVALID', { ...base, status: 502 });
  }
  return new SignInError('DINGTALK_ERROR', { ...base, status: 502 });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new SignInError('DINGTALK_BAD_RESPONSE', { status: 502, cause: result.error });
  }
  return result.data;
}

// For the work notification calls (work-notice-api.ts): the same transport, timeouts and answer checks.
export { call as callDingTalk, parse as parseDingTalkAnswer, TopapiEnvelopeSchema };
// Stream mode (event subscription over an outbound WebSocket):
// https://open.dingtalk.com/document/resourcedownload/introduction-to-stream-mode
const STREAM_OPEN_PATH = '/v1.0/gateway/connections/open';

const StreamTicketSchema = z.object({
  endpoint: z.string().regex(/^wss?:\/\//),
  ticket: z.string().min(1),
});
export type StreamTicket = z.infer<typeof StreamTicketSchema>;

/**
 * Asks DingTalk's Stream gateway for a WebSocket endpoint and a one-time ticket, subscribed to every event of the app
 * (DingTalk sends only those the app subscribed to in its console). The ticket is a credential: it is never logged.
 */
export async function openStreamConnection(
  hosts: DingTalkHosts,
  params: { clientId: string; clientSecret: string; ua: string },
  options: CallOptions,
): Promise<StreamTicket> {
  const body = await call(
    'streamOpen',
    `${hosts.apiUrl}${STREAM_OPEN_PATH}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ ...params, subscriptions: [{ type: 'EVENT', topic: '*' }] }),
    },
    options,
  );
  return parse(StreamTicketSchema, body);
}

// Directory sync: the two listings a full sync pages through (docs/design.md, "Directory sync").
// https://open.dingtalk.com/document/orgapp/obtain-the-department-list-v2
const DEPT_LISTSUB_PATH = '/topapi/v2/department/listsub';
// https://open.dingtalk.com/document/orgapp/queries-the-complete-information-of-a-department-user
const DEPT_USERS_PATH = '/topapi/v2/user/list';
/** DingTalk's largest page of `user/list`. */
export const DEPT_USERS_PAGE_SIZE = 100;

const DepartmentSchema = z.object({ dept_id: z.number().int(), name: z.string(), parent_id: z.number().int().optional() });
export type DingTalkDepartment = z.infer<typeof DepartmentSchema>;

/** The direct sub-departments of one department (1 is the organization's root). Unpaged. */
export async function listSubDepartments(hosts: DingTalkHosts, appToken: string, deptId: number, options: CallOptions): Promise<DingTalkDepartment[]> {
  return topapi(hosts, 'department/listsub', DEPT_LISTSUB_PATH, appToken, { dept_id: deptId, language: 'zh_CN' }, z.array(DepartmentSchema), options);
}

const DeptUserSchema = z.object({
  userid: z.string().min(1),
  unionid: z.string().min(1),
  name: z.string(),
  mobile: z.string().optional(),
  state_code: z.string().optional(),
  email: z.string().optional(),
  title: z.string().optional(),
  dept_id_list: z.array(z.number().int()),
  /** Whether the member leads the department being listed. */
  leader: z.boolean().optional(),
  active: z.boolean(),
});
export type DingTalkDeptUser = z.infer<typeof DeptUserSchema>;

const DeptUsersPageSchema = z.object({
  has_more: z.boolean(),
  next_cursor: z.number().int().optional(),
  list: z.array(DeptUserSchema),
});
export type DingTalkDeptUsersPage = z.infer<typeof DeptUsersPageSchema>;

/** One cursor page (at most 100) of a department's own members, with their details. */
export async function listDepartmentUsers(
  hosts: DingTalkHosts,
  appToken: string,
  params: { deptId: number; cursor: number },
  options: CallOptions,
): Promise<DingTalkDeptUsersPage> {
  const body = { dept_id: params.deptId, cursor: params.cursor, size: DEPT_USERS_PAGE_SIZE, contain_access_limit: false, language: 'zh_CN' };
  return topapi(hosts, 'user/list', DEPT_USERS_PATH, appToken, body, DeptUsersPageSchema, options);
}

// Directory events: the one member an event names, with the listing's fields; the departments led come as a list.
const DirectoryUserSchema = DeptUserSchema.omit({ leader: true }).extend({
  leader_in_dept: z.array(z.object({ dept_id: z.number().int(), leader: z.boolean() })).optional(),
});
export type DingTalkDirectoryUser = z.infer<typeof DirectoryUserSchema>;

/** One member by userid (`topapi/v2/user/get`), or undefined when they are not in the organization (60121). */
export async function getDirectoryUser(
  hosts: DingTalkHosts,
  appToken: string,
  userid: string,
  options: CallOptions,
): Promise<DingTalkDirectoryUser | undefined> {
  try {
    return await topapi(hosts, 'user/get', ORG_USER_PATH, appToken, { userid, language: 'zh_CN' }, DirectoryUserSchema, options);
  } catch (error) {
    if (error instanceof SignInError && error.code === 'NOT_A_MEMBER') return undefined;
    throw error;
  }
}
