// `npm run bench:directory`: the directory sync's figures (issue 12), printed: a generated directory synced twice
// from the emulator with DingTalk's 20 calls a second on (time, DingTalk calls, peak memory of the server, changes
// of the second run), then a member removed in the emulator, whose `user_leave_org` arrives by Stream, timed to
// their token's refused `auth:check`; last a one-line summary with the load average. Runs the skipped-by-default
// server test file src/server/__tests__/directory-sync-bench.test.ts on SQLite in a file.
//   --users N        members (default 10000)
//   --departments M  departments (default 500)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { root } from './lib.mjs';

const { values: flags } = parseArgs({ options: { users: { type: 'string' }, departments: { type: 'string' } }, strict: true });
const plugin = 'packages/plugins/@opensso/plugin-auth-dingtalk';
const result = spawnSync(
  join(root, 'node_modules/.bin/vitest'),
  ['run', '--config', `${plugin}/vitest.config.mts`, 'directory-sync-bench'],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      DINGTALK_DIRECTORY_BENCH: '1',
      DINGTALK_BENCH_USERS: flags.users ?? '10000',
      DINGTALK_BENCH_DEPARTMENTS: flags.departments ?? '500',
    },
  },
);
process.exit(result.status ?? 1);
