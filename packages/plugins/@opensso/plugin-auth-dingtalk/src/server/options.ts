/**
 * The authenticator options: the public contract admins script through `authenticators:create`
 * (`{ clientId, clientSecret, autoSignup }`). `clientSecret` may be `{{$env.NAME}}`: NocoBase's authenticator
 * storer renders it before we read it.
 */
import { SignInError } from './sign-in-error';

export interface DingTalkOptions {
  clientId: string;
  clientSecret: string;
  /** Create a NocoBase user when nobody matches. Off unless the admin turns it on. */
  autoSignup: boolean;
}

export function readOptions(raw: unknown): DingTalkOptions {
  const options = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const clientId = typeof options.clientId === 'string' ? options.clientId.trim() : '';
  const clientSecret = typeof options.clientSecret === 'string' ? options.clientSecret.trim() : '';
  // An unrendered `{{$env.X}}` means the variable does not exist: treat it as missing, never send it to DingTalk.
  if (!clientId || !clientSecret || /^\{\{.*\}\}$/.test(clientSecret) || /^\{\{.*\}\}$/.test(clientId)) {
    throw new SignInError('CONFIG_INVALID', { status: 400 });
  }
  return { clientId, clientSecret, autoSignup: options.autoSignup === true };
}

/** What anonymous `authenticators:publicList` may show: nothing from the options (a whitelist, empty for now). */
export function getPublicOptions(): Record<string, never> {
  return {};
}
