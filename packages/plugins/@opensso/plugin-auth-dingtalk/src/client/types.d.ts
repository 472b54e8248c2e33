/**
 * Minimal declarations of the host APIs this bundle uses. The host page (NocoBase 2.2's v1 client)
 * provides these modules at run time through RequireJS; their packages (`@nocobase/client`, antd, @formily/react,
 * react-i18next) cannot be installed here, so only what is used is declared, from their 2.2.15 sources (antd
 * 5.24.2, the host's version). react, react-router-dom, axios and @formily/core (its field type) are type-checked
 * against their real typings.
 */

/**
 * Set by build.mjs's wrapper around the browser bundle: the URL the bundle was loaded from (the `src` of the script
 * tag RequireJS added, else RequireJS's module URI), '' when unknown. Undefined outside the built bundle (unit tests).
 */
declare const __OPENSSO_DINGTALK_BUNDLE_URL__: string | undefined;

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
    /** A message when the value is refused, '' when it is fine. */
    'x-validator'?: (value: unknown) => string;
    /** Only the function form is used here: formily runs it in an autorun, so it re-runs when what it reads changes. */
    'x-reactions'?: (field: import('@formily/core').GeneralField) => void;
  }
  /** The form of the schema being rendered (the settings drawer's, holding the whole authenticator record). */
  export function useForm(): import('@formily/core').Form;
}

declare module '@nocobase/client' {
  import type { ComponentType, ReactNode } from 'react';
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
    axios: import('axios').AxiosInstance;
    request<T = unknown>(config: RequestOptions): Promise<AxiosResponse<T>>;
  }

  export class PluginManager {
    get<T extends abstract new (...args: never[]) => unknown>(plugin: T): InstanceType<T> | undefined;
  }

  /** `app.pluginSettingsManager` (core/client/src/application/PluginSettingsManager.ts): pages of Settings. */
  export interface PluginSettingOptions {
    /** A string may be a `{{t("…", { ns: "…" })}}` template, compiled by the settings layout. */
    title: ReactNode;
    icon?: string;
    Component?: ComponentType;
    /** The ACL snippet a role needs to see the page; default `pm.<name>`. */
    aclSnippet?: string;
    sort?: number;
  }

  export class PluginSettingsManager {
    /** `name` is dotted: `auth.x` is a page under plugin-auth's "Authentication" (`auth`). Route: /admin/settings/auth/x. */
    add(name: string, options: PluginSettingOptions): void;
  }

  /** An item of the user menu (`schemaSettingsManager` item of `userCenterSettings`). */
  export interface UserCenterSettingsItem {
    name: string;
    type?: 'item' | 'divider';
    /** Renders a SchemaSettingsItem (the menu entry) and whatever it opens. */
    Component?: ComponentType;
    /** Smaller first; plugin-users: nickname 0, edit profile 50, change password 100, sign out 1000. */
    sort?: number;
    useVisible?: () => boolean;
    aclSnippet?: string;
  }

  export class Application {
    pm: PluginManager;
    apiClient: APIClient;
    pluginSettingsManager: PluginSettingsManager;
    /** Wraps every page, inside the router, the API client and antd's App (client-v2 BaseApplication.addProvider). */
    addProvider(component: ComponentType<{ children?: ReactNode }>, props?: Record<string, unknown>): void;
    addUserCenterSettingsItem(item: UserCenterSettingsItem): void;
    /** `APP_PUBLIC_PATH` with a trailing slash, e.g. `/` or `/nocobase/`. */
    getPublicPath(): string;
    /** The sub-app's name when the page is under `<public path>apps/<name>/`, else null (NocoBase 2.2). */
    getName?(): string | null;
  }

  /** The application of the current React tree. */
  export function useApp(): Application;

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

  /**
   * A menu entry of a schema-settings dropdown (the user menu): it registers an antd Menu item whose label is
   * `children` (`title` is its key) and renders nothing itself.
   */
  export const SchemaSettingsItem: ComponentType<{
    title: string;
    eventKey?: string;
    onClick?: () => void;
    children?: ReactNode;
  }>;

  /** The dropdown that renders the settings items; `setVisible(false)` closes the user menu. */
  export function useSchemaSettings(): { visible?: boolean; setVisible?: (visible: boolean) => void } | null;

  export const SchemaComponent: ComponentType<{
    schema: ISchema;
    scope?: Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry of arbitrary components
    components?: Record<string, ComponentType<any>>;
  }>;
}

declare module '@nocobase/plugin-auth/client' {
  import type { ComponentType, Context } from 'react';
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

  /** The sign-in page's authenticators (`authenticators:publicList`, enabled ones in their order); [] elsewhere. */
  export const AuthenticatorsContext: Context<Authenticator[]>;

  /** Returns a function that navigates to the sign-in page's `?redirect=` (default `next`, '/admin'). */
  export function useRedirect(next?: string): () => void;

  export default PluginAuthClient;
}

declare module 'antd' {
  import type { ChangeEvent, ComponentType, CSSProperties, Key, MouseEventHandler, ReactNode } from 'react';

  type Size = 'small' | 'middle' | 'large';

  export const Alert: ComponentType<{
    type?: 'success' | 'info' | 'warning' | 'error';
    showIcon?: boolean;
    message?: ReactNode;
    description?: ReactNode;
    role?: string;
    style?: CSSProperties;
    closable?: boolean;
    onClose?: () => void;
  }>;

  export const Collapse: ComponentType<{
    items: Array<{ key: string; label: ReactNode; children?: ReactNode; forceRender?: boolean }>;
    activeKey?: string[];
    onChange?: (keys: string[]) => void;
    size?: Size;
    style?: CSSProperties;
  }>;

  export interface MessageApi {
    success(content: ReactNode): unknown;
    error(content: ReactNode): unknown;
  }

  export interface NotificationApi {
    error(config: { message: ReactNode; description?: ReactNode; duration?: number | null }): void;
  }

  /** antd's App: `App.useApp()` gives message/notification bound to the host's theme (AntdAppProvider). */
  export const App: ComponentType<{ children?: ReactNode }> & {
    useApp(): { message: MessageApi; notification: NotificationApi };
  };

  export const Button: ComponentType<{
    block?: boolean;
    size?: Size;
    type?: 'primary' | 'default' | 'dashed' | 'link' | 'text';
    danger?: boolean;
    icon?: ReactNode;
    loading?: boolean;
    disabled?: boolean;
    children?: ReactNode;
    onClick?: MouseEventHandler<HTMLElement>;
    'aria-busy'?: boolean;
    'aria-label'?: string;
  }>;

  export const Card: ComponentType<{ bordered?: boolean; children?: ReactNode; style?: CSSProperties }>;

  export const Divider: ComponentType<{
    orientation?: 'left' | 'right' | 'center';
    orientationMargin?: number | string;
    plain?: boolean;
    style?: CSSProperties;
    children?: ReactNode;
  }>;

  export const Empty: ComponentType<{ description?: ReactNode; image?: ReactNode }> & {
    PRESENTED_IMAGE_SIMPLE: ReactNode;
  };

  type InputProps = {
    value?: string;
    onChange?: (event: ChangeEvent<HTMLInputElement>) => void;
    readOnly?: boolean;
    disabled?: boolean;
    placeholder?: string;
    status?: 'error' | 'warning';
    addonBefore?: ReactNode;
    addonAfter?: ReactNode;
    inputMode?: 'numeric' | 'text';
    autoComplete?: string;
    style?: CSSProperties;
    'aria-label'?: string;
  };

  export const Input: ComponentType<InputProps> & {
    /** `visibilityToggle: false`: no eye button, so what is typed is never shown. */
    Password: ComponentType<InputProps & { visibilityToggle?: boolean }>;
  };

  export const Checkbox: ComponentType<{
    checked?: boolean;
    onChange?: (event: { target: { checked: boolean } }) => void;
    disabled?: boolean;
    children?: ReactNode;
  }>;

  /** rc-field-form's name path: `['options', 'clientId']` is `values.options.clientId`. */
  export type NamePath = string | number | (string | number)[];

  export interface FormInstance {
    getFieldValue(name: NamePath): unknown;
    setFieldValue(name: NamePath, value: unknown): void;
  }

  export type FormRule =
    | { required?: boolean; message?: ReactNode; validator?: (rule: unknown, value: unknown) => Promise<void> }
    | ((form: FormInstance) => { required?: boolean; message?: ReactNode; validator?: (rule: unknown, value: unknown) => Promise<void> });

  export const Form: {
    Item: ComponentType<{
      name?: NamePath;
      label?: ReactNode;
      extra?: ReactNode;
      rules?: FormRule[];
      required?: boolean;
      valuePropName?: string;
      dependencies?: NamePath[];
      hidden?: boolean;
      validateStatus?: 'error' | '';
      help?: ReactNode;
      children?: ReactNode;
    }>;
    useFormInstance(): FormInstance;
    useWatch(name: NamePath, options?: { form?: FormInstance; preserve?: boolean }): unknown;
  };

  export const List: (<T>(props: {
    dataSource?: T[];
    renderItem?: (item: T, index: number) => ReactNode;
    rowKey?: (item: T) => Key;
    loading?: boolean;
    bordered?: boolean;
    itemLayout?: 'horizontal' | 'vertical';
    locale?: { emptyText?: ReactNode };
  }) => ReactNode) & {
    Item: ComponentType<{ actions?: ReactNode[]; children?: ReactNode; 'data-testid'?: string }> & {
      Meta: ComponentType<{ avatar?: ReactNode; title?: ReactNode; description?: ReactNode }>;
    };
  };

  export const Modal: ComponentType<{
    open?: boolean;
    title?: ReactNode;
    footer?: ReactNode;
    width?: number | string;
    destroyOnClose?: boolean;
    onCancel?: () => void;
    children?: ReactNode;
  }>;

  export const Popconfirm: ComponentType<{
    title: ReactNode;
    description?: ReactNode;
    okText?: ReactNode;
    cancelText?: ReactNode;
    okButtonProps?: { danger?: boolean };
    /** A returned promise keeps the OK button loading until it settles. */
    onConfirm?: () => unknown;
    children?: ReactNode;
  }>;

  export interface RadioChangeEvent {
    target: { value?: unknown };
  }

  export const Radio: {
    Group: ComponentType<{
      value?: unknown;
      onChange?: (event: RadioChangeEvent) => void;
      options?: { label: ReactNode; value: string; disabled?: boolean }[];
      optionType?: 'default' | 'button';
      buttonStyle?: 'outline' | 'solid';
      size?: Size;
      disabled?: boolean;
      'aria-label'?: string;
    }>;
  };

  export interface SelectOption<V> {
    label: ReactNode;
    value: V;
    title?: string;
  }

  /** antd's Select is generic in its value; here the value is read back through a narrowing helper. */
  export const Select: <V extends string | number>(props: {
    value?: V | V[] | null;
    onChange?: (value: unknown) => void;
    options?: SelectOption<V>[];
    mode?: 'multiple' | 'tags';
    placeholder?: ReactNode;
    tokenSeparators?: string[];
    open?: boolean;
    allowClear?: boolean;
    loading?: boolean;
    disabled?: boolean;
    notFoundContent?: ReactNode;
    suffixIcon?: ReactNode;
    style?: CSSProperties;
    popupMatchSelectWidth?: boolean;
    'aria-label'?: string;
  }) => ReactNode;

  export const Space: ComponentType<{
    direction?: 'horizontal' | 'vertical';
    size?: Size | number;
    wrap?: boolean;
    align?: 'start' | 'end' | 'center' | 'baseline';
    style?: CSSProperties;
    children?: ReactNode;
    'data-testid'?: string;
  }>;

  export interface TableColumn<T> {
    key: string;
    title: ReactNode;
    dataIndex?: string;
    width?: number | string;
    ellipsis?: boolean;
    render?: (value: unknown, record: T, index: number) => ReactNode;
  }

  export const Table: <T>(props: {
    columns: TableColumn<T>[];
    dataSource?: T[];
    rowKey?: (record: T) => Key;
    loading?: boolean;
    size?: Size;
    scroll?: { x?: number | string | true };
    locale?: { emptyText?: ReactNode };
    pagination?:
      | false
      | {
          current?: number;
          pageSize?: number;
          total?: number;
          showSizeChanger?: boolean;
          showTotal?: (total: number) => ReactNode;
          onChange?: (page: number, pageSize: number) => void;
        };
  }) => ReactNode;

  export const Switch: ComponentType<{
    checked?: boolean;
    onChange?: (checked: boolean) => void;
    disabled?: boolean;
    'aria-label'?: string;
  }>;

  export const Tag: ComponentType<{ color?: string; children?: ReactNode; style?: CSSProperties }>;

  export const Typography: {
    Text: ComponentType<{
      type?: 'secondary' | 'success' | 'warning' | 'danger';
      strong?: boolean;
      code?: boolean;
      ellipsis?: boolean;
      copyable?: boolean | { text?: string; tooltips?: [ReactNode, ReactNode] | false };
      style?: CSSProperties;
      children?: ReactNode;
    }>;
    Paragraph: ComponentType<{ type?: 'secondary'; style?: CSSProperties; children?: ReactNode }>;
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
  ): { t: TFunction; i18n: { language: string } };
}
