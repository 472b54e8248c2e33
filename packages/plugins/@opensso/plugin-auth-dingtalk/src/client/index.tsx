import { Plugin } from '@nocobase/client';
import type { ComponentType } from 'react';
import AuthPlugin from '@nocobase/plugin-auth/client';
import { AUTH_TYPE, LINKS_SNIPPET, NAMESPACE } from '../constants';
import { AdminSettingsForm } from './AdminSettingsForm';
import { currentPageContext } from './after-sign-in';
import { appBasePath } from './app-path';
import { prefetchDingTalkJsapi } from './jsapi-loader';
import { DirectorySyncSettingsForm } from './DirectorySyncSettingsForm';
import { DingTalkLinkLanding } from './LinkLanding';
import { DingTalkLinksSettings } from './LinksSettings';
import { DingTalkAccountMenuItem, prefetchDingTalkEnabled } from './MyDingTalkAccounts';
import { watchSaveProblems } from './save-problems';
import { SignInButton } from './SignInButton';
import { browserTicketLanding, type TicketLandingResult } from './ticket-landing';
import { registerWorkNotificationChannel } from './work-notifications';
import { browserInAppLanding, type InAppLanding } from './in-app-landing';
import { earlyPublicListFor, startInAppEarlyInBrowser } from './in-app-early';

/** Inside DingTalk, the in-app attempt's list of authenticators and JSAPI chunk, asked as this bundle runs (in-app-early.ts). */
const earlyPublicList = startInAppEarlyInBrowser();

/** Settings → Authentication (plugin-auth's `auth` group) → DingTalk accounts: /admin/settings/auth/dingtalk-accounts. */
export const LINKS_SETTINGS_NAME = 'auth.dingtalk-accounts';

/** The v1 client (the /admin UI and its /signin page). */
export class PluginAuthDingTalkClient extends Plugin {
  private ticketLanding?: Promise<TicketLandingResult>;
  private inAppLanding?: InAppLanding;

  /** Back from DingTalk: the ticket is redeemed while the host adds the other plugins (see ticket-landing.ts). */
  async afterAdd() {
    const publicPath = this.app.getPublicPath();
    const client = {
      routerBase: appBasePath(publicPath, this.app.getName?.()),
      modern: false,
      page: currentPageContext(publicPath),
    };
    this.ticketLanding = browserTicketLanding(client, this.app.apiClient);
    // Inside DingTalk: signed in during this load, so the page opened renders signed in (see in-app-landing.ts).
    const early = earlyPublicListFor(earlyPublicList, {
      appName: this.app.getName?.(),
      apiBase: this.app.apiClient.axios.defaults.baseURL,
    });
    this.inAppLanding = browserInAppLanding(client, this.app.apiClient, publicPath, early);
  }

  /** Before any plugin loads, and so before anything asks who is signed in. */
  async beforeLoad() {
    await this.ticketLanding;
    // Inside DingTalk the host's requests wait for the token rather than its load, except on the sign-in page.
    if (this.inAppLanding?.holdsLoad) await this.inAppLanding.result;
  }

  async load() {
    // plugin-auth is a core plugin; if it were missing there would be no sign-in page to add a button to.
    const auth = this.app.pm.get(AuthPlugin);
    auth?.registerType(AUTH_TYPE, {
      components: { SignInButton, AdminSettingsForm },
    });

    // A refused save of the settings is shown by the form, next to the field, after the host's notice fades.
    watchSaveProblems(this.app.apiClient.axios);

    // Inside the DingTalk app with nobody signed in, the sign-in page will sign in by itself: fetch DingTalk's JSAPI
    // (a chunk of its own, which ordinary browsers never load) while the host is still loading that page.
    prefetchDingTalkJsapi(this.app.getPublicPath(), Boolean(this.app.apiClient.auth.token));

    // The user menu (top right): after plugin-users' "Change password" (100), before the language (350). Hidden
    // when no DingTalk sign-in is enabled, which it asks now rather than when the menu first opens.
    prefetchDingTalkEnabled(this.app.apiClient);
    this.app.addUserCenterSettingsItem({
      name: 'dingtalkAccount',
      Component: DingTalkAccountMenuItem,
      sort: 200,
    });

    // Finishes a DingTalk link on whatever page the user started it from.
    this.app.addProvider(DingTalkLinkLanding);

    this.app.pluginSettingsManager.add(LINKS_SETTINGS_NAME, {
      title: `{{t("DingTalk accounts", { ns: "${NAMESPACE}" })}}`,
      icon: 'TeamOutlined',
      Component: DingTalkLinksSettings,
      aclSnippet: LINKS_SNIPPET,
      sort: 50,
    });

    // The "DingTalk work notification" channel type, when NocoBase's notification manager is enabled.
    registerWorkNotificationChannel(this.app);
    // The "DingTalk" source of Users & Permissions → Synchronization, when user-data-sync is enabled. Looked up by
    // name: importing its client module would fail to load this bundle in an app where it is not.
    const userDataSync = this.app.pm.get('user-data-sync') as UserDataSyncClient | undefined;
    userDataSync?.registerType?.(AUTH_TYPE, { components: { AdminSettingsForm: DirectorySyncSettingsForm } });
  }
}

/** plugin-user-data-sync 2.2.15 `dist/client/index.d.ts`. */
type UserDataSyncClient = { registerType?(sourceType: string, options: { components: { AdminSettingsForm: ComponentType } }): void };

export { AdminSettingsForm, SignInButton };
export default PluginAuthDingTalkClient;
