import { stripModernClientPrefix, useApp, useCurrentUserContext } from '@nocobase/client-v2';
import type { Authenticator } from '@nocobase/plugin-auth/client';
import { AuthenticatorsContext } from '@nocobase/plugin-auth/client-v2';
import React, { useContext } from 'react';
import { appBasePath } from '../client/app-path';
import { SignInButtonView } from '../client/sign-in-button-view';

/**
 * The modern client's button (/v/signin): the same button as v1's; its host is `@nocobase/client-v2`, whose public
 * path carries the client's prefix (`/v/`), which the shared logic must not see (it adds the prefix itself).
 */
export function SignInButton({ authenticator }: { authenticator: Authenticator }) {
  const app = useApp();
  const currentUser = useCurrentUserContext();
  const listed = useContext(AuthenticatorsContext);
  return (
    <SignInButtonView
      authenticator={authenticator}
      host={{
        api: app.apiClient,
        publicPath: stripModernClientPrefix(app.getPublicPath()),
        listed: listed ?? [],
        refreshUser: currentUser?.refreshAsync,
        defaultReturnPath: `${appBasePath(app.getPublicPath())}admin`,
        routerBasename: app.router.getBasename(),
      }}
    />
  );
}

export default SignInButton;
