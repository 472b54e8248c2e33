import { randomUUID } from 'node:crypto';
import type { IssuedTokens } from './codes';
import type { Identity } from './identities';

/**
 * Every JSON body the emulated DingTalk API sends, in one place (STYLE.md item 13). Shapes follow
 * /work/shared/dingtalk-api.md; the ones marked "inferred" there or here are guesses, see README.
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
  forbidden: (rid = newRequestId()): ApiAnswer<DingTalkError> => ({
    status: 403,
    body: {
      requestid: rid,
      code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
      message: '没有调用该接口的权限，接口权限申请参考：https://open.dingtalk.com/document/orgapp/add-api-permission',
      accessdenieddetail: { requiredScopes: ['Contact.User.Read'] },
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
  /** Inferred: the Alibaba Cloud API gateway's answer for an unknown path or method. */
  routeNotFound: (rid = newRequestId()) =>
    error(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.', rid),
};

export interface TokenResponse extends IssuedTokens {
  corpId?: string;
}

export const DEFAULT_CORP_ID = 'dingemulatorcorp';

export function tokenResponse(tokens: IssuedTokens, scope: string[], identity: Identity): ApiAnswer<TokenResponse> {
  const body: TokenResponse = { ...tokens };
  // corpId is only present when the user was asked to pick an organization (scope `corpid`).
  if (scope.includes('corpid')) body.corpId = identity.corpId ?? DEFAULT_CORP_ID;
  return { status: 200, body };
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
