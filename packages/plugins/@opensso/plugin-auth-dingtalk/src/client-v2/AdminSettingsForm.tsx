import { useApp } from '@nocobase/client-v2';
import { Alert, Checkbox, Form, Input } from 'antd';
import React, { useEffect } from 'react';
import { isCountryCode } from '../client/account-settings';
import { useDingTalkTranslation } from '../client/locale';
import { matchesByEmail, optionDefaults, PROFILE_FIELDS } from '../client/options';
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
 * always mounted, or saving would erase it.
 */
export function AdminSettingsForm() {
  const { t } = useDingTalkTranslation();
  const texts = settingsTexts(t);
  const form = Form.useFormInstance();
  const urls = useConsoleUrls(useApp().apiClient);

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
  const profileLabels = { nickname: texts.nickname, email: texts.email, phone: texts.phone };

  const checkbox = (key: string, label: string, extra: string) => (
    <Form.Item name={optionPath(key)} label={label} extra={extra} valuePropName="checked">
      <Checkbox />
    </Form.Item>
  );

  return (
    <ConsoleUrlsContext.Provider value={urls}>
      <Form.Item>
        <Alert showIcon type="info" message={texts.notice} />
      </Form.Item>
      <Form.Item name={optionPath('clientId')} label={texts.clientId} extra={texts.clientIdHelp} rules={[{ required: true }]}>
        <Input autoComplete="off" />
      </Form.Item>
      <Form.Item name={optionPath('clientSecret')} label={texts.clientSecret} extra={texts.clientSecretHelp} rules={[{ required: true }]}>
        <Input.Password autoComplete="new-password" visibilityToggle={false} />
      </Form.Item>
      <Form.Item label={texts.redirectUrl} extra={texts.redirectUrlHelp}>
        <RedirectUrl />
      </Form.Item>

      <Section title={texts.matchingSection} />
      <Form.Item name={optionPath('matchBy')} label={texts.matchBy} extra={texts.matchByHelp}>
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
      >
        <CountryCodeInput />
      </Form.Item>
      {checkbox('autoSignup', texts.autoSignup, texts.autoSignupHelp)}
      {checkbox('copyEmailAtSignup', texts.copyEmailAtSignup, texts.copyEmailAtSignupHelp)}
      {copiesEmail ? (
        <Form.Item>
          <Alert showIcon type="warning" message={texts.copyEmailWarning} />
        </Form.Item>
      ) : null}
      {checkbox('signupWithoutPhone', texts.signupWithoutPhone, texts.signupWithoutPhoneHelp)}

      <Section title={texts.organizationSection} />
      <Form.Item name={optionPath('allowedCorpIds')} label={texts.allowedCorpIds} extra={texts.allowedCorpIdsHelp}>
        <CorpIdsSelect />
      </Form.Item>
      {checkbox('verifyMembership', texts.verifyMembership, texts.verifyMembershipHelp)}

      <Section title={texts.inAppSection} />
      <Form.Item name={optionPath('inAppSignIn')} label={texts.inAppSignIn} extra={texts.inAppSignInHelp}>
        <OptionSwitch label={texts.inAppSignIn} />
      </Form.Item>
      <Form.Item
        name={optionPath('corpId')}
        label={texts.corpId}
        extra={texts.corpIdHelp}
        dependencies={[optionPath('inAppSignIn')]}
        rules={[(current) => ({ required: current.getFieldValue(optionPath('inAppSignIn')) === true })]}
      >
        <Input autoComplete="off" placeholder="ding…" />
      </Form.Item>
      <Form.Item label={texts.homepageUrl} extra={texts.homepageUrlHelp}>
        <HomepageUrl />
      </Form.Item>

      <Section title={texts.profileSection} description={texts.profileSectionHelp} />
      {PROFILE_FIELDS.map((field) => (
        <Form.Item key={field} name={optionPath('profileSync', field)} label={profileLabels[field]}>
          <SyncModeRadios label={profileLabels[field]} />
        </Form.Item>
      ))}
    </ConsoleUrlsContext.Provider>
  );
}

export default AdminSettingsForm;
