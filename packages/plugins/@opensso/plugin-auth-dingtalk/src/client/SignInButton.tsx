import { useAPIClient, useApp, useCurrentUserContext } from '@nocobase/client';
import { Authenticator, AuthenticatorsContext } from '@nocobase/plugin-auth/client';
import React, { useContext } from 'react';
import { SignInButtonView } from './sign-in-button-view';

/** The v1 client's button: its host is `@nocobase/client` and plugin-auth's v1 client. */
export function SignInButton({ authenticator }: { authenticator: Authenticator }) {
  const api = useAPIClient();
  const app = useApp();
  const currentUser = useCurrentUserContext();
  const listed = useContext(AuthenticatorsContext);
  return (
    <SignInButtonView
      authenticator={authenticator}
      host={{ api, publicPath: app.getPublicPath(), listed: listed ?? [], refreshUser: currentUser?.refreshAsync }}
    />
  );
}
