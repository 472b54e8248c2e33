// Builds what NocoBase loads from a plugin package, without NocoBase's own builder (not published for 2.x):
//   dist/server/index.js  CommonJS, zod bundled in, @nocobase/* left to the host app
//   dist/client/index.js  a named AMD module: the host page loads it with RequireJS and provides
//                         react, antd, @nocobase/client, @formily/*, i18n... itself
//   dist/client/dingtalk-jsapi.js  DingTalk's JSAPI (the parts the in-app sign-in uses), a plain script the main
//                         bundle adds to the page only inside the DingTalk app
//   dist/client-v2/index.js  the same as a named AMD module `<package>/client-v2` for NocoBase's modern client (/v/),
//                         which provides react, antd, @nocobase/client-v2, @nocobase/flow-engine... (not
//                         @nocobase/client); dist/client-v2/dingtalk-jsapi.js next to it
//   dist/locale/*.json    served by the app under the package name (the i18n namespace)
import { build } from 'esbuild';
import { builtinModules } from 'node:module';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dist = join(root, 'dist');

// Modules the NocoBase host provides at run time, on the server and in the browser.
const hostProvided = [
  '@nocobase/*',
  '@formily/*',
  '@ant-design/*',
  'antd',
  'antd-style',
  'react',
  'react-dom',
  'react/jsx-runtime',
  'react-router',
  'react-router-dom',
  'react-i18next',
  'i18next',
  'lodash',
  'sequelize',
  'axios',
];

// Module ids the 2.2 v1 host page defines for RequireJS (core/client/src/application/utils/globalDeps.ts,
// checked in @nocobase/app 2.2.15's dist/client). Each enabled plugin `P` is also defined as `P/client`
// (remotePlugins.ts definePluginClient), e.g. `@nocobase/plugin-auth/client`.
const browserProvided = new Set([
  'react', 'react-dom', 'react/jsx-runtime', 'react-router', 'react-router-dom',
  'antd', 'antd-style', '@ant-design/icons', '@ant-design/cssinjs', 'i18next', 'react-i18next',
  '@formily/antd-v5', '@formily/core', '@formily/react', '@formily/shared', '@formily/json-schema',
  '@formily/reactive', '@formily/path', '@formily/validator', '@formily/reactive-react',
  '@nocobase/utils', '@nocobase/utils/client', '@nocobase/client', '@nocobase/client/client',
  '@nocobase/evaluators', '@nocobase/evaluators/client', '@nocobase/sdk', '@nocobase/flow-engine',
  '@dnd-kit/core', '@dnd-kit/sortable', 'axios', 'dayjs', 'lodash', 'ahooks', '@emotion/css', 'file-saver',
]);

// Module ids the 2.2 modern (v2) host page defines for RequireJS (@nocobase/app 2.2.15 dist/client/v/assets/index-*.js,
// `initRequireJs`), and each enabled plugin `P` with a v2 client as `P/client-v2` (its `pm:listEnabledV2` URL).
const browserProvidedV2 = new Set([
  'react', 'react-dom', 'react/jsx-runtime', 'react-router', 'react-router-dom',
  'antd', '@ant-design/icons', '@ant-design/cssinjs', 'antd-style', 'i18next', 'react-i18next',
  '@formily/antd-v5', '@formily/core', '@formily/react', '@formily/reactive', '@formily/shared',
  '@nocobase/utils', '@nocobase/utils/client', '@nocobase/client-v2', '@nocobase/flow-engine',
  '@nocobase/evaluators', '@nocobase/evaluators/client', '@dnd-kit/core', '@dnd-kit/sortable', '@ctrl/tinycolor',
  'ahooks', 'axios', 'dayjs', 'lodash', '@emotion/css', 'file-saver',
]);

/** The identifier the browser bundle reads its own URL from (declared in src/client/types.d.ts). */
const BUNDLE_URL = '__OPENSSO_DINGTALK_BUNDLE_URL__';

export async function buildPlugin({ minify = true } = {}) {
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });

  // NocoBase requires each migration file of dist/server/migrations by itself, so each is its own bundle.
  const migrations = join(root, 'src/server/migrations');
  await build({
    entryPoints: [
      { in: join(root, 'src/server/index.ts'), out: 'index' },
      ...(existsSync(migrations) ? readdirSync(migrations) : [])
        .filter((file) => file.endsWith('.ts'))
        .map((file) => ({ in: join(migrations, file), out: `migrations/${file.replace(/\.ts$/, '')}` })),
    ],
    outdir: join(dist, 'server'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    external: [...hostProvided, ...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
    sourcemap: false,
    logLevel: 'warning',
  });

  const amd = await buildBrowserModule({
    entry: join(root, 'src/client/index.tsx'),
    moduleName: pkg.name,
    provided: (id) => browserProvided.has(id) || /^@nocobase\/plugin-[a-z0-9-]+\/client$/.test(id),
    host: 'v1',
    minify,
  });
  mkdirSync(join(dist, 'client'), { recursive: true });
  writeFileSync(join(dist, 'client/index.js'), amd.code);
  // The v2 host loads `<package>/client-v2` from pm:listEnabledV2's URL: the module must carry exactly that name.
  const amdV2 = await buildBrowserModule({
    entry: join(root, 'src/client-v2/index.tsx'),
    moduleName: `${pkg.name}/client-v2`,
    provided: (id) => browserProvidedV2.has(id) || /^@nocobase\/plugin-[a-z0-9-]+\/client-v2$/.test(id),
    host: 'v2',
    minify,
  });
  mkdirSync(join(dist, 'client-v2'), { recursive: true });
  writeFileSync(join(dist, 'client-v2/index.js'), amdV2.code);

  // DingTalk's JSAPI, only the core, its platform bridges and the two APIs the in-app sign-in calls (the whole
  // package is about 300 KB minified). A plain script: it leaves its API on `window` (src/client/jsapi-contract.ts).
  const jsapi = await build({
    entryPoints: [join(root, 'src/client/dingtalk-jsapi.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2019',
    minify,
    logLevel: 'warning',
  });
  const jsapiCode = jsapi.outputFiles[0].text;
  writeFileSync(join(dist, 'client/dingtalk-jsapi.js'), jsapiCode);
  // Next to each bundle: the loader finds the chunk beside the bundle's own URL (src/client/in-app.ts jsapiUrl).
  writeFileSync(join(dist, 'client-v2/dingtalk-jsapi.js'), jsapiCode);

  cpSync(join(root, 'src/locale'), join(dist, 'locale'), { recursive: true });
  writeFileSync(join(dist, 'externalVersion.js'), 'module.exports = {};\n');
  return {
    clientBytes: Buffer.byteLength(amd.code),
    clientV2Bytes: Buffer.byteLength(amdV2.code),
    jsapiBytes: Buffer.byteLength(jsapiCode),
    clientDeps: amd.deps,
    clientV2Deps: amdV2.deps,
  };
}

/**
 * One browser bundle as a named AMD module whose dependencies are all modules the host page defines (`provided`).
 * A named define with explicit dependencies: RequireJS loads them before running the factory, so the CommonJS
 * `require` calls inside resolve synchronously. The factory is made while the file runs, when
 * `document.currentScript` is the script tag RequireJS added for it: its `src` (else RequireJS's module URI) is the
 * bundle's own URL, which the in-app sign-in needs to find dingtalk-jsapi.js next to it (src/client/types.d.ts).
 */
async function buildBrowserModule({ entry, moduleName, provided, host, minify }) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'cjs',
    target: 'es2019',
    jsx: 'transform',
    external: hostProvided,
    minify,
    logLevel: 'warning',
    metafile: true,
  });
  const code = result.outputFiles[0].text;
  // DingTalk's JSAPI belongs in its own chunk: ordinary browsers must not download it with the main bundle.
  const jsapiInMain = Object.keys(result.metafile.inputs).filter((input) => input.includes('node_modules/dingtalk-jsapi/'));
  if (jsapiInMain.length) {
    throw new Error(`the ${host} browser bundle includes dingtalk-jsapi (${jsapiInMain[0]}…): import it only from src/client/dingtalk-jsapi.ts`);
  }
  const deps = [...new Set([...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]))];
  const missing = deps.filter((id) => !provided(id));
  if (missing.length) {
    throw new Error(`the ${host} browser bundle requires modules its NocoBase host page does not define: ${missing.join(', ')}`);
  }
  const wrapped =
    `define(${JSON.stringify(moduleName)}, ${JSON.stringify(['require', 'exports', 'module', ...deps])}, ` +
    `(function (${BUNDLE_URL}) { return function (require, exports, module) {\n"use strict";\n` +
    `if (!${BUNDLE_URL} && module && typeof module.uri === "string") ${BUNDLE_URL} = module.uri;\n` +
    `${code}\n}; })(typeof document !== "undefined" && document.currentScript && document.currentScript.src || ""));\n`;
  return { code: wrapped, deps };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const { clientBytes, clientV2Bytes, jsapiBytes } = await buildPlugin();
  console.log(
    `built ${pkg.name} in ${Date.now() - started} ms (client bundle ${clientBytes} bytes, v2 client bundle ${clientV2Bytes} bytes, DingTalk JSAPI chunk ${jsapiBytes} bytes)`,
  );
}
