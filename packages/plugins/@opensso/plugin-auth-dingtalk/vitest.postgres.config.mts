import { defineConfig } from 'vitest/config';
import base from './vitest.config.mts';

// The server tests that depend most on the database (sign-in, concurrent first sign-ins, linking) once more on
// PostgreSQL, as deployments run it: a private cluster started by the global setup (Debian's server, `npm test`
// installs it), a database per test file.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    name: 'plugin-server-postgres',
    include: [
      'src/server/__tests__/sign-in.test.ts',
      'src/server/__tests__/linking.test.ts',
      'src/server/__tests__/accounts.test.ts',
      'src/server/__tests__/first-sign-in-load.test.ts',
      'src/server/__tests__/first-sign-in-scale.test.ts',
      'src/server/__tests__/queries.test.ts',
      'src/server/__tests__/directory-sync.test.ts',
    ],
    globalSetup: ['src/server/__tests__/postgres-setup.ts'],
    env: { ...base.test?.env, DB_DIALECT: 'postgres', DB_STORAGE: '' },
  },
});
