import { Plugin, stripModernClientPrefix } from '@nocobase/client-v2';
import AuthPluginV2 from '@nocobase/plugin-auth/client-v2';
import { AUTH_TYPE } from '../constants';
import { currentPageContext } from '../client/after-sign-in';
import { appBasePath } from '../client/app-path';
import { prefetchDingTalkJsapi } from '../client/jsapi-loader';
import { watchSaveProblems } from '../client/save-problems';
import { browserTicketLanding, type TicketLandingResult } from '../client/ticket-landing';
import { AdminSettingsForm } from './AdminSettingsForm';
import { DirectorySyncSettingsForm } from './DirectorySyncSettingsForm';
import { SignInButton } from './SignInButton';
import { registerWorkNotificationChannelV2 } from './work-notifications';

/**
 * NocoBase's modern client (`/v/`, and the only one with `APP_CLIENT_ENTRY_MODE=modern-only`). It loads
 * `dist/client-v2/index.js` as the RequireJS module `<package>/client-v2`, and plugin-auth's v2 client takes each
 * auth type's parts as loaders. The button and the settings form are in this bundle already (both are small), so
 * their loaders resolve at once.
 */
export class PluginAuthDingTalkClientV2 extends Plugin {
  private ticketLanding?: Promise<TicketLandingResult>;

  /** As in v1: back from DingTalk, the ticket is redeemed while the host adds the other plugins. */
  async afterAdd() {
    this.ticketLanding = browserTicketLanding(
      {
        // Its pages and its sign-in page live under its own public path (`/v/`); its sign-in page reads `?redirect=`
        // from the site root.
        routerBase: appBasePath(this.app.getPublicPath()),
        modern: true,
        page: currentPageContext(stripModernClientPrefix(this.app.getPublicPath())),
      },
      this.app.apiClient,
    );
  }

  async beforeLoad() {
    await this.ticketLanding;
  }

  async load() {
    this.app.pm.get(AuthPluginV2)?.registerType(AUTH_TYPE, {
      signInButtonLoader: async () => ({ default: SignInButton }),
      adminSettingsFormLoader: async () => ({ default: AdminSettingsForm }),
    });
    watchSaveProblems(this.app.apiClient.axios);
    // As in v1: inside the DingTalk app with nobody signed in, fetch DingTalk's JSAPI while the page is loading.
    prefetchDingTalkJsapi(stripModernClientPrefix(this.app.getPublicPath()), Boolean(this.app.apiClient.auth.token));
    // As in v1: the "DingTalk" source of Synchronization, when user-data-sync is enabled.
    const userDataSync = this.app.pm.get('user-data-sync') as UserDataSyncClientV2 | undefined;
    userDataSync?.registerType?.(AUTH_TYPE, { components: { AdminSettingsFormLoader: async () => ({ default: DirectorySyncSettingsForm }) } });
    // As in v1: the "DingTalk work notification" channel type, when notification-manager is enabled.
    registerWorkNotificationChannelV2(this.app);
  }
}

/** plugin-user-data-sync 2.2.15 `dist/client-v2/types.d.ts`. */
type UserDataSyncClientV2 = {
  registerType?(sourceType: string, options: { components: { AdminSettingsFormLoader: () => Promise<{ default: () => JSX.Element }> } }): void;
};

export default PluginAuthDingTalkClientV2;
