/**
 * Scripted provider failures, so the plugin can be tested against the provider-fault rows (E) of docs/security.md's checklist
 * (hangs, 5xx, resets, non-JSON, wrong shapes, 4xx and throttling) without a real DingTalk,
 * and against the old API's `errcode` answers (docs/dingtalk-api.md §2.2).
 */

export const FAULT_MODES = [
  'no-mobile',
  'forbidden',
  'server-error',
  'slow',
  'hang',
  'garbage',
  'bad-json',
  'rate-limit',
  'reset',
  // Old-API (`oapi`) answers: HTTP 200 with an errcode.
  'token-invalid',
  'ip-whitelist',
  'not-member',
  'errcode',
] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

/** Every emulated DingTalk API endpoint by name (the login page is never faulted). */
export const API_ENDPOINTS = [
  'userAccessToken', // POST /v1.0/oauth2/userAccessToken
  'me', // GET /v1.0/contact/users/me
  'appAccessToken', // POST /v1.0/oauth2/accessToken
  'gettoken', // GET /gettoken
  'getuserinfo', // POST /topapi/v2/user/getuserinfo
  'getbyunionid', // POST /topapi/user/getbyunionid
  'userGet', // POST /topapi/v2/user/get
  'asyncsend', // POST /topapi/message/corpconversation/asyncsend_v2
  'getsendresult', // POST /topapi/message/corpconversation/getsendresult
  'deptListSub', // POST /topapi/v2/department/listsub
  'userList', // POST /topapi/v2/user/list
] as const;
export type ApiEndpoint = (typeof API_ENDPOINTS)[number];

/** A fault targets one endpoint, the three topapi endpoints (`topapi`), or all of them (`*`). */
export const FAULT_ENDPOINTS = [...API_ENDPOINTS, 'topapi', '*'] as const;
export type FaultEndpoint = (typeof FAULT_ENDPOINTS)[number];

export const TOPAPI_ENDPOINTS: readonly ApiEndpoint[] = ['getuserinfo', 'getbyunionid', 'userGet', 'asyncsend', 'getsendresult', 'deptListSub', 'userList'];
/** Endpoints on the old host: they answer errors as HTTP 200 `{ errcode, errmsg }`. */
export const OAPI_ENDPOINTS: readonly ApiEndpoint[] = ['gettoken', ...TOPAPI_ENDPOINTS];

export const BAD_JSON_VARIANTS = ['missing-field', 'wrong-types', 'array'] as const;
export type BadJsonVariant = (typeof BAD_JSON_VARIANTS)[number];

export interface Fault {
  mode: FaultMode;
  /** Which DingTalk API endpoint misbehaves; `*` (default) means every one the mode applies to. */
  endpoint?: FaultEndpoint;
  /** How many affected requests before the fault clears itself; unlimited when absent. */
  times?: number;
  /** Wait before answering; for `slow` it defaults to 5000 ms, beyond DingTalk's own ~3 s gateway timeout. */
  delayMs?: number;
  /** HTTP status for `server-error` (500–599, default 500) and `rate-limit` on the new API (400–499, default 403). */
  status?: number;
  /** Shape of the broken body for `bad-json`; default `missing-field`. */
  variant?: BadJsonVariant;
  /** `errcode` mode only: the errcode to answer (required, non-zero). */
  errcode?: number;
  /** `errcode` mode only: its errmsg (default "emulated error"). */
  errmsg?: string;
  /** `errcode` mode only: DingTalk's `sub_code` (a string, e.g. "40014"). */
  sub_code?: string;
  /** `errcode` mode only: DingTalk's `sub_msg`. */
  sub_msg?: string;
  /** `forbidden` mode only: the permissions the new API's 403 names (`requiredScopes`); default `Contact.User.Read`. */
  scopes?: string[];
}

export class FaultError extends Error {
  override name = 'FaultError';
}

const KNOWN_KEYS = new Set(['mode', 'endpoint', 'times', 'delayMs', 'status', 'variant', 'errcode', 'errmsg', 'sub_code', 'sub_msg', 'scopes']);
const ERRCODE_KEYS = ['errcode', 'errmsg', 'sub_code', 'sub_msg'] as const;
const MAX_DELAY_MS = 10 * 60 * 1000;

function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Whether a mode can fire on an endpoint; the others neither fire nor use up `times` there. */
export function modeAppliesTo(mode: FaultMode, endpoint: ApiEndpoint): boolean {
  switch (mode) {
    case 'no-mobile':
      // Only the two answers that carry a phone number.
      return endpoint === 'me' || endpoint === 'userGet' || endpoint === 'userList';
    case 'token-invalid':
      return TOPAPI_ENDPOINTS.includes(endpoint);
    case 'not-member':
      // A person's answer; the directory listings have no one person to be missing.
      return endpoint === 'getuserinfo' || endpoint === 'getbyunionid' || endpoint === 'userGet';
    case 'errcode':
      return OAPI_ENDPOINTS.includes(endpoint);
    default:
      return true;
  }
}

export function endpointsOf(target: FaultEndpoint): readonly ApiEndpoint[] {
  if (target === '*') return API_ENDPOINTS;
  if (target === 'topapi') return TOPAPI_ENDPOINTS;
  return [target];
}

/** Validates a fault from JSON or code; `null` means "no fault". Throws FaultError with a readable reason. */
export function parseFault(raw: unknown): Fault | null {
  if (raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new FaultError('a fault must be an object or null');
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!KNOWN_KEYS.has(key)) throw new FaultError(`unknown fault field "${key}"`);
  }
  const mode = record.mode;
  if (typeof mode !== 'string' || !(FAULT_MODES as readonly string[]).includes(mode)) {
    throw new FaultError(`"mode" must be one of ${FAULT_MODES.join(', ')}`);
  }
  const fault: Fault = { mode: mode as FaultMode };
  if (record.endpoint !== undefined) {
    if (typeof record.endpoint !== 'string' || !(FAULT_ENDPOINTS as readonly string[]).includes(record.endpoint)) {
      throw new FaultError(`"endpoint" must be one of ${FAULT_ENDPOINTS.join(', ')}`);
    }
    fault.endpoint = record.endpoint as FaultEndpoint;
    // A fault that could never fire is a test bug; say so instead of silently doing nothing.
    if (!endpointsOf(fault.endpoint).some((endpoint) => modeAppliesTo(fault.mode, endpoint))) {
      throw new FaultError(`mode ${fault.mode} never applies to endpoint ${fault.endpoint}`);
    }
  }
  if (record.times !== undefined) {
    if (!isIntIn(record.times, 1, Number.MAX_SAFE_INTEGER)) throw new FaultError('"times" must be a positive integer');
    fault.times = record.times;
  }
  if (record.delayMs !== undefined) {
    if (!isIntIn(record.delayMs, 0, MAX_DELAY_MS)) throw new FaultError(`"delayMs" must be an integer 0..${MAX_DELAY_MS}`);
    fault.delayMs = record.delayMs;
  }
  if (record.status !== undefined) {
    const range: Partial<Record<FaultMode, [number, number]>> = { 'server-error': [500, 599], 'rate-limit': [400, 499] };
    const allowed = range[fault.mode];
    if (!allowed) throw new FaultError(`"status" is not configurable for mode ${fault.mode}`);
    if (!isIntIn(record.status, allowed[0], allowed[1])) {
      throw new FaultError(`"status" for ${fault.mode} must be ${allowed[0]}..${allowed[1]}`);
    }
    fault.status = record.status;
  }
  if (record.variant !== undefined) {
    if (fault.mode !== 'bad-json') throw new FaultError('"variant" only applies to mode bad-json');
    if (typeof record.variant !== 'string' || !(BAD_JSON_VARIANTS as readonly string[]).includes(record.variant)) {
      throw new FaultError(`"variant" must be one of ${BAD_JSON_VARIANTS.join(', ')}`);
    }
    fault.variant = record.variant as BadJsonVariant;
  }
  if (record.scopes !== undefined) {
    if (fault.mode !== 'forbidden') throw new FaultError('"scopes" only applies to mode forbidden');
    const scopes = record.scopes;
    if (!Array.isArray(scopes) || scopes.length === 0 || scopes.length > 10 || !scopes.every((s) => typeof s === 'string' && s !== '' && s.length <= 200)) {
      throw new FaultError('"scopes" must be 1..10 non-empty strings');
    }
    fault.scopes = [...scopes];
  }
  for (const key of ERRCODE_KEYS) {
    if (record[key] !== undefined && fault.mode !== 'errcode') throw new FaultError(`"${key}" only applies to mode errcode`);
  }
  if (fault.mode === 'errcode') {
    if (!isIntIn(record.errcode, -2147483648, 2147483647) || record.errcode === 0) {
      throw new FaultError('mode errcode needs "errcode", a non-zero integer');
    }
    fault.errcode = record.errcode;
    for (const key of ['errmsg', 'sub_code', 'sub_msg'] as const) {
      const value = record[key];
      if (value === undefined) continue;
      if (typeof value !== 'string' || value === '') throw new FaultError(`"${key}" must be a non-empty string`);
      fault[key] = value;
    }
  }
  return fault;
}

/** Holds the one active fault and counts down `times`. */
export class FaultSwitch {
  private active: Fault | null = null;

  set(fault: Fault | null): void {
    this.active = fault ? { ...fault } : null;
  }

  current(): Fault | null {
    return this.active ? { ...this.active } : null;
  }

  /**
   * Returns the fault that applies to this request, if any, and uses up one of its `times`.
   * A mode that makes no sense for the endpoint (e.g. `no-mobile` on a token endpoint)
   * neither fires nor counts there.
   */
  take(endpoint: ApiEndpoint): Fault | null {
    const fault = this.active;
    if (!fault) return null;
    if (!endpointsOf(fault.endpoint ?? '*').includes(endpoint)) return null;
    if (!modeAppliesTo(fault.mode, endpoint)) return null;
    if (fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) this.active = null;
    }
    return { ...fault };
  }
}
