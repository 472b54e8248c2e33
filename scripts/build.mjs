// `npm run build`: install what is missing, then build the plugin (dist/server, dist/client, dist/locale).
import { buildPlugin, ensureDependencies } from './lib.mjs';

ensureDependencies();
buildPlugin();
