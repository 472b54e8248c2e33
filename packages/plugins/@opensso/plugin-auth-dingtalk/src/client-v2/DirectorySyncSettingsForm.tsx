import { useApp } from '@nocobase/client-v2';
import { Alert, Form, Input } from 'antd';
import React, { useEffect } from 'react';
import { AuthenticatorSelect, directorySyncTexts, LeaversRadios, SYNC_DEFAULTS } from '../client/directory-sync-fields';
import { useDingTalkTranslation } from '../client/locale';
import { OptionSwitch } from '../client/settings-fields';

/**
 * The "DingTalk" source's settings in user-data-sync's modern drawer, whose antd Form holds the whole source record:
 * each setting is the field `['options', key]`, always mounted so that saving keeps it.
 */
export function DirectorySyncSettingsForm() {
  const { t } = useDingTalkTranslation();
  const texts = directorySyncTexts(t);
  const form = Form.useFormInstance();
  const app = useApp();
  const loaded = Form.useWatch('options', { form, preserve: true });
  useEffect(() => {
    for (const [key, value] of Object.entries(SYNC_DEFAULTS)) {
      if (form.getFieldValue(['options', key]) === undefined) form.setFieldValue(['options', key], value);
    }
  }, [form, loaded]);
  return (
    <>
      <Alert showIcon type="info" message={texts.intro} style={{ marginBottom: 16 }} />
      <Form.Item name={['options', 'authenticator']} label={texts.authenticator} extra={texts.authenticatorHint} rules={[{ required: true }]}>
        <AuthenticatorSelect api={app.apiClient} />
      </Form.Item>
      <Form.Item name={['options', 'rootDeptId']} label={texts.rootDeptId} extra={texts.rootDeptIdHint} rules={[{ pattern: /^\d{0,19}$/ }]}>
        <Input inputMode="numeric" autoComplete="off" />
      </Form.Item>
      <Form.Item name={['options', 'syncDepartments']} label={texts.syncDepartments} valuePropName="value">
        <OptionSwitch label={texts.syncDepartments} />
      </Form.Item>
      <Form.Item name={['options', 'leavers']} label={texts.leavers}>
        <LeaversRadios />
      </Form.Item>
    </>
  );
}
