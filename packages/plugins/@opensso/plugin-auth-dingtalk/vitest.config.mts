import { defineConfig } from 'vitest/config';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const nodeModules = fileURLToPath(new URL('../../../../node_modules', import.meta.url));

// Server and shared tests: a real NocoBase app per file (SQLite in memory) and the DingTalk emulator over HTTP.
// @nocobase/test 2.1 ships no ES build, so it is aliased to its CommonJS entry. The emulator is this checkout's
// (node_modules may link the workspace package of another checkout that shares the install).
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
    include: ['src/server/**/__tests__/**/*.test.ts', 'src/__tests__/**/*.test.ts'],
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
