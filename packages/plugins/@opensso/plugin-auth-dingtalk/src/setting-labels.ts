/**
 * The words the settings form shows for each option, by the option's key path: the server names a refused setting
 * with them (translated in the admin's language) and the form highlights the field the path points to. Each entry
 * is an i18n key of our namespace; a nested option is named by its section and its own label.
 */
import { SETTING_DETAILS } from './errors';

type SettingPath = (typeof SETTING_DETAILS)[number];

export const SETTING_LABELS: Record<SettingPath, readonly string[]> = {
  clientId: ['Client ID'],
  clientSecret: ['Client Secret'],
  autoSignup: ['Sign up automatically when the user does not exist'],
  matchBy: ['Match existing users by'],
  signupWithoutPhone: ['Accept DingTalk accounts without a phone number'],
  allowedCorpIds: ['Allowed DingTalk organizations'],
  verifyMembership: ["Check membership in the organization's directory"],
  inAppSignIn: ['Sign in automatically inside the DingTalk app'],
  corpId: ['Organization corpId'],
  profileSync: ['Profile sync'],
  'profileSync.nickname': ['Profile sync', 'Nickname'],
  'profileSync.email': ['Profile sync', 'Email'],
  'profileSync.phone': ['Profile sync', 'Phone number'],
  defaultCountryCode: ['Default country code'],
  copyEmailAtSignup: ["Copy DingTalk's email address to new users"],
  signInWindow: ['Open DingTalk sign-in in'],
};

/** The label of an option in the words of `t`; an option we do not know (a misspelt key) is named as sent. */
export function settingLabel(path: string, t: (key: string) => string): string {
  const words = (SETTING_LABELS as Record<string, readonly string[] | undefined>)[path];
  return words ? words.map((key) => t(key)).join(' › ') : path;
}
