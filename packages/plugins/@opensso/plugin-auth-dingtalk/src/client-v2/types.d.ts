/**
 * The v2 host's own module, which has no installable typings: `@nocobase/client-v2` is not published on the npm
 * registry at any version (nor `@nocobase/flow-engine`). NocoBase's modern client (`/v/`) provides it at run time
 * through RequireJS. Declared here is only what this bundle uses, read from the declarations that reference it in
 * @nocobase/plugin-auth 2.2.15's `dist/client-v2/*.d.ts` and from the host bundle of @nocobase/app 2.2.15
 * (`dist/client/v/assets/index-*.js`). plugin-auth's own `client-v2` typings, antd, react-i18next and the SDK are
 * the real packages (see ../client/types.d.ts).
 */

declare module '@nocobase/client-v2' {
  import type { APIClient as SdkAPIClient } from '@nocobase/sdk';

  /** The v2 page's API client: the SDK's (real typings, @nocobase/sdk 2.2.15). */
  export class APIClient extends SdkAPIClient {}

  export class PluginManager {
    get<T extends abstract new (...args: never[]) => unknown>(plugin: T): InstanceType<T> | undefined;
    /** By the plugin's name or package name (the host's `pluginsAliases`): for a plugin that may not be enabled. */
    get(name: string): unknown;
  }

  export class Application {
    pm: PluginManager;
    apiClient: APIClient;
    /** The modern client's public path: `APP_PUBLIC_PATH` followed by its prefix, e.g. `/v/` or `/nocobase/v/`. */
    getPublicPath(): string;
    /** Its router manager; the host bundle's `getBasename(){return this.options.basename}`. */
    router: { getBasename(): string | undefined };
    /**
     * The page's RequireJS, as the host bundle's `initRequireJs` keeps it (`{ requirejs, define }`; its plugin loader
     * calls `app.requirejs.requirejs(ids, …)`): every enabled plugin's v2 module is defined as `<package>/client-v2`.
     * `defined` is RequireJS's own.
     */
    requirejs?: {
      requirejs?: {
        (deps: string[], ok: (...modules: unknown[]) => void, fail?: (error: unknown) => void): void;
        defined?(id: string): boolean;
      };
    };
  }

  /** plugin-auth's `PluginAuthClientV2` extends it (`dist/client-v2/plugin.d.ts`). */
  export class Plugin {
    constructor(options: unknown, app: Application);
    protected app: Application;
    afterAdd(): Promise<void>;
    beforeLoad(): Promise<void>;
    load(): Promise<void>;
  }

  export function useApp(): Application;

  /** ahooks `useRequest` result of the current user; may be absent on the sign-in page. */
  export function useCurrentUserContext(): { refreshAsync?: () => Promise<unknown> } | null | undefined;

  /** A public path without the modern client's prefix: `/v/` → `/`, `/nocobase/v/` → `/nocobase/`. */
  export function stripModernClientPrefix(publicPath: string): string;
}
