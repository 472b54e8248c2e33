import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// The cluster suite: two NocoBase processes of one app on one PostgreSQL and one Redis, the packaged plugin.
export default defineConfig({
  test: {
    name: 'cluster',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 400_000,
  },
});
