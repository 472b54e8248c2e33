import { randomBytes, randomUUID } from 'node:crypto';
import type { AppToken, IssuedTokens } from './codes';
import { memberships, type Identity, type OrgMembership } from './identities';

/**
 * Every JSON body the emulated DingTalk API sends, in one place, so the plugin's schemas are tested against
 * one source of DingTalk's shapes. Shapes follow docs/dingtalk-api.md; the ones marked "inferred" there or here are guesses, see README.
 */

export interface DingTalkError {
  requestid: string;
  code: string;
  message: string;
  accessdenieddetail?: { requiredScopes: string[] };
}

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

/** DingTalk request ids look like upper-case UUIDs. */
export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

function error(status: number, code: string, message: string, requestid: string): ApiAnswer<DingTalkError> {
  return { status, body: { requestid, code, message } };
}

export const errors = {
  authCodeNotFound: (rid = newRequestId()) =>
    error(400, 'invalidParameter.authCode.notFound', '不合法的临时授权码', rid),
  invalidClient: (rid = newRequestId()) =>
    error(400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret', rid),
  /** Inferred: the gateway's answer to a missing field or a body that is not a JSON object. */
  missingParameter: (name: string, rid = newRequestId()) => error(400, 'MissingParameter', `缺少参数：${name}`, rid),
  /** Inferred: no source shows the refresh-token failure; modelled on the auth-code one. */
  refreshTokenNotFound: (rid = newRequestId()) =>
    error(400, 'invalidParameter.refreshToken.notFound', '不合法的refresh_token', rid),
  /** Inferred. */
  invalidGrantType: (rid = newRequestId()) => error(400, 'invalidParameter.grantType', '不支持的grantType', rid),
  missingAccessToken: (rid = newRequestId()) =>
    error(400, 'AuthenticationFailed.MissingParameter', '缺少参数：x-acs-dingtalk-access-token', rid),
  invalidAccessToken: (rid = newRequestId()) => error(400, 'InvalidAuthentication', '不合法的access_token', rid),
  forbidden: (rid = newRequestId(), requiredScopes: string[] = ['Contact.User.Read']): ApiAnswer<DingTalkError> => ({
    status: 403,
    body: {
      requestid: rid,
      code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
      message: '没有调用该接口的权限，接口权限申请参考：https://open.dingtalk.com/document/orgapp/add-api-permission',
      accessdenieddetail: { requiredScopes },
    },
  }),
  /**
   * DingTalk's new API throttles with HTTP 403 and this code (seen in several independent
   * client code bases that retry on it); a 429 can be asked for to test the generic path.
   */
  throttled: (status = 403, rid = newRequestId()) =>
    error(status, 'Forbidden.AccessDenied.QpsLimitForApi', '请求过于频繁，请稍后再试', rid),
  /** Inferred codes; the plugin should act on the status, not on these strings. */
  serverError: (status = 500, rid = newRequestId()) => {
    const byStatus: Record<number, [string, string]> = {
      502: ['BadGateway', '网关错误'],
      503: ['ServiceUnavailable', '服务暂不可用，请稍后重试'],
      504: ['GatewayTimeout', '网关超时，请稍后重试'],
    };
    const [code, message] = byStatus[status] ?? ['InternalError', '系统繁忙，请稍后重试'];
    return error(status, code, message, rid);
  },
  /**
   * `POST /v1.0/oauth2/accessToken` with a form-encoded or empty body: seen in an SDK bug report
   * ("code: 400, body is mandatory for this action", code `Missingbody`).
   */
  missingBody: (rid = newRequestId()) => error(400, 'Missingbody', 'body is mandatory for this action.', rid),
  /** Listed in DingTalk's error table for the new API; the message is inferred. */
  ipNotWhitelisted: (rid = newRequestId()) =>
    error(403, 'Forbidden.AccessDenied.IpNotInWhiteList', '访问IP不在白名单之中', rid),
  /** Inferred: the Alibaba Cloud API gateway's answer for an unknown path or method. */
  routeNotFound: (rid = newRequestId()) =>
    error(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.', rid),
};

export interface TokenResponse extends IssuedTokens {
  corpId?: string;
}

export const DEFAULT_CORP_ID = 'dingemulatorcorp';

/**
 * `corpId` is only present when the user was asked to pick an organization (scope `corpid`): the
 * organization picked (`corpId`), else the person's first one. A personal account that belongs to no
 * organization gets no `corpId` at all (inferred: DingTalk's documentation does not cover that case).
 */
export function tokenResponse(tokens: IssuedTokens, scope: string[], identity: Identity, corpId?: string): ApiAnswer<TokenResponse> {
  const body: TokenResponse = { ...tokens };
  if (scope.includes('corpid')) {
    const picked = corpId ?? memberships(identity)[0]?.corpId;
    if (picked !== undefined) body.corpId = picked;
  }
  return { status: 200, body };
}

/** `POST /v1.0/oauth2/accessToken` (docs/dingtalk-api.md §2.1). */
export function appTokenResponse(token: AppToken): ApiAnswer<{ accessToken: string; expireIn: number }> {
  return { status: 200, body: { accessToken: token.accessToken, expireIn: token.expireIn } };
}

export interface UserProfile {
  nick: string;
  avatarUrl: string;
  mobile?: string;
  stateCode?: string;
  openId: string;
  unionId: string;
  email?: string;
  visitor: boolean;
}

/**
 * The `users/me` body. Without the phone permission DingTalk omits mobile and stateCode
 * instead of failing, and omits email when the user never set one.
 */
export function profileResponse(identity: Identity, avatarUrl: string, withMobile: boolean): ApiAnswer<UserProfile> {
  const phone =
    withMobile && identity.mobile !== undefined ? { mobile: identity.mobile, stateCode: identity.stateCode } : {};
  const body: UserProfile = {
    nick: identity.nick,
    avatarUrl,
    ...phone,
    openId: identity.openId,
    unionId: identity.unionId,
    ...(identity.email !== undefined ? { email: identity.email } : {}),
    visitor: false,
  };
  return { status: 200, body };
}

// ---------------------------------------------------------------------------------------------
// The old API (`oapi` host, docs/dingtalk-api.md §2.2): always HTTP 200, `errcode` 0 or an error.
// Shapes of 88/40014, 88/40000, 40096, 40035 and 22 follow answers recorded from the real host;
// the other messages follow DingTalk's global error-code table.
// ---------------------------------------------------------------------------------------------

export interface OapiBody {
  errcode: number;
  errmsg: string;
  sub_code?: string;
  sub_msg?: string;
  request_id?: string;
  result?: unknown;
  [field: string]: unknown;
}

/** The old API's request ids are short lower-case strings (e.g. "16l4ew3d47pdp"). */
export function newOapiRequestId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(13), (byte) => alphabet[byte % alphabet.length]).join('');
}

function oapi(errcode: number, errmsg: string, extra: Partial<OapiBody> = {}): ApiAnswer<OapiBody> {
  return { status: 200, body: { errcode, errmsg, ...extra, request_id: newOapiRequestId() } };
}

/** errcode 88 wraps the real reason in `sub_code` (a string) and `sub_msg`. */
function wrapped(subCode: string, subMsg: string): ApiAnswer<OapiBody> {
  return oapi(88, `ding talk error[subcode=${subCode},submsg=${subMsg}]`, { sub_code: subCode, sub_msg: subMsg });
}

export const oapiErrors = {
  /** Unknown or expired app token: drop the cached token and fetch a new one once. */
  invalidAccessToken: () => wrapped('40014', '不合法的access_token'),
  /** No `access_token` in the query (or form body). */
  blankAccessToken: () => wrapped('40000', 'access_token is blank'),
  /** `gettoken` with a wrong appkey/appsecret; recorded without a request_id. */
  invalidAppKey: (): ApiAnswer<OapiBody> => ({ status: 200, body: { errcode: 40096, errmsg: '不合法的appKey或appSecret' } }),
  /** `gettoken` without appkey or appsecret in the query (recorded message). */
  missingAppKey: (): ApiAnswer<OapiBody> => ({ status: 200, body: { errcode: 40035, errmsg: '缺少参数 corpid or appkey' } }),
  /** A topapi call without a required body field (message inferred from the gettoken one). */
  missingParameter: (name: string) => oapi(40035, `缺少参数 ${name}`),
  invalidTmpCode: () => oapi(40078, '不存在的临时授权码'),
  userNotFound: () => oapi(60121, '找不到该用户'),
  /** Message inferred. */
  ipNotWhitelisted: (ip: string, appKey?: string) =>
    oapi(60020, `访问ip不在白名单之中,request ip=${ip}${appKey ? ` appKey(${appKey})` : ''}`),
  /** Message inferred. */
  rateLimited: () => oapi(90002, '您的服务器调用钉钉开放平台当前接口的所有请求都被暂时禁用了'),
  /** Message inferred. */
  noPermission: () => oapi(60011, '没有调用该接口的权限，接口权限申请参考：https://open.dingtalk.com/document/orgapp/add-api-permission'),
  /** -1 is "系统繁忙" in DingTalk's table; sent with a 5xx status by `server-error`. */
  systemBusy: (status = 500): ApiAnswer<OapiBody> => ({ status, body: { errcode: -1, errmsg: '系统繁忙', request_id: newOapiRequestId() } }),
  /** A topapi path that does not exist is not a 404 but errcode 22 (recorded). */
  unknownApi: (path: string) => {
    const apiName = `dingtalk.oapi.${path.replace(/^\/topapi\//, '').split('/').filter(Boolean).join('.')}`;
    return oapi(22, '不合法ApiName', { sub_msg: `不合法ApiName，ApiName = ${apiName}` });
  },
  custom: (errcode: number, errmsg?: string, subCode?: string, subMsg?: string) =>
    oapi(errcode, errmsg ?? 'emulated error', {
      ...(subCode !== undefined ? { sub_code: subCode } : {}),
      ...(subMsg !== undefined ? { sub_msg: subMsg } : {}),
    }),
};

export function oapiResult(result: unknown): ApiAnswer<OapiBody> {
  return { status: 200, body: { errcode: 0, errmsg: 'ok', result, request_id: newOapiRequestId() } };
}

/** `GET /gettoken` success; the recorded answer has no request_id. */
export function gettokenResponse(token: AppToken): ApiAnswer<OapiBody> {
  return { status: 200, body: { errcode: 0, access_token: token.accessToken, errmsg: 'ok', expires_in: token.expireIn } };
}

/** Stable per person, like a phone that stays the same: 32 hex characters derived from the unionId. */
function deviceId(identity: Identity): string {
  let hash = 0x811c9dc5;
  const out: string[] = [];
  for (let round = 0; round < 4; round += 1) {
    for (const ch of `${round}:${identity.unionId}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out.push(hash.toString(16).padStart(8, '0'));
  }
  return out.join('');
}

function sysLevel(membership: OrgMembership): number {
  // 1 main administrator, 2 sub-administrator, 100 boss, 0 anyone else (DingTalk's documentation).
  if (membership.admin) return 1;
  if (membership.boss) return 100;
  return 0;
}

export interface GetUserInfoResult {
  userid: string;
  unionid: string;
  name: string;
  device_id: string;
  sys: boolean;
  sys_level: number;
  associated_unionid: string;
}

/** `topapi/v2/user/getuserinfo` result. `associated_unionid` is only filled for dedicated accounts (专属账号). */
export function getUserInfoResult(identity: Identity, membership: OrgMembership): GetUserInfoResult {
  return {
    userid: membership.userid,
    unionid: identity.unionId,
    name: identity.nick,
    device_id: deviceId(identity),
    sys: membership.admin === true,
    sys_level: sysLevel(membership),
    associated_unionid: '',
  };
}

export interface UserGetResult {
  userid: string;
  unionid: string;
  name: string;
  avatar: string;
  state_code?: string;
  mobile?: string;
  hide_mobile: boolean;
  telephone: string;
  job_number: string;
  title: string;
  email?: string;
  org_email?: string;
  work_place: string;
  remark: string;
  dept_id_list: number[];
  dept_order_list: Array<{ dept_id: number; order: number }>;
  leader_in_dept: Array<{ dept_id: number; leader: boolean }>;
  active: boolean;
  real_authed: boolean;
  senior: boolean;
  admin: boolean;
  boss: boolean;
  exclusive_account: boolean;
}

/**
 * `topapi/v2/user/get` result. Like `users/me`, mobile/state_code are absent without the phone
 * permission (`no-mobile` fault) and email/org_email when the person has none.
 */
export function userGetResult(identity: Identity, membership: OrgMembership, avatar: string, withMobile: boolean): UserGetResult {
  const deptIds = membership.deptIds ?? [1];
  return {
    userid: membership.userid,
    unionid: identity.unionId,
    name: identity.nick,
    avatar,
    ...(withMobile && identity.mobile !== undefined ? { state_code: identity.stateCode, mobile: identity.mobile } : {}),
    hide_mobile: false,
    telephone: '',
    job_number: membership.jobNumber ?? '',
    title: membership.title ?? '',
    ...(identity.email !== undefined ? { email: identity.email } : {}),
    ...(membership.orgEmail !== undefined ? { org_email: membership.orgEmail } : {}),
    work_place: '',
    remark: '',
    dept_id_list: deptIds,
    dept_order_list: deptIds.map((dept_id, i) => ({ dept_id, order: 176294576350 + i })),
    leader_in_dept: deptIds.map((dept_id) => ({ dept_id, leader: membership.boss === true })),
    active: true,
    real_authed: true,
    senior: false,
    admin: membership.admin === true,
    boss: membership.boss === true,
    exclusive_account: false,
  };
}
