/**
 * The host APIs that have no installable typings at the host's version. Everything else the browser code imports is
 * type-checked against the real packages, as devDependencies at the versions the host page provides: antd 5.24.2,
 * react-i18next 11.18.6, react (@types/react 18.3), @nocobase/sdk 2.2.15 (the API client and its auth), formily
 * 2.3 (`@formily/json-schema`, `@formily/core`), and @nocobase/plugin-auth 2.2.15's own `client` and `client-v2`
 * declarations. None of them is bundled: the host page provides them at run time (build.mjs, `hostProvided`).
 *
 * `@nocobase/client` cannot be installed: 2.2.15 is not on the npm registry, and 2.2.16 depends on
 * `@nocobase/client-v2` and `@nocobase/flow-engine`, which are not published at any version, and on
 * `@nocobase/sdk`, `@nocobase/utils` and `@nocobase/evaluators` 2.2.16, which are not either. Its own `.d.ts`
 * would not help: its `Application` and `Plugin` extend `@nocobase/client-v2`'s. So the part this bundle uses is
 * declared here, each declaration copied from the named file of @nocobase/client 2.2.16's published `es/` typings
 * (or, for what those inherit, from the v1 host bundle of @nocobase/app 2.2.15, `dist/client`).
 */

/**
 * Set by build.mjs's wrapper around the browser bundle: the URL the bundle was loaded from (the `src` of the script
 * tag RequireJS added, else RequireJS's module URI), '' when unknown. Undefined outside the built bundle (unit tests).
 */
declare const __OPENSSO_DINGTALK_BUNDLE_URL__: string | undefined;

/**
 * @formily/react 2.3.7 (the host page provides it) is not installed: its `useForm` only, from its
 * `esm/hooks/useForm.d.ts`, typed with the real `@formily/core`.
 */
declare module '@formily/react' {
  export function useForm<T extends object = any>(): import('@formily/core').Form<T>;
}

declare module '@nocobase/client' {
  import type { ComponentType, ReactNode } from 'react';
  import type { MenuItemProps } from 'antd';
  import type { ISchema } from '@formily/json-schema';
  import type { APIClient as SdkAPIClient } from '@nocobase/sdk';

  /** es/api-client/APIClient.d.ts: the SDK's client (real typings, @nocobase/sdk 2.2.15) plus the page's notices. */
  export class APIClient extends SdkAPIClient {}

  /** es/application/PluginManager.d.ts `get`; the class-keyed overload is the one used. */
  export class PluginManager {
    get<T extends abstract new (...args: never[]) => unknown>(plugin: T): InstanceType<T> | undefined;
    /** By the plugin's name or package name (the host's `pluginsAliases`): for a plugin that may not be enabled. */
    get(name: string): unknown;
  }

  /** es/application/PluginSettingsManager.d.ts `PluginSettingOptions` (the fields used here). */
  export interface PluginSettingOptions {
    /** A string may be a `{{t("…", { ns: "…" })}}` template, compiled by the settings layout. */
    title: ReactNode;
    icon?: string | ReactNode;
    Component?: ComponentType;
    /** The ACL snippet a role needs to see the page; default `pm.<name>`. */
    aclSnippet?: string;
    sort?: number;
  }

  /** es/application/PluginSettingsManager.d.ts. */
  export class PluginSettingsManager {
    /** `name` is dotted: `auth.x` is a page under plugin-auth's "Authentication" (`auth`). Route: /admin/settings/auth/x. */
    add(name: string, options: PluginSettingOptions): void;
  }

  /** es/application/schema-settings/types.d.ts `SchemaSettingsItemType`, as `addUserCenterSettingsItem` takes it. */
  export interface UserCenterSettingsItem {
    name: string;
    type?: 'item' | 'divider';
    Component?: ComponentType;
    /** Smaller first; plugin-users: nickname 0, edit profile 50, change password 100, sign out 1000. */
    sort?: number;
    useVisible?: () => boolean;
    aclSnippet?: string;
  }

  /**
   * es/application/Application.d.ts (`addUserCenterSettingsItem`, `pluginSettingsManager`, `apiClient`, `pm`); the
   * rest it inherits from `@nocobase/client-v2`'s `BaseApplication`, read in the 2.2.15 host bundle.
   */
  export class Application {
    pm: PluginManager;
    apiClient: APIClient;
    pluginSettingsManager: PluginSettingsManager;
    /** Wraps every page, inside the router, the API client and antd's App (BaseApplication.addProvider). */
    addProvider(component: ComponentType<{ children?: ReactNode }>, props?: Record<string, unknown>): void;
    addUserCenterSettingsItem(item: UserCenterSettingsItem): void;
    /** `APP_PUBLIC_PATH` with a trailing slash, e.g. `/` or `/nocobase/` (BaseApplication.getPublicPath). */
    getPublicPath(): string;
    /** The sub-app's name under `<public path>apps/<name>/`, else null (BaseApplication.getName; absent before 2.2). */
    getName?(): string | null;
  }

  /** es/application/Plugin.d.ts, whose members come from `@nocobase/client-v2`'s Plugin. */
  export class Plugin {
    constructor(options: unknown, app: Application);
    protected app: Application;
    afterAdd(): Promise<void>;
    beforeLoad(): Promise<void>;
    load(): Promise<void>;
  }

  /** es/application/hooks/useApp.d.ts. */
  export function useApp(): Application;

  /** es/api-client/hooks/useAPIClient.d.ts. */
  export function useAPIClient(): APIClient;

  /**
   * es/user/CurrentUserProvider.d.ts declares `() => any`; narrowed to what is read. Outside a CurrentUserProvider
   * it can be null or, with the flow engine, an object without `refreshAsync`.
   */
  export function useCurrentUserContext(): { refreshAsync?: () => Promise<unknown> } | null | undefined;

  /**
   * es/schema-settings/SchemaSettings.d.ts: a menu entry of a schema-settings dropdown (the user menu); it registers
   * an antd Menu item whose label is `children` (`title` is its key) and renders nothing itself.
   */
  export const SchemaSettingsItem: ComponentType<Omit<MenuItemProps, 'title'> & { title: string | ReactNode }>;

  /** es/schema-settings/SchemaSettings.d.ts: the dropdown that renders the items; `setVisible(false)` closes it. */
  export function useSchemaSettings(): { visible?: boolean; setVisible?: (visible: boolean) => void } | null;

  /** es/schema-component/core/SchemaComponent.d.ts (formily's schema type, real typings). */
  export const SchemaComponent: ComponentType<{
    schema: ISchema;
    scope?: Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry of arbitrary components
    components?: Record<string, ComponentType<any>>;
  }>;
}
