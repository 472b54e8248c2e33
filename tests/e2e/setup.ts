/**
 * Once for the browser suite: the DingTalk emulator on a loopback port, and a NocoBase app with the plugin
 * installed from its .tgz, pointed at the emulator. Tests find both through E2E_* environment variables.
 */
import { join } from 'node:path';
import { startEmulator, type Emulator } from '@opensso/dingtalk-emulator';
// @ts-expect-error plain ESM helpers shared with `npm start`
import { root } from '../../scripts/lib.mjs';
import { startUserApp, type UserApp } from './user-app';

export const E2E_CLIENT = { clientId: 'dinge2eclient', clientSecret: 'e2e-client-secret-5b1d' };

let emulator: Emulator | undefined;
let app: UserApp | undefined;

export async function setup() {
  emulator = await startEmulator({ port: 0, clients: [E2E_CLIENT] });
  const port = Number(process.env.E2E_APP_PORT || 13500);
  // One folder per port, so two runs on different ports (E2E_APP_PORT) do not share an app.
  app = await startUserApp({ dir: join(root, `test-results/e2e/app-${port}`), port, dingtalkUrl: emulator.url });
  process.env.E2E_APP_URL = app.url;
  process.env.E2E_APP_DIR = app.dir;
  process.env.E2E_EMULATOR_URL = emulator.url;
  process.env.E2E_CLIENT_ID = E2E_CLIENT.clientId;
  process.env.E2E_CLIENT_SECRET = E2E_CLIENT.clientSecret;
}

export async function teardown() {
  await app?.stop();
  await emulator?.close();
}
