import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultIdentities, IdentityError, parseIdentities, startEmulator } from '../src/index';

describe('identities', () => {
  it('ships five default people with distinct unionId and openId', () => {
    const list = defaultIdentities();
    expect(list.map((identity) => identity.id)).toEqual(['zhangsan', 'lisi', 'alice', 'wangwu', 'zhaoliu']);
    expect(new Set(list.map((identity) => identity.unionId)).size).toBe(5);
    expect(new Set(list.map((identity) => identity.openId)).size).toBe(5);
    expect(list.find((identity) => identity.id === 'wangwu')?.email).toBeUndefined();
    expect(list.find((identity) => identity.id === 'alice')).toMatchObject({ stateCode: '33', mobile: '612345678' });
  });

  it.each([
    ['a non-array', { id: 'a' }, /JSON array/],
    ['a missing unionId', [{ id: 'a', nick: 'A', openId: 'o' }], /unionId/],
    ['an empty nick', [{ id: 'a', nick: '', unionId: 'u', openId: 'o' }], /nick/],
    ['a misspelt field', [{ id: 'a', nick: 'A', unionid: 'u', unionId: 'u', openId: 'o' }], /unknown field "unionid"/],
    ['a mobile without stateCode', [{ id: 'a', nick: 'A', unionId: 'u', openId: 'o', mobile: '138' }], /go together/],
    ['an id with spaces', [{ id: 'a b', nick: 'A', unionId: 'u', openId: 'o' }], /"id"/],
    [
      'a duplicate unionId',
      [
        { id: 'a', nick: 'A', unionId: 'u', openId: 'o1' },
        { id: 'b', nick: 'B', unionId: 'u', openId: 'o2' },
      ],
      /duplicate unionId/,
    ],
  ])('rejects %s', (_label, raw, message) => {
    expect(() => parseIdentities(raw)).toThrow(IdentityError);
    expect(() => parseIdentities(raw)).toThrow(message);
  });

  it('loads identities from a file given to startEmulator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dt-emu-'));
    const file = join(dir, 'people.json');
    writeFileSync(file, JSON.stringify([{ id: 'solo', nick: 'Solo', unionId: 'uSolo', openId: 'oSolo', email: 'solo@example.com' }]));
    const emu = await startEmulator({ identitiesFile: file });
    try {
      expect(emu.identities()).toEqual([{ id: 'solo', nick: 'Solo', unionId: 'uSolo', openId: 'oSolo', email: 'solo@example.com' }]);
    } finally {
      await emu.close();
    }
  });

  it('refuses to start with a broken identities file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dt-emu-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '[{"id": "x"');
    await expect(startEmulator({ identitiesFile: file })).rejects.toThrow(/not valid JSON/);
    await expect(startEmulator({ identitiesFile: join(dir, 'missing.json') })).rejects.toThrow(/cannot read/);
  });

  it('hands out copies, so a caller cannot change who signs in', async () => {
    const emu = await startEmulator();
    try {
      emu.identities()[0].unionId = 'tampered';
      expect(emu.identities()[0].unionId).toBe('emuUnionZhangsan0001iE');
    } finally {
      await emu.close();
    }
  });

  it('listens on 127.0.0.1 with a random port by default and reports a URL without a trailing slash', async () => {
    const emu = await startEmulator();
    try {
      expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${emu.url}/__emulator/health`)).status).toBe(200);
    } finally {
      await emu.close();
      await emu.close();
    }
  });
});
