/**
 * Entry of the separate chunk `dist/client/dingtalk-jsapi.js`: DingTalk's JSAPI core with its platform bridges
 * (iOS, Android, PC, HarmonyOS) and only the API the in-app sign-in calls — not the whole package (about
 * 300 KB minified). The main bundle loads it with a script tag, and only inside the DingTalk app.
 *
 * dingtalk-jsapi reads `navigator.userAgent` (and the client's globals) when it is imported, so this must run
 * in the page, not be imported by the main bundle ahead of time.
 */
import dd from 'dingtalk-jsapi/entry/union';
import requestAuthCode from 'dingtalk-jsapi/api/union/requestAuthCode';
import { type DingTalkJsapi, JSAPI_GLOBAL } from './jsapi-contract';

const api: DingTalkJsapi = {
  platform: String(dd.env.platform),
  version: dd.env.version,
  requestAuthCode: (params) => requestAuthCode(params),
};

(window as unknown as Record<string, DingTalkJsapi>)[JSAPI_GLOBAL] = api;
