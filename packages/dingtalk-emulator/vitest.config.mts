import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    // Every test talks to a real loopback server; keep failures quick rather than waiting on the 5 s default.
    testTimeout: 10_000,
  },
});
