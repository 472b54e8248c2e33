import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// The scripts' pure helpers (no server, no network).
export default defineConfig({
  test: {
    name: 'scripts',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['__tests__/**/*.test.mjs'],
    environment: 'node',
  },
});
