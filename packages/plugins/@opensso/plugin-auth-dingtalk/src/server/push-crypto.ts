/**
 * DingTalk's HTTP push mode for event subscriptions (the option for installs that cannot keep an outbound
 * connection): DingTalk POSTs `{"encrypt": "…"}` to the callback URL with `msg_signature`, `timestamp` and `nonce` in
 * the query, and expects the word `success`, encrypted the same way, in the answer.
 *
 * - Signature: SHA-1 (hex) of the token, the timestamp, the nonce and the ciphertext, sorted and joined.
 * - Ciphertext: Base64 of AES-256-CBC over `16 random bytes | message length (4 bytes, big-endian) | message | key`,
 *   PKCS#7-padded to 32-byte blocks; the AES key is the Base64 decoding of the 43-character "aes_key" plus `=`, the
 *   IV its first 16 bytes; `key` is the app's AppKey (the organization's corpId for older apps).
 *
 * A push is taken only when the signature matches, the timestamp is recent and the trailing key is the app's: a
 * forged, replayed-late or other app's push changes nothing.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const BLOCK = 32;
/** How old (or how far ahead) a push's timestamp may be. */
export const PUSH_MAX_AGE_MS = 5 * 60 * 1000;

export type PushRefusal = 'signature' | 'stale' | 'owner' | 'malformed';

export interface SignedPush {
  signature: string;
  timestamp: string;
  nonce: string;
  encrypt: string;
}

export interface PushReply {
  msg_signature: string;
  timeStamp: string;
  nonce: string;
  encrypt: string;
}

/** The 43-character key of the console, as DingTalk generates it. */
export function isEncodingAesKey(value: string): boolean {
  return /^[A-Za-z0-9]{43}$/.test(value);
}

export class PushCrypto {
  private readonly key: Buffer;
  private readonly iv: Buffer;
  private readonly owners: string[];

  /** `owners`: the keys a push may end with (the AppKey, and the corpId for apps set up the older way). */
  constructor(
    private readonly token: string,
    encodingAesKey: string,
    owners: string[],
  ) {
    if (!isEncodingAesKey(encodingAesKey)) throw new Error('the aes_key must be 43 letters and digits');
    this.key = Buffer.from(`${encodingAesKey}=`, 'base64');
    this.iv = this.key.subarray(0, 16);
    this.owners = owners.filter((owner) => owner !== '');
  }

  signature(timestamp: string, nonce: string, encrypt: string): string {
    return createHash('sha1').update([this.token, timestamp, nonce, encrypt].sort().join('')).digest('hex');
  }

  /** The push's message, or why it is refused. */
  open(push: SignedPush, now = Date.now()): { ok: true; message: string } | { ok: false; refusal: PushRefusal } {
    const expected = Buffer.from(this.signature(push.timestamp, push.nonce, push.encrypt));
    const given = Buffer.from(push.signature.toLowerCase());
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, refusal: 'signature' };
    const sent = Number(push.timestamp);
    if (!Number.isFinite(sent) || Math.abs(now - sent) > PUSH_MAX_AGE_MS) return { ok: false, refusal: 'stale' };
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.key, this.iv);
      decipher.setAutoPadding(false);
      plain = Buffer.concat([decipher.update(Buffer.from(push.encrypt, 'base64')), decipher.final()]);
    } catch {
      return { ok: false, refusal: 'malformed' };
    }
    const pad = plain.at(-1) ?? 0;
    if (pad < 1 || pad > BLOCK || pad > plain.length) return { ok: false, refusal: 'malformed' };
    const body = plain.subarray(0, plain.length - pad);
    if (body.length < 20) return { ok: false, refusal: 'malformed' };
    const length = body.readUInt32BE(16);
    if (20 + length > body.length) return { ok: false, refusal: 'malformed' };
    const owner = body.subarray(20 + length).toString('utf8');
    if (!this.owners.includes(owner)) return { ok: false, refusal: 'owner' };
    return { ok: true, message: body.subarray(20, 20 + length).toString('utf8') };
  }

  /** The answer DingTalk waits for: `message` (the word `success`) encrypted and signed. */
  reply(message: string, owner: string, now = Date.now()): PushReply {
    const text = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(text.length);
    const body = Buffer.concat([randomBytes(16), length, text, Buffer.from(owner, 'utf8')]);
    const pad = BLOCK - (body.length % BLOCK);
    const cipher = createCipheriv('aes-256-cbc', this.key, this.iv);
    cipher.setAutoPadding(false);
    const encrypt = Buffer.concat([cipher.update(Buffer.concat([body, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
    const timeStamp = String(now);
    const nonce = randomBytes(8).toString('hex');
    return { msg_signature: this.signature(timeStamp, nonce, encrypt), timeStamp, nonce, encrypt };
  }
}
