import { Plugin } from '@nocobase/client';

export class PluginAuthDingTalkClient extends Plugin {
  async load() {}
}

export default PluginAuthDingTalkClient;
