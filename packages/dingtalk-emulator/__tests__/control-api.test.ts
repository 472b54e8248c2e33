import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';
import { accessToken, authCode, authorizeUrl, exchangeCode, me } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const control = (path: string, init?: RequestInit) => fetch(`${emu.url}/__emulator${path}`, init);
const putFault = (fault: unknown) =>
  control('/fault', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });

describe('control API', () => {
  it('GET /__emulator/health answers ok', async () => {
    const res = await control('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('GET /__emulator/counters counts each DingTalk endpoint, and not the control calls', async () => {
    await fetch(authorizeUrl(emu));
    const token = await accessToken(emu);
    await me(emu, token);
    await me(emu, token);
    await control('/log');
    const res = await control('/counters');
    expect(await res.json()).toEqual({
      'GET /oauth2/auth': 1,
      'POST /oauth2/auth/approve': 1,
      'POST /v1.0/oauth2/userAccessToken': 1,
      'GET /v1.0/contact/users/me': 2,
    });
    expect(emu.counters()).toEqual(await (await control('/counters')).json());
  });

  it('GET /__emulator/log lists requests in order with their status', async () => {
    await accessToken(emu);
    await me(emu);
    const log = (await (await control('/log')).json()) as Array<Record<string, unknown>>;
    expect(log.map((entry) => `${entry.method} ${entry.path} ${entry.status}`)).toEqual([
      'POST /oauth2/auth/approve 302',
      'POST /v1.0/oauth2/userAccessToken 200',
      'GET /v1.0/contact/users/me 400',
    ]);
    expect(log[2]).toMatchObject({ errorCode: 'AuthenticationFailed.MissingParameter', time: expect.any(String) });
  });

  it('GET /__emulator/identities lists the loaded identities', async () => {
    const list = (await (await control('/identities')).json()) as Array<{ id: string }>;
    expect(list.map((identity) => identity.id)).toEqual(['zhangsan', 'lisi', 'alice', 'wangwu', 'zhaoliu']);
  });

  it('PUT /__emulator/fault sets a fault, GET shows it and null clears it', async () => {
    const set = await putFault({ mode: 'server-error', status: 503, endpoint: 'me' });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ ok: true, fault: { mode: 'server-error', status: 503, endpoint: 'me' } });
    expect(await (await control('/fault')).json()).toEqual({ fault: { mode: 'server-error', status: 503, endpoint: 'me' } });
    expect((await me(emu, 'x')).status).toBe(503);
    expect(await (await putFault(null)).json()).toEqual({ ok: true, fault: null });
    expect((await me(emu, 'x')).status).toBe(400);
  });

  it('PUT /__emulator/fault rejects an invalid fault with 400 and keeps the old one', async () => {
    await putFault({ mode: 'forbidden' });
    const res = await putFault({ mode: 'nonsense' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, error: expect.stringContaining('mode') });
    const bad = await control('/fault', { method: 'PUT', body: '{oops' });
    expect(bad.status).toBe(400);
    expect(emu.fault()).toEqual({ mode: 'forbidden' });
  });

  it('POST /__emulator/reset clears fault, counters, log, codes and tokens', async () => {
    const token = await accessToken(emu);
    const code = await authCode(emu);
    await putFault({ mode: 'forbidden' });
    const res = await control('/reset', { method: 'POST' });
    expect(await res.json()).toEqual({ ok: true });
    expect(emu.fault()).toBeNull();
    expect(emu.counters()).toEqual({});
    expect(emu.log()).toEqual([]);
    expect((await me(emu, token)).status).toBe(400);
    expect(await (await exchangeCode(emu, code)).json()).toMatchObject({ code: 'invalidParameter.authCode.notFound' });
  });

  it('answers an unknown control route with 404', async () => {
    expect((await control('/nope')).status).toBe(404);
    expect((await control('/reset')).status).toBe(404);
  });
});
