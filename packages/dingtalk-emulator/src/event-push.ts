/**
 * DingTalk's HTTP push of event subscriptions: the event's JSON (upper camel case: `EventType`, `CorpId`,
 * `TimeStamp`, `UserId` / `DeptId`) encrypted with the app's aes_key and POSTed as `{"encrypt": "…"}` to the
 * callback URL, with `msg_signature`, `timestamp` (ms) and `nonce` in the query. The receiver must answer
 * `{ msg_signature, timeStamp, nonce, encrypt }` whose decrypted message is `success`.
 *
 * Encryption: AES-256-CBC, key = Base64-decode(aes_key + "="), IV = its first 16 bytes, over
 * `16 random bytes | length (uint32 BE) | message | owner key` with PKCS#7 padding to 32 bytes, then Base64.
 * Signature: SHA-1 hex of [token, timestamp, nonce, encrypt] sorted and joined.
 *
 * `tamper` makes what an attacker would send: a wrong signature, an old timestamp, another app's owner key.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface PushTarget {
  url: string;
  token: string;
  aesKey: string;
  /** The key at the end of the plaintext: the app's AppKey. */
  owner: string;
}

export type PushTamper = 'signature' | 'stale' | 'owner';

export interface PushResult {
  status: number;
  /** The receiver's answer decrypted and verified to be `success`. */
  acknowledged: boolean;
  body: string;
}

const BLOCK = 32;

function sign(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join('')).digest('hex');
}

function aes(aesKey: string): { key: Buffer; iv: Buffer } {
  const key = Buffer.from(`${aesKey}=`, 'base64');
  if (key.length !== 32) throw new Error('aesKey must be the 43-character key of the console');
  return { key, iv: key.subarray(0, 16) };
}

export function encryptMessage(aesKey: string, message: string, owner: string): string {
  const { key, iv } = aes(aesKey);
  const text = Buffer.from(message, 'utf8');
  const size = Buffer.alloc(4);
  size.writeUInt32BE(text.length);
  const plain = Buffer.concat([randomBytes(16), size, text, Buffer.from(owner, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

export function decryptMessage(aesKey: string, encrypt: string): { message: string; owner: string } {
  const { key, iv } = aes(aesKey);
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
  const body = plain.subarray(0, plain.length - (plain.at(-1) ?? 0));
  const length = body.readUInt32BE(16);
  return { message: body.subarray(20, 20 + length).toString('utf8'), owner: body.subarray(20 + length).toString('utf8') };
}

/** POSTs one event to `target` as DingTalk does, and checks the answer. */
export async function pushEvent(target: PushTarget, event: Record<string, unknown>, tamper?: PushTamper): Promise<PushResult> {
  const message = JSON.stringify(event);
  const owner = tamper === 'owner' ? 'dingotherappkey' : target.owner;
  const encrypt = encryptMessage(target.aesKey, message, owner);
  const timestamp = String(tamper === 'stale' ? Date.now() - 60 * 60 * 1000 : Date.now());
  const nonce = randomBytes(6).toString('hex');
  const signature = tamper === 'signature' ? sign(`${target.token}x`, timestamp, nonce, encrypt) : sign(target.token, timestamp, nonce, encrypt);
  const url = new URL(target.url);
  url.searchParams.set('msg_signature', signature);
  url.searchParams.set('timestamp', timestamp);
  url.searchParams.set('nonce', nonce);
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ encrypt }) });
  const body = await response.text();
  return { status: response.status, acknowledged: isSuccessReply(target, body), body };
}

function isSuccessReply(target: PushTarget, text: string): boolean {
  try {
    const reply = JSON.parse(text) as Record<string, unknown>;
    const { msg_signature: signature, timeStamp, nonce, encrypt } = reply;
    if (typeof signature !== 'string' || typeof timeStamp !== 'string' || typeof nonce !== 'string' || typeof encrypt !== 'string') return false;
    if (sign(target.token, timeStamp, nonce, encrypt) !== signature) return false;
    return decryptMessage(target.aesKey, encrypt).message === 'success';
  } catch {
    return false;
  }
}
