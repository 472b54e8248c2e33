/**
 * What each authenticator option means when it is left out: read by the server (server/options.ts, the zod
 * defaults of a sign-in's options) and shown by both settings forms for an authenticator saved before the option
 * existed (client/options.ts). One list, so the form never shows a default the server does not apply. Shared with
 * the browser bundle: no Node API here.
 */
import { DEFAULT_COUNTRY_CODE, MatchRule, PROFILE_FIELDS, ProfileField, SignInWindow, SyncMode } from './constants';

/** When a profile field is copied from DingTalk unless the admin chose otherwise: at sign-up only. */
export const DEFAULT_SYNC_MODE: SyncMode = 'signup';

export type OptionDefaults = {
  clientId: string;
  clientSecret: string;
  autoSignup: boolean;
  matchBy: MatchRule[];
  signupWithoutPhone: boolean;
  allowedCorpIds: string[];
  verifyMembership: boolean;
  inAppSignIn: boolean;
  corpId: string;
  defaultCountryCode: string;
  copyEmailAtSignup: boolean;
  profileSync: Record<ProfileField, SyncMode>;
  signInWindow: SignInWindow;
};

/**
 * The safe, seed-compatible behaviour: match by phone, no sign-up, any organization, profile fields set at sign-up
 * only, no in-app sign-in; DingTalk's page in a popup window, the fast path, wherever the button finds one fits
 * (client/sign-in-window.ts), else in the same tab. A fresh copy each call: callers (zod's `.default`, a form) may keep and change it.
 */
export function optionDefaultValues(): OptionDefaults {
  return {
    clientId: '',
    clientSecret: '',
    autoSignup: false,
    matchBy: ['phone'],
    signupWithoutPhone: false,
    allowedCorpIds: [],
    verifyMembership: false,
    inAppSignIn: false,
    corpId: '',
    defaultCountryCode: DEFAULT_COUNTRY_CODE,
    copyEmailAtSignup: false,
    profileSync: Object.fromEntries(PROFILE_FIELDS.map((field) => [field, DEFAULT_SYNC_MODE])) as Record<ProfileField, SyncMode>,
    signInWindow: 'popup',
  };
}
