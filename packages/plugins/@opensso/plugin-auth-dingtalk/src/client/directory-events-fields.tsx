/**
 * The "Directory events" settings of a DingTalk sync source (server/directory-sync-source.ts `events`, `pushToken`,
 * `pushAesKey`), shared by the v1 and v2 forms: how changes made in DingTalk reach NocoBase between full syncs, and
 * for push mode the console's Token and aes_key and the Callback URL to enter there.
 */
import { Alert, Input, Radio, Typography } from 'antd';
import React, { useEffect, useState } from 'react';
import { callbackUrlFromBody, callbackUrlRequest, EVENT_MODES, eventModeOf, type EventMode } from './directory-events';
import { useDingTalkTranslation } from './locale';
import { AppUrlWarning, type ConsoleUrlsApi, type FieldProps } from './settings-fields';

export { DEFAULT_EVENT_MODE } from './directory-events';

export function directoryEventTexts(t: (key: string) => string) {
  return {
    events: t('Changes between syncs'),
    stream: t('Stream (recommended): NocoBase keeps a connection to DingTalk; no public URL needed'),
    push: t('HTTP push: DingTalk calls NocoBase at the Callback URL'),
    off: t('Off: only full syncs'),
    eventsHelp: t(
      'In the DingTalk developer console, subscribe the app to the directory events (通讯录事件) in the same mode. People who leave are then locked out within seconds.',
    ),
    pushToken: t('Token'),
    pushAesKey: t('aes_key'),
    pushKeysHelp: t("The Token and aes_key of the app's event subscription in the DingTalk developer console."),
    callbackUrl: t('Callback URL'),
    callbackUrlHelp: t('Enter this URL as the request URL of the event subscription in the DingTalk developer console.'),
    callbackUrlAfterSave: t('Name the source and save it: its Callback URL contains its name.'),
  };
}

export function EventModeRadios({ value, onChange, disabled, readOnly }: FieldProps<EventMode>) {
  const { t } = useDingTalkTranslation();
  const texts = directoryEventTexts(t);
  return (
    <Radio.Group
      value={eventModeOf(value)}
      onChange={(event) => onChange?.(eventModeOf(event.target.value))}
      disabled={disabled || readOnly}
      style={{ display: 'flex', flexDirection: 'column', gap: 4 }}
      options={EVENT_MODES.map((mode) => ({ value: mode, label: texts[mode] }))}
    />
  );
}

/** Read-only and copyable: where DingTalk pushes this source's events. */
export function CallbackUrl({ api, source }: { api: ConsoleUrlsApi; source?: string }) {
  const { t } = useDingTalkTranslation();
  const texts = directoryEventTexts(t);
  const [answer, setAnswer] = useState<{ url: string; fromConfiguration: boolean } | 'failed'>();
  useEffect(() => {
    if (!source) return;
    let live = true;
    api
      .request(callbackUrlRequest(source))
      .then((res) => live && setAnswer(callbackUrlFromBody(res.data) ?? 'failed'))
      .catch(() => live && setAnswer('failed'));
    return () => {
      live = false;
    };
  }, [api, source]);
  if (!source) return <Alert type="info" showIcon message={texts.callbackUrlAfterSave} />;
  const url = answer && answer !== 'failed' ? answer.url : undefined;
  return (
    <>
      <Input
        readOnly
        value={url ?? ''}
        status={answer === 'failed' ? 'error' : undefined}
        placeholder={answer === 'failed' ? t('The Callback URL could not be loaded.') : t('Loading…')}
        addonAfter={url ? <Typography.Text copyable={{ text: url, tooltips: [t('Copy'), t('Copied')] }} /> : null}
      />
      {answer && answer !== 'failed' && !answer.fromConfiguration ? <AppUrlWarning /> : null}
    </>
  );
}
