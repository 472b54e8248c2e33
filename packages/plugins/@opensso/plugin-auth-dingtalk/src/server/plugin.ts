import { Plugin } from '@nocobase/server';
import { AUTH_TYPE } from '../constants';

export class PluginAuthDingTalkServer extends Plugin {
  async load() {
    // Placeholder while the auth type is being written: registers the type so the client can be tested.
    this.app.authManager.registerTypes(AUTH_TYPE, {
      auth: class {} as any,
      title: 'DingTalk',
    });
  }
}

export default PluginAuthDingTalkServer;
