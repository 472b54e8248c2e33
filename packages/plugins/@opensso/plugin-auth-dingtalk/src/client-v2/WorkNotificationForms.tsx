import { useApp } from '@nocobase/client-v2';
import { Button, Form, Input, Radio, Space } from 'antd';
import React, { type ComponentType } from 'react';
import { AuthenticatorSelect } from '../client/directory-sync-fields';
import { useDingTalkTranslation } from '../client/locale';
import { SendTestMessage, workNoticeTexts } from '../client/work-notice-fields';
import { BUTTON_LAYOUTS, MESSAGE_TYPES, parseAgentId, showsField } from '../work-notice-form';

/**
 * The "DingTalk work notification" forms in the modern client's notification manager. Its channel drawer is one antd
 * Form holding the whole channel record, so each setting is the field `['options', key]`; its message form (the
 * workflow "Notification" node's) puts this form's fields under `namePrefix` (`['config']` in the node). The names
 * are the server's contract (src/work-notice-form.ts), the same as the v1 forms'.
 */

export function ChannelConfigForm() {
  const { t } = useDingTalkTranslation();
  const texts = workNoticeTexts(t);
  const app = useApp();
  const name = Form.useWatch('name', { preserve: true });
  return (
    <>
      <Form.Item name={['options', 'authenticator']} label={texts.authenticator} extra={texts.authenticatorHint} rules={[{ required: true }]}>
        <AuthenticatorSelect api={app.apiClient} />
      </Form.Item>
      <Form.Item
        name={['options', 'agentId']}
        label={texts.agentId}
        extra={texts.agentIdHint}
        rules={[{ required: true }, { validator: async (_rule, value) => (value === undefined || value === '' || parseAgentId(value) !== undefined ? undefined : Promise.reject(new Error(texts.agentIdHint))) }]}
      >
        <Input inputMode="numeric" autoComplete="off" />
      </Form.Item>
      <Form.Item label={texts.sendTest}>
        <SendTestMessage api={app.apiClient} channelName={name} />
      </Form.Item>
    </>
  );
}

/** What the workflow's v2 client gives a node's form to pick variables with (its `WorkflowVariableInput` props). */
type VariableInputProps = { value?: string; onChange?: (value: string) => void; metaTree?: unknown; placeholder?: string };
export type VariableInputs = {
  WorkflowVariableInput: ComponentType<VariableInputProps>;
  WorkflowVariableTextArea: ComponentType<VariableInputProps & { autoSize?: { minRows?: number }; delimiters?: readonly [string, string] }>;
};

/** Without the workflow plugin's inputs (a form shown outside a workflow), plain text fields: variables are typed. */
const PLAIN_INPUTS: VariableInputs = {
  WorkflowVariableInput: ({ metaTree: _tree, ...props }) => <Input {...props} onChange={(event) => props.onChange?.(event.target.value)} />,
  WorkflowVariableTextArea: ({ metaTree: _tree, delimiters: _delimiters, ...props }) => <Input.TextArea {...props} onChange={(event) => props.onChange?.(event.target.value)} />,
};

type FormProps = { variableOptions?: unknown; namePrefix?: Array<string | number> };

/** The content: type, title, text, buttons and their layout; the fields a type does not have are hidden, not removed. */
function ContentFields({ variableOptions, namePrefix = [], inputs }: FormProps & { inputs: VariableInputs }) {
  const { t } = useDingTalkTranslation();
  const texts = workNoticeTexts(t);
  const { WorkflowVariableInput: VariableInput, WorkflowVariableTextArea: VariableTextArea } = inputs;
  const msgType = Form.useWatch([...namePrefix, 'msgType'], { preserve: true });
  return (
    <>
      <Form.Item name={[...namePrefix, 'msgType']} label={texts.msgType} initialValue="text">
        <Radio.Group options={MESSAGE_TYPES.map((value) => ({ value, label: texts.msgTypes[value] }))} />
      </Form.Item>
      <Form.Item name={[...namePrefix, 'title']} label={texts.title} hidden={!showsField('title', msgType)} rules={showsField('title', msgType) ? [{ required: true }] : []}>
        <VariableInput metaTree={variableOptions} />
      </Form.Item>
      <Form.Item name={[...namePrefix, 'content']} label={texts.content} rules={[{ required: true }]}>
        {/* Rendered by Handlebars (notification-manager): the triple braces keep the record's text as it is, unescaped. */}
        <VariableTextArea metaTree={variableOptions} autoSize={{ minRows: 6 }} delimiters={['{{{', '}}}']} />
      </Form.Item>
      <Form.Item label={texts.buttons} extra={texts.buttonsHint} hidden={!showsField('buttons', msgType)}>
        <Form.List name={[...namePrefix, 'buttons']} initialValue={[{}]}>
          {(rows, { add, remove }) => (
            <Space direction="vertical" style={{ display: 'flex' }}>
              {rows.map((row) => (
                <Space key={row.key} align="start" wrap>
                  <Form.Item name={[row.name, 'title']} noStyle>
                    <VariableInput metaTree={variableOptions} placeholder={texts.buttonText} />
                  </Form.Item>
                  <Form.Item name={[row.name, 'url']} noStyle>
                    <VariableInput metaTree={variableOptions} placeholder={texts.buttonUrl} />
                  </Form.Item>
                  <Button type="text" aria-label={texts.remove} onClick={() => remove(row.name)}>
                    ×
                  </Button>
                </Space>
              ))}
              <Button onClick={() => add({})}>{texts.addButton}</Button>
            </Space>
          )}
        </Form.List>
      </Form.Item>
      <Form.Item name={[...namePrefix, 'buttonLayout']} label={texts.buttonLayout} initialValue="vertical" hidden={!showsField('buttonLayout', msgType)}>
        <Radio.Group options={BUTTON_LAYOUTS.map((value) => ({ value, label: texts.buttonLayouts[value] }))} />
      </Form.Item>
    </>
  );
}

/** The receivers: user ids, or variables holding them (the record's assignee). */
function ReceiverFields({ variableOptions, namePrefix = [], inputs }: FormProps & { inputs: VariableInputs }) {
  const { t } = useDingTalkTranslation();
  const texts = workNoticeTexts(t);
  const { WorkflowVariableInput: VariableInput } = inputs;
  return (
    <Form.Item label={texts.receivers} extra={texts.receiversHint} required>
      <Form.List name={[...namePrefix, 'receivers']} initialValue={['']}>
        {(rows, { add, remove }) => (
          <Space direction="vertical" style={{ display: 'flex' }}>
            {rows.map((row) => (
              <Space key={row.key} align="start">
                <Form.Item name={row.name} noStyle rules={[{ required: true }]}>
                  <VariableInput metaTree={variableOptions} />
                </Form.Item>
                <Button type="text" aria-label={texts.remove} onClick={() => remove(row.name)}>
                  ×
                </Button>
              </Space>
            ))}
            <Button onClick={() => add('')}>{texts.addReceiver}</Button>
          </Space>
        )}
      </Form.List>
    </Form.Item>
  );
}

/** The message form of a "Notification" node: who (NocoBase users) and what; `inputs` pick the workflow's variables. */
export function messageConfigForm(inputs: VariableInputs = PLAIN_INPUTS) {
  return function MessageConfigForm(props: FormProps) {
    return (
      <>
        <ReceiverFields {...props} inputs={inputs} />
        <ContentFields {...props} inputs={inputs} />
      </>
    );
  };
}

/** The content alone, for senders that choose the users themselves. */
export function contentConfigForm(inputs: VariableInputs = PLAIN_INPUTS) {
  return function ContentConfigForm(props: FormProps) {
    return <ContentFields {...props} inputs={inputs} />;
  };
}
