import { defineConfig } from 'vitest/config';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);

// Server tests: a real NocoBase app per file, SQLite in memory. @nocobase/test 2.1 ships no ES build,
// so it is aliased to its CommonJS entry.
export default defineConfig({
  resolve: {
    alias: [{ find: /^@nocobase\/test$/, replacement: require.resolve('@nocobase/test') }],
  },
  test: {
    include: ['packages/plugins/*/*/src/server/**/__tests__/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: {
      APP_ENV: 'test',
      NODE_MODULES_PATH: resolve('node_modules'),
      DB_DIALECT: 'sqlite',
      DB_STORAGE: ':memory:',
      DB_LOGGING: 'off',
      LOGGER_SILENT: 'true',
      APP_KEY: 'test-app-key-not-secret',
    },
  },
});
