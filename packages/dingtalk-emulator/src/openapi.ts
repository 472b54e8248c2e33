import { findClient, safeEqual } from './authorize';
import { shortHash } from './codes';
import { answer, playFault } from './fault-play';
import { parseJsonObject, readBody } from './http';
import { appTokenResponse, errors, profileResponse, tokenResponse } from './responses';
import type { RequestContext } from './state';

export const TOKEN_PATH = '/v1.0/oauth2/userAccessToken';
export const APP_TOKEN_PATH = '/v1.0/oauth2/accessToken';
export const ME_PATH = '/v1.0/contact/users/me';
export const ACCESS_TOKEN_HEADER = 'x-acs-dingtalk-access-token';

function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

async function readJsonObject(ctx: RequestContext): Promise<Record<string, unknown> | undefined> {
  return parseJsonObject(await readBody(ctx.req));
}

export async function handleUserAccessToken(ctx: RequestContext): Promise<void> {
  // The body is read before any fault plays, so the log can say what the plugin sent either way.
  const body = await readJsonObject(ctx);
  const clientId = body && stringField(body, 'clientId');
  const clientSecret = body && stringField(body, 'clientSecret');
  const grantType = body && stringField(body, 'grantType');
  const code = body && stringField(body, 'code');
  const refreshToken = body && stringField(body, 'refreshToken');
  ctx.entry.clientId = clientId;
  ctx.entry.clientSecretPresent = clientSecret !== undefined;
  ctx.entry.grantType = grantType;
  if (code) ctx.entry.codeHash = shortHash(code);
  if (refreshToken) ctx.entry.tokenHash = shortHash(refreshToken);

  if (!(await playFault(ctx, 'userAccessToken'))) return;

  if (!body) return answer(ctx, errors.missingParameter('request body (JSON object)'));
  if (!clientId) return answer(ctx, errors.missingParameter('clientId'));
  if (!clientSecret) return answer(ctx, errors.missingParameter('clientSecret'));
  const client = findClient(ctx.state, clientId);
  if (!client || !safeEqual(client.clientSecret, clientSecret)) return answer(ctx, errors.invalidClient());
  if (!grantType) return answer(ctx, errors.missingParameter('grantType'));

  if (grantType === 'authorization_code') {
    if (!code) return answer(ctx, errors.missingParameter('code'));
    const grant = ctx.state.codes.take(code, client.clientId);
    if (!grant) return answer(ctx, errors.authCodeNotFound());
    ctx.entry.identity = grant.identity.id;
    ctx.entry.corpId = grant.corpId;
    return answer(ctx, tokenResponse(ctx.state.tokens.issue(grant), grant.scope, grant.identity, grant.corpId));
  }
  if (grantType === 'refresh_token') {
    if (!refreshToken) return answer(ctx, errors.missingParameter('refreshToken'));
    const renewed = ctx.state.tokens.renew(refreshToken, client.clientId);
    if (!renewed) return answer(ctx, errors.refreshTokenNotFound());
    ctx.entry.identity = renewed.grant.identity.id;
    ctx.entry.corpId = renewed.grant.corpId;
    return answer(ctx, tokenResponse(renewed.tokens, renewed.grant.scope, renewed.grant.identity, renewed.grant.corpId));
  }
  return answer(ctx, errors.invalidGrantType());
}

export async function handleMe(ctx: RequestContext): Promise<void> {
  const header = ctx.req.headers[ACCESS_TOKEN_HEADER];
  const token = Array.isArray(header) ? header[0] : header;
  if (token) ctx.entry.tokenHash = shortHash(token);

  const options = await playFault(ctx, 'me');
  if (!options) return;

  if (!token) return answer(ctx, errors.missingAccessToken());
  const grant = ctx.state.tokens.lookup(token);
  if (!grant) return answer(ctx, errors.invalidAccessToken());
  ctx.entry.identity = grant.identity.id;
  const avatarUrl =
    grant.identity.avatarUrl ?? `${ctx.state.baseUrl()}/__emulator/avatar/${encodeURIComponent(grant.identity.id)}.svg`;
  return answer(ctx, profileResponse(grant.identity, avatarUrl, !options.noMobile));
}

/**
 * `POST /v1.0/oauth2/accessToken` {appKey, appSecret}: the app (enterprise internal app) token,
 * docs/dingtalk-api.md §2.1. The same token as `GET /gettoken` for the same app.
 */
export async function handleAppAccessToken(ctx: RequestContext): Promise<void> {
  const body = await readJsonObject(ctx);
  const appKey = body && stringField(body, 'appKey');
  const appSecret = body && stringField(body, 'appSecret');
  ctx.entry.clientId = appKey;
  ctx.entry.clientSecretPresent = appSecret !== undefined;

  if (!(await playFault(ctx, 'appAccessToken'))) return;

  if (!body) return answer(ctx, errors.missingBody());
  if (!appKey) return answer(ctx, errors.missingParameter('appKey'));
  if (!appSecret) return answer(ctx, errors.missingParameter('appSecret'));
  const client = findClient(ctx.state, appKey);
  if (!client || !safeEqual(client.clientSecret, appSecret)) return answer(ctx, errors.invalidClient());
  const token = ctx.state.appTokens.issue(client.clientId);
  ctx.entry.tokenHash = shortHash(token.accessToken);
  ctx.entry.corpId = ctx.state.clients.find((candidate) => candidate.clientId === client.clientId)?.corpId;
  return answer(ctx, appTokenResponse(token));
}
