import type { Application } from '@nocobase/client-v2';
import type { RegisterChannelOptions } from '@nocobase/plugin-notification-manager/client-v2';
import { WORK_NOTICE_TYPE } from '../work-notice-form';
import { WORK_NOTICE_TYPE_TITLE } from '../client/work-notice-fields';
import { ChannelConfigForm, contentConfigForm, messageConfigForm, type VariableInputs } from './WorkNotificationForms';

/** Its options, not the module: the page defines that module only while notification-manager is enabled. */
type NotificationManagerClientV2 = { registerChannelType(options: RegisterChannelOptions): void };

const WORKFLOW_V2 = '@nocobase/plugin-workflow/client-v2';

/**
 * The workflow plugin's variable inputs, when its v2 module is on the page (the plugin is enabled). Asked for when a
 * message form opens, not imported: a static import would make this whole bundle depend on a module the host page
 * only defines while that plugin is enabled.
 */
function workflowVariableInputs(app: Application): Promise<VariableInputs | undefined> {
  const requirejs = app.requirejs?.requirejs;
  if (typeof requirejs !== 'function' || !requirejs.defined?.(WORKFLOW_V2)) return Promise.resolve(undefined);
  // Whatever goes wrong here, the form still opens, with plain inputs: an error in a loader stops the whole page.
  return new Promise((resolve) => {
    try {
      requirejs(
        [WORKFLOW_V2],
        (module) => {
          const inputs = module as Partial<VariableInputs> | undefined;
          resolve(inputs?.WorkflowVariableInput && inputs.WorkflowVariableTextArea ? (inputs as VariableInputs) : undefined);
        },
        () => resolve(undefined),
      );
    } catch {
      resolve(undefined);
    }
  });
}

/** Adds the "DingTalk work notification" channel type to notification-manager's v2 client, when it is enabled. */
export function registerWorkNotificationChannelV2(app: Application): void {
  const manager = app.pm.get('notification-manager') as Partial<NotificationManagerClientV2> | undefined;
  manager?.registerChannelType?.({
    title: WORK_NOTICE_TYPE_TITLE,
    type: WORK_NOTICE_TYPE,
    components: {
      ChannelConfigFormLoader: async () => ({ default: ChannelConfigForm }),
      MessageConfigFormLoader: async () => ({ default: messageConfigForm(await workflowVariableInputs(app)) }),
      ContentConfigFormLoader: async () => ({ default: contentConfigForm(await workflowVariableInputs(app)) }),
    },
    meta: { creatable: true, editable: true, deletable: true },
  });
}
