/**
 * The DingTalk button's label. An empty title is the translated default, so one authenticator reads "钉钉登录" or
 * "Se connecter avec DingTalk" for each person; a title written as a NocoBase translation template, `{{t(<key>)}}`
 * as `tval()` stores it (with an optional `{ ns: <namespace> }`), is translated the same way; any other title is
 * shown as the admin typed it.
 */
import { NAMESPACE } from '../constants';

type Translate = (key: string, options?: Record<string, unknown>) => string;

const TEMPLATE = /^\{\{\s*t\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*(?:,\s*(\{[^{}]*\})\s*)?\)\s*\}\}$/;
const NS = /["']?ns["']?\s*:\s*["']([^"']+)["']/;

function unquote(literal: string): string | undefined {
  if (literal.startsWith('"')) {
    try {
      return JSON.parse(literal) as string;
    } catch {
      return undefined;
    }
  }
  return literal.slice(1, -1).replace(/\\(.)/g, '$1');
}

export function buttonTitle(title: unknown, t: Translate): string {
  const typed = typeof title === 'string' ? title.trim() : '';
  if (!typed) return t('Sign in with DingTalk');
  const template = TEMPLATE.exec(typed);
  const key = template ? unquote(template[1]) : undefined;
  if (!template || key === undefined) return typed;
  const ns = template[2] ? NS.exec(template[2])?.[1] : undefined;
  // As NocoBase compiles such a template: its own words unless a namespace is named; ours stay the fallback.
  return t(key, { ns: [ns ?? 'client', NAMESPACE, 'client'] });
}
