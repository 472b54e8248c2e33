/**
 * Sealed values: AES-256-GCM with a key derived from the app's `APP_KEY` (the secret NocoBase signs its own tokens
 * with), so a state or a ticket can carry what it stands for and be checked by any app node without the server
 * keeping anything until it is used. Nothing is stored when a sign-in starts, so strangers starting sign-ins by the
 * thousand cannot push anyone's pending sign-in out of a cache (checklist G3). GCM also hides the contents (the
 * return path, a link ticket's profile) from DingTalk's logs and the browser.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

type KeySource = () => string | undefined;

export class Sealer {
  private derived?: { from: string; key: Buffer };
  /** Used when the app has no APP_KEY: sealed values then only open on this node and until it restarts. */
  private fallback?: string;

  constructor(
    private readonly secret: KeySource = () => process.env.APP_KEY,
    private readonly onFallback: () => void = () => undefined,
    /**
     * The app that seals (`app.name`). The multi-app manager runs sub-apps in the main app's process, with its
     * APP_KEY, and their cookies share the API path: without this, a ticket of sub-app `sub1` (its user id, its
     * authenticator's name) would open in the main app and sign in whoever has that id there.
     */
    private readonly appName: () => string | undefined = () => undefined,
  ) {}

  /**
   * `purpose` is authenticated with the value: a state can never be opened as a ticket, nor the reverse, even
   * though both are sealed with one key; nor can a value sealed by one app be opened by another.
   */
  seal(purpose: string, value: unknown): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key(), iv);
    cipher.setAAD(this.additionalData(purpose));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** The sealed value, or undefined for anything that was not sealed by this app for this purpose. */
  open(purpose: string, token: unknown): unknown {
    if (typeof token !== 'string' || token.length > 8192 || !token.startsWith(`${VERSION}.`)) return undefined;
    const encoded = token.slice(VERSION.length + 1);
    const raw = Buffer.from(encoded, 'base64url');
    // Base64 has spare bits: a changed last character can decode to the same bytes. Only the exact encoding counts.
    if (raw.length < IV_BYTES + TAG_BYTES + 1 || raw.toString('base64url') !== encoded) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key(), raw.subarray(0, IV_BYTES));
      decipher.setAAD(this.additionalData(purpose));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }

  /** The main app keeps the data it always had, so its values sealed before an upgrade still open. */
  private additionalData(purpose: string): Buffer {
    const app = this.appName();
    return Buffer.from(app && app !== 'main' ? `${VERSION}:app=${app}:${purpose}` : `${VERSION}:${purpose}`);
  }

  private key(): Buffer {
    let secret = this.secret();
    if (!secret) {
      if (!this.fallback) {
        this.fallback = randomBytes(32).toString('base64url');
        this.onFallback();
      }
      secret = this.fallback;
    }
    if (this.derived?.from !== secret) {
      // A key of its own, so nothing sealed here could ever be taken for one of NocoBase's JWTs or the reverse.
      const key = Buffer.from(hkdfSync('sha256', secret, 'opensso-plugin-auth-dingtalk', 'sealed sign-in values', 32));
      this.derived = { from: secret, key };
    }
    return this.derived.key;
  }
}
