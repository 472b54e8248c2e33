/**
 * Turns the message form's values into DingTalk's msg JSON ("消息类型与数据格式"), after the workflow has rendered
 * its variables. A NocoBase page as a button's address is wrapped in DingTalk's "open in the client" link
 * (`dingtalk://dingtalkclient/page/link`), so that on the desktop client too it opens inside DingTalk, where the
 * in-app sign-in signs the person in by itself; on phones DingTalk opens every link inside already.
 */
import { sanitizeReturnPath } from '../return-path';
import { MESSAGE_TYPES, type MessageType, type WorkNoticeMessage } from '../work-notice-form';
import { DingTalkMsg, MAX_MSG_BYTES } from './work-notice-api';
import { SignInError } from './sign-in-error';

const invalid = (why: string) => new SignInError('NOTIFY_MESSAGE_INVALID', { status: 400, dingtalkCode: why });

const filled = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** `pc_slide=false`: the desktop client opens the page in a window of its own rather than the side panel. */
export function openInDingTalk(url: string): string {
  return `dingtalk://dingtalkclient/page/link?${new URLSearchParams({ url, pc_slide: 'false' })}`;
}

/** A button's address: absolute http(s), or a path of this app made absolute with `APP_URL`. */
function buttonUrl(raw: string, appOrigin: string | undefined): string {
  const value = raw.trim();
  if (value.startsWith('/')) {
    // The same rule as a return path after sign-in: `//host`, `/\host` and encoded variants are not paths of this app.
    const path = sanitizeReturnPath(value, '');
    if (!appOrigin || !path) throw invalid('button-url');
    return openInDingTalk(`${appOrigin}${path}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('button-url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('button-url');
  return appOrigin && url.origin === appOrigin ? openInDingTalk(url.href) : url.href;
}

export function toDingTalkMsg(message: WorkNoticeMessage, appOrigin: string | undefined): DingTalkMsg {
  const type: MessageType = (MESSAGE_TYPES as readonly unknown[]).includes(message.msgType) ? (message.msgType as MessageType) : 'text';
  if (!filled(message.content)) throw invalid('content');
  const content = message.content.trim();
  let msg: DingTalkMsg;
  if (type === 'text') {
    msg = { msgtype: 'text', text: { content } };
  } else {
    if (!filled(message.title)) throw invalid('title');
    const title = message.title.trim();
    if (type === 'markdown') {
      msg = { msgtype: 'markdown', markdown: { title, text: content } };
    } else {
      const buttons = (Array.isArray(message.buttons) ? message.buttons : []).filter((button) => filled(button?.title) || filled(button?.url));
      if (buttons.length === 0) throw invalid('buttons');
      msg = {
        msgtype: 'action_card',
        action_card: {
          title,
          markdown: content,
          btn_orientation: message.buttonLayout === 'horizontal' ? '1' : '0',
          btn_json_list: buttons.map((button) => {
            if (!filled(button.title) || !filled(button.url)) throw invalid('button');
            return { title: button.title.trim(), action_url: buttonUrl(button.url, appOrigin) };
          }),
        },
      };
    }
  }
  if (Buffer.byteLength(JSON.stringify(msg)) > MAX_MSG_BYTES) throw invalid('too-long');
  return msg;
}
