/**
 * The authenticator options: the public contract admins script through `authenticators:create`. Every option
 * but the credentials is optional; defaults are the safe, seed-compatible behaviour (match by phone, no sign-up,
 * any organization, profile fields set at sign-up only).
 *
 * Strict both ways (checklist G11): a value of the wrong type or shape is refused when it is saved, and one stored
 * anyway refuses sign-ins (CONFIG_INVALID naming it) rather than reading as a default, which could widen who may
 * sign in (a blank allowed organization would mean "any"). Only a missing option reads as its default.
 *
 * Only `clientSecret` may be `{{$env.NAME}}`, which NocoBase's authenticator storer renders before we read it: the
 * Client ID and corpId end up in DingTalk's URL and in anonymous answers, so a variable there would publish its
 * value (checklist G12). The other options are not rendered either (`OPTIONS_NOT_FROM_ENV`).
 */
import { z } from 'zod';
import { COUNTRY_CODE_PATTERN, MATCH_RULES, PROFILE_FIELDS, SIGN_IN_WINDOWS, SYNC_MODES } from '../constants';
import { DEFAULT_SYNC_MODE, optionDefaultValues } from '../option-defaults';
import { SignInError } from './sign-in-error';

/** What DingTalk issues as a Client ID (AppKey) or corpId; never blank, spaced or a `{{variable}}`. */
const DINGTALK_ID = /^[A-Za-z0-9_-]{1,128}$/;
const dingTalkId = z.string().trim().regex(DINGTALK_ID);
/** Empty while not configured yet: a disabled authenticator may be saved half-configured. */
const dingTalkIdOrUnset = z.string().trim().refine((value) => value === '' || DINGTALK_ID.test(value));
const syncMode = z.enum(SYNC_MODES).default(DEFAULT_SYNC_MODE);
/** What an option left out means, shared with the settings forms (src/option-defaults.ts). */
const DEFAULTS = optionDefaultValues();

/** Each option, one line: its type, and its default. */
const OPTIONS = {
  clientId: dingTalkIdOrUnset.default(DEFAULTS.clientId),
  clientSecret: z.string().trim().default(DEFAULTS.clientSecret),
  /** Create a NocoBase user when nobody matches. */
  autoSignup: z.boolean().default(DEFAULTS.autoSignup),
  /** Rules tried in order to match an unlinked DingTalk identity to an existing user. */
  matchBy: z
    .array(z.enum(MATCH_RULES))
    .default(() => optionDefaultValues().matchBy)
    .transform((rules) => [...new Set(rules)]),
  /** Accept a DingTalk account that shares no phone number (identity by unionId only). */
  signupWithoutPhone: z.boolean().default(DEFAULTS.signupWithoutPhone),
  /** DingTalk organizations (corpIds) allowed to sign in; empty: any. */
  allowedCorpIds: z.array(dingTalkId).default(() => optionDefaultValues().allowedCorpIds),
  /** Confirm membership in the app's organization through its directory. */
  verifyMembership: z.boolean().default(DEFAULTS.verifyMembership),
  /** Sign in by itself when the page runs inside the DingTalk app (免登). */
  inAppSignIn: z.boolean().default(DEFAULTS.inAppSignIn),
  /** The organization of the in-app sign-in (the app's own corpId). */
  corpId: dingTalkIdOrUnset.default(DEFAULTS.corpId),
  /** The country of a phone number stored without `+`/`00` (phone.ts); a wrong one refuses sign-ins. */
  defaultCountryCode: z.string().regex(COUNTRY_CODE_PATTERN).default(DEFAULTS.defaultCountryCode),
  /** Store DingTalk's (unverified) email on new users, and let profile sync take it. */
  copyEmailAtSignup: z.boolean().default(DEFAULTS.copyEmailAtSignup),
  profileSync: z
    .object(Object.fromEntries(PROFILE_FIELDS.map((field) => [field, syncMode])) as {
      [K in (typeof PROFILE_FIELDS)[number]]: typeof syncMode;
    })
    .default(() => optionDefaultValues().profileSync),
  /** Open DingTalk's page in the tab (`page`) or in a popup window that signs the tab in without a page load. */
  signInWindow: z.enum(SIGN_IN_WINDOWS).default(DEFAULTS.signInWindow),
};

/** As stored: unknown keys are ignored (they cannot widen anything: a missing option reads as its safe default). */
const StoredOptions = z.object(OPTIONS);
/** As saved: a misspelt option is refused too, since ignoring it would silently drop what the admin meant. */
const SavedOptions = z.object(OPTIONS).strict();

export type DingTalkOptions = z.infer<typeof StoredOptions>;

/** For the auth type's `optionsKeysNotAllowedInEnv`: NocoBase's storer renders variables in every other option. */
export const OPTIONS_NOT_FROM_ENV = Object.keys(OPTIONS).filter((key) => key !== 'clientSecret');

const VARIABLE = /\{\{.*\}\}/;

/** The option a zod issue is about, as its key path (`allowedCorpIds`, `profileSync.email`), without array indexes. */
function fieldOf(issue: z.ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return issue.keys[0];
  const index = issue.path.findIndex((part) => typeof part === 'number');
  return (index < 0 ? issue.path : issue.path.slice(0, index)).join('.');
}

/** The key path of the first option, other than the Client Secret, that holds a `{{variable}}`. */
function variableField(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === 'string') return VARIABLE.test(value) ? path.join('.') : undefined;
  if (Array.isArray(value)) return value.map((item) => variableField(item, path)).find(Boolean);
  if (typeof value !== 'object' || value === null) return undefined;
  return Object.entries(value)
    .filter(([key]) => path.length > 0 || key !== 'clientSecret')
    .map(([key, item]) => variableField(item, [...path, key]))
    .find(Boolean);
}

export type SettingProblem = { field: string; reason: 'invalid' | 'variable' };

/** Why the options an admin is saving are refused, naming the field; undefined when they are fine. */
export function settingProblem(raw: unknown): SettingProblem | undefined {
  const options = raw ?? {};
  const variable = variableField(options);
  if (variable) return { field: variable, reason: 'variable' };
  const parsed = SavedOptions.safeParse(options);
  if (!parsed.success) return { field: fieldOf(parsed.error.issues[0]) || 'options', reason: 'invalid' };
  // In-app sign-in asks DingTalk's JSAPI for a code of one organization: it needs that organization.
  if (parsed.data.inAppSignIn && !parsed.data.corpId) return { field: 'corpId', reason: 'invalid' };
  return undefined;
}

/**
 * The options of a sign-in, or CONFIG_INVALID: naming the setting that does not parse, or naming none when the
 * credentials are missing.
 */
export function readOptions(raw: unknown): DingTalkOptions {
  const parsed = StoredOptions.safeParse(raw ?? {});
  if (!parsed.success) {
    const field = fieldOf(parsed.error.issues[0]);
    throw new SignInError('CONFIG_INVALID', { status: 400, detail: field || undefined, cause: parsed.error });
  }
  const options = parsed.data;
  if (!options.clientId || !options.clientSecret) throw new SignInError('CONFIG_INVALID', { status: 400 });
  // A `{{$env.X}}` left unrendered names a variable that does not exist: never send it to DingTalk.
  if (VARIABLE.test(options.clientSecret)) throw new SignInError('CONFIG_INVALID', { status: 400, detail: 'clientSecret' });
  return options;
}

/**
 * What anonymous `authenticators:publicList` may show (a whitelist): nothing, unless in-app sign-in is on, which
 * needs the organization and the Client ID in the page to ask DingTalk's JSAPI for a code (neither is a secret), or
 * the button opens DingTalk in a popup. Settings that do not parse offer nothing: the page then shows its button,
 * whose sign-in says what is wrong.
 */
export function getPublicOptions(raw: unknown): Record<string, unknown> {
  const parsed = StoredOptions.safeParse(raw ?? {});
  if (!parsed.success) return {};
  const shown: Record<string, unknown> = {};
  if (parsed.data.inAppSignIn && parsed.data.corpId) {
    Object.assign(shown, { inAppSignIn: true, corpId: parsed.data.corpId, clientId: parsed.data.clientId });
  }
  if (parsed.data.signInWindow === 'popup') shown.signInWindow = 'popup';
  return shown;
}
