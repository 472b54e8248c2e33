/**
 * The closed list of reasons a DingTalk sign-in can fail. The code is what crosses to the browser (in the
 * sign-in page URL or an action's error body); the message is an English sentence that is also the i18n key
 * in every `locale/*.json`. A test checks that each code has a message in each shipped language.
 */
export const ERROR_MESSAGES = {
  STATE_MISSING: 'The DingTalk sign-in could not be verified. Please start again from the sign-in page.',
  STATE_INVALID: 'This DingTalk sign-in link has expired or was already used. Please start again from the sign-in page.',
  REQUEST_INVALID: 'The DingTalk sign-in request was malformed. Please start again from the sign-in page.',
  CANCELLED: 'You cancelled the sign-in at DingTalk.',
  CODE_MISSING: 'DingTalk did not return an authorization code. Please try again.',
  AUTHENTICATOR_INVALID: 'This DingTalk sign-in method is not available. Ask your administrator to enable it.',
  CONFIG_INVALID: 'The DingTalk sign-in is not configured correctly (setting "{{detail}}"). Ask your administrator.',
  DINGTALK_CODE_INVALID: 'DingTalk rejected the authorization code (expired or already used). Please try again.',
  DINGTALK_CREDENTIALS_INVALID: 'DingTalk rejected the Client ID or Client Secret. Ask your administrator to check the DingTalk settings.',
  DINGTALK_TOKEN_INVALID: 'DingTalk rejected the access token. Please try again.',
  DINGTALK_PERMISSION_DENIED: 'The DingTalk app lacks a permission ({{detail}}). Ask your administrator to grant it in the DingTalk developer console.',
  DINGTALK_RATE_LIMITED: 'DingTalk is receiving too many requests. Please wait a moment and try again.',
  DINGTALK_UNAVAILABLE: 'DingTalk is unavailable right now. Please try again later.',
  DINGTALK_BAD_RESPONSE: 'DingTalk returned an unexpected answer. Please try again later.',
  DINGTALK_ERROR: 'DingTalk refused the request. Please try again or ask your administrator.',
  DINGTALK_IP_NOT_ALLOWED: "DingTalk refused this server's IP address. Ask your administrator to add it to the DingTalk app's IP whitelist.",
  DINGTALK_QUOTA_EXCEEDED: "The DingTalk app has used up its monthly API quota. Ask your administrator.",
  PROFILE_INCOMPLETE: 'DingTalk did not return a stable identity (unionId) for this account.',
  MOBILE_PERMISSION_MISSING: 'DingTalk did not share your phone number. Ask your administrator to grant the DingTalk app the "Contact.User.mobile" permission (personal phone number), then sign in again.',
  USER_NOT_FOUND: 'No NocoBase account matches this DingTalk account, and automatic sign-up is off. Ask your administrator for an account.',
  PHONE_AMBIGUOUS: 'Several NocoBase accounts have this phone number. Ask your administrator to resolve the duplicates.',
  ACCOUNT_CONFLICT: 'A NocoBase account could not be created for this DingTalk account because of a conflicting record. Please try again or ask your administrator.',
  TICKET_INVALID: 'The DingTalk sign-in has expired. Please sign in again.',
  EMAIL_AMBIGUOUS: 'Several NocoBase accounts have this email address. Ask your administrator to resolve the duplicates.',
  ORGANIZATION_NOT_ALLOWED: 'This DingTalk organization is not allowed to sign in here. Sign in with an account of your organization, or ask your administrator.',
  NOT_A_MEMBER: 'Your DingTalk account is not a member of the organization. Ask your administrator.',
  LINK_USER_MISMATCH: 'The DingTalk account could not be linked: you are no longer signed in as the user who started linking. Sign in and try again.',
  IDENTITY_LINKED_ELSEWHERE: 'This DingTalk account is already linked to another NocoBase user.',
  ALREADY_LINKED: 'Your account is already linked to a DingTalk account. Unlink it first.',
  UNLINK_WOULD_LOCK_OUT:
    'This account has no password, so DingTalk is its only way to sign in. Ask an administrator to set a password for it (Users & Permissions → Users → Change password), then unlink.',
  NOT_LINKED: 'Your account is not linked to this DingTalk sign-in.',
  SIGN_IN_REQUIRED: 'Please sign in first.',
  FORBIDDEN: 'You are not allowed to manage DingTalk links.',
  TRY_AGAIN: 'Too many sign-ins are being processed at once. Please try again in a moment.',
  TOO_MANY_ATTEMPTS: 'Too many sign-in attempts from your network. Please wait a minute and try again.',
  COOKIE_MISSING:
    'This browser did not keep the cookie of the DingTalk sign-in. Open NocoBase at its usual address, allow its cookies, and sign in again.',
  INTERNAL_ERROR: 'The DingTalk sign-in failed because of a server error. Please try again later.',
  NOT_BLOCKED: 'This DingTalk account is not excluded from automatic matching for this user.',
  NOTIFY_CHANNEL_INVALID:
    'The DingTalk work notification channel is not configured correctly: choose a DingTalk sign-in method that has its Client ID and Client Secret, and enter the AgentId of its app.',
  NOTIFY_AGENT_INVALID:
    "DingTalk does not know this channel's AgentId. Copy the AgentId of the app from the DingTalk developer console into the channel settings.",
  NOTIFY_PERMISSION_DENIED:
    'The DingTalk app is not allowed to send work notifications. Ask your administrator to grant it the message permission in the DingTalk developer console.',
  NOTIFY_QUOTA_EXCEEDED: 'DingTalk refused the work notification: the sending limit of the app or of a recipient is reached. Try again later.',
  NOTIFY_RECIPIENTS_INVISIBLE:
    "DingTalk did not deliver the work notification: its recipients are outside the app's visible range. Ask your administrator to widen it in the DingTalk developer console.",
  NOTIFY_NO_RECIPIENTS: 'None of the recipients has a DingTalk account of this organization linked to their NocoBase user.',
  NOTIFY_MESSAGE_INVALID:
    'The DingTalk message is incomplete or too long: fill in its content (and title), give each button a title and a web address, and keep it under 2048 bytes.',
  NOTIFY_FORBIDDEN: 'You are not allowed to send DingTalk test messages.',
  NOTIFY_TEST_INVALID: 'Choose a DingTalk work notification channel and a user to send the test message to.',
  IN_APP_LOAD_FAILED: "DingTalk's sign-in could not be loaded. Sign in another way, or reload the page to try again.",
  IN_APP_TIMEOUT: 'DingTalk did not answer. Sign in another way, or reload the page to try again.',
  IN_APP_REFUSED:
    'DingTalk could not sign you in to this organization. Make sure you use DingTalk with an account of the organization, or sign in another way.',
  IN_APP_OUTDATED: 'This version of DingTalk cannot sign you in by itself. Update DingTalk, or sign in another way.',
  DIRECTORY_LEFT: 'Your DingTalk account has left the organization or was deactivated in its directory, so it can no longer sign in here. Ask your administrator.',
  SYNC_SOURCE_INVALID:
    'The DingTalk directory sync is not configured correctly: choose an enabled DingTalk sign-in method whose Client ID and Client Secret are the organization app\'s AppKey and AppSecret.',
  SYNC_STOPPED: 'The DingTalk directory sync stopped.',
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export const ERROR_CODES = Object.keys(ERROR_MESSAGES) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_MESSAGES, value);
}

/**
 * The DingTalk permissions a message may name (`DINGTALK_PERMISSION_DENIED`, `MOBILE_PERMISSION_MISSING`): those the
 * plugin's calls need. `Contact.User.Read` (users/me) and `Contact.User.mobile` (its phone number) come from the new
 * API's 403 `requiredScopes`; the others are the organization app's directory and in-app permissions (topapi
 * `v2/user/get` and `user/getbyunionid` need `qyapi_get_member`; `qyapi_base` / `open_app_api_base` the app token).
 */
export const DINGTALK_PERMISSION_DETAILS = [
  'Contact.User.Read',
  'Contact.User.mobile',
  'qyapi_get_member',
  'qyapi_get_member_by_mobile',
  'qyapi_base',
  'open_app_api_base',
] as const;

/** The settings a `CONFIG_INVALID` message may name: every option of an authenticator (server/options.ts). */
export const SETTING_DETAILS = [
  'clientId',
  'clientSecret',
  'autoSignup',
  'matchBy',
  'signupWithoutPhone',
  'allowedCorpIds',
  'verifyMembership',
  'inAppSignIn',
  'corpId',
  'profileSync',
  'profileSync.nickname',
  'profileSync.email',
  'profileSync.phone',
  'defaultCountryCode',
  'copyEmailAtSignup',
  'signInWindow',
] as const;

const SAFE_DETAILS: ReadonlySet<string> = new Set<string>([...DINGTALK_PERMISSION_DETAILS, ...SETTING_DETAILS]);

/**
 * Whether a detail may reach a URL or the page: a comma-separated list of entries of the closed lists above, and
 * nothing else. The URL's `dingtalk_detail` is anyone's to write; a detail that is only "made of safe characters"
 * would let a crafted link extend the official sentence with its own words.
 */
export function isSafeDetail(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) return false;
  return value.split(',').every((entry) => SAFE_DETAILS.has(entry));
}

/**
 * The sentence of a code whose usual one names its detail, for when there is none to name. CONFIG_INVALID without
 * a setting means the credentials are missing.
 */
export const MESSAGES_WITHOUT_DETAIL = {
  CONFIG_INVALID: 'The DingTalk sign-in is not fully configured (Client ID or Client Secret is missing). Ask your administrator.',
  DINGTALK_PERMISSION_DENIED:
    'The DingTalk app lacks a required permission. Ask your administrator to grant it in the DingTalk developer console.',
} as const satisfies Partial<Record<ErrorCode, string>>;

/** The sentence (the i18n key) to show for a code, with or without a detail to interpolate. */
export function messageKey(code: ErrorCode, detail?: string): string {
  const withoutDetail: Partial<Record<ErrorCode, string>> = MESSAGES_WITHOUT_DETAIL;
  return (detail ? undefined : withoutDetail[code]) ?? ERROR_MESSAGES[code];
}
