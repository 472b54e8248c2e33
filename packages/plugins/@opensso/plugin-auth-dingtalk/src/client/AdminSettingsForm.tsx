import type { ISchema } from '@formily/json-schema';
import { SchemaComponent, useAPIClient } from '@nocobase/client';
import { Alert } from 'antd';
import React, { useMemo } from 'react';
import { isCountryCode } from './account-settings';
import { useDingTalkTranslation } from './locale';
import { DEFAULT_COPY_EMAIL_AT_SIGNUP, DEFAULT_COUNTRY_CODE, DEFAULT_MATCH_BY, DEFAULT_SYNC_MODE, matchesByEmail, PROFILE_FIELDS, ProfileField } from './options';
import {
  ConsoleUrlsContext,
  CorpIdsSelect,
  CountryCodeInput,
  HomepageUrl,
  MatchBySelect,
  OptionSwitch,
  RedirectUrl,
  Section,
  SyncModeRadios,
  useConsoleUrls,
} from './settings-fields';
import { settingsTexts } from './settings-texts';

export { HomepageUrl, RedirectUrl };

/** Rendered by plugin-auth inside the authenticator's `options` field: the names below are `options.*`. */
export function AdminSettingsForm() {
  const { t } = useDingTalkTranslation();

  const schema = useMemo<ISchema>(() => {
    const texts = settingsTexts(t);
    const fieldLabels: Record<ProfileField, string> = {
      nickname: texts.nickname,
      email: texts.email,
      phone: texts.phone,
    };
    const checkbox = (title: string, description: string): ISchema => ({
      type: 'boolean',
      title,
      description,
      'x-decorator': 'FormItem',
      'x-component': 'Checkbox',
      default: false,
    });
    return {
      type: 'object',
      properties: {
        notice: {
          type: 'void',
          'x-decorator': 'FormItem',
          'x-component': 'Alert',
          'x-component-props': {
            showIcon: true,
            type: 'info',
            message: texts.notice,
          },
        },
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
        redirectUrl: {
          type: 'void',
          title: texts.redirectUrl,
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkRedirectUrl',
          description: texts.redirectUrlHelp,
        },

        matchingSection: {
          type: 'void',
          'x-component': 'DingTalkSection',
          'x-component-props': { title: texts.matchingSection },
        },
        matchBy: {
          type: 'array',
          title: texts.matchBy,
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkMatchBy',
          default: [...DEFAULT_MATCH_BY],
          description: texts.matchByHelp,
        },
        emailWarning: {
          type: 'void',
          'x-decorator': 'FormItem',
          'x-component': 'Alert',
          'x-component-props': {
            showIcon: true,
            type: 'warning',
            message: texts.matchByEmailWarning,
          },
          // Shown only while email is one of the matching rules.
          'x-reactions': (field) => {
            field.visible = matchesByEmail(field.query('.matchBy').value());
          },
        },
        defaultCountryCode: {
          type: 'string',
          title: texts.defaultCountryCode,
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkCountryCode',
          default: DEFAULT_COUNTRY_CODE,
          required: true,
          'x-validator': (value: unknown) =>
            isCountryCode(value) ? '' : texts.defaultCountryCodeInvalid,
          description: texts.defaultCountryCodeHelp,
        },
        autoSignup: checkbox(
          texts.autoSignup,
          texts.autoSignupHelp,
        ),
        copyEmailAtSignup: {
          ...checkbox(
            texts.copyEmailAtSignup,
            texts.copyEmailAtSignupHelp,
          ),
          default: DEFAULT_COPY_EMAIL_AT_SIGNUP,
        },
        copyEmailWarning: {
          type: 'void',
          'x-decorator': 'FormItem',
          'x-component': 'Alert',
          'x-component-props': {
            showIcon: true,
            type: 'warning',
            message: texts.copyEmailWarning,
          },
          // Shown only while copying is on.
          'x-reactions': (field) => {
            field.visible = field.query('.copyEmailAtSignup').value() === true;
          },
        },
        signupWithoutPhone: checkbox(
          texts.signupWithoutPhone,
          texts.signupWithoutPhoneHelp,
        ),

        organizationSection: {
          type: 'void',
          'x-component': 'DingTalkSection',
          'x-component-props': { title: texts.organizationSection },
        },
        allowedCorpIds: {
          type: 'array',
          title: texts.allowedCorpIds,
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkCorpIds',
          default: [],
          description: texts.allowedCorpIdsHelp,
        },
        verifyMembership: checkbox(
          texts.verifyMembership,
          texts.verifyMembershipHelp,
        ),

        inAppSection: {
          type: 'void',
          'x-component': 'DingTalkSection',
          'x-component-props': { title: texts.inAppSection },
        },
        inAppSignIn: {
          type: 'boolean',
          title: texts.inAppSignIn,
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkSwitch',
          'x-component-props': { label: texts.inAppSignIn },
          default: false,
          description: texts.inAppSignInHelp,
        },
        corpId: {
          type: 'string',
          title: texts.corpId,
          'x-decorator': 'FormItem',
          'x-component': 'Input',
          'x-component-props': { autoComplete: 'off', placeholder: 'ding…' },
          description: texts.corpIdHelp,
          // Required only while automatic sign-in is on.
          'x-reactions': (field) => {
            if ('setRequired' in field) field.setRequired(field.query('.inAppSignIn').value() === true);
          },
        },
        homepageUrl: {
          type: 'void',
          title: texts.homepageUrl,
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkHomepageUrl',
          description: texts.homepageUrlHelp,
        },

        profileSection: {
          type: 'void',
          'x-component': 'DingTalkSection',
          'x-component-props': {
            title: texts.profileSection,
            description: texts.profileSectionHelp,
          },
        },
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
          DingTalkSection: Section,
          DingTalkMatchBy: MatchBySelect,
          DingTalkCorpIds: CorpIdsSelect,
          DingTalkCountryCode: CountryCodeInput,
          DingTalkSyncMode: SyncModeRadios,
        }}
      />
    </ConsoleUrlsContext.Provider>
  );
}
