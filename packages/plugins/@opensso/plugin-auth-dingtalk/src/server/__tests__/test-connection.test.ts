/**
 * The settings form's "Test connection" (`dingtalk:testConnection`): DingTalk (the emulator) is asked for an app
 * token with the credentials being edited; the admin learns OK or why not, never the secret; members are refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, Harness, createAuthenticator, readLogs, startHarness } from './harness';

const storage = mkdtempSync(join(tmpdir(), 'auth-dingtalk-test-connection-'));
let h: Harness;
const WRONG_SECRET = 'not-the-secret-4d1e8a';

async function asRoot() {
  const root = await h.app.db.getRepository('users').findOne({ filter: { email: 'admin@nocobase.com' } });
  return h.app.agent().login(root, 'root');
}

async function test(body: Record<string, unknown>) {
  const res = await (await asRoot()).post('/api/dingtalk:testConnection').send(body);
  return { status: res.status, data: res.body.data, error: res.body.errors?.[0], text: res.text };
}

const appTokenCalls = () => h.emulator.counters()['POST /v1.0/oauth2/accessToken'] ?? 0;

beforeAll(async () => {
  Object.assign(process.env, { STORAGE_PATH: storage, LOGGER_SILENT: 'false', LOGGER_TRANSPORT: 'file', LOGGER_FORMAT: 'json', LOGGER_LEVEL: 'debug' });
  h = await startHarness();
  await createAuthenticator(h.app, { name: 'stored', options: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
}, 60_000);

afterAll(async () => {
  await h?.close();
  rmSync(storage, { recursive: true, force: true });
});

describe('Test connection', () => {
  it('answers OK for the right Client ID and Secret, after asking DingTalk for an app token', async () => {
    const before = appTokenCalls();
    const result = await test({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    expect({ status: result.status, data: result.data }).toEqual({ status: 200, data: { ok: true } });
    expect(appTokenCalls()).toBe(before + 1);
  });

  it('uses the stored secret of the authenticator being edited when none is typed', async () => {
    expect((await test({ authenticator: 'stored', clientId: CLIENT_ID, clientSecret: '' })).data).toEqual({ ok: true });
    // The stored secret belongs to this Client ID only: another ID with it is refused by DingTalk.
    expect((await test({ authenticator: 'stored', clientId: 'dingtestclient2' })).error?.code).toBe('DINGTALK_CREDENTIALS_INVALID');
  });

  it('reports a wrong secret as DINGTALK_CREDENTIALS_INVALID, with its translated sentence', async () => {
    const result = await test({ clientId: CLIENT_ID, clientSecret: WRONG_SECRET });
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(result.error).toMatchObject({
      code: 'DINGTALK_CREDENTIALS_INVALID',
      message: 'DingTalk rejected the Client ID or Client Secret. Ask your administrator to check the DingTalk settings.',
    });
  });

  it('reports an unknown Client ID as DINGTALK_CREDENTIALS_INVALID, and a missing one as CONFIG_INVALID naming it', async () => {
    expect((await test({ clientId: 'dingnosuchclient', clientSecret: CLIENT_SECRET })).error?.code).toBe('DINGTALK_CREDENTIALS_INVALID');
    const before = appTokenCalls();
    expect((await test({ clientId: '', clientSecret: CLIENT_SECRET })).error).toMatchObject({ code: 'CONFIG_INVALID', detail: 'clientId' });
    expect((await test({ clientId: 'ding client', clientSecret: CLIENT_SECRET })).error).toMatchObject({ code: 'CONFIG_INVALID', detail: 'clientId' });
    expect((await test({ clientId: CLIENT_ID })).error).toMatchObject({ code: 'CONFIG_INVALID', detail: 'clientSecret' });
    expect(appTokenCalls()).toBe(before);
  });

  it('reports DingTalk being down as DINGTALK_UNAVAILABLE', async () => {
    h.emulator.setFault({ mode: 'server-error', endpoint: 'appAccessToken', times: 2 });
    try {
      expect((await test({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })).error?.code).toBe('DINGTALK_UNAVAILABLE');
    } finally {
      h.emulator.setFault(null);
    }
  });

  it('refuses people who may not manage DingTalk settings, and anonymous visitors, without calling DingTalk', async () => {
    const user = await h.app.db.getRepository('users').create({ values: { nickname: 'Member', roles: ['member'] } });
    const member = await h.app.agent().login(user, 'member');
    const before = appTokenCalls();
    const refused = await member.post('/api/dingtalk:testConnection').send({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    expect({ status: refused.status, code: refused.body.errors?.[0]?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    const anonymous = await h.app.agent().post('/api/dingtalk:testConnection').send({ clientId: CLIENT_ID, authenticator: 'stored' });
    expect(anonymous.status).toBeGreaterThanOrEqual(401);
    expect(anonymous.body?.data?.ok).toBeUndefined();
    expect(appTokenCalls()).toBe(before);
  });

  it('never answers or logs a secret, typed or stored', async () => {
    const answers = [
      await test({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }),
      await test({ clientId: CLIENT_ID, clientSecret: WRONG_SECRET }),
      await test({ authenticator: 'stored', clientId: CLIENT_ID }),
    ];
    for (const answer of answers) {
      expect(answer.text).not.toContain(CLIENT_SECRET);
      expect(answer.text).not.toContain(WRONG_SECRET);
    }
    const logs = readLogs(storage);
    expect(logs).toMatch(/"resourceName":"dingtalk".*"clientSecret":"redacted"/);
    expect(logs).not.toContain(CLIENT_SECRET);
    expect(logs).not.toContain(WRONG_SECRET);
  });
});
