/**
 * The old API host (`DINGTALK_OAPI_URL`, docs/dingtalk-api.md §2): `GET /gettoken` and the topapi
 * endpoints an enterprise internal app uses for in-client sign-in and the directory. Every answer
 * is HTTP 200; `errcode` says whether it worked. The app token goes in the query (`?access_token=`);
 * like DingTalk, a token in a form-encoded body is read too, and the new API's header is not.
 */
import { findClient, safeEqual } from './authorize';
import { shortHash } from './codes';
import type { ApiEndpoint } from './faults';
import { answer, playFault } from './fault-play';
import { parseJsonObject, readBody } from './http';
import { directoryUserGet } from './directory-store';
import { memberByUnionId, memberByUserid } from './organizations';
import {
  getUserInfoResult,
  gettokenResponse,
  oapiErrors,
  oapiResult,
  userGetResult,
} from './responses';
import type { EmulatorState, RequestContext } from './state';

export const GETTOKEN_PATH = '/gettoken';
export const GETUSERINFO_PATH = '/topapi/v2/user/getuserinfo';
export const GETBYUNIONID_PATH = '/topapi/user/getbyunionid';
export const USER_GET_PATH = '/topapi/v2/user/get';
export const TOPAPI_PREFIX = '/topapi/';

export async function handleGettoken(ctx: RequestContext): Promise<void> {
  const appKey = ctx.url.searchParams.get('appkey') || undefined;
  const appSecret = ctx.url.searchParams.get('appsecret') || undefined;
  ctx.entry.clientId = appKey;
  ctx.entry.clientSecretPresent = appSecret !== undefined;

  if (!(await playFault(ctx, 'gettoken'))) return;

  if (!appKey || !appSecret) return answer(ctx, oapiErrors.missingAppKey());
  const client = findClient(ctx.state, appKey);
  if (!client || !safeEqual(client.clientSecret, appSecret)) return answer(ctx, oapiErrors.invalidAppKey());
  const token = ctx.state.appTokens.issue(client.clientId);
  ctx.entry.tokenHash = shortHash(token.accessToken);
  ctx.entry.corpId = client.corpId;
  return answer(ctx, gettokenResponse(token));
}

/** Body fields as strings, from JSON (DingTalk's examples) or a form post (the old SDKs); anything else is empty. */
async function readTopapiFields(ctx: RequestContext): Promise<Record<string, string>> {
  const raw = await readBody(ctx.req);
  const type = (ctx.req.headers['content-type'] ?? '').toLowerCase();
  const fields: Record<string, string> = {};
  if (type.includes('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(raw)) fields[key] = value;
    return fields;
  }
  const parsed = parseJsonObject(raw);
  if (!parsed) return fields;
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = String(value);
  }
  return fields;
}

export type App = EmulatorState['clients'][number];

/**
 * The common part of every topapi call: read the body, note who is calling, play a fault, then check
 * the app token (errcode 88) before handing over to the endpoint with the app and the body fields.
 */
export type TopapiHandler = (ctx: RequestContext, app: App, fields: Record<string, string>, options: { noMobile: boolean }) => void;

export function topapi(endpoint: ApiEndpoint, handle: TopapiHandler) {
  return async (ctx: RequestContext): Promise<void> => {
    const fields = await readTopapiFields(ctx);
    const token = ctx.url.searchParams.get('access_token') || fields.access_token || undefined;
    // Looked up before the fault so the log (and an ip-whitelist answer) can name the app either way.
    const clientId = token ? ctx.state.appTokens.lookup(token) : undefined;
    const app = clientId ? ctx.state.clients.find((client) => client.clientId === clientId) : undefined;
    if (token) ctx.entry.tokenHash = shortHash(token);
    ctx.entry.clientId = app?.clientId;
    ctx.entry.corpId = app?.corpId;
    if (fields.code) ctx.entry.codeHash = shortHash(fields.code);

    const options = await playFault(ctx, endpoint);
    if (!options) return;

    if (!token) return answer(ctx, oapiErrors.blankAccessToken());
    if (!app) return answer(ctx, oapiErrors.invalidAccessToken());
    return handle(ctx, app, fields, options);
  };
}

function avatarOf(ctx: RequestContext, identity: { id: string; avatarUrl?: string }): string {
  return identity.avatarUrl ?? `${ctx.state.baseUrl()}/__emulator/avatar/${encodeURIComponent(identity.id)}.svg`;
}

/** `POST /topapi/v2/user/getuserinfo` {code}: who opened the page inside DingTalk (免登, §2.3/§2.4). */
export const handleGetUserInfo = topapi('getuserinfo', (ctx, app, fields) => {
  if (!fields.code) return answer(ctx, oapiErrors.missingParameter('code'));
  const grant = ctx.state.inClientCodes.take(fields.code, app.corpId, app.clientId);
  if (!grant) return answer(ctx, oapiErrors.invalidTmpCode());
  // The person may have been removed from the organization since the code was minted.
  const member = memberByUnionId(ctx.state, grant.corpId, grant.identity.unionId);
  if (!member) return answer(ctx, oapiErrors.userNotFound());
  ctx.entry.identity = member.identity.id;
  ctx.entry.userid = member.membership.userid;
  return answer(ctx, oapiResult(getUserInfoResult(member.identity, member.membership)));
});

/** `POST /topapi/user/getbyunionid` {unionid}: the person's userid in the app's organization. */
export const handleGetByUnionId = topapi('getbyunionid', (ctx, app, fields) => {
  if (!fields.unionid) return answer(ctx, oapiErrors.missingParameter('unionid'));
  const member = memberByUnionId(ctx.state, app.corpId, fields.unionid);
  if (!member) return answer(ctx, oapiErrors.userNotFound());
  ctx.entry.identity = member.identity.id;
  ctx.entry.userid = member.membership.userid;
  // contact_type 0: a member of the organization (1 would be an external contact, not emulated).
  return answer(ctx, oapiResult({ contact_type: 0, userid: member.membership.userid }));
});

/** `POST /topapi/v2/user/get` {userid, language}: one member of the app's organization. */
export const handleUserGet = topapi('userGet', (ctx, app, fields, options) => {
  if (!fields.userid) return answer(ctx, oapiErrors.missingParameter('userid'));
  ctx.entry.userid = fields.userid;
  // An organization whose directory a test has read or changed answers from it (members added, changed, gone).
  const fromDirectory = directoryUserGet(ctx.state, app.corpId, fields.userid, !options.noMobile);
  if (fromDirectory === null) return answer(ctx, oapiErrors.userNotFound());
  if (fromDirectory) return answer(ctx, oapiResult(fromDirectory));
  const member = memberByUserid(ctx.state, app.corpId, fields.userid);
  if (!member) return answer(ctx, oapiErrors.userNotFound());
  ctx.entry.identity = member.identity.id;
  return answer(ctx, oapiResult(userGetResult(member.identity, member.membership, avatarOf(ctx, member.identity), !options.noMobile)));
});

/** Any other `/topapi/…` path: DingTalk answers errcode 22 (an unknown ApiName), not a 404. */
export function handleUnknownTopapi(ctx: RequestContext): void {
  answer(ctx, oapiErrors.unknownApi(ctx.url.pathname));
}
