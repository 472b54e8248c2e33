// `npm run package`: the plugin as a .tgz a NocoBase 2.2 admin uploads in the plugin manager ("Add & update")
// or adds with `yarn pm add <file>`. `npm pack` keeps only package.json's `files` (dist/, the shims, README).
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(root, '../../../../dist');
mkdirSync(outDir, { recursive: true });
const output = execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], { cwd: root, encoding: 'utf8' });
const [{ filename, files }] = JSON.parse(output);
const file = join(outDir, filename.replace(/^@/, '').replace('/', '-'));
console.log(`${file} (${statSync(file).size} bytes, ${files.length} files)`);
