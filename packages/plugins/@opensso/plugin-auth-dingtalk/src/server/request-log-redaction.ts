import type { Context, Next } from '@nocobase/actions';

const REDACTED = 'redacted';

/**
 * Secrets that arrive as action parameters, by resource. The client secret of every authenticator type, not only
 * ours: an update does not name the type, and the other SSO types keep their secret under the same name.
 */
const SECRET_PARAMS: Record<string, string[][]> = {
  authenticators: [['values', 'options', 'clientSecret']],
  auth: [['values', 'inAppCode']],
  // The settings form's "Test connection" sends the secret being typed.
  dingtalk: [['values', 'clientSecret']],
};

/**
 * Runs right inside NocoBase's request logger, which writes each action's parameters (`ctx.action.toJSON()`) once
 * the action has run, leaving out only password fields. From then on, and whether the action succeeded or threw,
 * the action serialises with the secrets above replaced by `redacted`; its parameters themselves are untouched.
 */
export async function redactLoggedParams(ctx: Context, next: Next) {
  try {
    await next();
  } finally {
    hideSecrets(ctx.action);
  }
}

type Serialisable = { resourceName?: string; toJSON(): { params?: unknown } };

function hideSecrets(action: Serialisable | undefined) {
  const paths = action?.resourceName ? SECRET_PARAMS[action.resourceName] : undefined;
  if (!action || !paths) return;
  const toJSON = action.toJSON.bind(action);
  action.toJSON = () => {
    const json = toJSON();
    return { ...json, params: paths.reduce(redact, json.params) };
  };
}

/** A copy of `value` with the value at `path` (in each element of an array met on the way) replaced. */
function redact(value: unknown, path: string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => redact(item, path));
  const [key, ...rest] = path;
  if (typeof value !== 'object' || value === null || !(key in value)) return value;
  const record = value as Record<string, unknown>;
  return { ...record, [key]: rest.length > 0 ? redact(record[key], rest) : REDACTED };
}
