/**
 * Runs the emulator from the command line for the demo and manual testing:
 *   tsx src/cli.ts [--port 13010] [--host 127.0.0.1] [--identities file.json]
 *                  [--client-id ID] [--client-secret SECRET] [--corp-id CORPID]
 * Each flag falls back to an environment variable (DINGTALK_EMULATOR_PORT, _HOST, _IDENTITIES,
 * _CLIENT_ID, _CLIENT_SECRET, _CORP_ID). Only the URL line goes to stdout first, so scripts can read it.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_CLIENT, memberships, startEmulator } from './index';

function fail(message: string): never {
  console.error(`dingtalk-emulator: ${message}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        identities: { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        'corp-id': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    console.log(
      'usage: dingtalk-emulator [--port 13010] [--host 127.0.0.1] [--identities file.json] [--client-id ID] [--client-secret SECRET] [--corp-id CORPID]',
    );
    return;
  }
  const env = process.env;
  const pick = (flag: string, name: string): string | undefined => {
    const value = values[flag];
    return typeof value === 'string' ? value : env[name] || undefined;
  };
  const portText = pick('port', 'DINGTALK_EMULATOR_PORT') ?? '13010';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid port "${portText}"`);

  const clientId = pick('client-id', 'DINGTALK_EMULATOR_CLIENT_ID') ?? DEFAULT_CLIENT.clientId;
  const clientSecret = pick('client-secret', 'DINGTALK_EMULATOR_CLIENT_SECRET') ?? DEFAULT_CLIENT.clientSecret;
  const corpId = pick('corp-id', 'DINGTALK_EMULATOR_CORP_ID');

  let emulator;
  try {
    emulator = await startEmulator({
      port,
      host: pick('host', 'DINGTALK_EMULATOR_HOST'),
      identitiesFile: pick('identities', 'DINGTALK_EMULATOR_IDENTITIES'),
      clients: [{ clientId, clientSecret, ...(corpId ? { corpId } : {}) }],
    });
  } catch (err) {
    fail((err as Error).message);
  }
  const running = emulator;

  console.log(`DingTalk emulator listening on ${running.url}`);
  console.log(`  DINGTALK_LOGIN_URL=${running.url}`);
  console.log(`  DINGTALK_API_URL=${running.url}`);
  console.log(`  DINGTALK_OAPI_URL=${running.url}`);
  // The secret is printed on purpose: it is the emulator's own throwaway credential, needed to configure the plugin.
  const app = running.organizations().find((org) => org.apps.includes(clientId));
  console.log(`  clientId=${clientId} clientSecret=${clientSecret} corpId=${app?.corpId ?? '-'}`);
  console.log('Identities:');
  for (const identity of running.identities()) {
    const phone = identity.mobile ? `+${identity.stateCode} ${identity.mobile}` : '-';
    const orgs = memberships(identity).map((org) => `${org.corpId}:${org.userid}`).join(',') || 'personal';
    console.log(`  ${identity.id.padEnd(10)} ${identity.nick}  ${phone}  ${identity.email ?? '-'}  unionId=${identity.unionId}  orgs=${orgs}`);
  }
  console.log(`In-client bridge: ${running.url}/__emulator/jsapi-bridge.js`);
  console.log(`Control API: ${running.url}/__emulator/health (Ctrl+C to stop)`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping`);
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
