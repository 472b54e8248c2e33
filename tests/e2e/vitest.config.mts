import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// The browser suite: one NocoBase app with the packaged plugin, a real Chromium, files one after another.
// The emulator comes from this repository's source (as in the server tests), not from whatever
// node_modules/@opensso/dingtalk-emulator links to.
export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^@opensso\/dingtalk-emulator$/,
        replacement: fileURLToPath(new URL('../../packages/dingtalk-emulator/src/index.ts', import.meta.url)),
      },
    ],
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
