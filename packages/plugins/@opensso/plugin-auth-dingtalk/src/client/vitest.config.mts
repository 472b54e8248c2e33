import { defineConfig } from 'vitest/config';

// Client unit tests: pure logic only (no host, no DOM), so the node environment is enough. `npm test` runs them
// with the other fast suites (vitest.workspace.mts at the repository's root); on their own, from the root:
//   node_modules/.bin/vitest run --config packages/plugins/@opensso/plugin-auth-dingtalk/src/client/vitest.config.mts
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['__tests__/**/*.test.ts'],
    environment: 'node',
  },
});
