// Helpers shared by the start, test and package scripts. Plain Node (no dependencies): these run on a fresh
// clone before anything is installed.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const pluginName = '@opensso/plugin-auth-dingtalk';
export const pluginDir = join(root, 'packages/plugins', pluginName);
export const emulatorDir = join(root, 'packages/dingtalk-emulator');
const yarnVersion = '1.22.22';
export const yarnBin = join(root, '.tools/node_modules/.bin/yarn');
export const bin = (name) => join(root, 'node_modules/.bin', name);

export function log(message) {
  console.log(`\x1b[36m▸\x1b[0m ${message}`);
}

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  }
  return result;
}

/** Starts a long-running child; its output is prefixed so the demo's console stays readable. */
export function launch(name, command, args, options = {}) {
  const { logFile, ...spawnOptions } = options;
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions });
  if (logFile) {
    // Tests keep the server's output in a file next to their other results instead of the console.
    const file = createWriteStream(logFile, { flags: 'a' });
    child.stdout.pipe(file);
    child.stderr.pipe(file);
    return child;
  }
  const prefix = `\x1b[90m[${name}]\x1b[0m `;
  const forward = (stream, out) => {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) out.write(prefix + line + '\n');
    });
  };
  forward(child.stdout, process.stdout);
  forward(child.stderr, process.stderr);
  return child;
}

/** yarn 1 from the npm registry into .tools/ (corepack cannot fetch it here). */
export function ensureYarn() {
  if (existsSync(yarnBin)) return;
  log(`installing yarn ${yarnVersion} into .tools/`);
  run('npm', ['install', '--prefix', join(root, '.tools'), '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `yarn@${yarnVersion}`]);
}

function installFingerprint() {
  const hash = createHash('sha256');
  for (const file of ['package.json', 'yarn.lock', 'packages/dingtalk-emulator/package.json', `packages/plugins/${pluginName}/package.json`]) {
    hash.update(readFileSync(join(root, file)));
  }
  return hash.digest('hex');
}

/** `yarn install` when package.json or yarn.lock changed since the last successful install. */
export function ensureDependencies() {
  ensureYarn();
  ensureEnvFile();
  const stamp = join(root, 'node_modules/.install-fingerprint');
  const fingerprint = installFingerprint();
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint) return;
  log('installing dependencies (yarn install; about 2 minutes on a fresh clone)');
  // --pure-lockfile: install exactly what yarn.lock says without rewriting it.
  run(yarnBin, ['install', '--pure-lockfile', '--ignore-engines', '--non-interactive', '--network-timeout', '600000']);
  writeFileSync(stamp, fingerprint);
}

/** `.env` from `.env.example` with an APP_KEY of its own, the first time only. */
export function ensureEnvFile() {
  const file = join(root, '.env');
  if (existsSync(file)) return;
  const example = readFileSync(join(root, '.env.example'), 'utf8');
  writeFileSync(file, example.replace(/^APP_KEY=.*$/m, `APP_KEY=${randomBytes(48).toString('base64url')}`));
  log('wrote .env (from .env.example, with a random APP_KEY)');
}

/** `.env` values, overridden by the process environment (as NocoBase itself does). */
export function loadEnv() {
  const values = {};
  const file = join(root, '.env');
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const match = line.match(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)?\s*$/);
      if (match) values[match[1]] = (match[2] ?? '').replace(/^(['"])(.*)\1$/, '$2');
    }
  }
  return { ...values, ...Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined)) };
}

export function buildPlugin() {
  run(process.execPath, [join(pluginDir, 'build.mjs')]);
}

export async function waitFor(url, { timeoutMs = 120_000, ok = (res) => res.ok } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (ok(res)) return res;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error.message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}
