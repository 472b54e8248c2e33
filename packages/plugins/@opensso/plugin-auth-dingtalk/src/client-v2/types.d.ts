/**
 * The few host APIs the v2 bundle uses. NocoBase's modern client (`/v/`) provides these modules at run time through
 * RequireJS; `@nocobase/client-v2` and `@nocobase/flow-engine` are not published on the registry, so only what is
 * used is declared, read from @nocobase/plugin-auth 2.2.15's `dist/client-v2/*.d.ts` and the host bundle of
 * @nocobase/app 2.2.15 (`dist/client/v/assets/index-*.js`). antd, react-i18next and the v1 Authenticator type come
 * from ../client/types.d.ts.
 */

declare module '@nocobase/client-v2' {
  import type { AxiosRequestConfig, AxiosResponse } from 'axios';

  export interface Auth {
    setAuthenticator(authenticator: string): void;
    setToken(token: string): void;
    readonly token: string;
  }

  export class APIClient {
    auth: Auth;
    axios: import('axios').AxiosInstance;
    request<T = unknown>(config: AxiosRequestConfig & { skipNotify?: boolean; skipAuth?: boolean }): Promise<AxiosResponse<T>>;
  }

  export class PluginManager {
    get<T extends abstract new (...args: never[]) => unknown>(plugin: T): InstanceType<T> | undefined;
  }

  export class Application {
    pm: PluginManager;
    apiClient: APIClient;
    /** The modern client's public path: `APP_PUBLIC_PATH` followed by its prefix, e.g. `/v/` or `/nocobase/v/`. */
    getPublicPath(): string;
  }

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

declare module '@nocobase/plugin-auth/client-v2' {
  import type { ComponentType, Context } from 'react';
  import { Plugin } from '@nocobase/client-v2';
  import type { Authenticator } from '@nocobase/plugin-auth/client';

  type LoaderOf<P = Record<string, never>> = () => Promise<{ default: ComponentType<P> }>;

  /** plugin-auth 2.2.15 `client-v2/plugin.d.ts`: every form and button is an async loader. */
  export type AuthOptions = {
    signInFormLoader?: LoaderOf<{ authenticator: Authenticator }>;
    signUpFormLoader?: LoaderOf<{ authenticatorName: string }>;
    signInButtonLoader?: LoaderOf<{ authenticator: Authenticator }>;
    adminSettingsFormLoader?: LoaderOf;
  };

  export class PluginAuthClientV2 extends Plugin {
    registerType(authType: string, options: AuthOptions): void;
  }

  export const AuthenticatorsContext: Context<Authenticator[]>;

  export default PluginAuthClientV2;
}
