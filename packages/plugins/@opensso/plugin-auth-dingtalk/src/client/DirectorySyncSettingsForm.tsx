import type { ISchema } from '@formily/json-schema';
import { SchemaComponent, useAPIClient } from '@nocobase/client';
import { Alert, Input } from 'antd';
import React, { useMemo } from 'react';
import { AuthenticatorSelect, directorySyncTexts, LeaversRadios, SYNC_DEFAULTS } from './directory-sync-fields';
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
      },
    };
  }, [t]);
  return (
    <SchemaComponent
      schema={schema}
      components={{ Alert, Input, DingTalkAuthenticatorSelect: AuthenticatorField, DingTalkSwitch: OptionSwitch, DingTalkLeavers: LeaversRadios }}
    />
  );
}
