/**
 * Loads the separate chunk with DingTalk's JSAPI (dist/client/dingtalk-jsapi.js) with a script tag, once per page
 * and only when asked: ordinary browsers never download it. Also holds the page's one in-app sign-in attempt.
 */
import { NAMESPACE } from '../constants';
import { defaultJsapiPath, InAppFailure, isDingTalkUserAgent, jsapiUrl } from './in-app';
import { type DingTalkJsapi, JSAPI_GLOBAL } from './jsapi-contract';

/** How long the chunk may take to arrive. */
const LOAD_TIMEOUT_MS = 20_000;

/**
 * The URL this bundle was loaded from. build.mjs wraps the bundle so that this identifier holds the `src` of the
 * script tag RequireJS added for it (`document.currentScript` while the file runs), else RequireJS's module URI.
 */
function ownBundleUrl(): string | undefined {
  return typeof __OPENSSO_DINGTALK_BUNDLE_URL__ === 'string' && __OPENSSO_DINGTALK_BUNDLE_URL__
    ? __OPENSSO_DINGTALK_BUNDLE_URL__
    : undefined;
}

function loadedJsapi(): DingTalkJsapi | undefined {
  return (window as unknown as Record<string, DingTalkJsapi | undefined>)[JSAPI_GLOBAL];
}

let pending: Promise<DingTalkJsapi> | undefined;

/** The JSAPI chunk; `publicPath` (the app's, e.g. `/`) only matters when this bundle's own URL is unknown. */
export function loadDingTalkJsapi(publicPath: string): Promise<DingTalkJsapi> {
  if (pending) return pending;
  const ready = loadedJsapi();
  if (ready) {
    pending = Promise.resolve(ready);
    return pending;
  }
  pending = new Promise<DingTalkJsapi>((resolve, reject) => {
    const script = document.createElement('script');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (error?: InAppFailure) => {
      if (timer !== undefined) clearTimeout(timer);
      script.onload = null;
      script.onerror = null;
      const api = loadedJsapi();
      if (!error && api) resolve(api);
      else reject(error ?? new InAppFailure('load'));
    };
    script.async = true;
    script.src = jsapiUrl(ownBundleUrl(), window.location.href, defaultJsapiPath(publicPath, NAMESPACE));
    script.onload = () => done();
    script.onerror = () => done(new InAppFailure('load'));
    timer = setTimeout(() => done(new InAppFailure('load')), LOAD_TIMEOUT_MS);
    document.head.appendChild(script);
  });
  // A failed load may be retried by the next caller (the prefetch failing must not doom the attempt).
  pending.catch(() => {
    pending = undefined;
  });
  return pending;
}

/**
 * Starts downloading the chunk early, while the host is still loading the sign-in page, when the page runs inside
 * DingTalk and nobody is signed in yet (the only case where the sign-in page, and the in-app sign-in, follow).
 */
export function prefetchDingTalkJsapi(publicPath: string, hasToken: boolean): void {
  if (hasToken || typeof navigator === 'undefined' || !isDingTalkUserAgent(navigator.userAgent)) return;
  loadDingTalkJsapi(publicPath).catch(() => undefined);
}

let attempted = false;

/** Whether this page load already signed in (or tried to) by itself. */
export function inAppAttempted(): boolean {
  return attempted;
}

/** Claims the page's one automatic attempt: true for the first caller only. */
export function claimInAppAttempt(): boolean {
  if (attempted) return false;
  attempted = true;
  return true;
}

/** A `performance` mark, where the browser has them. */
export function mark(name: string): void {
  try {
    if (typeof performance !== 'undefined' && typeof performance.mark === 'function') performance.mark(name);
  } catch {
    // marks are diagnostics only
  }
}
