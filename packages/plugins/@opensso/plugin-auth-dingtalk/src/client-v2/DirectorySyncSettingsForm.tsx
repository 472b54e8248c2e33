import { useApp } from '@nocobase/client-v2';
import { Alert, Form, Input } from 'antd';
import React, { useEffect } from 'react';
import { AuthenticatorSelect, directorySyncTexts, LeaversRadios, SYNC_DEFAULTS } from '../client/directory-sync-fields';
import { useDingTalkTranslation } from '../client/locale';
import { CallbackUrl, DEFAULT_EVENT_MODE, directoryEventTexts, EventModeRadios } from '../client/directory-events-fields';
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
  const events = directoryEventTexts(t);
  const mode = Form.useWatch(['options', 'events'], { form, preserve: true });
  const name = Form.useWatch('name', { form, preserve: true });
  useEffect(() => {
    for (const [key, value] of Object.entries({ ...SYNC_DEFAULTS, events: DEFAULT_EVENT_MODE })) {
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
      <Form.Item name={['options', 'events']} label={events.events} extra={events.eventsHelp}>
        <EventModeRadios />
      </Form.Item>
      {/* Push mode only; hidden (still mounted) otherwise, so that saving keeps them. */}
      <Form.Item name={['options', 'pushToken']} label={events.pushToken} extra={events.pushKeysHelp} hidden={mode !== 'push'}>
        <Input autoComplete="off" />
      </Form.Item>
      <Form.Item name={['options', 'pushAesKey']} label={events.pushAesKey} hidden={mode !== 'push'} rules={[{ pattern: /^([A-Za-z0-9]{43})?$/ }]}>
        <Input autoComplete="off" />
      </Form.Item>
      <Form.Item label={events.callbackUrl} extra={events.callbackUrlHelp} hidden={mode !== 'push'}>
        <CallbackUrl api={app.apiClient} source={typeof name === 'string' && name ? name : undefined} />
      </Form.Item>
    </>
  );
}
