/**
 * Pure logic of the admin settings form: the values the form writes into `authenticators.options`, shaped the way
 * the server reads them (src/server/options.ts), with the same defaults.
 */
import { DEFAULT_COUNTRY_CODE, MATCH_RULES, MatchRule, PROFILE_FIELDS, ProfileField, SYNC_MODES, SyncMode } from '../constants';

/** What the server assumes when an option is absent: what the form shows for an authenticator saved before it. */
export const DEFAULT_MATCH_BY: MatchRule[] = ['phone'];
export const DEFAULT_SYNC_MODE: SyncMode = 'signup';
export const DEFAULT_COPY_EMAIL_AT_SIGNUP = false;
export { DEFAULT_COUNTRY_CODE };

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

export { MATCH_RULES, PROFILE_FIELDS, SYNC_MODES };
export type { MatchRule, ProfileField, SyncMode };

/** What `dingtalk:getRedirectUrl` tells the settings form: the URLs to paste into DingTalk's developer console. */
export type ConsoleUrls = {
  /** The OAuth Redirect URL (browser sign-in and linking). */
  redirectUrl: string;
  /** The homepage of the app's H5 micro-app (in-app sign-in); absent from servers that predate it. */
  homepageUrl?: string;
  /** False when the server has no APP_URL and built the URLs from the address the admin is using. */
  fromConfiguration: boolean;
};

/**
 * The answer body of `dingtalk:getRedirectUrl` (`{ data: { redirectUrl, homepageUrl, fromConfiguration } }`), or
 * undefined when it has no Redirect URL. A missing `fromConfiguration` (an older server) warns of nothing.
 */
export function consoleUrlsFromBody(body: unknown): ConsoleUrls | undefined {
  const data = typeof body === 'object' && body !== null ? (body as { data?: unknown }).data : undefined;
  if (typeof data !== 'object' || data === null) return undefined;
  const { redirectUrl, homepageUrl, fromConfiguration } = data as Record<string, unknown>;
  if (typeof redirectUrl !== 'string' || !redirectUrl) return undefined;
  return {
    redirectUrl,
    ...(typeof homepageUrl === 'string' && homepageUrl ? { homepageUrl } : {}),
    fromConfiguration: fromConfiguration !== false,
  };
}

/**
 * What a settings form shows, and saves, for an option the authenticator does not have yet: the server's defaults
 * (src/server/options.ts), as `[path under options, value]`. The Client ID, Client Secret and corpId have none.
 */
export function optionDefaults(): Array<[string[], unknown]> {
  return [
    [['matchBy'], [...DEFAULT_MATCH_BY]],
    [['defaultCountryCode'], DEFAULT_COUNTRY_CODE],
    [['autoSignup'], false],
    [['copyEmailAtSignup'], DEFAULT_COPY_EMAIL_AT_SIGNUP],
    [['signupWithoutPhone'], false],
    [['allowedCorpIds'], []],
    [['verifyMembership'], false],
    [['inAppSignIn'], false],
    ...PROFILE_FIELDS.map((field): [string[], unknown] => [['profileSync', field], DEFAULT_SYNC_MODE]),
  ];
}
