import { defineConfig } from 'vitest/config';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const nodeModules = fileURLToPath(new URL('../../../../node_modules', import.meta.url));

// Server tests (src/server/**/__tests__): a real NocoBase app per file (SQLite in memory) and the DingTalk emulator
// over HTTP; the tests of the modules shared with the browser run in the client project (src/client/vitest.config.mts).
// @nocobase/test 2.1 ships no ES build, so it is aliased to its CommonJS entry (why 2.1: docs/design.md, "Test
// harness versions"). The emulator is imported from this repository's source, the same files its own tests run,
// rather than through whatever node_modules/@opensso/dingtalk-emulator links to.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@nocobase\/test$/, replacement: require.resolve('@nocobase/test') },
      {
        find: /^@opensso\/dingtalk-emulator$/,
        replacement: fileURLToPath(new URL('../../../dingtalk-emulator/src/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    name: 'plugin-server',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['src/server/**/__tests__/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: {
      APP_ENV: 'test',
      NODE_MODULES_PATH: nodeModules,
      DB_DIALECT: 'sqlite',
      DB_STORAGE: ':memory:',
      DB_LOGGING: 'off',
      LOGGER_SILENT: process.env.TEST_LOGS ? 'false' : 'true',
      APP_KEY: 'test-app-key-not-secret',
    },
  },
});
