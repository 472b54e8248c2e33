/**
 * The settings form's words, the same in the v1 form (formily schema) and the v2 one (antd Form): each is an i18n key
 * of our namespace, translated in every src/locale/*.json.
 */
import React from 'react';
import type { TFunction } from 'react-i18next';

export function settingsTexts(t: TFunction) {
  return {
    nickname: t('Nickname'),
    email: t('Email'),
    phone: t('Phone number'),
    notice: t('Create an app in the DingTalk developer console and grant it these permissions: Contact.User.Read (read personal contact information) and Contact.User.mobile (personal phone number).'),
    clientId: t('Client ID'),
    clientIdHelp: t('The Client ID (formerly AppKey) of the DingTalk app.'),
    clientSecret: t('Client Secret'),
    redirectUrl: t('Redirect URL'),
    redirectUrlHelp: t('Paste this URL into the DingTalk developer console.'),
    matchingSection: t('Matching'),
    titleHint: t('Leave the Title empty to show "Sign in with DingTalk" in the language of each person.'),
    testConnection: t('Test connection'),
    matchBy: t('Match existing users by'),
    matchByHelp: t('When a DingTalk account that is not linked to a user yet signs in, it is compared with existing users on these fields, in the order shown. Exactly one match: the account is linked to that user. Several: the sign-in is refused. None selected: no matching; other DingTalk accounts can only sign up (if allowed below).'),
    matchByEmailWarning: t("DingTalk does not verify email addresses: anyone can put a colleague's address on their own DingTalk account and be signed in as that colleague. Match by email only if your organization manages its members' DingTalk accounts."),
    defaultCountryCode: t('Default country code'),
    defaultCountryCodeInvalid: t('Enter a country calling code of 1 to 3 digits, e.g. 86 or 1.'),
    defaultCountryCodeHelp: t('A phone number stored in NocoBase without a country (no + or 00 in front) is read as a number of this country, without its trunk prefix (0 in most countries, 1 for +1, 8 for +7); it never matches a DingTalk number of another country. Sign-up and profile sync store numbers of this country without a country code, and others with +.'),
    autoSignup: t('Sign up automatically when the user does not exist'),
    autoSignupHelp: t('When no existing user matches the DingTalk account, a new user is created. When off, such sign-ins are refused.'),
    copyEmailAtSignup: t("Copy DingTalk's email address to new users"),
    copyEmailAtSignupHelp: t('Also lets profile sync copy it. When off, the email is copied only if sign-in is restricted to allowed organizations (below).'),
    copyEmailWarning: t("DingTalk does not verify email addresses: someone could sign up with a colleague's address and later be signed in as that colleague by another sign-in method that matches users by email. Copy it only if your organization manages its members' DingTalk accounts."),
    signupWithoutPhone: t('Accept DingTalk accounts without a phone number'),
    signupWithoutPhoneHelp: t('DingTalk shares a phone number only if the app has the Contact.User.mobile permission and the account has one. When off, a DingTalk account without one is refused; when on, it signs in (or up) by its DingTalk identity alone.'),
    organizationSection: t('Organization'),
    allowedCorpIds: t('Allowed DingTalk organizations'),
    allowedCorpIdsHelp: t('The corpIds of the DingTalk organizations whose members may sign in; type or paste them, then press Enter. Empty: any DingTalk account may sign in.'),
    verifyMembership: t("Check membership in the organization's directory"),
    verifyMembershipHelp: t("At each sign-in, also ask the organization's directory whether the person is a member, so that people who have left it are refused. The app must then be an enterprise internal app of that organization, whose AppKey and AppSecret are the Client ID and Client Secret above."),
    inAppSection: t('Inside the DingTalk app'),
    inAppSignIn: t('Sign in automatically inside the DingTalk app'),
    inAppSignInHelp: t('When NocoBase is opened inside the DingTalk app (from the workbench), the sign-in page signs the person in with their DingTalk account without a click (免登). The app must be an enterprise internal app of the organization below. Only one enabled DingTalk sign-in can have this on.'),
    corpId: t('Organization corpId'),
    corpIdHelp: t('The corpId of the DingTalk organization whose members sign in inside the DingTalk app (shown in the DingTalk developer console). Required when signing in automatically.'),
    homepageUrl: t('Homepage URL'),
    homepageUrlHelp: t("Set this as the homepage of the app's H5 micro-app in the DingTalk developer console."),
    signInWindow: t('Open DingTalk sign-in in'),
    signInWindowHelp: t('On desktop browsers, a popup window (the default) signs in without reloading NocoBase, which is faster. DingTalk opens in the same tab instead on phones and tablets, inside the DingTalk app (where automatic sign-in, when on, comes first), when the browser blocks the popup, and when NocoBase is open at another address than its configured one.'),
    profileSection: t('Profile sync'),
    profileSectionHelp: t('When the nickname, email and phone number from DingTalk are copied to the NocoBase user. At sign-up only: when the user is created. Fill if empty: also at each sign-in, into empty fields. Overwrite: at each sign-in, replacing the current value.'),
    /** A React node: the v1 schema compiles `{{...}}` in strings, and this text shows one literally. */
    clientSecretHelp: (
      <span>
        {t('The Client Secret (formerly AppSecret) of the DingTalk app. An environment variable also works, e.g. {{example}}.', {
          example: '{{$env.DINGTALK_CLIENT_SECRET}}',
          interpolation: { escapeValue: false },
        })}
      </span>
    ),
  };
}

export type SettingsTexts = ReturnType<typeof settingsTexts>;
