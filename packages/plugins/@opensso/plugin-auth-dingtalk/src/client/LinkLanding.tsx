import { useAPIClient } from '@nocobase/client';
import { App } from 'antd';
import React, { ReactNode, useEffect, useRef } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { messageFor, shownFromError, stripLandingParams, textOf } from './landing';
import { completedLinkFromBody, completeLinkRequest, isLinkLandingPage, linkDoneMessage, parseLinkLanding } from './links';
import { useDingTalkTranslation } from './locale';

/**
 * An app-wide provider: back from linking at DingTalk, the callback sends the browser to the page where the user
 * started, with `?dingtalk_link=<authenticator>` (a one-time link ticket waits in an httpOnly cookie) or
 * `?dingtalk_error=<CODE>`. This removes the parameters from the URL at once, redeems the ticket with the user's
 * own NocoBase session (`dingtalk:completeLink`) and tells the user how it went.
 *
 * Not on the sign-in page, whose DingTalk button reads the same error parameters for sign-ins. When nobody is
 * signed in, the parameters are left alone: NocoBase sends the visitor to /signin with this page as `redirect`,
 * and the landing runs when they come back signed in (the server refuses a ticket of another user).
 */
export function DingTalkLinkLanding({ children }: { children?: ReactNode }) {
  const api = useAPIClient();
  const location = useLocation();
  const navigate = useNavigate();
  const { t } = useDingTalkTranslation();
  const { message, notification } = App.useApp();
  /** The history entry already handled (effects can run twice for one entry). */
  const handled = useRef<string>();

  useEffect(() => {
    if (handled.current === location.key || !isLinkLandingPage(location.pathname)) {
      return;
    }
    const landing = parseLinkLanding(location.search);
    if (landing.kind === 'none' || !api.auth.token) {
      return;
    }
    handled.current = location.key;
    // A reload, the Back button or a shared link must not replay the landing.
    navigate(
      { pathname: location.pathname, search: stripLandingParams(location.search), hash: location.hash },
      { replace: true },
    );
    const failed = (description: string) =>
      notification.error({ message: t('Your DingTalk account could not be linked.'), description });
    if (landing.kind === 'error') {
      failed(textOf(t, messageFor(landing.code, landing.detail)));
      return;
    }
    api
      .request(completeLinkRequest(landing.authenticator))
      .then((response) => {
        message.success(textOf(t, linkDoneMessage(completedLinkFromBody(response.data).nickname)));
      })
      .catch((error: unknown) => failed(textOf(t, shownFromError(error))));
  }, [api, location, navigate, message, notification, t]);

  return <>{children}</>;
}
