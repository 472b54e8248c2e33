/**
 * The bodies of this plugin's own `dingtalk:*` actions, as the server writes them (server/actions.ts) and the
 * browser reads them (client/links.ts, client/link-blocks.ts, client/options.ts): one declaration, so renaming a
 * field breaks the build on both sides instead of leaving the browser reading `undefined`. NocoBase wraps each body
 * as `{ data: body }`, and a `{ rows, count }` body as `{ data: rows, meta: { count, … } }`.
 *
 * Types and a few small guards, not zod schemas: zod would be bundled into the browser code (it is not among the
 * modules the NocoBase page provides), about 450 KB minified next to a 50 KB bundle. The browser still checks every
 * field it reads: it may talk to a server of another version, or to a proxy's error page.
 */

export type UserId = number | string;

/** `getAuthUrl`, `getLinkUrl`: DingTalk's authorization page, or the `start` page on the configured address. */
export type UrlAnswer = {
  url: string;
  /**
   * `getAuthUrl` only: `url` starts the sign-in on the configured address (`APP_URL`), another origin than the page's,
   * where DingTalk's callback lands; the button opens it in the same tab, since a popup there could not report back.
   */
  otherOrigin?: true;
};

/** `getRedirectUrl`: what the admin pastes into DingTalk's developer console. */
export type ConsoleUrlsAnswer = {
  /** The OAuth Redirect URL (browser sign-in and linking). */
  redirectUrl: string;
  /** The homepage of the app's H5 micro-app (in-app sign-in). */
  homepageUrl: string;
  /** False when the server has no APP_URL and built the URLs from the address the admin is using. */
  fromConfiguration: boolean;
};

/** `completeLink`: the DingTalk account now linked to the signed-in user ('' when DingTalk gave no nickname). */
export type CompletedLinkAnswer = { authenticator: string; nickname: string };

/** An item of `listMyLinks`: one of the signed-in user's DingTalk links. */
export type MyLinkAnswer = {
  authenticator: string;
  /** The authenticator's title; null when it has none. */
  title: string | null;
  nickname: string | null;
  /** When the link was made (a date, ISO 8601 once in JSON). */
  linkedAt: string | Date;
  /** False when the user has no password: unlinking would lock them out, so the page disables Unlink up front. */
  canUnlink: boolean;
};

/** What the admin pages show of a NocoBase user. */
export type LinkedUserAnswer = {
  id: UserId;
  nickname?: string | null;
  username?: string | null;
  email?: string | null;
  phone?: string | null;
};

/** DingTalk's identifiers kept with a link (`usersAuthenticators.meta`, written by server/user-resolver.ts). */
export type LinkMetaAnswer = { unionId?: string; openId?: string; corpId?: string; userid?: string };

/** A row of `listLinks`. */
export type LinkRowAnswer = {
  userId: UserId;
  /** Null when the user was deleted since. */
  user: LinkedUserAnswer | null;
  /** The unionId the link is keyed by. */
  uuid: string;
  nickname: string | null;
  meta: LinkMetaAnswer | null;
  createdAt: string | Date;
};

/** A row of `listLinkBlocks`: a DingTalk account that matching no longer links to that user by itself. */
export type LinkBlockRowAnswer = {
  userId: number;
  user: LinkedUserAnswer | null;
  unionId: string;
  nickname: string | null;
  removedBy: 'user' | 'admin';
  createdAt: string | Date;
};

/** A page of an admin list, as the action returns it (before NocoBase's data wrapping). */
export type ListAnswer<T> = { rows: T[]; count: number; page: number; pageSize: number; totalPage: number };

/** `unlinkMe`, `removeLink`, `removeLinkBlock`. */
export type RemovedAnswer = { authenticator: string; userId?: number };

/**
 * An answer as the browser receives it: any field may be missing or of another type. Reading a field that the
 * answer type does not have is a type error, which is what keeps the two sides in step.
 */
export type Unchecked<T> = { [K in keyof T]?: unknown };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A record read as an answer of type T (see `Unchecked`); undefined for anything else. */
export function uncheckedOf<T>(value: unknown): Unchecked<T> | undefined {
  return isRecord(value) ? (value as Unchecked<T>) : undefined;
}

/** A non-empty string, else undefined (null, '', numbers: a field the answer did not fill). */
export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function isUserId(value: unknown): value is UserId {
  return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value !== '');
}

/** The non-empty strings among `keys` of an answer, the others left out. */
export function stringFields<T, K extends keyof T & string>(answer: Unchecked<T>, keys: readonly K[]): { [P in K]?: string } {
  const fields: { [P in K]?: string } = {};
  for (const key of keys) {
    const text = optionalString(answer[key]);
    if (text) fields[key] = text;
  }
  return fields;
}
