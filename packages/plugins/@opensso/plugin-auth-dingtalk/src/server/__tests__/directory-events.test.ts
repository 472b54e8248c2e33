/**
 * Directory events as they arrive: the HTTP push's encryption and signature (push-crypto.ts) against the emulator's
 * own implementation of DingTalk's scheme, and what a push or Stream event parses to (directory-events.ts).
 */
import { decryptMessage, encryptMessage } from '@opensso/dingtalk-emulator';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePushEvent, parseStreamEvent } from '../directory-events';
import { isEncodingAesKey, PushCrypto, PUSH_MAX_AGE_MS } from '../push-crypto';

const TOKEN = 'pushtoken123';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP_KEY = 'dingpushapp';
const crypto = new PushCrypto(TOKEN, AES_KEY, [APP_KEY]);

function signed(message: string, options: { owner?: string; timestamp?: number; token?: string } = {}) {
  const encrypt = encryptMessage(AES_KEY, message, options.owner ?? APP_KEY);
  const timestamp = String(options.timestamp ?? Date.now());
  const nonce = 'n0nce';
  const signature = createHash('sha1')
    .update([options.token ?? TOKEN, timestamp, nonce, encrypt].sort().join(''))
    .digest('hex');
  return { signature, timestamp, nonce, encrypt };
}

describe('HTTP push encryption', () => {
  it('opens a push DingTalk encrypted and signed, whatever its length', () => {
    for (const message of ['{}', '{"EventType":"user_leave_org","UserId":["u1"]}', JSON.stringify({ EventType: 'x', pad: '钉'.repeat(500) })]) {
      expect(crypto.open(signed(message))).toEqual({ ok: true, message });
    }
  });

  it('refuses a wrong signature, an old or future timestamp, another app, and garbage', () => {
    const message = '{"EventType":"user_leave_org","UserId":["u1"]}';
    expect(crypto.open(signed(message, { token: 'forged' }))).toEqual({ ok: false, refusal: 'signature' });
    expect(crypto.open(signed(message, { timestamp: Date.now() - PUSH_MAX_AGE_MS - 1000 }))).toEqual({ ok: false, refusal: 'stale' });
    expect(crypto.open(signed(message, { timestamp: Date.now() + PUSH_MAX_AGE_MS + 1000 }))).toEqual({ ok: false, refusal: 'stale' });
    expect(crypto.open(signed(message, { owner: 'dingotherapp' }))).toEqual({ ok: false, refusal: 'owner' });
    const garbage = signed(message);
    const tampered = { ...garbage, encrypt: Buffer.from('not a ciphertext of whole blocks').toString('base64') };
    tampered.signature = createHash('sha1').update([TOKEN, tampered.timestamp, tampered.nonce, tampered.encrypt].sort().join('')).digest('hex');
    expect(crypto.open(tampered)).toEqual({ ok: false, refusal: 'malformed' });
  });

  it('answers success encrypted and signed as DingTalk checks it', () => {
    const reply = crypto.reply('success', APP_KEY);
    expect(decryptMessage(AES_KEY, reply.encrypt)).toEqual({ message: 'success', owner: APP_KEY });
    const expected = createHash('sha1').update([TOKEN, reply.timeStamp, reply.nonce, reply.encrypt].sort().join('')).digest('hex');
    expect(reply.msg_signature).toBe(expected);
  });

  it('takes only a 43-character key', () => {
    expect(isEncodingAesKey(AES_KEY)).toBe(true);
    expect(isEncodingAesKey(`${AES_KEY}=`)).toBe(false);
    expect(() => new PushCrypto(TOKEN, 'short', [APP_KEY])).toThrow();
  });
});

describe('directory events', () => {
  it('reads a push: people, departments, the URL check; the same message gives the same id', () => {
    const leave = '{"EventType":"user_leave_org","CorpId":"dingcorp","TimeStamp":"1700000000000","UserId":["u1","u2"]}';
    const first = parsePushEvent(leave, 'dingcorp');
    expect(first).toEqual({
      ok: true,
      event: { type: 'user_leave_org', eventId: expect.stringMatching(/^push-[0-9a-f]{32}$/), corpId: 'dingcorp', bornAt: 1700000000000, userIds: ['u1', 'u2'], deptIds: [] },
    });
    expect(parsePushEvent(leave, 'dingcorp')).toEqual(first);
    expect(parsePushEvent('{"EventType":"org_dept_remove","CorpId":"dingcorp","DeptId":[5]}', 'dingcorp')).toMatchObject({ ok: true, event: { deptIds: [5], userIds: [] } });
    expect(parsePushEvent('{"EventType":"check_url"}', 'dingcorp')).toEqual({ ok: true, urlCheck: true });
  });

  it('refuses another organization, a missing list, unknown kinds and non-JSON', () => {
    expect(parsePushEvent('{"EventType":"user_leave_org","CorpId":"dingother","UserId":["u1"]}', 'dingcorp')).toEqual({ ok: false, refusal: 'other-organization', eventType: 'user_leave_org' });
    expect(parsePushEvent('{"EventType":"user_leave_org","CorpId":"dingcorp"}', 'dingcorp')).toEqual({ ok: false, refusal: 'malformed', eventType: 'user_leave_org' });
    expect(parsePushEvent('{"EventType":"bpms_task_change"}', 'dingcorp')).toEqual({ ok: false, refusal: 'not-directory', eventType: 'bpms_task_change' });
    expect(parsePushEvent('nope', 'dingcorp')).toEqual({ ok: false, refusal: 'malformed' });
    expect(parseStreamEvent({ eventType: 'user_add_org' }, '{}', undefined)).toEqual({ ok: false, refusal: 'malformed' });
    expect(parseStreamEvent({ eventType: 'org_dept_create', eventId: 'e', eventCorpId: 'c' }, '{"deptId":["x"]}', undefined)).toEqual({ ok: false, refusal: 'malformed', eventType: 'org_dept_create' });
  });
});
