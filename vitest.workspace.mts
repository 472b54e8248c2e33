// Every fast suite (`npm test` runs these, then the browser suite in tests/e2e on its own).
export default [
  'packages/dingtalk-emulator/vitest.config.mts',
  'packages/plugins/@opensso/plugin-auth-dingtalk/vitest.config.mts',
  'packages/plugins/@opensso/plugin-auth-dingtalk/src/client/vitest.config.mts',
  'scripts/vitest.config.mts',
];
