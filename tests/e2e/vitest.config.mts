import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// The browser suite: one NocoBase app with the packaged plugin, a real Chromium, files one after another.
export default defineConfig({
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
