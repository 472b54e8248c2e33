import type { ISchema } from '@formily/json-schema';
import { useForm } from '@formily/react';
import { SchemaComponent, useAPIClient } from '@nocobase/client';
import { Alert, Input } from 'antd';
import React, { useMemo } from 'react';
import { AuthenticatorSelect, directorySyncTexts, LeaversRadios, SYNC_DEFAULTS } from './directory-sync-fields';
import { CallbackUrl, DEFAULT_EVENT_MODE, directoryEventTexts, EventModeRadios } from './directory-events-fields';
import { useDingTalkTranslation } from './locale';
import { OptionSwitch, type FieldProps } from './settings-fields';

/** The API client from the page, not through the schema: formily makes component props observable copies. */
function AuthenticatorField(props: FieldProps<string>) {
  return <AuthenticatorSelect {...props} api={useAPIClient()} />;
}

/**
 * The "DingTalk" source's settings in user-data-sync's v1 drawer (Users & Permissions → Synchronization), rendered
 * inside the source's `options` field: the names below are `options.*`.
 */
export function DirectorySyncSettingsForm() {
  const { t } = useDingTalkTranslation();
  const schema = useMemo<ISchema>(() => {
    const texts = directorySyncTexts(t);
    const events = directoryEventTexts(t);
    const pushOnly = {
      'x-decorator': 'FormItem',
      'x-reactions': { dependencies: ['.events'], fulfill: { state: { display: '{{$deps[0] === "push" ? "visible" : "hidden"}}' } } },
    };
    return {
      type: 'object',
      properties: {
        intro: { type: 'void', 'x-decorator': 'FormItem', 'x-component': 'Alert', 'x-component-props': { showIcon: true, type: 'info', message: texts.intro } },
        authenticator: {
          type: 'string',
          title: texts.authenticator,
          description: texts.authenticatorHint,
          required: true,
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkAuthenticatorSelect',
        },
        rootDeptId: {
          type: 'string',
          title: texts.rootDeptId,
          description: texts.rootDeptIdHint,
          'x-decorator': 'FormItem',
          'x-component': 'Input',
          'x-component-props': { inputMode: 'numeric', autoComplete: 'off' },
          'x-validator': { pattern: '^\\d{0,19}$' },
        },
        syncDepartments: {
          type: 'boolean',
          title: texts.syncDepartments,
          default: SYNC_DEFAULTS.syncDepartments,
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkSwitch',
          'x-component-props': { label: texts.syncDepartments },
        },
        leavers: {
          type: 'string',
          title: texts.leavers,
          default: SYNC_DEFAULTS.leavers,
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkLeavers',
        },
        events: {
          type: 'string',
          title: events.events,
          description: events.eventsHelp,
          default: DEFAULT_EVENT_MODE,
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkEventModes',
        },
        // Push mode only; hidden (not removed) otherwise, so that saving keeps them.
        pushToken: { ...pushOnly, type: 'string', title: events.pushToken, description: events.pushKeysHelp, 'x-component': 'Input', 'x-component-props': { autoComplete: 'off' } },
        pushAesKey: {
          ...pushOnly,
          type: 'string',
          title: events.pushAesKey,
          'x-component': 'Input',
          'x-component-props': { autoComplete: 'off' },
          'x-validator': { pattern: '^([A-Za-z0-9]{43})?$' },
        },
        callbackUrl: { ...pushOnly, type: 'void', title: events.callbackUrl, description: events.callbackUrlHelp, 'x-component': 'DingTalkCallbackUrl' },
      },
    };
  }, [t]);
  return (
    <SchemaComponent
      schema={schema}
      components={{
        Alert,
        Input,
        DingTalkAuthenticatorSelect: AuthenticatorField,
        DingTalkSwitch: OptionSwitch,
        DingTalkLeavers: LeaversRadios,
        DingTalkEventModes: EventModeRadios,
        DingTalkCallbackUrl: SourceCallbackUrl,
      }}
    />
  );
}

/** The Callback URL of the source being edited: its name is a field of the drawer's form, outside `options`. It works once the source is saved. */
function SourceCallbackUrl() {
  const form = useForm<{ name?: string }>();
  // The API client from the host here, not through the schema: formily copies props and loses its methods.
  return <CallbackUrl api={useAPIClient()} source={form.values.name || undefined} />;
}
