/**
 * The authenticator options: the public contract admins script through `authenticators:create`. Every option
 * but the credentials is optional; defaults are the safe, seed-compatible behaviour (match by phone, no sign-up,
 * any organization, profile fields set at sign-up only). `clientSecret` may be `{{$env.NAME}}`: NocoBase's
 * authenticator storer renders it before we read it.
 */
import { z } from 'zod';
import { COUNTRY_CODE_PATTERN, DEFAULT_COUNTRY_CODE, MATCH_RULES, PROFILE_FIELDS, SYNC_MODES } from '../constants';
import { SignInError } from './sign-in-error';

const syncMode = z.enum(SYNC_MODES).catch('signup');

const OptionsSchema = z.object({
  clientId: z.string().trim().min(1),
  clientSecret: z.string().trim().min(1),
  /** Create a NocoBase user when nobody matches. */
  autoSignup: z.boolean().catch(false).default(false),
  /** Rules tried in order to match an unlinked DingTalk identity to an existing user. */
  matchBy: z
    .array(z.enum(MATCH_RULES))
    .catch(['phone'])
    .default(['phone'])
    .transform((rules) => [...new Set(rules)]),
  /** Accept a DingTalk account that shares no phone number (identity by unionId only). */
  signupWithoutPhone: z.boolean().catch(false).default(false),
  /** DingTalk organizations (corpIds) allowed to sign in; empty: any. */
  allowedCorpIds: z
    .array(z.string().trim())
    .catch([])
    .default([])
    .transform((ids) => ids.filter(Boolean)),
  /** Confirm membership in the app's organization through its directory. */
  verifyMembership: z.boolean().catch(false).default(false),
  /** Sign in by itself when the page runs inside the DingTalk app (免登). */
  inAppSignIn: z.boolean().catch(false).default(false),
  /** The organization of the in-app sign-in (the app's own corpId). */
  corpId: z.string().trim().catch('').default(''),
  /** The country of a phone number stored without `+`/`00` (phone.ts); a wrong one refuses sign-ins. */
  defaultCountryCode: z.string().regex(COUNTRY_CODE_PATTERN).default(DEFAULT_COUNTRY_CODE),
  /** Store DingTalk's (unverified) email on new users, and let profile sync take it. */
  copyEmailAtSignup: z.boolean().default(false),
  profileSync: z
    .object(Object.fromEntries(PROFILE_FIELDS.map((field) => [field, syncMode.default('signup')])) as {
      [K in (typeof PROFILE_FIELDS)[number]]: z.ZodDefault<typeof syncMode>;
    })
    .catch({ nickname: 'signup', email: 'signup', phone: 'signup' })
    .default({}),
});

export type DingTalkOptions = z.infer<typeof OptionsSchema>;

/**
 * What an admin may save: the same fields, strictly typed (no silent fallback), credentials optional so a
 * disabled authenticator can be saved half-configured. Returns the path of the first wrong field, if any.
 */
const SavedOptionsSchema = z.object({
  clientId: z.string().optional(),
  clientSecret: z.string().optional(),
  autoSignup: z.boolean().optional(),
  matchBy: z.array(z.enum(MATCH_RULES)).optional(),
  signupWithoutPhone: z.boolean().optional(),
  allowedCorpIds: z.array(z.string()).optional(),
  verifyMembership: z.boolean().optional(),
  inAppSignIn: z.boolean().optional(),
  corpId: z.string().optional(),
  defaultCountryCode: z.string().regex(COUNTRY_CODE_PATTERN).optional(),
  copyEmailAtSignup: z.boolean().optional(),
  profileSync: z.object(Object.fromEntries(PROFILE_FIELDS.map((field) => [field, z.enum(SYNC_MODES).optional()]))).partial().optional(),
});

export function invalidOptionField(raw: unknown): string | undefined {
  const parsed = SavedOptionsSchema.safeParse(raw ?? {});
  if (!parsed.success) return parsed.error.issues[0]?.path.join('.') || 'options';
  // In-app sign-in asks DingTalk's JSAPI for a code of one organization: it needs that organization.
  if (parsed.data.inAppSignIn && !parsed.data.corpId?.trim()) return 'corpId';
  return undefined;
}

export function readOptions(raw: unknown): DingTalkOptions {
  const parsed = OptionsSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new SignInError('CONFIG_INVALID', { status: 400, cause: parsed.error });
  const options = parsed.data;
  // An unrendered `{{$env.X}}` means the variable does not exist: treat it as missing, never send it to DingTalk.
  if ([options.clientId, options.clientSecret].some((value) => /^\{\{.*\}\}$/.test(value))) {
    throw new SignInError('CONFIG_INVALID', { status: 400 });
  }
  return options;
}

/**
 * What anonymous `authenticators:publicList` may show (a whitelist): nothing, unless in-app sign-in is on, which
 * needs the organization and the Client ID in the page to ask DingTalk's JSAPI for a code. Neither is a secret.
 */
export function getPublicOptions(raw: unknown): Record<string, unknown> {
  const options = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  if (options.inAppSignIn !== true || typeof options.corpId !== 'string' || !options.corpId) return {};
  return { inAppSignIn: true, corpId: options.corpId, clientId: typeof options.clientId === 'string' ? options.clientId : '' };
}
