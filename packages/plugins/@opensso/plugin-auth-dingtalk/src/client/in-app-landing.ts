/**
 * Inside the DingTalk app, the sign-in starts while NocoBase loads, like the ticket landing (ticket-landing.ts): the
 * plugin asks which authenticator signs in by itself, gets DingTalk's code and NocoBase's token while the host loads
 * its plugins. The page the person opened (the app's homepage, usually /admin) then renders signed in, in that one
 * load, instead of NocoBase routing to /signin and loading the admin UI again afterwards.
 *
 * On any page but the sign-in page the host is not held: its requests are (request-gate.ts), so its first question
 * (who is signed in?) leaves with the token, and the attempt costs the page only what outlasts the host's own loading.
 * A failure there loads the sign-in page with the error landing, which the DingTalk button shows: the host's router
 * already holds the address, so rewriting it would not be seen. On the sign-in page the host's load waits instead,
 * since the address changes (to its `?redirect=`) before the router is built.
 * The list of authenticators was usually asked already, when the plugin's bundle ran (in-app-early.ts).
 * The page's one attempt (jsapi-loader.ts) is claimed here, so the sign-in page's button never asks a second time.
 */
import type { DingTalkJsapi } from './jsapi-contract';
import { chooseInAppAuthenticator, IN_APP_MARKS, inAppConfigOf, type InAppSignInRequest, isDingTalkUserAgent, hasLandingParams, runInAppSignIn } from './in-app';
import { isRecord } from '../api-answers';
import { AUTH_TYPE } from '../constants';
import { claimInAppAttempt, loadDingTalkJsapi, mark } from './jsapi-loader';
import { holdRequestsUntil, LANDING_REQUEST, type RequestInterceptors } from './request-gate';
import {
  type ClientBase,
  failedLandingUrl,
  isSignInPage,
  type PageLocation,
  signedInDestination,
  type TicketLandingHost,
} from './ticket-landing';

export interface InAppLandingHost extends ClientBase {
  api: TicketLandingHost['api'];
  /** Whether the host already holds a token: then NocoBase checks it, and the sign-in page signs in if it is stale. */
  hasToken: boolean;
  userAgent: string;
  location: PageLocation;
  /** The page's one automatic attempt: true for the first caller only. */
  claim(): boolean;
  loadJsapi(): Promise<DingTalkJsapi>;
  mark?(name: string): void;
  replace(url: string): void;
  load(url: string): void;
  /** Holds the host's other requests until the attempt settles (see request-gate.ts); without it the load waits. */
  holdRequests?(settled: Promise<unknown>): void;
  /** The list of authenticators asked when the bundle ran, when it is this host's (in-app-early.ts). */
  earlyPublicList?: Promise<unknown>;
}

export type InAppLandingResult = 'none' | 'signed-in' | 'failed';

export interface InAppLanding {
  result: Promise<InAppLandingResult>;
  /** Whether the host's load must wait for the result (the sign-in page, or a host whose requests cannot be held). */
  holdsLoad: boolean;
}

/** The sign-in page's list of enabled authenticators, as anonymous visitors get it (publicList). */
export const PUBLIC_LIST_REQUEST = { url: 'authenticators:publicList', method: 'get', skipNotify: true } as const;

type Listed = { name: string; authType: string; options?: Record<string, unknown> };

function listedOf(body: unknown): Listed[] {
  const data = isRecord(body) ? body.data : undefined;
  if (!Array.isArray(data)) return [];
  return data.filter(
    (item): item is Listed => isRecord(item) && typeof item.name === 'string' && typeof item.authType === 'string',
  );
}

/** Signs in by itself when this page load is inside DingTalk, nobody is signed in and the address reports nothing. */
export function startInAppLanding(host: InAppLandingHost): InAppLanding {
  const location = { ...host.location };
  if (host.hasToken || !isDingTalkUserAgent(host.userAgent) || hasLandingParams(location.search)) {
    return { result: Promise.resolve('none'), holdsLoad: false };
  }
  const overlaps = host.holdRequests !== undefined && !isSignInPage(location, host);
  const result = attempt(host, location, overlaps);
  if (overlaps) host.holdRequests?.(result);
  return { result, holdsLoad: !overlaps };
}

async function attempt(host: InAppLandingHost, location: PageLocation, overlaps: boolean): Promise<InAppLandingResult> {
  host.mark?.(IN_APP_MARKS.landing);
  // Usually loading since the bundle ran (in-app-early.ts); otherwise it downloads while publicList answers.
  const jsapi = host.loadJsapi();
  jsapi.catch(() => undefined);
  let listed: Listed[];
  try {
    listed = listedOf(await publicListBody(host));
  } catch {
    // The sign-in page asks again and its button works as before.
    return 'none';
  }
  const chosen = chooseInAppAuthenticator(listed.filter((item) => item.authType === AUTH_TYPE));
  const config = chosen ? inAppConfigOf(chosen.options) : undefined;
  if (!chosen || !config || !host.claim()) return 'none';
  const result = await runInAppSignIn(chosen.name, config, {
    loadJsapi: () => jsapi,
    send: async (request: InAppSignInRequest) => (await host.api.request({ ...request, [LANDING_REQUEST]: true })).data,
    mark: host.mark,
  });
  if (result.kind === 'not-in-dingtalk') return 'none';
  if (result.kind === 'failed') {
    if (result.failure) {
      // For whoever debugs a DingTalk setup; the page shows only the translated sentence.
      console.warn('[@opensso/plugin-auth-dingtalk] in-app sign-in failed:', result.failure.kind, result.failure.jsapi ?? '');
    }
    const failed = failedLandingUrl(location, host, { authenticator: chosen.name, code: result.code, detail: result.detail });
    if (overlaps) host.load(failed);
    else host.replace(failed);
    return 'failed';
  }
  host.api.auth.setAuthenticator(chosen.name);
  host.api.auth.setToken(result.token);
  // The page opened stays as it is (the address carries no landing); on the sign-in page, its `?redirect=` through
  // the one checked rule (G1).
  if (overlaps) return 'signed-in';
  const destination = signedInDestination(location, host);
  if ('load' in destination) host.load(destination.load);
  else host.replace(destination.replace);
  return 'signed-in';
}

async function publicListBody(host: InAppLandingHost): Promise<unknown> {
  if (host.earlyPublicList) {
    try {
      return await host.earlyPublicList;
    } catch {
      // asked again below, through the host
    }
  }
  return (await host.api.request({ ...PUBLIC_LIST_REQUEST, [LANDING_REQUEST]: true })).data;
}

/** The plugin's part, on this page: started in afterAdd, and in beforeLoad waited for if it holds the load (index.tsx). */
export function browserInAppLanding<C extends object>(
  client: ClientBase,
  api: TicketLandingHost['api'] & { auth: { token?: string | null }; axios: RequestInterceptors<C> },
  publicPath: string,
  earlyPublicList?: Promise<unknown>,
): InAppLanding {
  if (typeof window === 'undefined' || typeof navigator === 'undefined') return { result: Promise.resolve('none'), holdsLoad: false };
  const { origin, pathname, search, hash } = window.location;
  return startInAppLanding({
    ...client,
    api,
    hasToken: Boolean(api.auth.token),
    userAgent: navigator.userAgent,
    location: { origin, pathname, search, hash },
    claim: claimInAppAttempt,
    loadJsapi: () => loadDingTalkJsapi(publicPath),
    mark,
    replace: (url) => window.history.replaceState(window.history.state, '', url),
    load: (url) => window.location.replace(url),
    holdRequests: (settled) => holdRequestsUntil(api.axios, settled, () => mark(IN_APP_MARKS.held)),
    earlyPublicList,
  });
}
