import { createHash, timingSafeEqual } from 'node:crypto';
import { shortHash } from './codes';
import { BodyError, readFields, sendHtml, sendRedirect } from './http';
import { IdentityError, memberships, membershipIn, parseIdentity, type Identity } from './identities';
import { renderErrorPage, renderLoginPage, type AuthorizeParams } from './login-page';
import { orgName } from './organizations';
import type { EmulatorState, RequestContext } from './state';

export const AUTHORIZE_PATH = '/oauth2/auth';
export const APPROVE_PATH = '/oauth2/auth/approve';

class AuthorizeError extends Error {}

/** Compares through fixed-length digests so neither length nor content leaks through timing. */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

export function findClient(state: EmulatorState, clientId: string | undefined): EmulatorState['clients'][number] | undefined {
  if (!clientId) return undefined;
  return state.clients.find((client) => safeEqual(client.clientId, clientId));
}

/**
 * Checks an authorization request the way DingTalk's page would before showing anything.
 * Any failure becomes an error page, never a redirect: an unchecked redirect_uri must not receive anything.
 */
function validate(state: EmulatorState, fields: Record<string, string | undefined>, requireResponseType: boolean): AuthorizeParams {
  const clientId = fields.client_id;
  const client = findClient(state, clientId);
  if (!clientId || !client) throw new AuthorizeError(`Unknown client_id "${clientId ?? ''}".`);
  const redirectUri = fields.redirect_uri;
  if (!redirectUri) throw new AuthorizeError('Missing redirect_uri.');
  let parsed: URL;
  try {
    parsed = new URL(redirectUri);
  } catch {
    throw new AuthorizeError('redirect_uri must be an absolute URL.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AuthorizeError('redirect_uri must use http or https.');
  }
  if (parsed.hash) throw new AuthorizeError('redirect_uri must not contain a fragment.');
  if (client.redirectUris && !client.redirectUris.includes(redirectUri)) {
    throw new AuthorizeError('redirect_uri does not match the URL registered for this app.');
  }
  const responseType = fields.response_type;
  if ((requireResponseType || responseType !== undefined) && responseType !== 'code') {
    throw new AuthorizeError('response_type must be "code".');
  }
  const scope = fields.scope ?? '';
  if (!scope.split(/\s+/).includes('openid')) throw new AuthorizeError('scope must contain "openid".');
  // `corpId` on the authorization URL pre-selects an organization (only meaningful with scope corpid).
  return { clientId: client.clientId, redirectUri, scope, state: fields.state, prompt: fields.prompt, corpId: fields.corpId || undefined };
}

/** Appends to the redirect URI's own query instead of concatenating strings, so existing parameters survive. */
function redirectWith(params: AuthorizeParams, extra: Record<string, string>): string {
  const url = new URL(params.redirectUri);
  for (const [key, value] of Object.entries(extra)) url.searchParams.append(key, value);
  if (params.state !== undefined) url.searchParams.append('state', params.state);
  return url.toString();
}

function describeRequest(ctx: RequestContext, fields: Record<string, string | undefined>): void {
  ctx.entry.clientId = fields.client_id;
  ctx.entry.redirectUri = fields.redirect_uri;
  ctx.entry.scope = fields.scope;
  ctx.entry.prompt = fields.prompt;
  ctx.entry.statePresent = fields.state !== undefined && fields.state !== '';
}

export function handleAuthorize(ctx: RequestContext): void {
  const fields = Object.fromEntries(ctx.url.searchParams);
  describeRequest(ctx, fields);
  try {
    const params = validate(ctx.state, fields, true);
    sendHtml(ctx.res, 200, renderLoginPage(params, ctx.state.identities, APPROVE_PATH, (corpId) => orgName(ctx.state, corpId)));
  } catch (err) {
    if (!(err instanceof AuthorizeError)) throw err;
    sendHtml(ctx.res, 400, renderErrorPage(err.message));
  }
}

// Derived rather than random so that the same custom nick signs in as the same DingTalk user twice.
function derivedId(prefix: string, nick: string): string {
  return prefix + createHash('sha256').update(`${prefix}:${nick}`).digest('base64url').slice(0, 20);
}

function customIdentity(fields: Record<string, string>): Identity {
  const nick = (fields.nick ?? '').trim();
  if (!nick) throw new AuthorizeError('A custom identity needs a nick.');
  const mobile = fields.mobile?.trim() || undefined;
  const raw: Record<string, string | undefined> = {
    id: `custom-${shortHash(nick)}`,
    nick,
    mobile,
    // The form offers stateCode as optional; DingTalk always sends one with a mobile, 86 being the common case.
    stateCode: mobile ? fields.stateCode?.trim() || '86' : undefined,
    email: fields.email?.trim() || undefined,
    unionId: fields.unionId?.trim() || derivedId('custUnion', nick),
    openId: fields.openId?.trim() || derivedId('custOpen', nick),
    avatarUrl: fields.avatarUrl?.trim() || undefined,
    corpId: fields.corpId?.trim() || undefined,
    userid: (fields.corpId?.trim() && fields.userid?.trim()) || undefined,
  };
  const clean = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
  try {
    return parseIdentity(clean, 'custom identity');
  } catch (err) {
    if (err instanceof IdentityError) throw new AuthorizeError(err.message);
    throw err;
  }
}

/**
 * The organization the person signs in for. Under scope `corpid` DingTalk makes the person pick one
 * of theirs (default here: the first); the pick must be one they belong to. Without `corpid` nobody
 * is asked, and a `corpId` field is ignored.
 */
function pickOrganization(identity: Identity, scope: string[], requested: string | undefined): string | undefined {
  if (!scope.includes('corpid')) return undefined;
  const orgs = memberships(identity);
  if (requested === undefined) return orgs[0]?.corpId;
  if (!membershipIn(identity, requested)) {
    throw new AuthorizeError(`${identity.nick} (${identity.id}) is not a member of organization "${requested}".`);
  }
  return requested;
}

/**
 * A typed identity that belongs to an organization joins that organization's directory, so the
 * topapi endpoints can find it as they would find anyone who signed in (cleared by reset). One whose
 * unionId is already a configured person's does not replace that person.
 */
function rememberCustom(state: EmulatorState, identity: Identity): void {
  if (memberships(identity).length === 0) return;
  if (state.identities.some((known) => known.unionId === identity.unionId)) return;
  state.customIdentities.set(identity.unionId, identity);
}

/**
 * The login page's form target, and the way tests approve without a browser: a form or JSON body
 * with the authorization parameters plus either `identity` (a handle), custom identity fields,
 * or `action=cancel`.
 */
export async function handleApprove(ctx: RequestContext): Promise<void> {
  let fields: Record<string, string>;
  try {
    fields = await readFields(ctx.req);
  } catch (err) {
    if (!(err instanceof BodyError)) throw err;
    sendHtml(ctx.res, 400, renderErrorPage(err.message));
    return;
  }
  describeRequest(ctx, fields);
  try {
    // The hidden fields come back from the browser, so they are checked again, not trusted.
    const params = validate(ctx.state, fields, false);
    if (fields.action === 'cancel') {
      sendRedirect(ctx.res, redirectWith(params, { error: 'access_denied' }));
      return;
    }
    let identity: Identity;
    if (fields.identity !== undefined && fields.action !== 'approve-custom') {
      const found = ctx.state.identities.find((candidate) => candidate.id === fields.identity);
      if (!found) throw new AuthorizeError(`Unknown identity "${fields.identity}".`);
      identity = found;
    } else {
      identity = customIdentity(fields);
      rememberCustom(ctx.state, identity);
    }
    const scope = params.scope.split(/\s+/);
    const corpId = pickOrganization(identity, scope, fields.corpId || undefined);
    const code = ctx.state.codes.issue({ identity, clientId: params.clientId, scope, corpId });
    ctx.entry.identity = identity.id;
    ctx.entry.corpId = corpId;
    ctx.entry.codeHash = shortHash(code);
    sendRedirect(ctx.res, redirectWith(params, { authCode: code }));
  } catch (err) {
    if (!(err instanceof AuthorizeError)) throw err;
    sendHtml(ctx.res, 400, renderErrorPage(err.message));
  }
}
