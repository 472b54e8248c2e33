/** The packaged plugin, installed through NocoBase's plugin manager in an app that is not this workspace. */
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN, E2E } from './browser';

const { appUrl } = E2E;
const appDir = process.env.E2E_APP_DIR!;
const pkg = '@opensso/plugin-auth-dingtalk';

async function adminToken(): Promise<string> {
  const res = await fetch(`${appUrl}/api/auth:signIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-authenticator': 'basic' },
    body: JSON.stringify(ADMIN),
  });
  return (await res.json()).data.token;
}

describe('installing the .tgz with the plugin manager', () => {
  it('unpacks it under storage/plugins and links it into node_modules', () => {
    const stored = join(appDir, 'storage/plugins', pkg);
    const manifest = JSON.parse(readFileSync(join(stored, 'package.json'), 'utf8'));
    expect(manifest.name).toBe(pkg);
    expect(manifest.displayName).toBe('Auth: DingTalk');
    expect(manifest.keywords).toContain('Authentication');
    expect(existsSync(join(stored, 'dist/server/index.js'))).toBe(true);
    expect(existsSync(join(stored, 'src'))).toBe(false);
    expect(readlinkSync(join(appDir, 'node_modules', pkg))).toBe(stored);
  });

  it('is enabled, and its auth type is listed for admins', async () => {
    const token = await adminToken();
    const types = await (
      await fetch(`${appUrl}/api/authenticators:listTypes`, { headers: { authorization: `Bearer ${token}` } })
    ).json();
    expect(types.data.map((t: { name: string }) => t.name)).toContain('dingtalk');
    const enabled = await (await fetch(`${appUrl}/api/pm:listEnabled`, { headers: { authorization: `Bearer ${token}` } })).json();
    const ours = enabled.data.find((p: { packageName: string }) => p.packageName === pkg);
    expect(ours?.url).toMatch(/^\/static\/plugins\/@opensso\/plugin-auth-dingtalk\/dist\/client\/index\.js/);
  });

  it('serves its browser bundle as a named AMD module and its translations', async () => {
    const bundle = await fetch(`${appUrl}/static/plugins/${pkg}/dist/client/index.js`);
    expect(bundle.status).toBe(200);
    expect(await bundle.text()).toMatch(/^define\("@opensso\/plugin-auth-dingtalk",/);
    // As an admin who turns on Chinese and French in the system settings.
    const token = await adminToken();
    const update = await fetch(`${appUrl}/api/systemSettings:update?filterByTk=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ enabledLanguages: ['en-US', 'zh-CN', 'fr-FR'] }),
    });
    expect(update.status).toBe(200);
    for (const [locale, text] of [
      ['fr-FR', 'Se connecter avec DingTalk'],
      ['zh-CN', '使用钉钉登录'],
    ]) {
      const lang = await (await fetch(`${appUrl}/api/app:getLang?locale=${locale}`)).json();
      expect(lang.data.resources[pkg]['Sign in with DingTalk']).toBe(text);
    }
  });
});
