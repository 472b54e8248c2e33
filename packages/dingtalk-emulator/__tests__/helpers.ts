import { DEFAULT_CLIENT, type Emulator } from '../src/index';

export const REDIRECT_URI = 'http://app.test/api/dingtalk/callback';
export const { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } = DEFAULT_CLIENT;

export interface ApproveInput {
  identity?: string;
  redirect_uri?: string;
  client_id?: string;
  state?: string;
  scope?: string;
  action?: string;
  [field: string]: string | undefined;
}

/** Approves like a test without a browser would: JSON body, manual redirects. */
export async function approve(emu: Emulator, input: ApproveInput = {}, as: 'json' | 'form' = 'json'): Promise<Response> {
  const fields: Record<string, string> = {};
  const merged = { identity: 'zhangsan', redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, state: 'st-1', scope: 'openid', ...input };
  for (const [key, value] of Object.entries(merged)) if (value !== undefined) fields[key] = value;
  return fetch(`${emu.url}/oauth2/auth/approve`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': as === 'json' ? 'application/json' : 'application/x-www-form-urlencoded' },
    body: as === 'json' ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
  });
}

/** Runs the browser half of the flow and returns the auth code from the redirect. */
export async function authCode(emu: Emulator, input: ApproveInput = {}): Promise<string> {
  const res = await approve(emu, input);
  if (res.status !== 302) throw new Error(`approve answered ${res.status}: ${await res.text()}`);
  const code = new URL(res.headers.get('location') ?? '').searchParams.get('authCode');
  if (!code) throw new Error('no authCode in redirect');
  return code;
}

export function exchange(emu: Emulator, body: unknown): Promise<Response> {
  return fetch(`${emu.url}/v1.0/oauth2/userAccessToken`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function exchangeCode(emu: Emulator, code: string, overrides: Record<string, unknown> = {}): Promise<Response> {
  return exchange(emu, { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, code, grantType: 'authorization_code', ...overrides });
}

export async function accessToken(emu: Emulator, input: ApproveInput = {}): Promise<string> {
  const res = await exchangeCode(emu, await authCode(emu, input));
  const body = (await res.json()) as { accessToken: string };
  return body.accessToken;
}

export function me(emu: Emulator, token?: string): Promise<Response> {
  return fetch(`${emu.url}/v1.0/contact/users/me`, {
    headers: token === undefined ? {} : { 'x-acs-dingtalk-access-token': token },
  });
}

export function authorizeUrl(emu: Emulator, params: Record<string, string | undefined> = {}): string {
  const merged: Record<string, string | undefined> = {
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    client_id: CLIENT_ID,
    scope: 'openid',
    state: 'st-1',
    prompt: 'consent',
    ...params,
  };
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(merged)) if (value !== undefined) query.set(key, value);
  return `${emu.url}/oauth2/auth?${query}`;
}

export const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

/** `POST /v1.0/oauth2/accessToken` with the given body (default: the default app's credentials). */
export function appAccessToken(emu: Emulator, body: unknown = { appKey: CLIENT_ID, appSecret: CLIENT_SECRET }): Promise<Response> {
  return fetch(`${emu.url}/v1.0/oauth2/accessToken`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** `GET /gettoken?appkey&appsecret`; null leaves a parameter out. */
export function gettoken(emu: Emulator, appkey: string | null = CLIENT_ID, appsecret: string | null = CLIENT_SECRET): Promise<Response> {
  const query = new URLSearchParams();
  if (appkey !== null) query.set('appkey', appkey);
  if (appsecret !== null) query.set('appsecret', appsecret);
  return fetch(`${emu.url}/gettoken?${query}`);
}

/** An app token for an app, through the new endpoint. */
export async function appToken(emu: Emulator, appKey = CLIENT_ID, appSecret = CLIENT_SECRET): Promise<string> {
  const res = await appAccessToken(emu, { appKey, appSecret });
  const body = (await res.json()) as { accessToken: string };
  if (!body.accessToken) throw new Error(`no app token: ${JSON.stringify(body)}`);
  return body.accessToken;
}

/** `POST /topapi/...?access_token=` with a JSON body; `token` undefined leaves the query out. */
export function topapi(emu: Emulator, path: string, body: unknown, token?: string): Promise<Response> {
  const query = token === undefined ? '' : `?access_token=${encodeURIComponent(token)}`;
  return fetch(`${emu.url}${path}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The old API's request ids: short lower-case strings. */
export const OAPI_REQUEST_ID = /^[a-z0-9]{13}$/;
