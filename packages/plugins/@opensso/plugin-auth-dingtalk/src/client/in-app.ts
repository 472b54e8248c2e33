/**
 * Pure logic of signing in inside the DingTalk app (免登), kept free of React, the DOM and the host so it can be
 * unit-tested: whether the page is in DingTalk, which authenticator signs in by itself, which JSAPI to ask for a
 * code, the request to send, and what to tell the user when it fails. The JSAPI itself comes from a separate chunk
 * (see jsapi-contract.ts), passed in as `DingTalkJsapi`.
 */
import { AUTH_TYPE, QUERY } from '../constants';
import { ERROR_MESSAGES, type ErrorCode } from '../errors';
import { normalisePublicPath } from '../public-path';
import { JSAPI_FILE, type DingTalkJsapi, type JsapiFailure } from './jsapi-contract';
import { isRecord } from '../api-answers';
import { GENERIC_ERROR, requestFailure, type SearchInput, type Shown, shownFromError, toParams, tokenFromBody } from './landing';

/** The DingTalk client says so in its web view's user agent (iOS, Android, PC, HarmonyOS), as dingtalk-jsapi reads it. */
export function isDingTalkUserAgent(userAgent: unknown): boolean {
  return typeof userAgent === 'string' && /DingTalk/i.test(userAgent);
}

/** What the page needs to ask DingTalk's JSAPI for a code: from `authenticators:publicList`'s `options`. */
export type InAppConfig = { corpId: string; clientId: string };

/** The in-app settings of an authenticator's public options, when in-app sign-in is on and usable. */
export function inAppConfigOf(options: unknown): InAppConfig | undefined {
  if (!isRecord(options) || options.inAppSignIn !== true) return undefined;
  const corpId = typeof options.corpId === 'string' ? options.corpId.trim() : '';
  if (!corpId) return undefined;
  const clientId = typeof options.clientId === 'string' ? options.clientId.trim() : '';
  return { corpId, clientId };
}

type AuthenticatorLike = { name: string; authType: string; options?: Record<string, unknown> };

/**
 * The authenticator that signs in by itself inside DingTalk, among the sign-in page's (enabled) authenticators: the
 * first DingTalk one with in-app sign-in on. The server lets only one have it; should several ever be listed, the
 * first in the page's order wins and the others stay ordinary buttons.
 */
export function chooseInAppAuthenticator<A extends AuthenticatorLike>(authenticators: readonly A[]): A | undefined {
  return authenticators.find((item) => item.authType === AUTH_TYPE && inAppConfigOf(item.options) !== undefined);
}

/** Whether the URL carries any `dingtalk_*` parameter: a landing of the browser flow or of linking, or an error. */
export function hasLandingParams(search: SearchInput): boolean {
  const params = toParams(search);
  return Object.values(QUERY).some((key) => params.has(key));
}

/**
 * Whether this page load signs in by itself: inside DingTalk, for the chosen authenticator, not while the URL
 * reports something else (a failed attempt's `dingtalk_error` must stay on screen, not be retried), and once per
 * page load (signing out inside DingTalk lands on the sign-in page without signing straight back in).
 */
export function shouldSignInInApp(input: {
  userAgent: unknown;
  search: SearchInput;
  config: InAppConfig | undefined;
  alreadyAttempted: boolean;
}): boolean {
  return (
    input.config !== undefined &&
    !input.alreadyAttempted &&
    isDingTalkUserAgent(input.userAgent) &&
    !hasLandingParams(input.search)
  );
}

export type InAppSignInRequest = {
  url: 'auth:signIn';
  method: 'post';
  headers: { 'X-Authenticator': string };
  data: { inAppCode: string };
  skipNotify: true;
};

/** NocoBase's own sign-in with this authenticator and the JSAPI's one-time code. */
export function inAppSignInRequest(name: string, code: string): InAppSignInRequest {
  return {
    url: 'auth:signIn',
    method: 'post',
    headers: { 'X-Authenticator': name },
    data: { inAppCode: code },
    skipNotify: true,
  };
}

/**
 * The chunk's URL: next to the main bundle, with the bundle's query (`?hash=…`, which changes with each version,
 * so a cached old chunk is never used). `bundleUrl` may be relative (RequireJS's module URI); `pageUrl` resolves
 * it. Without a bundle URL, `fallbackPath` (the usual static path of the plugin) is used.
 */
export function jsapiUrl(bundleUrl: string | undefined, pageUrl: string, fallbackPath: string): string {
  if (bundleUrl) {
    try {
      const bundle = new URL(bundleUrl, pageUrl);
      const url = new URL(JSAPI_FILE, bundle);
      url.search = bundle.search;
      return url.href;
    } catch {
      // fall through to the usual path
    }
  }
  return new URL(fallbackPath, pageUrl).href;
}

/** Where NocoBase serves this plugin's browser files: `<public path>static/plugins/<package>/dist/client/`. */
export function defaultJsapiPath(publicPath: string, packageName: string): string {
  return `${normalisePublicPath(publicPath)}static/plugins/${packageName}/dist/client/${JSAPI_FILE}`;
}

/** `a` compared with `b` as dotted versions (`7.0.45`, a `-suffix` ignored): negative, 0 or positive. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split('-')[0].split('.').map((n) => parseInt(n, 10) || 0);
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The first client versions with `dd.requestAuthCode` (JSAPI `runtime.permission.requestAuthCodeV2`), as
 * dingtalk-jsapi 3.2.9 declares them (api/union/requestAuthCode.js). Older clients only have the legacy
 * `dd.runtime.permission.requestAuthCode({ corpId })`, which the plugin does not use (see requestInAppCode).
 */
export const REQUEST_AUTH_CODE_SINCE: Readonly<Record<string, string>> = {
  ios: '7.0.45',
  android: '7.0.45',
  pc: '7.0.50',
  harmony: '7.0.0',
};

/** A client that says which version it is, and is older than `dd.requestAuthCode`. */
export function isOutdatedClient(platform: string, version: string | undefined): boolean {
  const since = REQUEST_AUTH_CODE_SINCE[platform];
  return since !== undefined && typeof version === 'string' && version !== '' && compareVersions(version, since) < 0;
}

/** Why the page could not get a code from DingTalk. `outdated`: the client only has the legacy JSAPI. */
export type InAppFailureKind = 'load' | 'timeout' | 'cancel' | 'refused' | 'outdated';

export class InAppFailure extends Error {
  readonly kind: InAppFailureKind;
  readonly jsapi?: JsapiFailure;
  constructor(kind: InAppFailureKind, jsapi?: JsapiFailure) {
    super(`DingTalk in-app sign-in: ${kind}${jsapi?.errorCode !== undefined ? ` (errorCode ${jsapi.errorCode})` : ''}`);
    this.name = 'InAppFailure';
    this.kind = kind;
    this.jsapi = jsapi;
  }
}

/** Shown when the chunk with DingTalk's JSAPI could not be loaded. */
export const IN_APP_LOAD_FAILED = ERROR_MESSAGES.IN_APP_LOAD_FAILED;
/** Shown when the DingTalk client did not answer the request for a code in time. */
export const IN_APP_TIMEOUT = ERROR_MESSAGES.IN_APP_TIMEOUT;
/** Shown when the DingTalk client refused a code (e.g. the person is not in the organization, or a wrong corpId). */
export const IN_APP_REFUSED = ERROR_MESSAGES.IN_APP_REFUSED;
/** Shown on a DingTalk client older than `dd.requestAuthCode`. */
export const IN_APP_OUTDATED = ERROR_MESSAGES.IN_APP_OUTDATED;

/** The code of the closed list for a failure to get a code (what an error landing carries). */
export function codeForFailure(kind: InAppFailureKind): ErrorCode {
  switch (kind) {
    case 'load':
      return 'IN_APP_LOAD_FAILED';
    case 'timeout':
      return 'IN_APP_TIMEOUT';
    case 'cancel':
      return 'CANCELLED';
    case 'outdated':
      return 'IN_APP_OUTDATED';
    default:
      return 'IN_APP_REFUSED';
  }
}

export function messageForFailure(kind: InAppFailureKind): Shown {
  return { key: ERROR_MESSAGES[codeForFailure(kind)] };
}

function jsapiFailure(error: unknown): JsapiFailure | undefined {
  if (!isRecord(error)) return undefined;
  const out: JsapiFailure = {};
  if (error.errorCode !== undefined && error.errorCode !== null) out.errorCode = String(error.errorCode);
  if (typeof error.errorMessage === 'string') out.errorMessage = error.errorMessage.slice(0, 300);
  return out;
}

/** A JSAPI error as an InAppFailure: errorCode `-1` is the person cancelling, anything else a refusal. */
export function toInAppFailure(error: unknown): InAppFailure {
  if (error instanceof InAppFailure) return error;
  const failure = jsapiFailure(error);
  return new InAppFailure(failure?.errorCode === '-1' ? 'cancel' : 'refused', failure);
}

/** `promise`, or an InAppFailure('timeout') after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new InAppFailure('timeout')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function codeOf(result: unknown): string {
  const code = isRecord(result) ? result.code : undefined;
  if (typeof code !== 'string' || !code) throw new InAppFailure('refused');
  return code;
}

export type InAppMethod = 'requestAuthCode';

/**
 * A one-time code from the DingTalk client, with `dd.requestAuthCode({ corpId, clientId })` only: its code is
 * issued for this app (the Client ID). The legacy `dd.runtime.permission.requestAuthCode({ corpId })` names no app,
 * needs no `dd.config`, and DingTalk does not document that another app of the organization cannot redeem its code,
 * so it is never used, not even as a fallback (checklist G15): an old client is told to update DingTalk instead.
 * A client that does not say its version is asked anyway. Throws an InAppFailure.
 */
export async function requestInAppCode(
  jsapi: DingTalkJsapi,
  config: InAppConfig,
  timeoutMs: number,
): Promise<{ code: string; method: InAppMethod }> {
  // Without the Client ID no code can name the app; the server exposes it whenever in-app sign-in is on.
  if (!config.clientId) throw new InAppFailure('refused');
  if (isOutdatedClient(jsapi.platform, jsapi.version)) throw new InAppFailure('outdated');
  try {
    const result = await withTimeout(jsapi.requestAuthCode({ corpId: config.corpId, clientId: config.clientId }), timeoutMs);
    return { code: codeOf(result), method: 'requestAuthCode' };
  } catch (error) {
    throw toInAppFailure(error);
  }
}

/** Names of the `performance` marks of an attempt, measured from the page's navigation start. */
export const IN_APP_MARKS = {
  /** The list of authenticators asked as the plugin's bundle ran (in-app-early.ts). */
  listAsked: 'dingtalk-in-app:list-asked-early',
  /** The page load's attempt began: before the list of authenticators is asked. */
  landing: 'dingtalk-in-app:landing',
  start: 'dingtalk-in-app:start',
  jsapi: 'dingtalk-in-app:jsapi-ready',
  code: 'dingtalk-in-app:code',
  signedIn: 'dingtalk-in-app:signed-in',
  /** The host's first request that had to wait for the attempt (request-gate.ts). */
  held: 'dingtalk-in-app:host-waiting',
} as const;

export interface InAppDeps {
  /** The JSAPI chunk (loaded once per page). Rejects with an InAppFailure('load') when it cannot be loaded. */
  loadJsapi(): Promise<DingTalkJsapi>;
  /** Sends the request through the host's API client; resolves to the answer's body, rejects with its error. */
  send(request: InAppSignInRequest): Promise<unknown>;
  mark?(name: string): void;
  /** How long the DingTalk client may take to give a code. */
  timeoutMs?: number;
}

export type InAppResult =
  | { kind: 'signed-in'; token: string; method: InAppMethod }
  /** dingtalk-jsapi does not find a DingTalk client after all: the page stays an ordinary sign-in page. */
  | { kind: 'not-in-dingtalk' }
  /** `code` and `detail`: the failure as an error landing carries it (none for a server answer without our code). */
  | { kind: 'failed'; shown: Shown; failure?: InAppFailure; code?: ErrorCode; detail?: string };

export const DEFAULT_CODE_TIMEOUT_MS = 15_000;

/** The whole attempt: the JSAPI, a code, NocoBase's sign-in. Never throws. */
export async function runInAppSignIn(name: string, config: InAppConfig, deps: InAppDeps): Promise<InAppResult> {
  const mark = (key: keyof typeof IN_APP_MARKS) => deps.mark?.(IN_APP_MARKS[key]);
  mark('start');
  let jsapi: DingTalkJsapi;
  let code: string;
  let method: InAppMethod;
  try {
    jsapi = await deps.loadJsapi();
  } catch (error) {
    const failure = error instanceof InAppFailure ? error : new InAppFailure('load');
    return { kind: 'failed', shown: messageForFailure(failure.kind), failure, code: codeForFailure(failure.kind) };
  }
  mark('jsapi');
  if (jsapi.platform === 'notInDingTalk') return { kind: 'not-in-dingtalk' };
  try {
    ({ code, method } = await requestInAppCode(jsapi, config, deps.timeoutMs ?? DEFAULT_CODE_TIMEOUT_MS));
  } catch (error) {
    const failure = toInAppFailure(error);
    return { kind: 'failed', shown: messageForFailure(failure.kind), failure, code: codeForFailure(failure.kind) };
  }
  mark('code');
  try {
    const token = tokenFromBody(await deps.send(inAppSignInRequest(name, code)));
    if (!token) return { kind: 'failed', shown: { key: GENERIC_ERROR } };
    mark('signedIn');
    return { kind: 'signed-in', token, method };
  } catch (error) {
    const { code, detail } = requestFailure(error);
    return { kind: 'failed', shown: shownFromError(error), ...(code ? { code } : {}), ...(detail ? { detail } : {}) };
  }
}
