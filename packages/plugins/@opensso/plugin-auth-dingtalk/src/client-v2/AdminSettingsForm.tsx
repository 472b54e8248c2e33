import { useApp } from '@nocobase/client-v2';
import { Alert, Form, Input, Typography } from 'antd';
import React, { useEffect } from 'react';
import { isCountryCode } from '../client/account-settings';
import { useDingTalkTranslation } from '../client/locale';
import { matchesByEmail, optionDefaults, PROFILE_FIELDS } from '../client/options';
import { publishSaveProblem } from '../client/save-problems';
import {
  CollapsibleSection,
  ConsoleUrlsContext,
  CorpIdsSelect,
  CountryCodeInput,
  HomepageUrl,
  MatchBySelect,
  OptionSwitch,
  RedirectUrl,
  SaveProblemNotice,
  SignInWindowRadios,
  SyncModeRadios,
  TestConnectionButton,
  useConsoleUrls,
  useSaveProblem,
} from '../client/settings-fields';
import { settingsTexts } from '../client/settings-texts';

/** An option's field in the drawer's form, which holds the whole authenticator record. */
function optionPath(...keys: string[]): string[] {
  return ['options', ...keys];
}

/**
 * The modern client's settings form, inside plugin-auth's Authenticators drawer. Its antd Form holds the whole record,
 * so each option is the field `['options', key]`. On save the drawer sends only the fields registered here and, when
 * editing, does not merge the stored options back (its list rows carry none): every option must have a field here,
 * always mounted (folded sections render their fields, and a field not relevant now is hidden, not removed), or
 * saving would erase it.
 */
export function AdminSettingsForm() {
  const { t } = useDingTalkTranslation();
  const texts = settingsTexts(t);
  const form = Form.useFormInstance();
  const app = useApp();
  const urls = useConsoleUrls(app.apiClient);
  const problem = useSaveProblem();
  useEffect(() => {
    publishSaveProblem(undefined);
  }, []);

  // The drawer fills the form after this mounts (a new record's `options` is `{}`, a stored one is loaded): an option
  // it leaves unset shows, and is saved, as the server's default, as v1's schema defaults do.
  const loaded = Form.useWatch('options', { form, preserve: true });
  useEffect(() => {
    for (const [path, value] of optionDefaults()) {
      if (form.getFieldValue(optionPath(...path)) === undefined) form.setFieldValue(optionPath(...path), value);
    }
  }, [form, loaded]);

  const byEmail = matchesByEmail(Form.useWatch(optionPath('matchBy'), { form }));
  const copiesEmail = Form.useWatch(optionPath('copyEmailAtSignup'), { form }) === true;
  const inApp = Form.useWatch(optionPath('inAppSignIn'), { form }) === true;
  const profileLabels = { nickname: texts.nickname, email: texts.email, phone: texts.phone };

  /** The field a refused save named shows its sentence until the next save. */
  const refused = (key: string) => (problem?.field === key ? { validateStatus: 'error' as const, help: problem.message } : {});

  const onOff = (key: string, label: string, extra: string) => (
    <Form.Item name={optionPath(key)} label={label} extra={extra} {...refused(key)}>
      <OptionSwitch label={label} />
    </Form.Item>
  );

  return (
    <ConsoleUrlsContext.Provider value={urls}>
      <SaveProblemNotice />
      <Form.Item>
        <Alert showIcon type="info" message={texts.notice} />
      </Form.Item>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 16 }}>
        {texts.titleHint}
      </Typography.Paragraph>
      <Form.Item name={optionPath('clientId')} label={texts.clientId} extra={texts.clientIdHelp} rules={[{ required: true }]} {...refused('clientId')}>
        <Input autoComplete="off" />
      </Form.Item>
      <Form.Item
        name={optionPath('clientSecret')}
        label={texts.clientSecret}
        extra={texts.clientSecretHelp}
        rules={[{ required: true }]}
        {...refused('clientSecret')}
      >
        <Input.Password autoComplete="new-password" visibilityToggle={false} />
      </Form.Item>
      <Form.Item>
        <TestConnectionButton
          api={app.apiClient}
          read={() => ({
            authenticator: form.getFieldValue('name'),
            clientId: form.getFieldValue(optionPath('clientId')),
            clientSecret: form.getFieldValue(optionPath('clientSecret')),
          })}
        />
      </Form.Item>
      <Form.Item label={texts.redirectUrl} extra={texts.redirectUrlHelp}>
        <RedirectUrl />
      </Form.Item>
      {onOff('autoSignup', texts.autoSignup, texts.autoSignupHelp)}
      <Form.Item name={optionPath('signInWindow')} label={texts.signInWindow} extra={texts.signInWindowHelp} {...refused('signInWindow')}>
        <SignInWindowRadios />
      </Form.Item>

      <CollapsibleSection title={texts.matchingSection} fields={['matchBy', 'defaultCountryCode', 'signupWithoutPhone', 'copyEmailAtSignup']}>
        <Form.Item name={optionPath('matchBy')} label={texts.matchBy} extra={texts.matchByHelp} {...refused('matchBy')}>
          <MatchBySelect />
        </Form.Item>
        {byEmail ? (
          <Form.Item>
            <Alert showIcon type="warning" message={texts.matchByEmailWarning} />
          </Form.Item>
        ) : null}
        <Form.Item
          name={optionPath('defaultCountryCode')}
          label={texts.defaultCountryCode}
          extra={texts.defaultCountryCodeHelp}
          required
          rules={[
            {
              validator: (_rule, value) =>
                isCountryCode(value) ? Promise.resolve() : Promise.reject(new Error(texts.defaultCountryCodeInvalid)),
            },
          ]}
          {...refused('defaultCountryCode')}
        >
          <CountryCodeInput />
        </Form.Item>
        {onOff('signupWithoutPhone', texts.signupWithoutPhone, texts.signupWithoutPhoneHelp)}
        {onOff('copyEmailAtSignup', texts.copyEmailAtSignup, texts.copyEmailAtSignupHelp)}
        {copiesEmail ? (
          <Form.Item>
            <Alert showIcon type="warning" message={texts.copyEmailWarning} />
          </Form.Item>
        ) : null}
      </CollapsibleSection>

      <CollapsibleSection title={texts.organizationSection} fields={['allowedCorpIds', 'verifyMembership']}>
        <Form.Item name={optionPath('allowedCorpIds')} label={texts.allowedCorpIds} extra={texts.allowedCorpIdsHelp} {...refused('allowedCorpIds')}>
          <CorpIdsSelect />
        </Form.Item>
        {onOff('verifyMembership', texts.verifyMembership, texts.verifyMembershipHelp)}
      </CollapsibleSection>

      <CollapsibleSection title={texts.profileSection} description={texts.profileSectionHelp} fields={['profileSync']}>
        {PROFILE_FIELDS.map((field) => (
          <Form.Item key={field} name={optionPath('profileSync', field)} label={profileLabels[field]} {...refused(`profileSync.${field}`)}>
            <SyncModeRadios label={profileLabels[field]} />
          </Form.Item>
        ))}
      </CollapsibleSection>

      <CollapsibleSection title={texts.inAppSection} fields={['inAppSignIn', 'corpId']}>
        {onOff('inAppSignIn', texts.inAppSignIn, texts.inAppSignInHelp)}
        <Form.Item
          name={optionPath('corpId')}
          label={texts.corpId}
          extra={texts.corpIdHelp}
          hidden={!inApp}
          dependencies={[optionPath('inAppSignIn')]}
          rules={[(current) => ({ required: current.getFieldValue(optionPath('inAppSignIn')) === true })]}
          {...refused('corpId')}
        >
          <Input autoComplete="off" placeholder="ding…" />
        </Form.Item>
        {inApp ? (
          <Form.Item label={texts.homepageUrl} extra={texts.homepageUrlHelp}>
            <HomepageUrl />
          </Form.Item>
        ) : null}
      </CollapsibleSection>
    </ConsoleUrlsContext.Provider>
  );
}

export default AdminSettingsForm;
