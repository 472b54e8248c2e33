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
  /**
   * Public. GET `?authenticator&redirect`, a top-level navigation on the app's configured address (`APP_URL`):
   * sets the browser-binding cookie there and sends the browser on to DingTalk. `getAuthUrl` answers with it when
   * the page is open at another address, whose cookies the callback would not see.
   */
  start: 'start',
  /** Public. GET: where DingTalk sends the browser back (`authCode`/`code`, `state`, or `error`). */
  redirect: 'redirect',
  /**
   * Signed-in users. GET → `{ redirectUrl, homepageUrl, fromConfiguration }`: the URLs to paste into DingTalk's
   * console (the Redirect URL; the app's homepage for in-app sign-in), and whether they come from `APP_URL`.
   */
  getRedirectUrl: 'getRedirectUrl',
  /**
   * Signed-in users. POST (NocoBase's CSRF check applies), `X-Authenticator`, body `{ redirect }` → `{ url }`:
   * starts linking a DingTalk account to the current user. The callback comes back to `redirect` with
   * `?dingtalk_link=<authenticator>` (a ticket in a cookie) or `dingtalk_error`.
   */
  getLinkUrl: 'getLinkUrl',
  /** Signed-in users. POST, body `{ authenticator }` → `{ authenticator, nickname }`: redeems the link ticket. */
  completeLink: 'completeLink',
  /**
   * Signed-in users. GET → `[{ authenticator, title, nickname, linkedAt, canUnlink }]`: the current user's DingTalk
   * links; `canUnlink` is false while the account has no password (unlinking would leave no way to sign in).
   */
  listMyLinks: 'listMyLinks',
  /** Signed-in users. POST, body `{ authenticator }`: removes the current user's link. */
  unlinkMe: 'unlinkMe',
  /**
   * Admins (snippet `pm.auth.dingtalk`). GET `?authenticator&page&pageSize` → NocoBase's list shape: `data` the
   * links with their user, `meta` `{ count, page, pageSize, totalPage }`.
   */
  listLinks: 'listLinks',
  /**
   * Admins. POST, body `{ authenticator, userId }`: removes that user's link, and keeps that DingTalk account from
   * being matched to that user again automatically (see listLinkBlocks).
   */
  removeLink: 'removeLink',
  /**
   * Admins. GET `?authenticator&page&pageSize` → NocoBase's list shape: `data` the DingTalk accounts unlinked from
   * a user (by the user or an admin) that phone or email matching skips for that user, `[{ userId, user, unionId,
   * nickname, removedBy: 'user' | 'admin', createdAt }]`; `meta` `{ count, page, pageSize, totalPage }`.
   */
  listLinkBlocks: 'listLinkBlocks',
  /** Admins. POST, body `{ authenticator, userId, unionId }`: lets matching link that account to that user again. */
  removeLinkBlock: 'removeLinkBlock',
  /**
   * Admins (same snippet). POST, body `{ authenticator?, clientId, clientSecret? }` → `{ ok: true }` or an error
   * code: asks DingTalk for an app token with these credentials (the stored secret of `authenticator` when none is
   * typed). Nothing is stored and the secret is never answered.
   */
  testConnection: 'testConnection',
} as const;

/** The ACL snippet that lets a role see and remove users' DingTalk links (NocoBase's admin role has `pm.*`). */
export const LINKS_SNIPPET = 'pm.auth.dingtalk';

/** How an unlinked DingTalk identity may be matched to an existing user, tried in the admin's order. */
export const MATCH_RULES = ['phone', 'email'] as const;
export type MatchRule = (typeof MATCH_RULES)[number];

/** The country of a phone number stored without one (option `defaultCountryCode`) when the admin sets none. */
export const DEFAULT_COUNTRY_CODE = '86';
/** A country calling code as `defaultCountryCode` holds it: digits only (no `+`), 1 to 3 of them, not starting with 0. */
export const COUNTRY_CODE_PATTERN = /^[1-9]\d{0,2}$/;

/**
 * Where DingTalk's page opens: `page` leaves the app for it (and the callback loads the app again); `popup` opens it
 * in a small window and the app signs in without a page load (the callback answers that window with a page that
 * tells this origin's tabs how it went, on the BroadcastChannel below).
 */
export const SIGN_IN_WINDOWS = ['page', 'popup'] as const;
export type SignInWindow = (typeof SIGN_IN_WINDOWS)[number];
/** Same-origin only: the callback's popup page posts the outcome there, the sign-in button listens. */
export const POPUP_CHANNEL = 'opensso-dingtalk-signin';
/** The name of the popup window: a second click reuses it rather than opening another. */
export const POPUP_WINDOW_NAME = 'dingtalk-signin';

/** Profile fields kept in step with DingTalk, and when. */
export const PROFILE_FIELDS = ['nickname', 'email', 'phone'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
/** `signup`: set when the user is created (default); `fill`: also fill an empty field at each sign-in; `overwrite`: always. */
export const SYNC_MODES = ['signup', 'fill', 'overwrite'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

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
  /** Failure detail to show (the missing DingTalk permission, the wrong setting): only entries of errors.ts's closed lists. */
  detail: 'dingtalk_detail',
  /** Linking: the name of the authenticator whose link ticket waits to be redeemed by `completeLink`. */
  link: 'dingtalk_link',
} as const;

export const COOKIES = {
  /**
   * A random value minted at each sign-in start; the state and the tickets remember its hash, so they only work in
   * the browser that started. Over HTTPS it is `secureBinding` instead.
   */
  binding: 'dingtalk_binding',
  /**
   * The binding over HTTPS: a `__Host-` cookie (Secure, Path=/, no Domain), which browsers refuse to take from a
   * sibling subdomain or a plain-HTTP page, so nobody can plant a binding they know (checklist G14).
   */
  secureBinding: '__Host-dingtalk_binding',
  /** One-time ticket that `auth:signIn` with this authenticator exchanges for a NocoBase token. */
  ticket: 'dingtalk_ticket',
  /** One-time ticket that `dingtalk:completeLink` turns into a link for the signed-in user who started linking. */
  linkTicket: 'dingtalk_link_ticket',
} as const;

/** Where the callback lands when the sign-in page gave no usable return path. */
export const DEFAULT_RETURN_PATH = '/admin';
