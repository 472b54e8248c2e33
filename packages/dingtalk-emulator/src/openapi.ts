import { findClient, safeEqual } from './authorize';
import { shortHash } from './codes';
import type { Fault } from './faults';
import { readBody, sendJson, sendText } from './http';
import { errors, profileResponse, tokenResponse, type ApiAnswer } from './responses';
import type { RequestContext } from './state';

export const TOKEN_PATH = '/v1.0/oauth2/userAccessToken';
export const ME_PATH = '/v1.0/contact/users/me';
export const ACCESS_TOKEN_HEADER = 'x-acs-dingtalk-access-token';

function answer(ctx: RequestContext, result: ApiAnswer): void {
  const body = result.body as { code?: unknown };
  if (result.status >= 400 && typeof body?.code === 'string') ctx.entry.errorCode = body.code;
  sendJson(ctx.res, result.status, result.body);
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
function badJsonBody(fault: Fault, endpoint: 'userAccessToken' | 'me'): unknown {
  const variant = fault.variant ?? 'missing-field';
  if (endpoint === 'userAccessToken') {
    if (variant === 'array') return [{ accessToken: 'x', expireIn: 7200 }];
    if (variant === 'wrong-types') return { accessToken: 12345, refreshToken: null, expireIn: '7200' };
    return { refreshToken: 'emulator-refresh-token', expireIn: 7200 };
  }
  if (variant === 'array') return [{ nick: '张三', unionId: 'emuUnionZhangsan0001iE' }];
  if (variant === 'wrong-types') {
    return { nick: 42, avatarUrl: false, mobile: 13800000001, stateCode: 86, openId: null, unionId: 12345, visitor: 'no' };
  }
  return { nick: '张三', avatarUrl: '', openId: 'emuOpenZhangsan0001iE', visitor: false };
}

/**
 * Plays the active fault for this endpoint. Returns options for the normal answer when the
 * request should go on (`slow`, `no-mobile`), or null when the fault already dealt with it.
 * Faults answer before the request is processed, so a failed exchange leaves the code unused.
 */
async function playFault(ctx: RequestContext, endpoint: 'userAccessToken' | 'me'): Promise<{ noMobile: boolean } | null> {
  const fault = ctx.state.faults.take(endpoint);
  if (!fault) return { noMobile: false };
  ctx.entry.fault = fault.mode;
  await delay(ctx, fault.delayMs ?? (fault.mode === 'slow' ? 5000 : 0));
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
      answer(ctx, errors.forbidden());
      return null;
    case 'server-error':
      answer(ctx, errors.serverError(fault.status ?? 500));
      return null;
    case 'rate-limit':
      answer(ctx, errors.throttled(fault.status ?? 403));
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

function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export async function handleUserAccessToken(ctx: RequestContext): Promise<void> {
  // The body is read before any fault plays, so the log can say what the plugin sent either way.
  const raw = await readBody(ctx.req);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const body = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
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
    return answer(ctx, tokenResponse(ctx.state.tokens.issue(grant), grant.scope, grant.identity));
  }
  if (grantType === 'refresh_token') {
    if (!refreshToken) return answer(ctx, errors.missingParameter('refreshToken'));
    const renewed = ctx.state.tokens.renew(refreshToken, client.clientId);
    if (!renewed) return answer(ctx, errors.refreshTokenNotFound());
    ctx.entry.identity = renewed.grant.identity.id;
    return answer(ctx, tokenResponse(renewed.tokens, renewed.grant.scope, renewed.grant.identity));
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
