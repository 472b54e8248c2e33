/**
 * Scripted provider failures, so the plugin can be tested against security-checklist.md §E
 * (hangs, 5xx, resets, non-JSON, wrong shapes, 4xx and throttling) without a real DingTalk.
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
] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export const FAULT_ENDPOINTS = ['userAccessToken', 'me', '*'] as const;
export type FaultEndpoint = (typeof FAULT_ENDPOINTS)[number];

export const BAD_JSON_VARIANTS = ['missing-field', 'wrong-types', 'array'] as const;
export type BadJsonVariant = (typeof BAD_JSON_VARIANTS)[number];

export interface Fault {
  mode: FaultMode;
  /** Which DingTalk API endpoint misbehaves; `*` means both. The login page is never affected. */
  endpoint?: FaultEndpoint;
  /** How many affected requests before the fault clears itself; unlimited when absent. */
  times?: number;
  /** Wait before answering; for `slow` it defaults to 5000 ms, beyond DingTalk's own ~3 s gateway timeout. */
  delayMs?: number;
  /** HTTP status for `server-error` (500–599, default 500) and `rate-limit` (400–499, default 403). */
  status?: number;
  /** Shape of the broken body for `bad-json`; default `missing-field`. */
  variant?: BadJsonVariant;
}

export class FaultError extends Error {
  override name = 'FaultError';
}

const KNOWN_KEYS = new Set(['mode', 'endpoint', 'times', 'delayMs', 'status', 'variant']);
const MAX_DELAY_MS = 10 * 60 * 1000;

function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
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
   * `no-mobile` only makes sense for the profile, so it neither fires nor counts elsewhere.
   */
  take(endpoint: Exclude<FaultEndpoint, '*'>): Fault | null {
    const fault = this.active;
    if (!fault) return null;
    const target = fault.endpoint ?? '*';
    if (target !== '*' && target !== endpoint) return null;
    if (fault.mode === 'no-mobile' && endpoint !== 'me') return null;
    if (fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) this.active = null;
    }
    return { ...fault };
  }
}
