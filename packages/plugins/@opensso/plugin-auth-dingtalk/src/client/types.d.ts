/**
 * Minimal declarations of the host APIs this bundle uses. The host page (NocoBase 2.2's v1 client)
 * provides these modules at run time through RequireJS; their packages (`@nocobase/client`, antd, formily,
 * react-i18next) cannot be installed here, so only what is used is declared, from their 2.2.15 sources.
 * react, react-router-dom and axios are type-checked against their real typings.
 */

declare module '@formily/react' {
  /** Subset of formily's JSON schema, as NocoBase schemas use it. */
  export interface ISchema {
    type?: 'object' | 'void' | 'string' | 'boolean' | 'number' | 'array';
    title?: string;
    description?: import('react').ReactNode;
    required?: boolean;
    default?: unknown;
    properties?: Record<string, ISchema>;
    'x-decorator'?: string;
    'x-component'?: string;
    'x-component-props'?: Record<string, unknown>;
  }
}

declare module '@nocobase/client' {
  import type { ComponentType } from 'react';
  import type { AxiosRequestConfig, AxiosResponse } from 'axios';
  import type { ISchema } from '@formily/react';

  /** `@nocobase/sdk` Auth (2.2.15): token and authenticator live in the app's storage. */
  export interface Auth {
    readonly authenticator: string;
    readonly token: string;
    setAuthenticator(authenticator: string): void;
    setToken(token: string): void;
    signIn(values: Record<string, unknown>, authenticator?: string): Promise<AxiosResponse>;
  }

  export type RequestOptions = AxiosRequestConfig & {
    /** Do not show the host's error notification; the caller handles the error. */
    skipNotify?: boolean | ((error: unknown) => boolean);
    skipAuth?: boolean;
  };

  export class APIClient {
    auth: Auth;
    request<T = unknown>(config: RequestOptions): Promise<AxiosResponse<T>>;
  }

  export class PluginManager {
    get<T extends abstract new (...args: never[]) => unknown>(plugin: T): InstanceType<T> | undefined;
  }

  export class Application {
    pm: PluginManager;
    apiClient: APIClient;
  }

  export class Plugin {
    constructor(options: unknown, app: Application);
    protected app: Application;
    afterAdd(): Promise<void>;
    beforeLoad(): Promise<void>;
    load(): Promise<void>;
  }

  export function useAPIClient(): APIClient;

  /**
   * The current user request (ahooks `useRequest` result). Outside a CurrentUserProvider it can be null or,
   * with the flow engine, an object without `refreshAsync`.
   */
  export function useCurrentUserContext(): { refreshAsync?: () => Promise<unknown> } | null | undefined;

  export const SchemaComponent: ComponentType<{
    schema: ISchema;
    scope?: Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry of arbitrary components
    components?: Record<string, ComponentType<any>>;
  }>;
}

declare module '@nocobase/plugin-auth/client' {
  import type { ComponentType } from 'react';
  import { Plugin } from '@nocobase/client';

  /** An entry of `authenticators:publicList`. */
  export type Authenticator = {
    name: string;
    authType: string;
    authTypeTitle: string;
    title?: string;
    options?: Record<string, unknown>;
    sort?: number;
  };

  export type AuthOptions = {
    components: Partial<{
      SignInForm: ComponentType<{ authenticator: Authenticator }>;
      SignInButton: ComponentType<{ authenticator: Authenticator }>;
      SignUpForm: ComponentType<{ authenticatorName: string }>;
      AdminSettingsForm: ComponentType;
    }>;
  };

  export class PluginAuthClient extends Plugin {
    registerType(authType: string, options: AuthOptions): void;
  }

  /** Returns a function that navigates to the sign-in page's `?redirect=` (default `next`, '/admin'). */
  export function useRedirect(next?: string): () => void;

  export default PluginAuthClient;
}

declare module 'antd' {
  import type { ComponentType, CSSProperties, MouseEventHandler, ReactNode } from 'react';

  export const Alert: ComponentType<{
    type?: 'success' | 'info' | 'warning' | 'error';
    showIcon?: boolean;
    message?: ReactNode;
    description?: ReactNode;
    role?: string;
  }>;

  export const Button: ComponentType<{
    block?: boolean;
    size?: 'small' | 'middle' | 'large';
    type?: 'primary' | 'default' | 'dashed' | 'link' | 'text';
    icon?: ReactNode;
    loading?: boolean;
    disabled?: boolean;
    children?: ReactNode;
    onClick?: MouseEventHandler<HTMLElement>;
    'aria-busy'?: boolean;
  }>;

  export const Space: ComponentType<{
    direction?: 'horizontal' | 'vertical';
    style?: CSSProperties;
    children?: ReactNode;
    'data-testid'?: string;
  }>;

  export const Input: ComponentType<{
    value?: string;
    readOnly?: boolean;
    placeholder?: string;
    status?: 'error' | 'warning';
    addonAfter?: ReactNode;
  }>;

  export const Typography: {
    Text: ComponentType<{
      copyable?: boolean | { text?: string; tooltips?: [ReactNode, ReactNode] | false };
      children?: ReactNode;
    }>;
  };
}

declare module 'react-i18next' {
  /** i18next's `t` as used here: a key, and interpolation values or options. */
  export interface TFunction {
    (key: string, options?: Record<string, unknown>): string;
  }
  export function useTranslation(
    ns?: string | string[],
    options?: { nsMode?: 'normal' | 'fallback' },
  ): { t: TFunction; i18n: unknown };
}
