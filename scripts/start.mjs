// `npm start`: the demo. NocoBase (SQLite under storage/ unless DB_* say otherwise) with the plugin enabled,
// the DingTalk emulator, and an authenticator named `dingtalk` wired to it. With DINGTALK_LOGIN_URL and
// DINGTALK_API_URL already set (a real DingTalk, or an emulator elsewhere), no emulator and no demo authenticator.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bin, buildPlugin, emulatorDir, ensureDependencies, launch, loadEnv, log, root, waitFor } from './lib.mjs';
import { adminClient, enablePlugin, ensureAuthenticator, install, start, stop } from './nocobase.mjs';
import { signInAddress } from './urls.mjs';
import { ensureNotificationDemo } from './demo-notifications.mjs';

const began = Date.now();
ensureDependencies();
buildPlugin();

const env = loadEnv();
env.APP_PORT ||= '13000';
env.DB_DIALECT ||= 'sqlite';
env.APP_URL ||= `http://localhost:${env.APP_PORT}`;
const external = Boolean(env.DINGTALK_LOGIN_URL && env.DINGTALK_API_URL);
// NocoBase is chatty while it boots; its output goes to a file, and its tail to the console if it fails.
const logFile = join(resolve(root, env.STORAGE_PATH || 'storage'), 'logs/npm-start-nocobase.log');
mkdirSync(dirname(logFile), { recursive: true });

const children = [];
let emulatorUrl;
if (!external) {
  const port = env.DINGTALK_EMULATOR_PORT || '13010';
  emulatorUrl = `http://127.0.0.1:${port}`;
  children.push(
    launch('dingtalk-emulator', bin('tsx'), [join(emulatorDir, 'src/cli.ts'), '--port', port], { env, detached: true }),
  );
  await waitFor(`${emulatorUrl}/__emulator/health`, { timeoutMs: 30_000 });
  env.DINGTALK_LOGIN_URL = env.DINGTALK_API_URL = env.DINGTALK_OAPI_URL = emulatorUrl;
}

const shutdown = async () => {
  await Promise.all(children.map((child) => stop(child)));
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

try {
  log('installing NocoBase if needed, enabling the plugin');
  install(env);
  enablePlugin(env);
  log('starting NocoBase');
  children.push(await start(env, { logFile }));

  const admin = await adminClient(env, {
    email: env.INIT_ROOT_EMAIL || 'admin@nocobase.com',
    password: env.INIT_ROOT_PASSWORD || 'admin123',
  });
  let identities = [];
  if (!external) {
    const outcome = await ensureAuthenticator(admin, {
      name: 'dingtalk',
      authType: 'dingtalk',
      // No title: the button then reads "Sign in with DingTalk" in each person's language.
      description: 'Demo authenticator wired to the local DingTalk emulator',
      enabled: true,
      options: {
        clientId: env.DINGTALK_EMULATOR_CLIENT_ID || 'dingemulatorclient',
        clientSecret: env.DINGTALK_EMULATOR_CLIENT_SECRET || 'emulator-secret',
        autoSignup: true,
        // No signInWindow: the default, DingTalk's page in a popup window on desktop browsers (the same tab on phones).
      },
    });
    log(`authenticator "dingtalk": ${outcome}`);
    identities = await (await fetch(`${emulatorUrl}/__emulator/identities`)).json();
    for (const line of await ensureNotificationDemo(admin, { authenticator: 'dingtalk' })) log(`notifications demo: ${line}`);
  }

  const lines = [
    '',
    `  NocoBase        ${signInAddress(env)}   (ready in ${Math.round((Date.now() - began) / 1000)} s)`,
    `  Admin           ${env.INIT_ROOT_EMAIL || 'admin@nocobase.com'} / ${env.INIT_ROOT_PASSWORD || 'admin123'}`,
    `  NocoBase log    ${logFile}`,
    external
      ? `  DingTalk        ${env.DINGTALK_LOGIN_URL} (no emulator started, no demo authenticator)`
      : `  DingTalk        emulator at ${emulatorUrl}; authenticator "dingtalk", auto sign-up on, DingTalk in a popup window`,
    ...(Array.isArray(identities) && identities.length
      ? ['  Identities      (pick one on the emulator page after clicking "Sign in with DingTalk")']
      : []),
    ...(Array.isArray(identities)
      ? identities.map((i) => `                  ${i.id.padEnd(10)} ${i.nick} ${i.mobile ? `+${i.stateCode ?? '86'} ${i.mobile}` : '(no phone)'}`)
      : []),
    ...(!external
      ? [
          `  Notifications   create a "Demo tickets" record with an assignee who signed in with DingTalk; their inbox:`,
          `                  ${emulatorUrl}/__emulator/inbox/<identity>`,
        ]
      : []),
    '',
    '  Ctrl+C stops everything.',
    '',
  ];
  console.log(lines.join('\n'));
} catch (error) {
  console.error(`\nnpm start failed: ${error.message}`);
  if (existsSync(logFile)) {
    console.error(`last lines of ${logFile}:\n${readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n')}`);
  }
  await Promise.all(children.map((child) => stop(child)));
  process.exit(1);
}
