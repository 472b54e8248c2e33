import type { ISchema } from '@formily/json-schema';
import { useForm } from '@formily/react';
import { SchemaComponent, useAPIClient } from '@nocobase/client';
import React, { useMemo } from 'react';
import { AGENT_ID_PATTERN, BUTTON_LAYOUTS, MESSAGE_TYPES, TYPED_FIELDS } from '../work-notice-form';
import { AuthenticatorSelect } from './directory-sync-fields';
import { useDingTalkTranslation } from './locale';
import { SendTestMessage, workNoticeTexts } from './work-notice-fields';

/**
 * The forms of the "DingTalk work notification" channel type, as notification-manager renders them: the channel's
 * settings (inside the channel's `options`), and the message form, which the workflow "Notification" node shows
 * with the workflow's variables (`variableOptions`). The field names are the server's contract: src/work-notice-form.ts.
 */

/** The DingTalk authenticators (by name): their Client ID/Secret are the app's AppKey/AppSecret. */
function DingTalkAuthenticatorSelect(props: { value?: string; onChange?: (value: string) => void }) {
  return <AuthenticatorSelect {...props} api={useAPIClient()} />;
}

/** "Send test message" through the channel the form edits (admins only: the server checks). */
function SendTest() {
  return <SendTestMessage api={useAPIClient()} channelName={(useForm().values as { name?: unknown }).name} />;
}

export function ChannelConfigForm() {
  const { t } = useDingTalkTranslation();
  const schema = useMemo<ISchema>(() => {
    const texts = workNoticeTexts(t);
    return {
      type: 'object',
      properties: {
        authenticator: {
          type: 'string',
          title: texts.authenticator,
          description: texts.authenticatorHint,
          required: true,
          'x-decorator': 'FormItem',
          'x-component': 'DingTalkAuthenticatorSelect',
        },
        agentId: {
          type: 'string',
          title: texts.agentId,
          description: texts.agentIdHint,
          required: true,
          'x-decorator': 'FormItem',
          'x-component': 'Input',
          'x-validator': [{ pattern: AGENT_ID_PATTERN }],
        },
        test: { type: 'void', title: texts.sendTest, 'x-decorator': 'FormItem', 'x-component': 'DingTalkSendTest' },
      },
    };
  }, [t]);
  return <SchemaComponent schema={schema} components={{ DingTalkAuthenticatorSelect, DingTalkSendTest: SendTest }} />;
}

/** Shown only for the message types src/work-notice-form.ts's TYPED_FIELDS gives `field`. */
function onlyFor(field: keyof typeof TYPED_FIELDS): ISchema['x-reactions'] {
  return { dependencies: ['.msgType'], fulfill: { state: { visible: `{{${JSON.stringify(TYPED_FIELDS[field])}.includes($deps[0] || "text")}}` } } };
}

function contentProperties(t: (key: string) => string, variableOptions: unknown): Record<string, ISchema> {
  const texts = workNoticeTexts(t);
  const variable = { scope: variableOptions, useTypedConstant: ['string'] };
  return {
    msgType: {
      type: 'string',
      title: texts.msgType,
      'x-decorator': 'FormItem',
      'x-component': 'Radio.Group',
      enum: MESSAGE_TYPES.map((value) => ({ value, label: texts.msgTypes[value] })),
      default: 'text',
    },
    title: {
      type: 'string',
      title: texts.title,
      required: true,
      'x-decorator': 'FormItem',
      'x-component': 'Variable.TextArea',
      'x-component-props': variable,
      'x-reactions': onlyFor('title'),
    },
    content: {
      type: 'string',
      title: texts.content,
      required: true,
      'x-decorator': 'FormItem',
      'x-component': 'Variable.RawTextArea',
      // Rendered by Handlebars (notification-manager): the triple braces keep the record's text as it is, unescaped.
      'x-component-props': { scope: variableOptions, autoSize: { minRows: 6 }, delimiters: ['{{{', '}}}'] },
    },
    buttons: {
      type: 'array',
      title: texts.buttons,
      description: texts.buttonsHint,
      'x-decorator': 'FormItem',
      'x-component': 'ArrayItems',
      'x-reactions': onlyFor('buttons'),
      default: [{}],
      items: {
        type: 'object',
        'x-component': 'Space',
        properties: {
          title: { type: 'string', 'x-decorator': 'FormItem', 'x-component': 'Variable.TextArea', 'x-component-props': { ...variable, placeholder: texts.buttonText } },
          url: { type: 'string', 'x-decorator': 'FormItem', 'x-component': 'Variable.TextArea', 'x-component-props': { ...variable, placeholder: texts.buttonUrl } },
          remove: { type: 'void', 'x-decorator': 'FormItem', 'x-component': 'ArrayItems.Remove' },
        },
      },
      properties: { add: { type: 'void', title: texts.addButton, 'x-component': 'ArrayItems.Addition' } },
    },
    buttonLayout: {
      type: 'string',
      title: texts.buttonLayout,
      'x-decorator': 'FormItem',
      'x-component': 'Radio.Group',
      enum: BUTTON_LAYOUTS.map((value) => ({ value, label: texts.buttonLayouts[value] })),
      default: 'vertical',
      'x-reactions': onlyFor('buttonLayout'),
    },
  };
}

/** The message of a "Notification" node or a manual send: who (NocoBase users) and what. */
export function MessageConfigForm({ variableOptions }: { variableOptions?: unknown }) {
  const { t } = useDingTalkTranslation();
  const texts = workNoticeTexts(t);
  const schema = useMemo<ISchema>(
    () => ({
      type: 'void',
      properties: {
        receivers: {
          type: 'array',
          title: texts.receivers,
          description: texts.receiversHint,
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
          properties: { add: { type: 'void', title: texts.addReceiver, 'x-component': 'ArrayItems.Addition' } },
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
