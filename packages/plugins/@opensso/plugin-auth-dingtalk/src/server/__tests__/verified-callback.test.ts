/**
 * The code exchange takes nothing but a callback whose state was checked (STYLE: make skipping validation a type
 * error). The `@ts-expect-error` lines are the type-level test: `npm run typecheck` compiles this file and fails if
 * a bare code, or an object shaped like a verified callback, is ever accepted. At run time the same values are
 * refused before DingTalk is asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '@opensso/dingtalk-emulator';
import { authCodeOf, type VerifiedCallback } from '../callback-check';
import { exchangeAuthCode, type DingTalkHosts } from '../dingtalk-api';
import { SignInError } from '../sign-in-error';

const client = { clientId: 'brandtestclient', clientSecret: 'brand-test-secret' };
const call = { timeoutMs: 1000 };
let emulator: Emulator;
let hosts: DingTalkHosts;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, clients: [client] });
  hosts = { loginUrl: emulator.url, apiUrl: emulator.url, oapiUrl: emulator.url };
});
afterAll(() => emulator.close());

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SignInError);
    return (error as SignInError).code;
  }
  throw new Error('expected a SignInError');
}

describe('the code exchange requires a verified callback (checklist A1)', () => {
  it('refuses a bare code string: a type error, and at run time a server error before any call to DingTalk', async () => {
    // @ts-expect-error a code string is not a VerifiedCallback: the state check cannot be skipped
    expect(await codeOf(exchangeAuthCode(hosts, { ...client, callback: 'a-code-from-the-query' }, call))).toBe('INTERNAL_ERROR');
    expect(emulator.counters()['POST /v1.0/oauth2/userAccessToken'] ?? 0).toBe(0);
  });

  it('refuses an object shaped like a verified callback but not made by checkState', async () => {
    const lookalike = { pending: { purpose: 'signin', authenticator: 'a', returnPath: '/', binding: 'b' }, code: 'a-code' } as const;
    // @ts-expect-error the brand is a unique symbol that only callback-check.ts can name
    const forged: VerifiedCallback = lookalike;
    expect(() => authCodeOf(forged)).toThrow(SignInError);
    // A cast gets past the compiler, not past the run-time check.
    expect(await codeOf(exchangeAuthCode(hosts, { ...client, callback: lookalike as unknown as VerifiedCallback }, call))).toBe(
      'INTERNAL_ERROR',
    );
    expect(emulator.counters()['POST /v1.0/oauth2/userAccessToken'] ?? 0).toBe(0);
  });
});
