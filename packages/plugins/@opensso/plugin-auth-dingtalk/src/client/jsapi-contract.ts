/**
 * What the separate chunk `dist/client/dingtalk-jsapi.js` (built from `dingtalk-jsapi.ts`) hands the main bundle.
 * Only this file is shared by both: the main bundle never imports dingtalk-jsapi itself, so ordinary browsers do
 * not download it.
 */

/** The chunk is a plain script (not an AMD module): it leaves its API on `window` under this name. */
export const JSAPI_GLOBAL = '__openssoDingTalkJsapi';

/** The chunk's file, next to the main bundle (`dist/client/index.js`). */
export const JSAPI_FILE = 'dingtalk-jsapi.js';

/** A JSAPI failure as the DingTalk client reports it (`errorCode: '-1'` is a cancel). */
export interface JsapiFailure {
  errorCode?: string;
  errorMessage?: string;
}

export interface DingTalkJsapi {
  /**
   * Where dingtalk-jsapi found itself when the chunk ran (from the user agent and the client's globals):
   * `ios`, `android`, `pc`, `harmony`, … or `notInDingTalk`.
   */
  platform: string;
  /** The DingTalk client's version, e.g. `7.6.0`, when the user agent tells it. */
  version?: string;
  /**
   * `dd.requestAuthCode({ corpId, clientId })` (JSAPI `runtime.permission.requestAuthCodeV2`; clients ≥ 7.0.45, PC
   * ≥ 7.0.50). The legacy `dd.runtime.permission.requestAuthCode` is deliberately not in the chunk (in-app.ts).
   */
  requestAuthCode(params: { corpId: string; clientId: string }): Promise<{ code: string }>;
}
