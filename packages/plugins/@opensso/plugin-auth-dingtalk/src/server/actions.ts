import type { Context, Next } from '@nocobase/actions';
import type { Database, Model } from '@nocobase/database';
import type {
  CompletedLinkAnswer,
  ConsoleUrlsAnswer,
  LinkBlockRowAnswer,
  LinkRowAnswer,
  ListAnswer,
  MyLinkAnswer,
  RemovedAnswer,
  UrlAnswer,
} from '../api-answers';
import { ACTIONS, AUTH_TYPE, RESOURCE } from '../constants';
import { assertSnippet, currentUserId } from './current-user';
import { listBlocks, unblock, unlinkAndBlock } from './link-blocks';
import { configuredOrigin, callbackUrl, homepageUrl, startUrlElsewhere } from './public-url';
import { sanitizeReturnPath } from './return-path';
import { answerWithError, asSignInError, logFailure, SignInError, toHttpError } from './sign-in-error';
import { SignInFlow } from './sign-in-flow';
import { answerWithPopupPage } from './popup-page';
import { testConnection } from './test-connection';

type Handler = (ctx: Context) => Promise<unknown>;

/**
 * Wraps a handler: its result becomes the body; a refusal is answered in NocoBase's error shape
 * (`{ errors: [{ message, code }] }`) with the translated sentence of its code, without going through NocoBase's
 * error handler, which would log an expected refusal as a server error with a stack.
 */
function action(step: string, handler: Handler) {
  return async (ctx: Context, next: Next) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      ctx.body = await handler(ctx);
    } catch (error) {
      const failure = asSignInError(error);
      const name = ctx.get('X-Authenticator') || (ctx.action.params.values as { authenticator?: unknown })?.authenticator;
      logFailure(ctx, step, typeof name === 'string' ? name : undefined, failure);
      answerWithError(ctx, toHttpError(ctx, failure));
      ctx.withoutDataWrapping = true;
      return;
    }
    await next();
  };
}

const values = (ctx: Context) => (ctx.action.params.values ?? {}) as Record<string, unknown>;

/** `?page&pageSize` of an admin list: 20 a page by default, 200 at most. */
function pageOf(ctx: Context): { page: number; pageSize: number } {
  const pageSize = Math.min(Math.max(Number(ctx.action.params.pageSize) || 20, 1), 200);
  const page = Math.max(Number(ctx.action.params.page) || 1, 1);
  return { page, pageSize };
}

/** The `{ rows, count, … }` that NocoBase's data wrapping turns into `data` + `meta`, as for its own lists. */
function listBody<T>(rows: T[], count: number, page: number, pageSize: number): ListAnswer<T> {
  return { rows, count, page, pageSize, totalPage: Math.ceil(count / pageSize) };
}

/** Users by id, with what the admin pages show of them. */
async function usersById(db: Database, ids: unknown[]): Promise<Map<unknown, Model>> {
  const users = await db
    .getRepository('users')
    .find({ filter: { id: { $in: ids } }, fields: ['id', 'nickname', 'username', 'email', 'phone'] });
  return new Map<unknown, Model>(users.map((user: Model) => [user.get('id'), user]));
}

/**
 * Whether the user could still sign in without DingTalk. A user created by DingTalk sign-up has no password, and
 * NocoBase 2.2's own "Change password" asks for the old one: only an administrator can set a first one.
 */
async function hasPassword(db: Database, userId: number): Promise<boolean> {
  const user = await db.getRepository('users').findOne({ filterByTk: userId, fields: ['id', 'password'] });
  return Boolean(user?.get('password'));
}

/** The `dingtalk` authenticators, enabled or not, by name. */
async function dingtalkAuthenticators(db: Database): Promise<Map<string, Model>> {
  const rows = await db.getRepository('authenticators').find({ filter: { authType: AUTH_TYPE } });
  return new Map(rows.map((row: Model) => [row.get('name') as string, row]));
}

/** The HTTP actions of the `dingtalk` resource; the flows live in `browser-sign-in.ts`, `linking.ts` and `in-app-sign-in.ts`. */
export function createActions(flow: SignInFlow) {
  return {
    [ACTIONS.getAuthUrl]: action('start', async (ctx): Promise<UrlAnswer> => {
      const name = ctx.get('X-Authenticator') || ctx.action.params.authenticator;
      const redirect = values(ctx).redirect ?? ctx.action.params.redirect;
      if (typeof name === 'string' && name) {
        const elsewhere = startUrlElsewhere(ctx, ctx.get('Origin') || undefined, { authenticator: name, redirect: sanitizeReturnPath(redirect) });
        if (elsewhere) return { url: elsewhere, otherOrigin: true };
      }
      // The popup window only matters to the sign-in's callback, which then answers with the popup page.
      return { url: await flow.start(ctx, name, redirect, undefined, values(ctx).popup === true) };
    }),

    /** The start as a page of its own on the configured address (see ACTIONS.start). Always answers with a redirect. */
    async [ACTIONS.start](ctx: Context, next: Next) {
      const params = ctx.action.params as { authenticator?: unknown; redirect?: unknown };
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Referrer-Policy', 'no-referrer');
      ctx.withoutDataWrapping = true;
      ctx.redirect(await flow.startPage(ctx, params.authenticator, params.redirect));
      await next();
    },

    /**
     * DingTalk's redirect. Answers with a redirect to the app, never with an error page or JSON; for a sign-in started
     * in a popup window, with the popup page (popup-page.ts), which tells the tab and closes.
     */
    async [ACTIONS.redirect](ctx: Context, next: Next) {
      const finished = await flow.finish(ctx);
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Referrer-Policy', 'no-referrer');
      ctx.withoutDataWrapping = true;
      if (finished.popup) answerWithPopupPage(ctx, finished.popup);
      else ctx.redirect(finished.location);
      await next();
    },

    [ACTIONS.getRedirectUrl]: action('redirect-url', async (ctx): Promise<ConsoleUrlsAnswer> => ({
      redirectUrl: callbackUrl(ctx),
      homepageUrl: homepageUrl(ctx),
      fromConfiguration: configuredOrigin() !== undefined,
    })),

    [ACTIONS.getLinkUrl]: action('link-start', async (ctx): Promise<UrlAnswer> => {
      const name = ctx.get('X-Authenticator') || values(ctx).authenticator;
      return { url: await flow.start(ctx, name, values(ctx).redirect, currentUserId(ctx)) };
    }),

    [ACTIONS.completeLink]: action(
      'link-complete',
      (ctx): Promise<CompletedLinkAnswer> => flow.completeLink(ctx, values(ctx).authenticator),
    ),

    [ACTIONS.listMyLinks]: action('links', async (ctx): Promise<MyLinkAnswer[]> => {
      const db = ctx.db as Database;
      const authenticators = await dingtalkAuthenticators(db);
      const userId = currentUserId(ctx);
      const links = await db
        .getRepository('usersAuthenticators')
        .find({ filter: { userId, authenticator: { $in: [...authenticators.keys()] } } });
      // The page disables Unlink up front, with the reason, rather than letting the user find out by clicking.
      const canUnlink = links.length > 0 && (await hasPassword(db, userId));
      return links.map((row: Model): MyLinkAnswer => ({
        authenticator: row.get('authenticator'),
        title: authenticators.get(row.get('authenticator') as string)?.get('title') ?? null,
        nickname: row.get('nickname'),
        linkedAt: row.get('createdAt'),
        canUnlink,
      }));
    }),

    [ACTIONS.unlinkMe]: action('unlink', async (ctx): Promise<RemovedAnswer> => {
      const db = ctx.db as Database;
      const name = values(ctx).authenticator;
      const authenticators = await dingtalkAuthenticators(db);
      if (typeof name !== 'string' || !authenticators.has(name)) throw new SignInError('AUTHENTICATOR_INVALID');
      const userId = currentUserId(ctx);
      const filter = { authenticator: name, userId };
      if (!(await db.getRepository('usersAuthenticators').findOne({ filter }))) throw new SignInError('NOT_LINKED', { status: 404 });
      if (!(await hasPassword(db, userId))) throw new SignInError('UNLINK_WOULD_LOCK_OUT', { status: 409 });
      await unlinkAndBlock(db, name, userId, 'user');
      ctx.logger?.info?.('dingtalk: unlinked', { authenticator: name, userId, by: 'user' });
      return { authenticator: name };
    }),

    [ACTIONS.listLinks]: action('admin-links', async (ctx): Promise<ListAnswer<LinkRowAnswer>> => {
      assertSnippet(ctx, `${RESOURCE}:${ACTIONS.listLinks}`);
      const db = ctx.db as Database;
      const name = ctx.action.params.authenticator;
      if (typeof name !== 'string' || !(await dingtalkAuthenticators(db)).has(name)) throw new SignInError('AUTHENTICATOR_INVALID');
      const { page, pageSize } = pageOf(ctx);
      const [rows, count] = await db.getRepository('usersAuthenticators').findAndCount({
        filter: { authenticator: name },
        sort: ['-createdAt'],
        limit: pageSize,
        offset: (page - 1) * pageSize,
      });
      const byId = await usersById(db, rows.map((row: Model) => row.get('userId')));
      const links = rows.map((row: Model): LinkRowAnswer => ({
        userId: row.get('userId'),
        user: byId.get(row.get('userId'))?.toJSON() ?? null,
        uuid: row.get('uuid'),
        nickname: row.get('nickname'),
        meta: row.get('meta'),
        createdAt: row.get('createdAt'),
      }));
      return listBody(links, count, page, pageSize);
    }),

    [ACTIONS.removeLink]: action('admin-unlink', async (ctx): Promise<RemovedAnswer> => {
      assertSnippet(ctx, `${RESOURCE}:${ACTIONS.removeLink}`);
      const db = ctx.db as Database;
      const { authenticator, userId } = values(ctx);
      if (typeof authenticator !== 'string' || !(await dingtalkAuthenticators(db)).has(authenticator)) {
        throw new SignInError('AUTHENTICATOR_INVALID');
      }
      const removed = await unlinkAndBlock(db, authenticator, Number(userId), 'admin');
      if (!removed) throw new SignInError('NOT_LINKED', { status: 404 });
      ctx.logger?.info?.('dingtalk: unlinked', { authenticator, userId: Number(userId), by: currentUserId(ctx) });
      return { authenticator, userId: Number(userId) };
    }),

    [ACTIONS.listLinkBlocks]: action('admin-blocks', async (ctx): Promise<ListAnswer<LinkBlockRowAnswer>> => {
      assertSnippet(ctx, `${RESOURCE}:${ACTIONS.listLinkBlocks}`);
      const db = ctx.db as Database;
      const name = ctx.action.params.authenticator;
      if (typeof name !== 'string' || !(await dingtalkAuthenticators(db)).has(name)) throw new SignInError('AUTHENTICATOR_INVALID');
      const { page, pageSize } = pageOf(ctx);
      const { rows, count } = await listBlocks(db, name, page, pageSize);
      const byId = await usersById(db, rows.map((row) => row.get('userId')));
      const blocks = rows.map((row): LinkBlockRowAnswer => ({
        userId: Number(row.get('userId')),
        user: byId.get(Number(row.get('userId')))?.toJSON() ?? null,
        unionId: row.get('uuid'),
        nickname: row.get('nickname'),
        removedBy: row.get('removedBy'),
        createdAt: row.get('createdAt'),
      }));
      return listBody(blocks, count, page, pageSize);
    }),

    [ACTIONS.removeLinkBlock]: action('admin-unblock', async (ctx): Promise<RemovedAnswer> => {
      assertSnippet(ctx, `${RESOURCE}:${ACTIONS.removeLinkBlock}`);
      const db = ctx.db as Database;
      const { authenticator, userId, unionId } = values(ctx);
      if (typeof authenticator !== 'string' || !(await dingtalkAuthenticators(db)).has(authenticator)) {
        throw new SignInError('AUTHENTICATOR_INVALID');
      }
      if (typeof unionId !== 'string' || !(await unblock(db, authenticator, unionId, Number(userId)))) {
        throw new SignInError('NOT_BLOCKED', { status: 404 });
      }
      ctx.logger?.info?.('dingtalk: unlink block cleared', { authenticator, userId: Number(userId), by: currentUserId(ctx) });
      return { authenticator, userId: Number(userId) };
    }),

    [ACTIONS.testConnection]: action('test-connection', async (ctx) => {
      assertSnippet(ctx, `${RESOURCE}:${ACTIONS.testConnection}`);
      const { authenticator, clientId, clientSecret } = values(ctx);
      return testConnection(ctx, { authenticator, clientId, clientSecret });
    }),
  };
}


