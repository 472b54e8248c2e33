/**
 * The DingTalk sign-in button, shared by NocoBase's two clients (v1 under /signin, the modern v2 client under
 * /v/signin). It imports no host module: each client's thin SignInButton passes what differs in `host`.
 */
import type { Authenticator } from '@nocobase/plugin-auth/client';
import { Button, Space } from 'antd';
import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { NavigateFunction, useLocation, useNavigate } from 'react-router-dom';
import { afterSignInTarget, currentPageContext, routeInApp } from './after-sign-in';
import { buttonTitle } from './button-title';
import type { ErrorCode } from '../errors';
import { DingTalkLogo } from './DingTalkLogo';
import { MessageBox } from './error-box';
import { chooseInAppAuthenticator, InAppConfig, inAppConfigOf, runInAppSignIn, shouldSignInInApp } from './in-app';
import { claimInAppAttempt, inAppAttempted, loadDingTalkJsapi, mark } from './jsapi-loader';
import {
  authUrlFromBody,
  authUrlRequest,
  startsAtOtherOrigin,
  GENERIC_ERROR,
  Landing,
  messageFor,
  parseLanding,
  requestFailure,
  Shown,
  shownFromError,
  stripLandingParams,
  textOf,
} from './landing';
import { useDingTalkTranslation } from './locale';
import { listenForPopupOutcome, openSignInPopup } from './popup-sign-in';
import { currentBrowserTraits, signInWindowFor } from './sign-in-window';
import { redeemTicket } from './ticket-landing';
import type { PopupOutcome } from '../popup-outcome';

/** What the host client provides: its API client, where the app lives, the sign-in page's authenticators. */
export interface SignInHost {
  api: {
    request(config: object): Promise<{ data: unknown }>;
    auth: { setAuthenticator(authenticator: string): void; setToken(token: string): void };
  };
  /** The app's public path (`APP_PUBLIC_PATH`, e.g. `/`), without the modern client's prefix. */
  publicPath: string;
  /** The sign-in page's enabled authenticators (plugin-auth's AuthenticatorsContext); [] when unknown. */
  listed: readonly Authenticator[];
  /** Reloads the host's current user after the token changed, when the host keeps one. */
  refreshUser?: () => Promise<unknown>;
  /**
   * Where to come back when the sign-in page names no `?redirect=`: this client's admin page. The callback lands
   * there directly, so the modern client gives its own (`/v/admin`), not the v1 client's `/admin`.
   */
  defaultReturnPath?: string;
  /**
   * The modern client's router basename (`app.router.getBasename()`): its pages are routes of this very app there, so
   * the button goes to them with the router rather than a page load. Undefined in the v1 client, for which a
   * modern-client page is another app.
   */
  routerBasename?: string;
}

type State =
  | { status: 'idle' }
  /** Asking the server for DingTalk's authorization URL, then leaving the page. */
  | { status: 'starting' }
  /** Inside the DingTalk app: asking its JSAPI for a code and signing in with it, without a click. */
  | { status: 'in-app' }
  /** DingTalk's page is open in the popup window; a click opens it again (the person may have closed it). */
  | { status: 'popup' }
  /** `code` when the failure has one of the closed list (shown small under the message, for support). */
  | { status: 'error'; shown: Shown; code?: ErrorCode };

/** A failed request as the button shows it. */
function failed(error: unknown): State {
  return { status: 'error', shown: shownFromError(error), code: requestFailure(error).code };
}

function initialState(landing: Landing, inApp: InAppConfig | undefined): State {
  if (landing.kind === 'error') {
    return { status: 'error', shown: messageFor(landing.code, landing.detail), code: landing.code };
  }
  return inApp ? { status: 'in-app' } : { status: 'idle' };
}

/**
 * This button's in-app settings when the page signs in by itself with it: inside DingTalk, this authenticator is
 * the one chosen among the sign-in page's, and nothing else happened on this page load yet.
 */
function useInAppSignIn(
  authenticator: Authenticator,
  listed: readonly Authenticator[],
  search: string,
): InAppConfig | undefined {
  const [config] = useState(() => {
    const chosen = chooseInAppAuthenticator(listed && listed.length > 0 ? listed : [authenticator]);
    const candidate = chosen && chosen.name === authenticator.name ? inAppConfigOf(chosen.options) : undefined;
    const start = shouldSignInInApp({
      userAgent: typeof navigator === 'undefined' ? undefined : navigator.userAgent,
      search,
      config: candidate,
      alreadyAttempted: inAppAttempted(),
    });
    return start ? candidate : undefined;
  });
  return config;
}

function goAfterSignIn(search: string, publicPath: string, navigate: NavigateFunction, routerBasename?: string): void {
  const target = afterSignInTarget(search, currentPageContext(publicPath));
  const route =
    target.kind === 'document' && routerBasename !== undefined ? routeInApp(target.url, window.location.origin, routerBasename) : undefined;
  if (route !== undefined) {
    navigate(route, { replace: true });
  } else if (target.kind === 'document') {
    window.location.replace(target.url);
  } else {
    navigate(target.path, { replace: true });
  }
}

/**
 * One per enabled `dingtalk` authenticator, below the sign-in form. Starts the DingTalk round trip and, when the
 * sign-in page is reached with this authenticator's `dingtalk_error`, shows why it failed (a successful round trip
 * lands on the page the person wanted and is finished there while the app loads: ticket-landing.ts). Inside the DingTalk app, the authenticator with in-app sign-in signs in by
 * itself once per page load; when that fails, its message stays and the button works as usual.
 */
export function SignInButtonView({ authenticator, host }: { authenticator: Authenticator; host: SignInHost }) {
  const { t } = useDingTalkTranslation();
  const { api, publicPath } = host;
  const location = useLocation();
  const navigate = useNavigate();
  const name = authenticator.name;

  // Read once, when the page is reached: the parameters are removed from the URL right after.
  const [landing] = useState(() => parseLanding(location.search, name));
  const inApp = useInAppSignIn(authenticator, host.listed, location.search);
  const [state, setState] = useState<State>(() => initialState(landing, inApp));
  const handled = useRef(false);
  const inAppStarted = useRef(false);

  // The latest values for the asynchronous in-app sign-in (the URL changes under it).
  const latest = useRef({ search: location.search, navigate, refreshUser: host.refreshUser });
  latest.current = { search: location.search, navigate, refreshUser: host.refreshUser };

  /**
   * What the SDK's auth.signIn(values, name) does after its request, then on to the page the user wanted: only a
   * checked path of this app (never the host's useRedirect(), which follows `?redirect=` unchecked).
   */
  const signedIn = useCallback(async () => {
    await latest.current.refreshUser?.();
    goAfterSignIn(latest.current.search, publicPath, latest.current.navigate, host.routerBasename);
  }, [publicPath, host.routerBasename]);

  const finishSignIn = useCallback(
    async (token: string) => {
      api.auth.setAuthenticator(name);
      api.auth.setToken(token);
      await signedIn();
    },
    [api, name, signedIn],
  );

  // The popup window's outcome: the ticket waits in this browser's cookie, redeemed here like a landing would.
  const stopListening = useRef<(() => void) | undefined>(undefined);
  useEffect(() => () => stopListening.current?.(), []);
  const onPopupOutcome = useCallback(
    async (outcome: PopupOutcome) => {
      stopListening.current = undefined;
      if (outcome.outcome === 'failed') {
        setState({ status: 'error', shown: messageFor(outcome.code, outcome.detail), code: outcome.code });
        return;
      }
      setState({ status: 'starting' });
      try {
        await redeemTicket(api, name);
        await signedIn();
      } catch (error) {
        setState(failed(error));
      }
    },
    [api, name, signedIn],
  );

  useEffect(() => {
    if (landing.kind === 'none' || handled.current) {
      return;
    }
    handled.current = true;
    // A reload or a shared link must not replay the landing: drop the dingtalk_* parameters, keep `redirect`.
    navigate({ pathname: location.pathname, search: stripLandingParams(location.search) }, { replace: true });
    // Runs once per page load by design (see `handled`).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Inside the DingTalk app: sign in by itself, once per page load (a second button, or this one mounted again after
  // signing out, stays an ordinary button).
  useEffect(() => {
    if (!inApp || inAppStarted.current) {
      return;
    }
    inAppStarted.current = true;
    if (!claimInAppAttempt()) {
      setState((current) => (current.status === 'in-app' ? { status: 'idle' } : current));
      return;
    }
    (async () => {
      const result = await runInAppSignIn(name, inApp, {
        loadJsapi: () => loadDingTalkJsapi(publicPath),
        send: async (request) => (await api.request(request)).data,
        mark,
      });
      if (result.kind === 'signed-in') {
        try {
          await finishSignIn(result.token);
        } catch (error) {
          setState(failed(error));
        }
        return;
      }
      if (result.kind === 'not-in-dingtalk') {
        setState({ status: 'idle' });
        return;
      }
      if (result.failure) {
        // For whoever debugs a DingTalk setup; the page shows only the translated sentence.
        console.warn('[@opensso/plugin-auth-dingtalk] in-app sign-in failed:', result.failure.kind, result.failure.jsapi ?? '');
      }
      setState({ status: 'error', shown: result.shown });
    })();
    // Runs once per page load by design (see claimInAppAttempt).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Coming back with the browser's Back button from DingTalk restores the page from the bfcache as it was
  // left, i.e. still "starting": make the button usable again.
  useEffect(() => {
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) {
        setState((current) => (current.status === 'starting' ? { status: 'idle' } : current));
      }
    };
    window.addEventListener('pageshow', onPageShow);
    return () => window.removeEventListener('pageshow', onPageShow);
  }, []);

  const popupMode = useMemo(() => signInWindowFor(authenticator.options, currentBrowserTraits()) === 'popup', [authenticator.options]);
  const start = useCallback(async () => {
    // Within the click, before any await: popup blockers allow only that. Refused: the same tab, as without the option.
    const popup = popupMode ? openSignInPopup() : null;
    stopListening.current?.();
    const stop = popup ? listenForPopupOutcome(name, (outcome) => void onPopupOutcome(outcome)) : undefined;
    stopListening.current = stop;
    const abandon = () => {
      popup?.close();
      stop?.();
    };
    setState({ status: popup ? 'popup' : 'starting' });
    try {
      const response = await api.request(authUrlRequest(name, location.search, host.defaultReturnPath, popup !== null));
      const url = authUrlFromBody(response.data);
      if (!url) {
        abandon();
        setState({ status: 'error', shown: { key: GENERIC_ERROR } });
        return;
      }
      if (popup && startsAtOtherOrigin(response.data)) {
        // The callback lands on another origin, whose popup page could never reach this tab: the same tab instead.
        abandon();
        setState({ status: 'starting' });
        window.location.assign(url);
      } else if (popup) {
        popup.location.href = url;
        popup.focus();
      } else {
        // Stay "starting" while the browser leaves for DingTalk.
        window.location.assign(url);
      }
    } catch (error) {
      abandon();
      setState(failed(error));
    }
  }, [api, location.search, name, host.defaultReturnPath, popupMode, onPopupOutcome]);

  const busy = state.status === 'starting' || state.status === 'in-app';
  const title = buttonTitle(authenticator.title, t);
  const label = state.status === 'in-app' ? t('Signing in with DingTalk…') : title;
  const error = state.status === 'error' ? textOf(t, state.shown) : undefined;
  const errorCode = state.status === 'error' ? state.code : undefined;

  return (
    <Space direction="vertical" style={{ display: 'flex' }} data-testid={`dingtalk-signin-${name}`}>
      {error ? <MessageBox message={error} code={errorCode} onClose={() => setState({ status: 'idle' })} /> : null}
      <Button
        block
        icon={busy ? undefined : <DingTalkLogo />}
        loading={busy}
        aria-busy={busy}
        onClick={busy ? undefined : start}
      >
        {label}
      </Button>
    </Space>
  );
}
