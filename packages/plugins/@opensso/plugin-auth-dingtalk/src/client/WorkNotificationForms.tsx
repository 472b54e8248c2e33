import type { ISchema } from '@formily/json-schema';
import { useForm } from '@formily/react';
import { SchemaComponent, useAPIClient } from '@nocobase/client';
import { Alert, Button, Select, Space, Typography } from 'antd';
import React, { useEffect, useMemo, useState } from 'react';
import { AUTH_TYPE } from '../constants';
import { BUTTON_LAYOUTS, MESSAGE_TYPES } from '../work-notice-form';
import { useDingTalkTranslation } from './locale';

/**
 * The forms of the "DingTalk work notification" channel type, as notification-manager renders them: the channel's
 * settings (inside the channel's `options`), and the message form, which the workflow "Notification" node shows
 * with the workflow's variables (`variableOptions`). The field names are the server's contract: src/work-notice-form.ts.
 */

type Option = { label: string; value: string | number };

/** The DingTalk authenticators (by name): their Client ID/Secret are the app's AppKey/AppSecret. */
function AuthenticatorSelect(props: { value?: string; onChange?: (value: string) => void }) {
  const api = useAPIClient();
  const [options, setOptions] = useState<Option[]>([]);
  useEffect(() => {
    let live = true;
    api
      .request({ url: 'authenticators:list', params: { filter: { authType: AUTH_TYPE }, paginate: false } })
      .then((response) => {
        const rows = ((response.data as { data?: unknown })?.data ?? []) as Array<{ name: string; title?: string }>;
        if (live) setOptions(rows.map((row) => ({ value: row.name, label: row.title ? `${row.title} (${row.name})` : row.name })));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api]);
  return <Select value={props.value} onChange={props.onChange} options={options} style={{ width: '100%' }} />;
}

function UserSelect(props: { value?: number; onChange?: (value: number) => void }) {
  const api = useAPIClient();
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
  return <Select showSearch filterOption={false} onSearch={search} value={props.value} onChange={props.onChange} options={options} style={{ minWidth: 240 }} />;
}

/** "Send test message": a short text through the saved channel to a chosen user; admins only (the server checks). */
function SendTest() {
  const { t } = useDingTalkTranslation();
  const api = useAPIClient();
  const form = useForm();
  const channelName = (form.values as { name?: unknown }).name;
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
      });
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
        <UserSelect value={userId} onChange={setUserId} />
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

export function ChannelConfigForm() {
  const { t } = useDingTalkTranslation();
  const schema = useMemo<ISchema>(
    () => ({
      type: 'object',
      properties: {
        authenticator: {
          type: 'string',
          title: t('DingTalk sign-in method'),
          description: t('Its Client ID and Client Secret are the AppKey and AppSecret of the DingTalk app that sends the notifications.'),
          required: true,
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkAuthenticatorSelect',
        },
        agentId: {
          type: 'string',
          title: t('AgentId'),
          description: t('The AgentId of that app, shown on its page in the DingTalk developer console.'),
          required: true,
          'x-decorator': 'FormItem',
          'x-component': 'Input',
          'x-validator': [{ pattern: /^[1-9]\d{0,17}$/ }],
        },
        test: { type: 'void', title: t('Send test message'), 'x-decorator': 'FormItem', 'x-component': 'DingTalkSendTest' },
      },
    }),
    [t],
  );
  return <SchemaComponent schema={schema} components={{ DingTalkAuthenticatorSelect: AuthenticatorSelect, DingTalkSendTest: SendTest }} />;
}

/** Shown only for some message types: `types` of src/work-notice-form.ts's MESSAGE_TYPES. */
function onlyFor(types: string[]): ISchema['x-reactions'] {
  return { dependencies: ['.msgType'], fulfill: { state: { visible: `{{${JSON.stringify(types)}.includes($deps[0] || "text")}}` } } };
}

function contentProperties(t: (key: string) => string, variableOptions: unknown): Record<string, ISchema> {
  const labels: Record<string, string> = { text: t('Text'), markdown: t('Markdown'), actionCard: t('Action card') };
  const layouts: Record<string, string> = { vertical: t('One under the other'), horizontal: t('Side by side') };
  const variable = { scope: variableOptions, useTypedConstant: ['string'] };
  return {
    msgType: {
      type: 'string',
      title: t('Message type'),
      'x-decorator': 'FormItem',
      'x-component': 'Radio.Group',
      enum: MESSAGE_TYPES.map((value) => ({ value, label: labels[value] })),
      default: 'text',
    },
    title: {
      type: 'string',
      title: t('Title'),
      required: true,
      'x-decorator': 'FormItem',
      'x-component': 'Variable.TextArea',
      'x-component-props': variable,
      'x-reactions': onlyFor(['markdown', 'actionCard']),
    },
    content: {
      type: 'string',
      title: t('Content'),
      required: true,
      'x-decorator': 'FormItem',
      'x-component': 'Variable.RawTextArea',
      // Rendered by Handlebars (notification-manager): the triple braces keep the record's text as it is, unescaped.
      'x-component-props': { scope: variableOptions, autoSize: { minRows: 6 }, delimiters: ['{{{', '}}}'] },
    },
    buttons: {
      type: 'array',
      title: t('Buttons'),
      description: t('A path of this app such as /admin/… opens inside DingTalk, signed in; other addresses must start with https:// or http://.'),
      'x-decorator': 'FormItem',
      'x-component': 'ArrayItems',
      'x-reactions': onlyFor(['actionCard']),
      default: [{}],
      items: {
        type: 'object',
        'x-component': 'Space',
        properties: {
          title: { type: 'string', 'x-decorator': 'FormItem', 'x-component': 'Variable.TextArea', 'x-component-props': { ...variable, placeholder: t('Button text') } },
          url: { type: 'string', 'x-decorator': 'FormItem', 'x-component': 'Variable.TextArea', 'x-component-props': { ...variable, placeholder: t('Address') } },
          remove: { type: 'void', 'x-decorator': 'FormItem', 'x-component': 'ArrayItems.Remove' },
        },
      },
      properties: { add: { type: 'void', title: t('Add button'), 'x-component': 'ArrayItems.Addition' } },
    },
    buttonLayout: {
      type: 'string',
      title: t('Button layout'),
      'x-decorator': 'FormItem',
      'x-component': 'Radio.Group',
      enum: BUTTON_LAYOUTS.map((value) => ({ value, label: layouts[value] })),
      default: 'vertical',
      'x-reactions': onlyFor(['actionCard']),
    },
  };
}

/** The message of a "Notification" node or a manual send: who (NocoBase users) and what. */
export function MessageConfigForm({ variableOptions }: { variableOptions?: unknown }) {
  const { t } = useDingTalkTranslation();
  const schema = useMemo<ISchema>(
    () => ({
      type: 'void',
      properties: {
        receivers: {
          type: 'array',
          title: t('Receivers'),
          description: t('A user ID, or a variable holding user IDs (for example the assignee of the record).'),
          required: true,
          'x-decorator': 'FormItem',
          'x-component': 'ArrayItems',
          default: [''],
          items: {
            type: 'void',
            'x-component': 'Space',
            properties: {
              input: { type: 'string', 'x-decorator': 'FormItem', 'x-component': 'Variable.Input', 'x-component-props': { scope: variableOptions, useTypedConstant: ['string', 'number'] } },
              remove: { type: 'void', 'x-decorator': 'FormItem', 'x-component': 'ArrayItems.Remove' },
            },
          },
          properties: { add: { type: 'void', title: t('Add receiver'), 'x-component': 'ArrayItems.Addition' } },
        },
        ...contentProperties(t, variableOptions),
      },
    }),
    [t, variableOptions],
  );
  return <SchemaComponent schema={schema} />;
}

/** The content alone, for senders that choose the users themselves (`sendToUsers`). */
export function ContentConfigForm({ variableOptions }: { variableOptions?: unknown }) {
  const { t } = useDingTalkTranslation();
  const schema = useMemo<ISchema>(() => ({ type: 'void', properties: contentProperties(t, variableOptions) }), [t, variableOptions]);
  return <SchemaComponent schema={schema} />;
}
