import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const pkg = join(__dirname, '..');

describe('command line', () => {
  it('prints its URL and identities, serves requests and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(pkg, 'bin/dingtalk-emulator.mjs'), '--port', '0', '--client-id', 'cli-app'], {
      env: { ...process.env, DINGTALK_EMULATOR_CLIENT_SECRET: 'cli-secret' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    try {
      const deadline = Date.now() + 8000;
      while (!/Control API/.test(out) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      expect(url, out).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(out).toContain('zhangsan');
      expect(out).toContain('clientId=cli-app');
      const res = await fetch(`${url}/v1.0/oauth2/userAccessToken`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: 'cli-app', clientSecret: 'cli-secret', code: 'x', grantType: 'authorization_code' }),
      });
      expect(await res.json()).toMatchObject({ code: 'invalidParameter.authCode.notFound' });
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  }, 15_000);
});
