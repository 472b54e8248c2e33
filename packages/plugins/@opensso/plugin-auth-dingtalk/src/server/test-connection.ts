/**
 * The settings form's "Test connection": asks DingTalk for an app token with the Client ID and Client Secret the
 * admin is looking at, so that a wrong secret shows up in the form rather than at the first person's sign-in.
 *
 * The secret comes from the form when the admin typed one, else from the stored authenticator (the form may not
 * hold it). Either way it only goes to DingTalk: the answer is `{ ok: true }` or one of our codes, and the token
 * DingTalk issues is dropped (nothing is cached, so a test never serves a sign-in a token of unchecked settings).
 */
import type { Context } from '@nocobase/actions';
import type { Database, Model } from '@nocobase/database';
import { AUTH_TYPE } from '../constants';
import { getAppAccessToken, hostsFromEnv, timeoutFromEnv } from './dingtalk-api';
import { settingProblem } from './options';
import { SignInError } from './sign-in-error';

interface Environment {
  renderJsonTemplate(template: unknown): unknown;
}

export interface ConnectionToTest {
  /** The authenticator being edited, whose stored secret is used when none is typed; absent for a new one. */
  authenticator?: unknown;
  clientId?: unknown;
  clientSecret?: unknown;
}

const VARIABLE = /\{\{.*\}\}/;

function missing(field: 'clientId' | 'clientSecret'): SignInError {
  return new SignInError('CONFIG_INVALID', { status: 400, detail: field });
}

/** A secret as NocoBase's storer reads it: `{{$env.X}}` rendered; a variable left unrendered does not exist. */
function rendered(ctx: Context, secret: string): string {
  if (!VARIABLE.test(secret)) return secret;
  const environment = (ctx.app as unknown as { environment?: Environment }).environment;
  const value = environment ? (environment.renderJsonTemplate({ secret }) as { secret?: unknown }).secret : secret;
  if (typeof value !== 'string' || !value.trim() || VARIABLE.test(value)) throw missing('clientSecret');
  return value.trim();
}

async function storedSecret(ctx: Context, name: unknown): Promise<string> {
  if (typeof name !== 'string' || !name) throw missing('clientSecret');
  const row = (await (ctx.db as Database).getRepository('authenticators').findOne({ filter: { name, authType: AUTH_TYPE } })) as Model | null;
  const secret = (row?.get('options') as { clientSecret?: unknown } | null)?.clientSecret;
  if (typeof secret !== 'string' || !secret.trim()) throw missing('clientSecret');
  return secret.trim();
}

export async function testConnection(ctx: Context, input: ConnectionToTest): Promise<{ ok: true }> {
  const clientId = typeof input.clientId === 'string' ? input.clientId.trim() : '';
  if (!clientId || settingProblem({ clientId })) throw missing('clientId');
  const typed = typeof input.clientSecret === 'string' ? input.clientSecret.trim() : '';
  const secret = rendered(ctx, typed || (await storedSecret(ctx, input.authenticator)));
  await getAppAccessToken(hostsFromEnv(), { appKey: clientId, appSecret: secret }, { timeoutMs: timeoutFromEnv() });
  return { ok: true };
}
