import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// The browser suite: one NocoBase app with the packaged plugin, a real Chromium, files one after another.
export default defineConfig({
  // The emulator of this repository's source, as the server tests use it, whatever node_modules links to.
  resolve: {
    alias: [{ find: /^@opensso\/dingtalk-emulator$/, replacement: fileURLToPath(new URL('../../packages/dingtalk-emulator/src/index.ts', import.meta.url)) }],
  },
  test: {
    name: 'e2e',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.test.ts'],
    globalSetup: ['./setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
