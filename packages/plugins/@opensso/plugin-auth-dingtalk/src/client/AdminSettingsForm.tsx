import type { ISchema } from '@formily/react';
import { SchemaComponent, useAPIClient } from '@nocobase/client';
import { Alert, Divider, Input, Radio, Select, Switch, Typography } from 'antd';
import React, { createContext, useContext, useEffect, useMemo, useState } from 'react';
import { ACTIONS, RESOURCE } from '../constants';
import { countryCodeOf, isCountryCode } from './account-settings';
import { useDingTalkTranslation } from './locale';
import {
  ConsoleUrls,
  consoleUrlsFromBody,
  DEFAULT_COPY_EMAIL_AT_SIGNUP,
  DEFAULT_COUNTRY_CODE,
  DEFAULT_MATCH_BY,
  DEFAULT_SYNC_MODE,
  MATCH_RULES,
  matchesByEmail,
  MatchRule,
  normalizeCorpIds,
  normalizeMatchBy,
  PROFILE_FIELDS,
  ProfileField,
  SYNC_MODES,
  SyncMode,
  syncModeOf,
} from './options';

type ConsoleUrlsState = { urls?: ConsoleUrls; failed?: boolean };

/** The URLs for DingTalk's developer console, asked once per settings form and shared by its two URL fields. */
const ConsoleUrlsContext = createContext<ConsoleUrlsState>({});

function useConsoleUrls(): ConsoleUrlsState {
  const api = useAPIClient();
  const [state, setState] = useState<ConsoleUrlsState>({});
  useEffect(() => {
    let cancelled = false;
    api
      .request({ url: `${RESOURCE}:${ACTIONS.getRedirectUrl}`, method: 'get', skipNotify: true })
      .then((response) => {
        const urls = consoleUrlsFromBody(response.data);
        if (!cancelled) setState(urls ? { urls } : { failed: true });
      })
      .catch(() => {
        if (!cancelled) setState({ failed: true });
      });
    return () => {
      cancelled = true;
    };
  }, [api]);
  return state;
}

/** A read-only, copyable URL of this app to paste into DingTalk's developer console. */
function ConsoleUrlField({ which }: { which: 'redirectUrl' | 'homepageUrl' }) {
  const { t } = useDingTalkTranslation();
  const { urls, failed } = useContext(ConsoleUrlsContext);
  const url = urls?.[which];
  const missing = failed || (urls !== undefined && !url);
  const missingText =
    which === 'redirectUrl' ? t('The Redirect URL could not be loaded.') : t('The Homepage URL could not be loaded.');
  return (
    <>
      <Input
        readOnly
        value={url ?? ''}
        status={missing ? 'error' : undefined}
        placeholder={missing ? missingText : t('Loading…')}
        addonAfter={url ? <Typography.Text copyable={{ text: url, tooltips: [t('Copy'), t('Copied')] }} /> : null}
      />
      {url && urls && !urls.fromConfiguration ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginTop: 8 }}
          message={t(
            'This URL comes from the address you are using now, because APP_URL is not set on the server. Set APP_URL to the public address of NocoBase so that DingTalk always gets the right one.',
          )}
        />
      ) : null}
    </>
  );
}

/** Read-only: the callback URL of this app, to paste into DingTalk's developer console. */
export function RedirectUrl() {
  return <ConsoleUrlField which="redirectUrl" />;
}

/** Read-only: the page to set as the homepage of the DingTalk app's H5 micro-app (in-app sign-in). */
export function HomepageUrl() {
  return <ConsoleUrlField which="homepageUrl" />;
}

/** The props formily gives a field's component. */
type FieldProps<V> = { value?: V; onChange?: (value: V) => void; disabled?: boolean; readOnly?: boolean };

/** A titled divider that opens a group of settings. */
function Section({ title, description }: { title?: string; description?: string }) {
  return (
    <>
      <Divider orientation="left" orientationMargin={0} style={{ marginTop: 24, marginBottom: description ? 4 : 12 }}>
        {title}
      </Divider>
      {description ? (
        <Typography.Paragraph type="secondary" style={{ marginBottom: 12 }}>
          {description}
        </Typography.Paragraph>
      ) : null}
    </>
  );
}

function useMatchRuleLabels(): Record<MatchRule, string> {
  const { t } = useDingTalkTranslation();
  return { phone: t('Phone number'), email: t('Email') };
}

/** The matching rules, in the order the admin picked them (the order they are tried in). */
function MatchBySelect({ value, onChange, disabled, readOnly }: FieldProps<MatchRule[]>) {
  const { t } = useDingTalkTranslation();
  const labels = useMatchRuleLabels();
  return (
    <Select<MatchRule>
      mode="multiple"
      aria-label={t('Match existing users by')}
      value={value === undefined ? DEFAULT_MATCH_BY : normalizeMatchBy(value)}
      onChange={(next) => onChange?.(normalizeMatchBy(next))}
      options={MATCH_RULES.map((rule) => ({ value: rule, label: labels[rule] }))}
      placeholder={t('No matching: only linked DingTalk accounts')}
      disabled={disabled || readOnly}
      allowClear
    />
  );
}

/** corpIds typed or pasted as tags (nothing to pick from: the dropdown stays closed). */
function CorpIdsSelect({ value, onChange, disabled, readOnly }: FieldProps<string[]>) {
  const { t } = useDingTalkTranslation();
  return (
    <Select<string>
      mode="tags"
      open={false}
      suffixIcon={null}
      aria-label={t('Allowed DingTalk organizations')}
      tokenSeparators={[',', ' ', ';', '\n']}
      value={normalizeCorpIds(value)}
      onChange={(next) => onChange?.(normalizeCorpIds(next))}
      placeholder={t('Any organization')}
      disabled={disabled || readOnly}
    />
  );
}

/** A country calling code after a fixed `+`; `+86` or `0086` typed or pasted is kept as 86. */
function CountryCodeInput({ value, onChange, disabled, readOnly }: FieldProps<string>) {
  const { t } = useDingTalkTranslation();
  return (
    <Input
      addonBefore="+"
      inputMode="numeric"
      autoComplete="off"
      aria-label={t('Default country code')}
      style={{ maxWidth: 160 }}
      value={value ?? ''}
      onChange={(event) => onChange?.(countryCodeOf(event.target.value))}
      disabled={disabled}
      readOnly={readOnly}
    />
  );
}

/** A boolean option as a switch (unset reads as off). */
function OptionSwitch({ value, onChange, disabled, readOnly, label }: FieldProps<boolean> & { label?: string }) {
  return (
    <Switch aria-label={label} checked={value === true} onChange={(checked) => onChange?.(checked)} disabled={disabled || readOnly} />
  );
}

function SyncModeRadios({ value, onChange, disabled, readOnly, label }: FieldProps<SyncMode> & { label?: string }) {
  const { t } = useDingTalkTranslation();
  const labels: Record<SyncMode, string> = {
    signup: t('At sign-up only'),
    fill: t('Fill if empty'),
    overwrite: t('Overwrite'),
  };
  return (
    <Radio.Group
      optionType="button"
      aria-label={label}
      value={syncModeOf(value)}
      onChange={(event) => onChange?.(syncModeOf(event.target.value))}
      options={SYNC_MODES.map((mode) => ({ value: mode, label: labels[mode] }))}
      disabled={disabled || readOnly}
    />
  );
}

/** Rendered by plugin-auth inside the authenticator's `options` field: the names below are `options.*`. */
export function AdminSettingsForm() {
  const { t } = useDingTalkTranslation();

  const schema = useMemo<ISchema>(() => {
    const fieldLabels: Record<ProfileField, string> = {
      nickname: t('Nickname'),
      email: t('Email'),
      phone: t('Phone number'),
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
            message: t(
              'Create an app in the DingTalk developer console and grant it these permissions: Contact.User.Read (read personal contact information) and Contact.User.mobile (personal phone number).',
            ),
          },
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

        matchingSection: {
          type: 'void',
          'x-component': 'DingTalkSection',
          'x-component-props': { title: t('Matching and sign-up') },
        },
        matchBy: {
          type: 'array',
          title: t('Match existing users by'),
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkMatchBy',
          default: [...DEFAULT_MATCH_BY],
          description: t(
            'When a DingTalk account that is not linked to a user yet signs in, it is compared with existing users on these fields, in the order shown. Exactly one match: the account is linked to that user. Several: the sign-in is refused. None selected: no matching; other DingTalk accounts can only sign up (if allowed below).',
          ),
        },
        emailWarning: {
          type: 'void',
          'x-decorator': 'FormItem',
          'x-component': 'Alert',
          'x-component-props': {
            showIcon: true,
            type: 'warning',
            message: t(
              "DingTalk does not verify email addresses: anyone can put a colleague's address on their own DingTalk account and be signed in as that colleague. Match by email only if your organization manages its members' DingTalk accounts.",
            ),
          },
          // Shown only while email is one of the matching rules.
          'x-reactions': (field) => {
            field.visible = matchesByEmail(field.query('.matchBy').value());
          },
        },
        defaultCountryCode: {
          type: 'string',
          title: t('Default country code'),
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkCountryCode',
          default: DEFAULT_COUNTRY_CODE,
          required: true,
          'x-validator': (value: unknown) =>
            isCountryCode(value) ? '' : t('Enter a country calling code of 1 to 3 digits, e.g. 86 or 1.'),
          description: t(
            'A phone number stored in NocoBase without a country (no + or 00 in front) is read as a number of this country, without its trunk prefix (0 in most countries, 1 for +1, 8 for +7); it never matches a DingTalk number of another country. Sign-up and profile sync store numbers of this country without a country code, and others with +.',
          ),
        },
        autoSignup: checkbox(
          t('Sign up automatically when the user does not exist'),
          t('When no existing user matches the DingTalk account, a new user is created. When off, such sign-ins are refused.'),
        ),
        copyEmailAtSignup: {
          ...checkbox(
            t("Copy DingTalk's email address to new users"),
            t(
              'Also lets profile sync copy it. When off, the email is copied only if sign-in is restricted to allowed organizations (below).',
            ),
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
            message: t(
              "DingTalk does not verify email addresses: someone could sign up with a colleague's address and later be signed in as that colleague by another sign-in method that matches users by email. Copy it only if your organization manages its members' DingTalk accounts.",
            ),
          },
          // Shown only while copying is on.
          'x-reactions': (field) => {
            field.visible = field.query('.copyEmailAtSignup').value() === true;
          },
        },
        signupWithoutPhone: checkbox(
          t('Accept DingTalk accounts without a phone number'),
          t(
            'DingTalk shares a phone number only if the app has the Contact.User.mobile permission and the account has one. When off, a DingTalk account without one is refused; when on, it signs in (or up) by its DingTalk identity alone.',
          ),
        ),

        organizationSection: {
          type: 'void',
          'x-component': 'DingTalkSection',
          'x-component-props': { title: t('Organization') },
        },
        allowedCorpIds: {
          type: 'array',
          title: t('Allowed DingTalk organizations'),
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkCorpIds',
          default: [],
          description: t(
            'The corpIds of the DingTalk organizations whose members may sign in; type or paste them, then press Enter. Empty: any DingTalk account may sign in.',
          ),
        },
        verifyMembership: checkbox(
          t("Check membership in the organization's directory"),
          t(
            "At each sign-in, also ask the organization's directory whether the person is a member, so that people who have left it are refused. The app must then be an enterprise internal app of that organization, whose AppKey and AppSecret are the Client ID and Client Secret above.",
          ),
        ),

        inAppSection: {
          type: 'void',
          'x-component': 'DingTalkSection',
          'x-component-props': { title: t('Inside the DingTalk app') },
        },
        inAppSignIn: {
          type: 'boolean',
          title: t('Sign in automatically inside the DingTalk app'),
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkSwitch',
          'x-component-props': { label: t('Sign in automatically inside the DingTalk app') },
          default: false,
          description: t(
            'When NocoBase is opened inside the DingTalk app (from the workbench), the sign-in page signs the person in with their DingTalk account without a click (免登). The app must be an enterprise internal app of the organization below. Only one enabled DingTalk sign-in can have this on.',
          ),
        },
        corpId: {
          type: 'string',
          title: t('Organization corpId'),
          'x-decorator': 'FormItem',
          'x-component': 'Input',
          'x-component-props': { autoComplete: 'off', placeholder: 'ding…' },
          description: t(
            'The corpId of the DingTalk organization whose members sign in inside the DingTalk app (shown in the DingTalk developer console). Required when signing in automatically.',
          ),
          // Required only while automatic sign-in is on.
          'x-reactions': (field) => {
            if ('setRequired' in field) field.setRequired(field.query('.inAppSignIn').value() === true);
          },
        },
        homepageUrl: {
          type: 'void',
          title: t('Homepage URL'),
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkHomepageUrl',
          description: t("Set this as the homepage of the app's H5 micro-app in the DingTalk developer console."),
        },

        profileSection: {
          type: 'void',
          'x-component': 'DingTalkSection',
          'x-component-props': {
            title: t('Profile sync'),
            description: t(
              'When the nickname, email and phone number from DingTalk are copied to the NocoBase user. At sign-up only: when the user is created. Fill if empty: also at each sign-in, into empty fields. Overwrite: at each sign-in, replacing the current value.',
            ),
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

  const urls = useConsoleUrls();

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
