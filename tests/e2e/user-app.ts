/**
 * A NocoBase app that is not this workspace, with the plugin installed the way an admin installs it: from the
 * packaged .tgz through NocoBase's plugin manager (`pm add`, then `pm enable`). It reuses the workspace's
 * installed NocoBase through a folder of links (everything but our own scope), so nothing is downloaded and the
 * workspace copy of the plugin cannot leak in.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain ESM helpers shared with `npm start`
import { addPlugin, enablePlugin, install, start, stop } from '../../scripts/nocobase.mjs';
// @ts-expect-error plain ESM helpers shared with `npm start`
import { pluginName, root } from '../../scripts/lib.mjs';

export interface UserApp {
  dir: string;
  url: string;
  logFile: string;
  env: Record<string, string>;
  stop(): Promise<void>;
  /** Starts one more process of the same app (same folder, database, cache and APP_KEY) on `port`: a second node. */
  startNode(port: number): Promise<{ url: string; stop(): Promise<void> }>;
}

export function tarballPath(): string {
  const dist = join(root, 'dist');
  const file = existsSync(dist) ? readdirSync(dist).find((f) => /^opensso-plugin-auth-dingtalk-.*\.tgz$/.test(f)) : undefined;
  if (!file) throw new Error('dist/opensso-plugin-auth-dingtalk-*.tgz is missing: run `npm run package` first');
  return join(dist, file);
}

/**
 * `env`: settings on top of the defaults, e.g. another database or NocoBase's cache in Redis. `startEnv`: settings of
 * the server only, not of the install and plugin commands before it (each NocoBase command rewrites files shared by
 * every app of this machine, e.g. the entry mode in @nocobase/app's index.html: set it for as short a time as can be).
 */
export async function startUserApp(options: {
  dir: string;
  port: number;
  dingtalkUrl: string;
  env?: Record<string, string>;
  startEnv?: Record<string, string>;
}): Promise<UserApp> {
  const { dir, port, dingtalkUrl } = options;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'node_modules/@opensso'), { recursive: true });
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry === '@opensso') continue;
    symlinkSync(join(root, 'node_modules', entry), join(dir, 'node_modules', entry));
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'nocobase-user-app', private: true }));
  // NocoBase's CLI reads this file when it loads its commands.
  writeFileSync(join(dir, '.env.e2e.example'), '');
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    APP_ENV: 'production',
    APP_KEY: randomBytes(32).toString('base64url'),
    APP_PORT: String(port),
    APP_URL: url,
    DB_DIALECT: 'sqlite',
    INIT_ROOT_EMAIL: 'admin@nocobase.com',
    INIT_ROOT_PASSWORD: 'admin123',
    INIT_ROOT_NICKNAME: 'Super Admin',
    DINGTALK_LOGIN_URL: dingtalkUrl,
    DINGTALK_API_URL: dingtalkUrl,
    DINGTALK_OAPI_URL: dingtalkUrl,
    ...options.env,
  };
  for (const key of ['STORAGE_PATH', 'DB_STORAGE', 'NODE_MODULES_PATH', 'SOCKET_PATH', 'PM2_HOME', 'VITEST', 'NODE_OPTIONS']) {
    delete env[key];
  }
  // The plugin NocoBase loads is the installed .tgz, never a copy reached through the workspace's node_modules.
  env.NODE_OPTIONS = `--require ${fileURLToPath(new URL('./packaged-plugin.cjs', import.meta.url))}`;
  const logFile = join(dir, 'nocobase.log');
  install(env, dir);
  addPlugin(env, tarballPath(), dir);
  enablePlugin(env, pluginName, dir);
  // Sub-applications, as admins run them (browser-sub-app.test.ts creates one through the API).
  enablePlugin(env, '@nocobase/plugin-multi-app-manager', dir);
  // Departments, which the DingTalk directory sync writes (browser-directory-sync.test.ts); not enabled by default.
  enablePlugin(env, '@nocobase/plugin-departments', dir);
  const child = await start({ ...env, ...options.startEnv }, { cwd: dir, logFile });
  return {
    dir,
    url,
    logFile,
    env,
    stop: () => stop(child),
    async startNode(nodePort: number) {
      const node = await start({ ...env, APP_PORT: String(nodePort) }, { cwd: dir, logFile: join(dir, `nocobase-${nodePort}.log`) });
      return { url: `http://127.0.0.1:${nodePort}`, stop: () => stop(node) };
    },
  };
}
