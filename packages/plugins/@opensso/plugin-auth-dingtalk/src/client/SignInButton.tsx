import { useAPIClient, useCurrentUserContext } from '@nocobase/client';
import { Authenticator, useRedirect } from '@nocobase/plugin-auth/client';
import { Alert, Button, Space } from 'antd';
import React, { useCallback, useEffect, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { DingTalkLogo } from './DingTalkLogo';
import {
  authUrlFromBody,
  authUrlRequest,
  GENERIC_ERROR,
  Landing,
  messageFor,
  parseLanding,
  Shown,
  shownFromError,
  stripLandingParams,
  textOf,
  ticketSignInRequest,
  tokenFromBody,
} from './landing';
import { useDingTalkTranslation } from './locale';

type State =
  | { status: 'idle' }
  /** Asking the server for DingTalk's authorization URL, then leaving the page. */
  | { status: 'starting' }
  /** Back from DingTalk: exchanging the ticket cookie for a NocoBase token. */
  | { status: 'exchanging' }
  | { status: 'error'; shown: Shown };

function initialState(landing: Landing): State {
  if (landing.kind === 'signin') {
    return { status: 'exchanging' };
  }
  if (landing.kind === 'error') {
    return { status: 'error', shown: messageFor(landing.code, landing.detail) };
  }
  return { status: 'idle' };
}

/**
 * One per enabled `dingtalk` authenticator, below the sign-in form. Starts the DingTalk round trip and, when
 * the sign-in page is reached again with this authenticator's `dingtalk_signin` / `dingtalk_error`, finishes
 * the sign-in or shows why it failed.
 */
export function SignInButton({ authenticator }: { authenticator: Authenticator }) {
  const { t } = useDingTalkTranslation();
  const api = useAPIClient();
  const location = useLocation();
  const navigate = useNavigate();
  const redirect = useRedirect();
  const currentUser = useCurrentUserContext();
  const name = authenticator.name;

  // Read once, when the page is reached: the parameters are removed from the URL right after.
  const [landing] = useState(() => parseLanding(location.search, name));
  const [state, setState] = useState<State>(() => initialState(landing));
  const handled = useRef(false);

  // The latest values for the asynchronous exchange (the URL changes under it).
  const latest = useRef({ redirect, currentUser });
  latest.current = { redirect, currentUser };

  useEffect(() => {
    if (landing.kind === 'none' || handled.current) {
      return;
    }
    handled.current = true;
    // A reload or a shared link must not replay the landing: drop the dingtalk_* parameters, keep `redirect`.
    navigate({ pathname: location.pathname, search: stripLandingParams(location.search) }, { replace: true });
    if (landing.kind !== 'signin') {
      return;
    }
    (async () => {
      try {
        const response = await api.request(ticketSignInRequest(name));
        const token = tokenFromBody(response.data);
        if (!token) {
          setState({ status: 'error', shown: { key: GENERIC_ERROR } });
          return;
        }
        // What the SDK's auth.signIn(values, name) does after its request.
        api.auth.setAuthenticator(name);
        api.auth.setToken(token);
        await latest.current.currentUser?.refreshAsync?.();
        latest.current.redirect();
      } catch (error) {
        setState({ status: 'error', shown: shownFromError(error) });
      }
    })();
    // Runs once per page load by design (see `handled`).
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

  const start = useCallback(async () => {
    setState({ status: 'starting' });
    try {
      const response = await api.request(authUrlRequest(name, location.search));
      const url = authUrlFromBody(response.data);
      if (!url) {
        setState({ status: 'error', shown: { key: GENERIC_ERROR } });
        return;
      }
      // Stay "starting" while the browser leaves for DingTalk.
      window.location.assign(url);
    } catch (error) {
      setState({ status: 'error', shown: shownFromError(error) });
    }
  }, [api, location.search, name]);

  const busy = state.status === 'starting' || state.status === 'exchanging';
  const title = authenticator.title || t('Sign in with DingTalk');
  const label = state.status === 'exchanging' ? t('Signing in with DingTalk…') : title;
  const error = state.status === 'error' ? textOf(t, state.shown) : undefined;

  return (
    <Space direction="vertical" style={{ display: 'flex' }} data-testid={`dingtalk-signin-${name}`}>
      {error ? <Alert type="error" showIcon message={error} role="alert" /> : null}
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
