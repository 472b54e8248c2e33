import type { ISchema } from '@formily/react';
import { SchemaComponent, useAPIClient } from '@nocobase/client';
import { Alert, Input, Typography } from 'antd';
import React, { useEffect, useMemo, useState } from 'react';
import { ACTIONS, RESOURCE } from '../constants';
import { redirectUrlFromBody } from './landing';
import { useDingTalkTranslation } from './locale';

/** Read-only: the callback URL of this app, to paste into DingTalk's developer console. */
export function RedirectUrl() {
  const { t } = useDingTalkTranslation();
  const api = useAPIClient();
  const [state, setState] = useState<{ url?: string; failed?: boolean }>({});

  useEffect(() => {
    let cancelled = false;
    api
      .request({ url: `${RESOURCE}:${ACTIONS.getRedirectUrl}`, method: 'get', skipNotify: true })
      .then((response) => {
        const url = redirectUrlFromBody(response.data);
        if (!cancelled) setState(url ? { url } : { failed: true });
      })
      .catch(() => {
        if (!cancelled) setState({ failed: true });
      });
    return () => {
      cancelled = true;
    };
  }, [api]);

  return (
    <Input
      readOnly
      value={state.url ?? ''}
      status={state.failed ? 'error' : undefined}
      placeholder={state.failed ? t('The Redirect URL could not be loaded.') : t('Loading…')}
      addonAfter={
        state.url ? (
          <Typography.Text copyable={{ text: state.url, tooltips: [t('Copy'), t('Copied')] }} />
        ) : null
      }
    />
  );
}

/** Rendered by plugin-auth inside the authenticator's `options` field: the names below are `options.*`. */
export function AdminSettingsForm() {
  const { t } = useDingTalkTranslation();

  const schema = useMemo<ISchema>(
    () => ({
      type: 'object',
      properties: {
        notice: {
          type: 'void',
          'x-decorator': 'FormItem',
          'x-component': 'Alert',
          'x-component-props': {
            showIcon: true,
            type: 'info',
            message: t(
              'Create an app in the DingTalk developer console and grant it these permissions: Contact.User.Read (read personal contact information) and Contact.User.mobile (personal phone number).',
            ),
          },
        },
        autoSignup: {
          type: 'boolean',
          title: t('Sign up automatically when the user does not exist'),
          'x-decorator': 'FormItem',
          'x-component': 'Checkbox',
          default: false,
          description: t(
            'If no user matches the DingTalk account (by phone number), a new user is created. When off, such sign-ins are refused.',
          ),
        },
        clientId: {
          type: 'string',
          title: t('Client ID'),
          required: true,
          'x-decorator': 'FormItem',
          'x-component': 'Input',
          'x-component-props': { autoComplete: 'off' },
          description: t('The Client ID (formerly AppKey) of the DingTalk app.'),
        },
        clientSecret: {
          type: 'string',
          title: t('Client Secret'),
          required: true,
          'x-decorator': 'FormItem',
          'x-component': 'Password',
          'x-component-props': { autoComplete: 'new-password' },
          // A React node: the schema compiles `{{...}}` in strings, and this text shows one literally.
          description: (
            <span>
              {t('The Client Secret (formerly AppSecret) of the DingTalk app. An environment variable also works, e.g. {{example}}.', {
                example: '{{$env.DINGTALK_CLIENT_SECRET}}',
                interpolation: { escapeValue: false },
              })}
            </span>
          ),
        },
        redirectUrl: {
          type: 'void',
          title: t('Redirect URL'),
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkRedirectUrl',
          description: t('Paste this URL into the DingTalk developer console.'),
        },
      },
    }),
    [t],
  );

  return <SchemaComponent schema={schema} components={{ Alert, DingTalkRedirectUrl: RedirectUrl }} />;
}
