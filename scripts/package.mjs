// `npm run package`: build the plugin and write its .tgz under dist/ (see the README: installing the plugin).
import { join } from 'node:path';
import { buildPlugin, ensureDependencies, pluginDir, run } from './lib.mjs';

ensureDependencies();
buildPlugin();
run(process.execPath, [join(pluginDir, 'pack.mjs')]);
