// `npm test`: installs what is missing (yarn, dependencies, Debian's chromium, redis-server and postgresql),
// type-checks, builds and packages the plugin, then runs every suite: the fast ones (emulator contract, plugin unit
// and server tests, client unit tests, the scripts' helpers) in one vitest workspace, the server tests that depend
// most on the database once more on PostgreSQL, a cluster of two NocoBase processes on PostgreSQL and Redis, then the
// browser suite against a NocoBase app with the packaged plugin. Ends with `N passed, M failed`.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { bin, buildPlugin, ensureDependencies, log, pluginDir, root, run } from './lib.mjs';

const began = Date.now();
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });

/** Whether a PostgreSQL server is installed the Debian way (`/usr/lib/postgresql/<major>/bin/initdb`). */
function hasPostgresServer() {
  const lib = '/usr/lib/postgresql';
  return existsSync(lib) && readdirSync(lib).some((major) => existsSync(join(lib, major, 'bin/initdb')));
}

/**
 * Debian's chromium for the browser tests, a CJK font so screenshots of Chinese names are readable,
 * redis-server for the tests that run NocoBase's cache in Redis, and postgresql for the server tests that also run
 * on PostgreSQL (each starts and stops a private server; the system's own cluster is left alone).
 */
function ensureSystemPackages() {
  const needed = {
    chromium: () => existsSync('/usr/bin/chromium'),
    'fonts-wqy-zenhei': () => existsSync('/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc'),
    'redis-server': () => existsSync('/usr/bin/redis-server'),
    postgresql: hasPostgresServer,
  };
  const packages = Object.entries(needed).filter(([, present]) => !present()).map(([name]) => name);
  if (packages.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`the tests need Debian's ${packages.join(' and ')}: sudo apt-get install -y ${packages.join(' ')}`);
  }
  log(`installing Debian's ${packages.join(' and ')} for the tests`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env });
}

ensureDependencies();
ensureSystemPackages();

let passed = 0;
let failed = 0;

// Type checks count as tests: a strict-mode error fails the run like a failing assertion.
for (const project of [
  'packages/plugins/@opensso/plugin-auth-dingtalk/tsconfig.json',
  'packages/plugins/@opensso/plugin-auth-dingtalk/src/client/tsconfig.json',
  'packages/plugins/@opensso/plugin-auth-dingtalk/src/client-v2/tsconfig.json',
  'packages/dingtalk-emulator/tsconfig.json',
]) {
  const result = spawnSync(bin('tsc'), ['--noEmit', '-p', project], { cwd: root, stdio: 'inherit' });
  if (result.status === 0) passed += 1;
  else failed += 1;
  log(`typecheck ${project}: ${result.status === 0 ? 'ok' : 'FAILED'}`);
}

buildPlugin();
run(process.execPath, [join(pluginDir, 'pack.mjs')]);

function vitest(label, args, outputFile) {
  log(`${label}`);
  const suiteBegan = Date.now();
  rmSync(outputFile, { force: true });
  const result = spawnSync(
    bin('vitest'),
    ['run', ...args, '--reporter=default', '--reporter=json', `--outputFile=${outputFile}`],
    { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' } },
  );
  const took = `${Math.round((Date.now() - suiteBegan) / 1000)} s`;
  if (!existsSync(outputFile)) {
    // vitest died before reporting (a crash in a global setup, say): count the suite as one failure.
    failed += 1;
    log(`${label}: did not report (${took})`);
    return;
  }
  const report = JSON.parse(readFileSync(outputFile, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A suite that failed to load has no failed test but still fails the run.
  if (result.status !== 0 && report.numFailedTests === 0) failed += 1;
  log(`${label}: ${report.numPassedTests} passed, ${report.numFailedTests} failed in ${took}`);
}

vitest('emulator contract, plugin unit and server tests, client unit tests, scripts helpers', ['--workspace', 'vitest.workspace.mts'], join(results, 'fast.json'));
vitest(
  'server sign-in, race and linking tests on PostgreSQL (a private cluster)',
  ['--config', 'packages/plugins/@opensso/plugin-auth-dingtalk/vitest.postgres.config.mts'],
  join(results, 'postgres.json'),
);
vitest(
  'cluster: two NocoBase processes with the packaged plugin on a private PostgreSQL and Redis',
  ['--config', 'tests/cluster/vitest.config.mts'],
  join(results, 'cluster.json'),
);
vitest('browser suite (NocoBase with the packaged plugin, Chromium, emulator)', ['--config', 'tests/e2e/vitest.config.mts'], join(results, 'e2e.json'));

log(`done in ${Math.round((Date.now() - began) / 1000)} s; screenshots and logs under test-results/`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
