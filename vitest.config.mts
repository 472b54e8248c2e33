import { defineConfig } from '@nocobase/test/vitest.mjs';

export default defineConfig();
