/**
 * Pure logic of the admin settings form: the values the form writes into `authenticators.options`, shaped the way
 * the server reads them (src/server/options.ts), with the same defaults (src/option-defaults.ts).
 */
import {
  DEFAULT_COUNTRY_CODE,
  MATCH_RULES,
  MatchRule,
  PROFILE_FIELDS,
  ProfileField,
  SIGN_IN_WINDOWS,
  SignInWindow,
  SYNC_MODES,
  SyncMode,
} from '../constants';
import { ConsoleUrlsAnswer, isRecord, stringFields, uncheckedOf } from '../api-answers';
import { DEFAULT_SYNC_MODE, optionDefaultValues } from '../option-defaults';

const DEFAULTS = optionDefaultValues();
/** What the server assumes when an option is absent: what the form shows for an authenticator saved before it. */
export const DEFAULT_MATCH_BY: MatchRule[] = DEFAULTS.matchBy;
export const DEFAULT_COPY_EMAIL_AT_SIGNUP = DEFAULTS.copyEmailAtSignup;
export const DEFAULT_SIGN_IN_WINDOW = DEFAULTS.signInWindow;
export { DEFAULT_COUNTRY_CODE, DEFAULT_SYNC_MODE };

export function isMatchRule(value: unknown): value is MatchRule {
  return typeof value === 'string' && (MATCH_RULES as readonly string[]).includes(value);
}

export function isSyncMode(value: unknown): value is SyncMode {
  return typeof value === 'string' && (SYNC_MODES as readonly string[]).includes(value);
}

/** The matching rules in the admin's order, each once; anything else dropped. Not an array: the default. */
export function normalizeMatchBy(value: unknown): MatchRule[] {
  if (!Array.isArray(value)) {
    return [...DEFAULT_MATCH_BY];
  }
  const rules: MatchRule[] = [];
  for (const item of value) {
    if (isMatchRule(item) && !rules.includes(item)) rules.push(item);
  }
  return rules;
}

/** Whether the admin chose to match by email (the form then warns that DingTalk does not verify it). */
export function matchesByEmail(value: unknown): boolean {
  return normalizeMatchBy(value).includes('email');
}

/**
 * DingTalk organization IDs (corpIds) as typed or pasted: trimmed, split on commas, semicolons and white space,
 * empty ones and repeats dropped, order kept.
 */
export function normalizeCorpIds(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  const ids: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') continue;
    for (const part of item.split(/[\s,;，；]+/)) {
      if (part && !ids.includes(part)) ids.push(part);
    }
  }
  return ids;
}

export function syncModeOf(value: unknown): SyncMode {
  return isSyncMode(value) ? value : DEFAULT_SYNC_MODE;
}

/** A stored `signInWindow`, or the default (a popup window) for anything else. */
export function signInWindowOf(value: unknown): SignInWindow {
  return typeof value === 'string' && (SIGN_IN_WINDOWS as readonly string[]).includes(value) ? (value as SignInWindow) : DEFAULTS.signInWindow;
}

export { MATCH_RULES, PROFILE_FIELDS, SIGN_IN_WINDOWS, SYNC_MODES };
export type { MatchRule, ProfileField, SignInWindow, SyncMode };

/** What `dingtalk:getRedirectUrl` tells the settings form; `homepageUrl` is absent from servers that predate it. */
export type ConsoleUrls = Omit<ConsoleUrlsAnswer, 'homepageUrl'> & { homepageUrl?: string };

/**
 * The answer body of `dingtalk:getRedirectUrl` (`{ data: { redirectUrl, homepageUrl, fromConfiguration } }`), or
 * undefined when it has no Redirect URL. A missing `fromConfiguration` (an older server) warns of nothing.
 */
export function consoleUrlsFromBody(body: unknown): ConsoleUrls | undefined {
  const answer = uncheckedOf<ConsoleUrlsAnswer>(isRecord(body) ? body.data : undefined);
  if (!answer) return undefined;
  const { redirectUrl, homepageUrl } = stringFields(answer, ['redirectUrl', 'homepageUrl']);
  if (!redirectUrl) return undefined;
  return { redirectUrl, ...(homepageUrl ? { homepageUrl } : {}), fromConfiguration: answer.fromConfiguration !== false };
}

/**
 * What a settings form shows, and saves, for an option the authenticator does not have yet: the server's defaults
 * (src/option-defaults.ts), as `[path under options, value]`, nested objects by their leaves. The Client ID, Client
 * Secret and corpId are left to the admin: an empty default would only hide that they are missing.
 */
export function optionDefaults(): Array<[string[], unknown]> {
  const defaults = optionDefaultValues();
  const leftToTheAdmin = ['clientId', 'clientSecret', 'corpId', 'profileSync'];
  return [
    ...Object.entries(defaults)
      .filter(([key]) => !leftToTheAdmin.includes(key))
      .map(([key, value]): [string[], unknown] => [[key], value]),
    ...PROFILE_FIELDS.map((field): [string[], unknown] => [['profileSync', field], defaults.profileSync[field]]),
  ];
}
