/**
 * In-client sign-in (免登, docs/dingtalk-api.md §2.4): minting one-time in-client codes, and the script a
 * browser test injects so a page behaves as if it were opened inside the DingTalk client.
 *
 * The script emulates the DingTalk client's native side of the real `dingtalk-jsapi` transport, not
 * a look-alike `dd` object: on iOS the client injects `window.WebViewJavascriptBridge` (and the npm
 * package calls `callHandler(method, params, callback)`), on Android `window.nuva.require()` returns
 * a function `(success, fail, service, action, params)`. The package picks the platform from the
 * user agent (`DingTalk/x.y.z` plus iPhone or Android), so the script also makes the page's
 * `navigator.userAgent` say so. The PC client frames the page: its transport (frame-talk-client-pc) posts
 * requests to the top frame, which must be on a `*.dingtalk.com` origin, so the emulator serves that host page
 * itself (`PC_CLIENT_PATH`, reached under a `*.dingtalk.com` name mapped to the emulator) and the same script,
 * loaded there with `platform=pc`, answers the frame's messages.
 */
import { membershipIn, memberships } from './identities';
import { findPerson } from './organizations';
import type { EmulatorState } from './state';

export const JSAPI_CODE_PATH = '/__emulator/jsapi/code';
export const JSAPI_BRIDGE_PATH = '/__emulator/jsapi-bridge.js';

/** What the DingTalk client's web view reports (version ≥ 7.0.45, so `dd.requestAuthCode` is available too). */
export const DINGTALK_CLIENT_VERSION = '7.6.0';
export const DINGTALK_IOS_USER_AGENT = `Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 AliApp(DingTalk/${DINGTALK_CLIENT_VERSION}) com.laiwang.DingTalk/34567890 Channel/201200 language/zh-Hans-CN UT4Aplus/0.0.6 WK`;
export const DINGTALK_ANDROID_USER_AGENT = `Mozilla/5.0 (Linux; U; Android 13; zh-CN; Emulator Build/TQ3A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.0.0 Mobile Safari/537.36 AliApp(DingTalk/${DINGTALK_CLIENT_VERSION}) com.alibaba.android.rimet/34567890 Channel/227200 language/zh-CN abi/64 UT4Aplus/0.2.25 colorScheme/light`;
/**
 * The Windows client's web view: `DingTalk(x.y.z)`, no phone OS, so dingtalk-jsapi settles on `pc` only when the
 * frame's name carries the host's containerId (lib/env.js); the version it uses is the name's `hostVersion`.
 */
export const DINGTALK_PC_USER_AGENT = `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 DingTalk(${DINGTALK_CLIENT_VERSION}) nw Channel/201200 language/zh-CN`;

export type DingTalkPlatform = 'ios' | 'android' | 'pc';

/** One client's user agent at another version (an old client, for the version checks of a page). */
export function dingTalkUserAgent(platform: DingTalkPlatform, version: string = DINGTALK_CLIENT_VERSION): string {
  const agent = { ios: DINGTALK_IOS_USER_AGENT, android: DINGTALK_ANDROID_USER_AGENT, pc: DINGTALK_PC_USER_AGENT }[platform];
  return agent.split(DINGTALK_CLIENT_VERSION).join(version);
}

/** The emulated PC client's host page, which frames the page under test (`?app=<its URL>`). */
export const PC_CLIENT_PATH = '/__emulator/pc-client';
/** The container the host page names in the frame's name; the page's requests must carry it. */
export const PC_CONTAINER_ID = 'emulator-pc-container';

export class JsapiError extends Error {
  override name = 'JsapiError';
}

export interface MintRequest {
  /** The person's `id` handle. */
  identity: string;
  /** The organization the page asked for; default the person's first organization. */
  corpId?: string;
  /** Binds the code to one app (as `dd.requestAuthCode({ clientId })` does); any app of the organization otherwise. */
  clientId?: string;
}

export interface MintedCode {
  code: string;
  identity: string;
  corpId: string;
  userid: string;
  /** Seconds the code stays valid. */
  expiresIn: number;
}

/**
 * What the DingTalk client does when a page inside it calls requestAuthCode: a one-time code for the
 * signed-in person in that organization. Refuses a person who does not belong to it (a personal
 * account belongs to none).
 */
export function mintInClientCode(state: EmulatorState, request: MintRequest): MintedCode {
  if (typeof request.identity !== 'string' || request.identity === '') throw new JsapiError('"identity" (an identity id) is required');
  const identity = findPerson(state, request.identity);
  if (!identity) throw new JsapiError(`unknown identity "${request.identity}"`);
  if (request.corpId !== undefined && (typeof request.corpId !== 'string' || request.corpId === '')) {
    throw new JsapiError('"corpId" must be a non-empty string');
  }
  const corpId = request.corpId ?? memberships(identity)[0]?.corpId;
  if (corpId === undefined) throw new JsapiError(`${identity.id} is a personal account and belongs to no organization`);
  const membership = membershipIn(identity, corpId);
  if (!membership) throw new JsapiError(`${identity.id} is not a member of organization "${corpId}"`);
  if (request.clientId !== undefined) {
    if (typeof request.clientId !== 'string' || !state.clients.some((client) => client.clientId === request.clientId)) {
      throw new JsapiError(`unknown clientId "${String(request.clientId)}"`);
    }
  }
  const code = state.inClientCodes.issue({ identity, corpId, userid: membership.userid, clientId: request.clientId });
  return { code, identity: identity.id, corpId, userid: membership.userid, expiresIn: Math.round(state.inClientCodes.ttlMs / 1000) };
}

/** Defaults baked into the served script from its query string; `window.__DINGTALK_EMULATOR__` wins over them. */
export interface BridgeDefaults {
  identity?: string;
  corpId?: string;
  clientId?: string;
  platform?: string;
  dd?: boolean;
  /** The client version the PC host page reports (`hostVersion`); phones report their user agent's. */
  version?: string;
}

/**
 * The bridge script. Plain ES2017 so it runs as an init script before any page code; everything it
 * needs is baked in or read from `window.__DINGTALK_EMULATOR__` at call time.
 */
export function renderJsapiBridge(baseUrl: string, defaults: BridgeDefaults): string {
  const baked = JSON.stringify({ url: baseUrl, ...defaults });
  const agents = JSON.stringify({ ios: DINGTALK_IOS_USER_AGENT, android: DINGTALK_ANDROID_USER_AGENT });
  return `/* DingTalk emulator: in-client JSAPI bridge (for tests only; not DingTalk's code). */
(function () {
  'use strict';
  if (window.__DINGTALK_EMULATOR_BRIDGE__) return;
  var BAKED = ${baked};
  var AGENTS = ${agents};
  var VERSION = ${JSON.stringify(DINGTALK_CLIENT_VERSION)};
  function config() {
    var user = window.__DINGTALK_EMULATOR__;
    var out = {};
    var key;
    for (key in BAKED) out[key] = BAKED[key];
    if (user && typeof user === 'object') for (key in user) if (user[key] !== undefined) out[key] = user[key];
    return out;
  }
  var initial = config();
  var realAgent = navigator.userAgent || '';
  // The PC host page is the client itself, not the page under test: its own user agent stays as it is.
  var platform = initial.platform === 'pc'
    ? 'pc'
    : /DingTalk/i.test(realAgent)
      ? (/Android/i.test(realAgent) ? 'android' : 'ios')
      : (initial.platform === 'android' ? 'android' : 'ios');
  var agent = platform === 'pc' || /DingTalk/i.test(realAgent) ? realAgent : AGENTS[platform];
  var agentVersion = /AliApp\\(DingTalk\\/([a-zA-Z0-9.-]+)\\)/.exec(agent) || /DingTalk\\(([a-zA-Z0-9.-]+)\\)/.exec(agent);
  if (platform === 'pc' && initial.version) VERSION = String(initial.version);
  else if (agentVersion) VERSION = agentVersion[1];
  if (agent !== realAgent) {
    try {
      Object.defineProperty(navigator, 'userAgent', { configurable: true, get: function () { return agent; } });
    } catch (e) {
      try { Object.defineProperty(Navigator.prototype, 'userAgent', { configurable: true, get: function () { return agent; } }); } catch (e2) { /* left as is */ }
    }
  }
  // The calls made in this tab, kept across its page loads (a page may reload itself after a failed attempt), so a
  // test reads every call the tab made.
  var CALLS_KEY = '__dingtalk_emulator_bridge_calls__';
  var calls = [];
  try { calls = JSON.parse(window.sessionStorage.getItem(CALLS_KEY) || '[]'); } catch (e) { calls = []; }
  function saveCalls() {
    try { window.sessionStorage.setItem(CALLS_KEY, JSON.stringify(calls)); } catch (e) { /* storage unavailable: this page's calls only */ }
  }

  function plain(params) {
    var out = {};
    if (!params || typeof params !== 'object') return out;
    for (var key in params) if (typeof params[key] !== 'function') out[key] = params[key];
    return out;
  }
  function failure(errorCode, errorMessage) {
    return { errorCode: String(errorCode), errorMessage: String(errorMessage) };
  }
  // What the client does for requestAuthCode: a one-time code for the configured person in the
  // organization the page asked for (the configured corpId only when the page gave none).
  function requestAuthCode(params) {
    var cfg = config();
    if (cfg.fail) {
      var f = typeof cfg.fail === 'object' ? cfg.fail : {};
      return Promise.reject(failure(f.errorCode === undefined ? '3' : f.errorCode, f.errorMessage || 'emulated failure'));
    }
    if (cfg.code) return Promise.resolve({ code: String(cfg.code) });
    if (!cfg.identity) return Promise.reject(failure('3', 'DingTalk emulator bridge: no identity configured (window.__DINGTALK_EMULATOR__.identity)'));
    var body = { identity: cfg.identity, corpId: params.corpId || cfg.corpId || undefined, clientId: params.clientId || cfg.clientId || undefined };
    return fetch(String(cfg.url || BAKED.url) + '${JSAPI_CODE_PATH}', {
      method: 'POST',
      // text/plain keeps this a simple cross-origin request (no preflight); the emulator reads it as JSON.
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify(body),
    }).then(function (res) {
      return res.json().then(function (answer) {
        if (res.ok && answer && answer.code) return { code: answer.code };
        throw failure('3', (answer && answer.error) || ('HTTP ' + res.status));
      });
    }, function (err) {
      throw failure('3', 'DingTalk emulator unreachable: ' + (err && err.message ? err.message : err));
    });
  }
  var METHODS = {
    'runtime.permission.requestAuthCode': requestAuthCode,
    'runtime.permission.requestAuthCodeV2': requestAuthCode,
    // dd.config() authenticates the page's JSAPI list; nothing to check here.
    'runtime.permission.requestJsApis': function () { return Promise.resolve({}); },
  };
  function invoke(method, params) {
    var record = { method: method, params: plain(params) };
    calls.push(record);
    saveCalls();
    var run = METHODS[method];
    var result = run
      ? run(record.params)
      : Promise.reject(failure('1', 'DingTalk emulator bridge: ' + method + ' is not emulated'));
    return result.then(function (value) {
      record.result = value;
      saveCalls();
      return value;
    }, function (error) {
      record.error = error;
      saveCalls();
      throw error;
    });
  }

  if (platform === 'pc') {
    // dingtalk-jsapi lib/packages/frame-talk-client-pc: the framed page posts { type: 'request', msgId, containerId,
    // methodName, body } to the top frame with the host's origin as target, and accepts only messages from that
    // origin: { type: 'response', msgId, success, body }.
    var CONTAINER = ${JSON.stringify(PC_CONTAINER_ID)};
    window.addEventListener('message', function (event) {
      var data = event.data;
      if (!data || typeof data !== 'object' || data.type !== 'request' || !data.msgId || !event.source) return;
      var source = event.source;
      var origin = event.origin;
      var respond = function (success, body) {
        source.postMessage({ type: 'response', success: success, body: body, msgId: data.msgId }, origin);
      };
      if (data.containerId !== CONTAINER) {
        respond(false, failure('1', 'DingTalk emulator bridge: unknown containerId'));
        return;
      }
      invoke(String(data.methodName), data.body).then(function (result) { respond(true, result); }, function (error) { respond(false, error); });
    });
  } else if (platform === 'ios') {
    // dingtalk-jsapi lib/bridge/h5Ios: callHandler(method, params, cb), cb({ errorCode: '0', result }) or an error
    // object (errorCode '-1' is a cancel).
    window.WebViewJavascriptBridge = {
      init: function () {},
      registerHandler: function () {},
      callHandler: function (method, params, callback) {
        invoke(method, params).then(function (result) {
          if (typeof callback === 'function') callback({ errorCode: '0', result: result });
        }, function (error) {
          if (typeof callback === 'function') callback(error);
        });
      },
    };
  } else {
    // dingtalk-jsapi lib/bridge/h5Android: nuva.require() returns (success, fail, service, action, params).
    var androidBridge = function (success, fail, service, action, params) {
      invoke(service + '.' + action, params).then(success, fail);
    };
    window.nuva = { isReady: true, require: function () { return androidBridge; } };
  }

  function withCallbacks(method, params) {
    var p = params || {};
    var pending = invoke(method, p);
    pending.then(function (r) { if (typeof p.onSuccess === 'function') p.onSuccess(r); },
      function (e) { if (typeof p.onFail === 'function') p.onFail(e); });
    return pending;
  }
  // Opt-in (dd: true): a window.dd for pages that load DingTalk's script from its CDN, which a test cannot reach.
  if (initial.dd && !window.dd) {
    window.dd = {
      env: { platform: platform, version: VERSION, appType: 'WEB', language: 'zh_CN' },
      ready: function (cb) { Promise.resolve().then(cb); },
      error: function () {},
      config: function () {},
      requestAuthCode: function (params) { return withCallbacks('runtime.permission.requestAuthCodeV2', params); },
      runtime: { permission: { requestAuthCode: function (params) { return withCallbacks('runtime.permission.requestAuthCode', params); } } },
    };
  }
  window.__DINGTALK_EMULATOR_BRIDGE__ = { platform: platform, userAgent: agent, version: VERSION, calls: calls };
})();
`;
}

/** What the host page names its frame: read by dingtalk-jsapi's environment check and its PC transport. */
export function pcFrameName(hostOrigin: string, version: string): string {
  return JSON.stringify({ hostOrigin, containerId: PC_CONTAINER_ID, hostVersion: version, language: 'zh_CN' });
}

/**
 * The PC client's host page: the frame with the page under test, and the bridge answering its messages. It only
 * works as the client does when reached under a `*.dingtalk.com` name (the transport ignores any other host);
 * `hostOrigin` is that name as the browser sent it.
 */
export function renderPcClientPage(hostOrigin: string, appUrl: string, defaults: BridgeDefaults): string {
  const version = defaults.version ?? DINGTALK_CLIENT_VERSION;
  const query = new URLSearchParams({ platform: 'pc', version });
  for (const key of ['identity', 'corpId', 'clientId'] as const) {
    const value = defaults[key];
    if (value) query.set(key, value);
  }
  const attr = (value: string) => value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>DingTalk (emulated PC client)</title>
<style>html,body{margin:0;height:100%}iframe{display:block;border:0;width:100%;height:100%}</style>
<script src="${attr(`${JSAPI_BRIDGE_PATH}?${query.toString()}`)}"></script>
</head><body><iframe id="dingtalk-pc-app" name="${attr(pcFrameName(hostOrigin, version))}" src="${attr(appUrl)}"></iframe></body></html>
`;
}
