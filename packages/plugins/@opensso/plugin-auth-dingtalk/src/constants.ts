/**
 * Names shared by the server and the browser bundle. Changing one of these is a breaking change for
 * installed apps (authType is stored in `authenticators.authType`) or for open browser tabs.
 */

/** Stored in `authenticators.authType`; also the key of the client-side registration. */
export const AUTH_TYPE = 'dingtalk';

/** i18n namespace: NocoBase serves `<package>/dist/locale/<lang>.json` under the package name. */
export const NAMESPACE = '@opensso/plugin-auth-dingtalk';

/** The resource holding this plugin's HTTP actions (`/api/dingtalk:<action>`). */
export const RESOURCE = 'dingtalk';

export const ACTIONS = {
  /** Public. POST, `X-Authenticator` header, body `{ redirect }` → `{ url }`; sets the browser-binding cookie. */
  getAuthUrl: 'getAuthUrl',
  /** Public. GET: where DingTalk sends the browser back (`authCode`/`code`, `state`, or `error`). */
  redirect: 'redirect',
  /** Signed-in users. GET → `{ redirectUrl }`: the URL to paste into DingTalk's console. */
  getRedirectUrl: 'getRedirectUrl',
} as const;

/**
 * Query parameters the callback puts on the sign-in page URL. None of them is a secret: the one-time
 * ticket travels in an httpOnly cookie, never in a URL.
 */
export const QUERY = {
  /** Success: the name of the authenticator whose ticket cookie is waiting to be exchanged. */
  signin: 'dingtalk_signin',
  /** Failure: one of ERROR_CODES. */
  error: 'dingtalk_error',
  /** Failure: the authenticator the attempt was for, so the right button shows the message. */
  authenticator: 'dingtalk_authenticator',
  /** Failure detail safe to show (e.g. the missing DingTalk permission), `[A-Za-z0-9._,]` only. */
  detail: 'dingtalk_detail',
} as const;

export const COOKIES = {
  /** Random per-browser value; each state remembers its hash, so a state only works in the browser that asked. */
  binding: 'dingtalk_binding',
  /** One-time ticket that `auth:signIn` with this authenticator exchanges for a NocoBase token. */
  ticket: 'dingtalk_ticket',
} as const;

/** Where the callback lands when the sign-in page gave no usable return path. */
export const DEFAULT_RETURN_PATH = '/admin';
