import type { GeneralField } from '@formily/core';
import type { ISchema } from '@formily/json-schema';
import { useForm } from '@formily/react';
import { SchemaComponent, useAPIClient } from '@nocobase/client';
import { Alert, Typography } from 'antd';
import React, { useEffect, useMemo } from 'react';
import { isCountryCode } from './account-settings';
import { useDingTalkTranslation } from './locale';
import {
  DEFAULT_COPY_EMAIL_AT_SIGNUP,
  DEFAULT_COUNTRY_CODE,
  DEFAULT_MATCH_BY,
  DEFAULT_SIGN_IN_WINDOW,
  DEFAULT_SYNC_MODE,
  matchesByEmail,
  PROFILE_FIELDS,
  ProfileField,
} from './options';
import { publishSaveProblem } from './save-problems';
import {
  CollapsibleSection,
  ConsoleUrlsContext,
  CorpIdsSelect,
  CountryCodeInput,
  FieldProblem,
  HomepageUrl,
  MatchBySelect,
  OptionSwitch,
  RedirectUrl,
  SaveProblemNotice,
  SignInWindowRadios,
  SyncModeRadios,
  TestConnectionButton,
  useConsoleUrls,
} from './settings-fields';
import { settingsTexts } from './settings-texts';

export { HomepageUrl, RedirectUrl };

/** An on/off option: every one is a switch, labelled for screen readers by its title. */
function onOff(title: string, description: string, defaultValue = false): ISchema {
  return {
    type: 'boolean',
    title,
    description,
    'x-decorator': 'FormItem',
    'x-component': 'DingTalkSwitch',
    'x-component-props': { label: title },
    default: defaultValue,
  };
}

/** Right under an option: why the last save was refused, when it was for this option. */
function problemOf(field: string): ISchema {
  return { type: 'void', 'x-component': 'DingTalkFieldProblem', 'x-component-props': { field } };
}

function section(title: string, fields: readonly string[], properties: Record<string, ISchema>, description?: string): ISchema {
  return {
    type: 'void',
    'x-component': 'DingTalkSection',
    'x-component-props': { title, fields, description },
    properties,
  };
}

/** The drawer's record: `name` is the Auth UID, `options` what this form edits. */
type DrawerValues = { name?: unknown; options?: { clientId?: unknown; clientSecret?: unknown } };

function TestConnection() {
  const form = useForm();
  const api = useAPIClient();
  return (
    <TestConnectionButton
      api={api}
      read={() => {
        const values = form.values as DrawerValues;
        return { authenticator: values.name, clientId: values.options?.clientId, clientSecret: values.options?.clientSecret };
      }}
    />
  );
}

function Hint({ text }: { text?: string }) {
  return (
    <Typography.Paragraph type="secondary" style={{ marginBottom: 16 }}>
      {text}
    </Typography.Paragraph>
  );
}

/** A form just opened shows no refusal of an earlier one; each field shows its own (FieldProblem). */
function useFreshSaveProblems() {
  useEffect(() => {
    publishSaveProblem(undefined);
  }, []);
}

/**
 * Rendered by plugin-auth inside the authenticator's `options` field: the names below are `options.*`. What every
 * setup needs comes first; the rest is folded in sections, whose fields stay mounted (so saving keeps them).
 */
export function AdminSettingsForm() {
  const { t } = useDingTalkTranslation();
  useFreshSaveProblems();

  const schema = useMemo<ISchema>(() => {
    const texts = settingsTexts(t);
    const fieldLabels: Record<ProfileField, string> = {
      nickname: texts.nickname,
      email: texts.email,
      phone: texts.phone,
    };
    const warning = (message: string, visibleWhen: (field: GeneralField) => boolean): ISchema => ({
      type: 'void',
      'x-decorator': 'FormItem',
      'x-component': 'Alert',
      'x-component-props': { showIcon: true, type: 'warning', message },
      'x-reactions': (field) => {
        field.visible = visibleWhen(field);
      },
    });
    return {
      type: 'object',
      properties: {
        saveProblem: { type: 'void', 'x-component': 'DingTalkSaveProblem' },
        notice: {
          type: 'void',
          'x-decorator': 'FormItem',
          'x-component': 'Alert',
          'x-component-props': { showIcon: true, type: 'info', message: texts.notice },
        },
        titleHint: { type: 'void', 'x-component': 'DingTalkHint', 'x-component-props': { text: texts.titleHint } },
        clientId: {
          type: 'string',
          title: texts.clientId,
          required: true,
          'x-decorator': 'FormItem',
          'x-component': 'Input',
          'x-component-props': { autoComplete: 'off' },
          description: texts.clientIdHelp,
        },
        clientSecret: {
          type: 'string',
          title: texts.clientSecret,
          required: true,
          'x-decorator': 'FormItem',
          'x-component': 'Password',
          'x-component-props': { autoComplete: 'new-password' },
          description: texts.clientSecretHelp,
        },
        clientIdProblem: problemOf('clientId'),
        clientSecretProblem: problemOf('clientSecret'),
        testConnection: { type: 'void', 'x-decorator': 'FormItem', 'x-component': 'DingTalkTestConnection' },
        redirectUrl: {
          type: 'void',
          title: texts.redirectUrl,
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkRedirectUrl',
          description: texts.redirectUrlHelp,
        },
        autoSignup: onOff(texts.autoSignup, texts.autoSignupHelp),
        autoSignupProblem: problemOf('autoSignup'),
        signInWindow: {
          type: 'string',
          title: texts.signInWindow,
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkSignInWindow',
          default: DEFAULT_SIGN_IN_WINDOW,
          description: texts.signInWindowHelp,
        },
        signInWindowProblem: problemOf('signInWindow'),

        matching: section(texts.matchingSection, ['matchBy', 'defaultCountryCode', 'signupWithoutPhone', 'copyEmailAtSignup'], {
          matchBy: {
            type: 'array',
            title: texts.matchBy,
            'x-decorator': 'FormItem',
            'x-component': 'DingTalkMatchBy',
            default: [...DEFAULT_MATCH_BY],
            description: texts.matchByHelp,
          },
          matchByProblem: problemOf('matchBy'),
          emailWarning: warning(texts.matchByEmailWarning, (field) => matchesByEmail(field.query('.matchBy').value())),
          defaultCountryCode: {
            type: 'string',
            title: texts.defaultCountryCode,
            'x-decorator': 'FormItem',
            'x-component': 'DingTalkCountryCode',
            default: DEFAULT_COUNTRY_CODE,
            required: true,
            'x-validator': (value: unknown) => (isCountryCode(value) ? '' : texts.defaultCountryCodeInvalid),
            description: texts.defaultCountryCodeHelp,
          },
          defaultCountryCodeProblem: problemOf('defaultCountryCode'),
          signupWithoutPhone: onOff(texts.signupWithoutPhone, texts.signupWithoutPhoneHelp),
          signupWithoutPhoneProblem: problemOf('signupWithoutPhone'),
          copyEmailAtSignup: onOff(texts.copyEmailAtSignup, texts.copyEmailAtSignupHelp, DEFAULT_COPY_EMAIL_AT_SIGNUP),
          copyEmailAtSignupProblem: problemOf('copyEmailAtSignup'),
          copyEmailWarning: warning(texts.copyEmailWarning, (field) => field.query('.copyEmailAtSignup').value() === true),
        }),

        organization: section(texts.organizationSection, ['allowedCorpIds', 'verifyMembership'], {
          allowedCorpIds: {
            type: 'array',
            title: texts.allowedCorpIds,
            'x-decorator': 'FormItem',
            'x-component': 'DingTalkCorpIds',
            default: [],
            description: texts.allowedCorpIdsHelp,
          },
          allowedCorpIdsProblem: problemOf('allowedCorpIds'),
          verifyMembership: onOff(texts.verifyMembership, texts.verifyMembershipHelp),
          verifyMembershipProblem: problemOf('verifyMembership'),
        }),

        profile: section(
          texts.profileSection,
          ['profileSync'],
          {
            profileSync: {
              type: 'object',
              properties: Object.fromEntries(
                PROFILE_FIELDS.map((field): [ProfileField, ISchema] => [
                  field,
                  {
                    type: 'string',
                    title: fieldLabels[field],
                    'x-decorator': 'FormItem',
                    'x-component': 'DingTalkSyncMode',
                    'x-component-props': { label: fieldLabels[field] },
                    default: DEFAULT_SYNC_MODE,
                  },
                ]),
              ),
            },
            ...Object.fromEntries(PROFILE_FIELDS.map((field) => [`${field}Problem`, problemOf(`profileSync.${field}`)])),
          },
          texts.profileSectionHelp,
        ),

        inApp: section(texts.inAppSection, ['inAppSignIn', 'corpId'], {
          inAppSignIn: onOff(texts.inAppSignIn, texts.inAppSignInHelp),
          inAppSignInProblem: problemOf('inAppSignIn'),
          corpId: {
            type: 'string',
            title: texts.corpId,
            'x-decorator': 'FormItem',
            'x-component': 'Input',
            'x-component-props': { autoComplete: 'off', placeholder: 'ding…' },
            description: texts.corpIdHelp,
            // Only with automatic sign-in on, where it is required. Hidden, not removed: its value is still saved.
            'x-reactions': (field) => {
              const on = field.query('.inAppSignIn').value() === true;
              field.display = on ? 'visible' : 'hidden';
              if ('setRequired' in field) field.setRequired(on);
            },
          },
          corpIdProblem: problemOf('corpId'),
          homepageUrl: {
            type: 'void',
            title: texts.homepageUrl,
            'x-decorator': 'FormItem',
            'x-component': 'DingTalkHomepageUrl',
            description: texts.homepageUrlHelp,
            'x-reactions': (field) => {
              field.visible = field.query('.inAppSignIn').value() === true;
            },
          },
        }),
      },
    };
  }, [t]);

  const urls = useConsoleUrls(useAPIClient());

  return (
    <ConsoleUrlsContext.Provider value={urls}>
      <SchemaComponent
        schema={schema}
        components={{
          Alert,
          DingTalkRedirectUrl: RedirectUrl,
          DingTalkHomepageUrl: HomepageUrl,
          DingTalkSwitch: OptionSwitch,
          DingTalkSection: CollapsibleSection,
          DingTalkMatchBy: MatchBySelect,
          DingTalkCorpIds: CorpIdsSelect,
          DingTalkCountryCode: CountryCodeInput,
          DingTalkSyncMode: SyncModeRadios,
          DingTalkSignInWindow: SignInWindowRadios,
          DingTalkTestConnection: TestConnection,
          DingTalkSaveProblem: SaveProblemNotice,
          DingTalkHint: Hint,
          DingTalkFieldProblem: FieldProblem,
        }}
      />
    </ConsoleUrlsContext.Provider>
  );
}
