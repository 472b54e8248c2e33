// Preloaded (NODE_OPTIONS=--require) into the browser suite's NocoBase processes. NocoBase loads a plugin with
// `require(packageName)` from its own files, whose real path is the workspace's node_modules: without this, the
// workspace's link to packages/plugins/@opensso/plugin-auth-dingtalk (or, in a git worktree sharing another
// checkout's install, that checkout's copy) would be loaded instead of the .tgz the app installed. This resolves the
// plugin from the app's own node_modules (where `pm add` linked the unpacked .tgz), and only from there.
'use strict';
const Module = require('node:module');

const NAME = '@opensso/plugin-auth-dingtalk';
const appDir = process.cwd();
const resolve = Module._resolveFilename;

Module._resolveFilename = function resolvePackagedPlugin(request, parent, isMain, options) {
  if (typeof request === 'string' && (request === NAME || request.startsWith(`${NAME}/`))) {
    return resolve.call(this, request, parent, isMain, { ...options, paths: [appDir] });
  }
  return resolve.call(this, request, parent, isMain, options);
};
