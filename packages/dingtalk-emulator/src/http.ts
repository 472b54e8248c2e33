import type { IncomingMessage, ServerResponse } from 'node:http';
import { newRequestId } from './responses';

const MAX_BODY_BYTES = 64 * 1024;

export class BodyError extends Error {
  override name = 'BodyError';
}

/** Reads the request body; bounded because nothing legitimate here is larger than a few hundred bytes. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyError('request body too large'));
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function isJsonType(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().includes('json');
}

/** A JSON object, or undefined for anything else (invalid JSON, an array, a scalar): for lenient endpoints. */
export function parseJsonObject(raw: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a JSON body. `expected` completes the error message ("body must be JSON: <expected>") so each caller
 * tells what it wanted; `object` also refuses anything but a plain object.
 */
export async function readJson(req: IncomingMessage, expected: string, options: { object?: boolean } = {}): Promise<unknown> {
  const raw = await readBody(req);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BodyError(`body must be JSON: ${expected}`);
  }
  if (options.object && (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))) {
    throw new BodyError(`body must be a JSON object: ${expected}`);
  }
  return parsed;
}

/**
 * Reads a body that is either a form post (the login page) or JSON (tests approving without a browser)
 * into string fields; non-string JSON values are dropped so they cannot masquerade as text.
 */
export async function readFields(req: IncomingMessage): Promise<Record<string, string>> {
  const fields: Record<string, string> = {};
  if (isJsonType(req)) {
    const parsed = (await readJson(req, 'the form fields', { object: true })) as Record<string, unknown>;
    for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') fields[key] = value;
    return fields;
  }
  for (const [key, value] of new URLSearchParams(await readBody(req))) fields[key] = value;
  return fields;
}

function canWrite(res: ServerResponse): boolean {
  return !res.headersSent && !res.destroyed && !res.socket?.destroyed;
}

/** Every API answer carries `x-acs-request-id` (inferred from the Alibaba Cloud gateway DingTalk runs on). */
export function sendJson(res: ServerResponse, status: number, body: unknown, requestId?: string): void {
  if (!canWrite(res)) return;
  const rid =
    requestId ??
    (typeof body === 'object' && body !== null && typeof (body as { requestid?: unknown }).requestid === 'string'
      ? (body as { requestid: string }).requestid
      : newRequestId());
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-acs-request-id': rid,
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  if (!canWrite(res)) return;
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  sendText(res, status, 'text/html;charset=utf-8', html);
}

export function sendRedirect(res: ServerResponse, location: string): void {
  if (!canWrite(res)) return;
  res.writeHead(302, { location, 'content-length': 0, 'cache-control': 'no-store' });
  res.end();
}
