#!/usr/bin/env node
// The package ships TypeScript only and is CommonJS (no "type": "module"), so tsx's CommonJS hook
// is registered in-process; signals then reach cli.ts directly, with no child process to forward them to.
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

register();
createRequire(import.meta.url)('../src/cli.ts');
