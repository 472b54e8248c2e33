/**
 * Pure logic of linking a DingTalk account to a signed-in user, kept free of React and of the host so it can be
 * unit-tested: the requests of the `dingtalk:*` link actions, reading their answers, the `dingtalk_link` landing
 * after DingTalk, and what the "DingTalk account" dialog and the admin page show.
 */
import { ACTIONS, AUTH_TYPE, QUERY, RESOURCE } from '../constants';
import { ErrorCode } from '../errors';
import { normalisePublicPath } from '../public-path';
import {
  CompletedLinkAnswer,
  isRecord,
  isUserId,
  LinkedUserAnswer,
  LinkMetaAnswer,
  LinkRowAnswer,
  ListAnswer,
  MyLinkAnswer,
  optionalString,
  stringFields,
  uncheckedOf,
  UserId,
} from '../api-answers';
import { readErrorLanding } from '../error-landing';
import { SearchInput, Shown, stripLandingParams, toParams } from './landing';

const action = (name: keyof typeof ACTIONS) => `${RESOURCE}:${ACTIONS[name]}`;

// ---------------------------------------------------------------------------------------------------------------
// Requests. All of them carry the user's own NocoBase token (the API client adds it) and `skipNotify`: the
// caller shows a translated message instead of the host's raw notification.

export type LinkUrlRequest = {
  url: string;
  method: 'post';
  headers: { 'X-Authenticator': string };
  data: { redirect: string };
  skipNotify: true;
};

/**
 * Starts linking: the server answers `{ url }` (DingTalk's authorization page) and, once DingTalk is done, sends
 * the browser back to `redirect` with `?dingtalk_link=<name>` or `?dingtalk_error=…`.
 */
export function linkUrlRequest(name: string, redirect: string): LinkUrlRequest {
  return {
    url: action('getLinkUrl'),
    method: 'post',
    headers: { 'X-Authenticator': name },
    data: { redirect },
    skipNotify: true,
  };
}

export type PostRequest<D> = { url: string; method: 'post'; data: D; skipNotify: true };
export type GetRequest<P = undefined> = { url: string; method: 'get'; params?: P; skipNotify: true };

/** Redeems the one-time link ticket the callback left in an httpOnly cookie. */
export function completeLinkRequest(name: string): PostRequest<{ authenticator: string }> {
  return { url: action('completeLink'), method: 'post', data: { authenticator: name }, skipNotify: true };
}

export function myLinksRequest(): GetRequest {
  return { url: action('listMyLinks'), method: 'get', skipNotify: true };
}

export function unlinkMeRequest(name: string): PostRequest<{ authenticator: string }> {
  return { url: action('unlinkMe'), method: 'post', data: { authenticator: name }, skipNotify: true };
}

export { isUserId, optionalString };
export type { UserId };

export function linksRequest(
  name: string,
  page: number,
  pageSize: number,
): GetRequest<{ authenticator: string; page: number; pageSize: number }> {
  return { url: action('listLinks'), method: 'get', params: { authenticator: name, page, pageSize }, skipNotify: true };
}

export function removeLinkRequest(name: string, userId: UserId): PostRequest<{ authenticator: string; userId: UserId }> {
  return { url: action('removeLink'), method: 'post', data: { authenticator: name, userId }, skipNotify: true };
}

/** Enabled authenticators, as the sign-in page lists them (anyone may call it). */
export function publicListRequest(): GetRequest {
  return { url: 'authenticators:publicList', method: 'get', skipNotify: true };
}

/** Every DingTalk authenticator, enabled or not (needs the `pm.auth.authenticators` snippet). */
export function dingTalkAuthenticatorsRequest(): GetRequest<{
  filter: { authType: string };
  paginate: false;
  sort: string[];
}> {
  return {
    url: 'authenticators:list',
    method: 'get',
    params: { filter: { authType: AUTH_TYPE }, paginate: false, sort: ['sort', 'id'] },
    skipNotify: true,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Answers, read field by field against the server's own answer types (src/api-answers.ts). NocoBase wraps an
// action's body as `{ data: body }`; a `{ rows, count }` body becomes `{ data: rows, meta: { count } }`.

export function dataOf(body: unknown): unknown {
  return isRecord(body) ? body.data : undefined;
}

export type AuthenticatorEntry = { name: string; title?: string; enabled: boolean };

/** The fields of NocoBase's `authenticators` rows read here (plugin-auth's collection, not ours). */
type AuthenticatorRow = { name: string; title: string; authType: string; enabled: boolean };

/**
 * The DingTalk authenticators of an `authenticators:publicList` (enabled ones only, no `enabled` field) or
 * `authenticators:list` answer, in the server's order.
 */
export function dingTalkAuthenticatorsFromBody(body: unknown): AuthenticatorEntry[] {
  const data = dataOf(body);
  const entries: AuthenticatorEntry[] = [];
  for (const item of Array.isArray(data) ? data : []) {
    const row = uncheckedOf<AuthenticatorRow>(item);
    if (!row || row.authType !== AUTH_TYPE) continue;
    const { name, title } = stringFields(row, ['name', 'title']);
    if (!name || entries.some((entry) => entry.name === name)) continue;
    entries.push({ name, ...(title ? { title } : {}), enabled: row.enabled !== false });
  }
  return entries;
}

/**
 * One of the current user's DingTalk links (`dingtalk:listMyLinks`). `canUnlink` is false only when the server says
 * so (the account has no password, so DingTalk is its only way in): the server refuses the unlink anyway, so an
 * answer without the field leaves the button usable rather than locking the user out of a working action.
 */
export type MyLink = { authenticator: string; title?: string; nickname?: string; linkedAt?: string; canUnlink: boolean };

export function myLinksFromBody(body: unknown): MyLink[] {
  const data = dataOf(body);
  const links: MyLink[] = [];
  for (const item of Array.isArray(data) ? data : []) {
    const answer = uncheckedOf<MyLinkAnswer>(item);
    if (!answer) continue;
    const { authenticator, ...rest } = stringFields(answer, ['authenticator', 'title', 'nickname', 'linkedAt']);
    if (authenticator) links.push({ authenticator, ...rest, canUnlink: answer.canUnlink !== false });
  }
  return links;
}

/** `dingtalk:completeLink`'s `{ authenticator, nickname }`. */
export function completedLinkFromBody(body: unknown): { authenticator?: string; nickname?: string } {
  const answer = uncheckedOf<CompletedLinkAnswer>(dataOf(body));
  return answer ? stringFields(answer, ['authenticator', 'nickname']) : {};
}

export type LinkedUser = { id: UserId; nickname?: string; username?: string; email?: string; phone?: string };

/** A row of `dingtalk:listLinks`: a link (`usersAuthenticators`) with its user and DingTalk's identifiers. */
export type LinkRow = {
  userId: UserId;
  user?: LinkedUser;
  uuid?: string;
  nickname?: string;
  unionId?: string;
  openId?: string;
  corpId?: string;
  dingTalkUserId?: string;
  createdAt?: string;
};

export function linkedUser(value: unknown): LinkedUser | undefined {
  const answer = uncheckedOf<LinkedUserAnswer>(value);
  if (!answer || !isUserId(answer.id)) return undefined;
  return { id: answer.id, ...stringFields(answer, ['nickname', 'username', 'email', 'phone']) };
}

function linkRow(value: unknown): LinkRow | undefined {
  const answer = uncheckedOf<LinkRowAnswer>(value);
  if (!answer || !isUserId(answer.userId)) return undefined;
  const user = linkedUser(answer.user);
  const fields = stringFields(answer, ['uuid', 'nickname', 'createdAt']);
  const meta = uncheckedOf<LinkMetaAnswer>(answer.meta) ?? {};
  const { unionId = fields.uuid, openId, corpId, userid } = stringFields(meta, ['unionId', 'openId', 'corpId', 'userid']);
  return {
    userId: answer.userId,
    ...(user ? { user } : {}),
    ...fields,
    ...(unionId ? { unionId } : {}),
    ...(openId ? { openId } : {}),
    ...(corpId ? { corpId } : {}),
    ...(userid ? { dingTalkUserId: userid } : {}),
  };
}

export type ListPage<T> = { rows: T[]; count: number };
export type LinksPage = ListPage<LinkRow>;

/** `dingtalk:listLinks`, whether NocoBase unwrapped `{ rows, count }` into `{ data: rows, meta }` or not. */
export function linksPageFromBody(body: unknown): LinksPage {
  return listPageFromBody(body, linkRow);
}

/** A page of an admin list (`{ rows, count }` or `{ data: rows, meta: { count } }`), each row read by `row`. */
export function listPageFromBody<T>(body: unknown, row: (value: unknown) => T | undefined): ListPage<T> {
  const data = dataOf(body);
  const wrapped = Array.isArray(data) ? undefined : uncheckedOf<ListAnswer<unknown>>(data);
  const meta = isRecord(body) ? uncheckedOf<Pick<ListAnswer<unknown>, 'count'>>(body.meta) : undefined;
  const rawRows = Array.isArray(data) ? data : wrapped?.rows;
  const rawCount = Array.isArray(data) ? meta?.count : wrapped?.count;
  const rows = Array.isArray(rawRows) ? rawRows.map(row).filter((item): item is T => item !== undefined) : [];
  const count = typeof rawCount === 'number' && Number.isInteger(rawCount) && rawCount >= rows.length ? rawCount : rows.length;
  return { rows, count };
}

// ---------------------------------------------------------------------------------------------------------------
// The "DingTalk account" dialog.

/** One line of the dialog: a DingTalk sign-in method and whether the current user is linked through it. */
export type AccountRow = {
  name: string;
  title?: string;
  /** Enabled: the user can link through it. A link of a disabled authenticator is still listed, to unlink. */
  available: boolean;
  link?: { nickname?: string; linkedAt?: string };
};

export function accountRows(authenticators: AuthenticatorEntry[], links: MyLink[]): AccountRow[] {
  const linkOf = (name: string) => links.find((link) => link.authenticator === name);
  const toLink = (link: MyLink) => ({
    ...(link.nickname ? { nickname: link.nickname } : {}),
    ...(link.linkedAt ? { linkedAt: link.linkedAt } : {}),
  });
  const rows: AccountRow[] = authenticators
    .filter((entry) => entry.enabled)
    .map((entry) => {
      const link = linkOf(entry.name);
      const title = entry.title ?? link?.title;
      return {
        name: entry.name,
        ...(title ? { title } : {}),
        available: true,
        ...(link ? { link: toLink(link) } : {}),
      };
    });
  for (const link of links) {
    if (rows.some((row) => row.name === link.authenticator)) continue;
    rows.push({
      name: link.authenticator,
      ...(link.title ? { title: link.title } : {}),
      available: false,
      link: toLink(link),
    });
  }
  return rows;
}

/** A date (ISO string from the server) for people, or undefined when it is not a date. */
export function formatDate(value: string | undefined, locale: string | undefined, withTime = false): string | undefined {
  if (!value) {
    return undefined;
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return undefined;
  }
  const options: Intl.DateTimeFormatOptions = withTime
    ? { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }
    : { year: 'numeric', month: 'short', day: 'numeric' };
  try {
    return new Intl.DateTimeFormat(locale || undefined, options).format(date);
  } catch {
    // An unknown locale tag.
    return new Intl.DateTimeFormat(undefined, options).format(date);
  }
}

export const NOT_LINKED = 'Not linked';
export const LINKED_AS_SINCE = 'Linked as {{nickname}} since {{date}}';
export const LINKED_AS = 'Linked as {{nickname}}';
export const LINKED_SINCE = 'Linked since {{date}}';
export const LINKED = 'Linked';

/** The state line of a dialog row, as an i18n key and its values. */
export function linkStateMessage(row: AccountRow, locale: string | undefined): Shown {
  if (!row.link) {
    return { key: NOT_LINKED };
  }
  const nickname = row.link.nickname;
  const date = formatDate(row.link.linkedAt, locale);
  if (nickname && date) return { key: LINKED_AS_SINCE, values: { nickname, date } };
  if (nickname) return { key: LINKED_AS, values: { nickname } };
  if (date) return { key: LINKED_SINCE, values: { date } };
  return { key: LINKED };
}

// ---------------------------------------------------------------------------------------------------------------
// The landing after linking at DingTalk, on any page of the signed-in app.

export const LINK_DONE = 'Your DingTalk account is linked.';
export const LINK_DONE_AS = 'Your DingTalk account {{nickname}} is linked.';

/** The success message of `completeLink`, naming the DingTalk account when the server gave its nickname. */
export function linkDoneMessage(nickname: string | undefined): Shown {
  return nickname ? { key: LINK_DONE_AS, values: { nickname } } : { key: LINK_DONE };
}

export type LinkLanding =
  | { kind: 'none' }
  /** DingTalk approved: a link ticket for this authenticator waits in a cookie, to redeem with completeLink. */
  | { kind: 'link'; authenticator: string }
  /** The linking failed at DingTalk or at the callback. `code` is undefined for a code this version does not know. */
  | { kind: 'error'; code?: ErrorCode; detail?: string };

export function parseLinkLanding(search: SearchInput): LinkLanding {
  const params = toParams(search);
  const failed = readErrorLanding(params);
  if (failed) {
    return failed.detail ? { kind: 'error', code: failed.code, detail: failed.detail } : { kind: 'error', code: failed.code };
  }
  const authenticator = params.get(QUERY.link);
  if (authenticator) {
    return { kind: 'link', authenticator };
  }
  return { kind: 'none' };
}

/**
 * The pages of NocoBase's auth layout (router paths): the sign-in page handles its own `dingtalk_*` parameters
 * (its DingTalk button), and nobody is signed in on the others.
 */
const AUTH_PAGES = ['/signin', '/signup', '/forgot-password', '/reset-password'];

/** Whether the link landing runs on this router path (relative to the app's router basename). */
export function isLinkLandingPage(routerPathname: string): boolean {
  const path = routerPathname.replace(/\/+$/, '') || '/';
  return !AUTH_PAGES.includes(path);
}

/**
 * Where DingTalk's round trip should come back to: the page the user is on, as a path under the app's base path
 * (`APP_PUBLIC_PATH`, plus `apps/<name>/` in a sub-app: see app-path.ts), which the server puts back in front for
 * the app that handles the request, without any `dingtalk_*` parameter of an earlier landing. `pathname` is the
 * browser's (`window.location.pathname`).
 */
export function linkReturnPath(pathname: string, search: SearchInput, basePath = '/'): string {
  const prefix = normalisePublicPath(basePath);
  const path = pathname || '/';
  const underPublicPath = prefix !== '/' && (path + '/').startsWith(prefix) ? `/${path.slice(prefix.length)}` : path;
  return `${underPublicPath}${stripLandingParams(search)}`;
}
