import type { Application } from '@nocobase/client';
import { WORK_NOTICE_TYPE } from '../work-notice-form';
import { WORK_NOTICE_TYPE_TITLE } from './work-notice-fields';
import { ChannelConfigForm, ContentConfigForm, MessageConfigForm } from './WorkNotificationForms';

interface NotificationManagerClient {
  registerChannelType(options: {
    title: string;
    type: string;
    components: Record<string, unknown>;
    meta?: { creatable?: boolean; editable?: boolean; deletable?: boolean };
  }): void;
}

/**
 * Adds the "DingTalk work notification" channel type to notification-manager's v1 client, looked up by name: a
 * static import would make this whole bundle depend on that plugin's module, which the host page only defines
 * while the plugin is enabled.
 */
export function registerWorkNotificationChannel(app: Application): void {
  const pm = app.pm as unknown as { get(name: string): unknown };
  const manager = pm.get('notification-manager') as Partial<NotificationManagerClient> | undefined;
  manager?.registerChannelType?.({
    title: WORK_NOTICE_TYPE_TITLE,
    type: WORK_NOTICE_TYPE,
    components: { ChannelConfigForm, MessageConfigForm, ContentConfigForm },
    meta: { creatable: true, editable: true, deletable: true },
  });
}
