import { Plugin } from '@nocobase/client';
import AuthPlugin from '@nocobase/plugin-auth/client';
import { AUTH_TYPE } from '../constants';
import { AdminSettingsForm } from './AdminSettingsForm';
import { SignInButton } from './SignInButton';

/** The v1 client (the /admin UI and its /signin page). */
export class PluginAuthDingTalkClient extends Plugin {
  async load() {
    // plugin-auth is a core plugin; if it were missing there would be no sign-in page to add a button to.
    const auth = this.app.pm.get(AuthPlugin);
    auth?.registerType(AUTH_TYPE, {
      components: { SignInButton, AdminSettingsForm },
    });
  }
}

export { AdminSettingsForm, SignInButton };
export default PluginAuthDingTalkClient;
