/**
 * The parts of the "DingTalk work notification" forms that the v1 (formily) and v2 (antd Form) clients share: the
 * words, the recipient picker and "Send test message". Each takes the page's API client, so it runs in either host.
 * The fields they fill are the server's contract (src/work-notice-form.ts); the test is
 * `dingtalkWorkNotifications:sendTest` (server/work-notices.ts), admins only.
 */
import type { APIClient } from '@nocobase/sdk';
import { Alert, Button, Select, Space, Typography } from 'antd';
import React, { useEffect, useState } from 'react';
import { NAMESPACE } from '../constants';
import type { MessageType, ButtonLayout } from '../work-notice-form';
import { useDingTalkTranslation } from './locale';

/** The channel type's name in notification-manager's lists, translated by the host (v1 and v2 compile it alike). */
export const WORK_NOTICE_TYPE_TITLE = `{{t("DingTalk work notification", { ns: "${NAMESPACE}" })}}`;

export function workNoticeTexts(t: (key: string) => string) {
  return {
    authenticator: t('DingTalk sign-in method'),
    authenticatorHint: t('Its Client ID and Client Secret are the AppKey and AppSecret of the DingTalk app that sends the notifications.'),
    agentId: t('AgentId'),
    agentIdHint: t('The AgentId of that app, shown on its page in the DingTalk developer console.'),
    sendTest: t('Send test message'),
    receivers: t('Receivers'),
    receiversHint: t('A user ID, or a variable holding user IDs (for example the assignee of the record).'),
    addReceiver: t('Add receiver'),
    msgType: t('Message type'),
    msgTypes: { text: t('Text'), markdown: t('Markdown'), actionCard: t('Action card') } satisfies Record<MessageType, string>,
    title: t('Title'),
    content: t('Content'),
    buttons: t('Buttons'),
    buttonsHint: t('A path of this app such as /admin/… opens inside DingTalk, signed in; other addresses must start with https:// or http://.'),
    buttonText: t('Button text'),
    buttonUrl: t('Address'),
    addButton: t('Add button'),
    remove: t('Remove'),
    buttonLayout: t('Button layout'),
    buttonLayouts: { vertical: t('One under the other'), horizontal: t('Side by side') } satisfies Record<ButtonLayout, string>,
  };
}

type Option = { label: string; value: number };

/** A NocoBase user, searched by nickname, username or email. */
function UserSelect({ api, value, onChange }: { api: APIClient; value?: number; onChange?: (value: number) => void }) {
  const [options, setOptions] = useState<Option[]>([]);
  const search = (text: string) => {
    const filter = text ? { $or: [{ nickname: { $includes: text } }, { username: { $includes: text } }, { email: { $includes: text } }] } : {};
    api
      .request({ url: 'users:list', params: { filter, pageSize: 50, fields: ['id', 'nickname', 'username'] } })
      .then((response) => {
        const rows = ((response.data as { data?: unknown })?.data ?? []) as Array<{ id: number; nickname?: string; username?: string }>;
        setOptions(rows.map((row) => ({ value: row.id, label: `${row.nickname || row.username || row.id} (#${row.id})` })));
      })
      .catch(() => undefined);
  };
  useEffect(() => search(''), []); // eslint-disable-line react-hooks/exhaustive-deps
  return <Select showSearch filterOption={false} onSearch={search} value={value} onChange={onChange} options={options} style={{ minWidth: 240 }} />;
}

/** "Send test message": a short text through the saved channel `channelName` to a chosen user. */
export function SendTestMessage({ api, channelName }: { api: APIClient; channelName: unknown }) {
  const { t } = useDingTalkTranslation();
  const [userId, setUserId] = useState<number>();
  // The test goes through the saved channel: in the "Add new" form there is none yet (its name is only a default).
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    let live = true;
    if (typeof channelName !== 'string' || !channelName) return;
    api
      .request({ url: 'notificationChannels:get', params: { filterByTk: channelName } })
      .then((response) => live && setSaved(Boolean((response.data as { data?: unknown })?.data)))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api, channelName]);
  const [state, setState] = useState<{ status: 'idle' | 'sending' | 'success' | 'failure'; text?: string }>({ status: 'idle' });
  const send = async () => {
    setState({ status: 'sending' });
    try {
      const response = await api.request({
        url: 'dingtalkWorkNotifications:sendTest',
        method: 'post',
        data: { channelName, userId },
        skipNotify: true,
      } as Parameters<APIClient['request']>[0]);
      const data = ((response.data as { data?: unknown })?.data ?? {}) as { status?: string; reason?: string };
      setState(data.status === 'success' ? { status: 'success', text: data.reason } : { status: 'failure', text: data.reason });
    } catch (error) {
      const errors = (error as { response?: { data?: { errors?: Array<{ message?: string }> } } })?.response?.data?.errors;
      setState({ status: 'failure', text: errors?.[0]?.message });
    }
  };
  if (!saved) {
    return <Typography.Text type="secondary">{t('Save the channel first, then send a test message.')}</Typography.Text>;
  }
  return (
    <Space direction="vertical" style={{ display: 'flex' }}>
      <Space wrap>
        <Typography.Text>{t('Recipient')}</Typography.Text>
        <UserSelect api={api} value={userId} onChange={setUserId} />
        <Button onClick={send} loading={state.status === 'sending'} disabled={!userId}>
          {t('Send')}
        </Button>
      </Space>
      {state.status === 'success' ? (
        <Alert type="success" showIcon role="status" message={t('The test message was sent.')} description={<pre style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{state.text}</pre>} />
      ) : null}
      {state.status === 'failure' ? <Alert type="error" showIcon role="alert" message={<pre style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{state.text}</pre>} /> : null}
    </Space>
  );
}
