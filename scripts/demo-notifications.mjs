// The work notification demo of `npm start`: a "DingTalk work notification" channel on the demo authenticator's
// app, a collection "Demo tickets" with an assignee, and a workflow "on a new ticket, notify its assignee" whose
// action card lands in the assignee's inbox in the emulator (/__emulator/inbox/<identity>), and the admin's page
// "Demo tickets" (a table and its "Add new" form) to create tickets with. Each piece is created once: an admin's later
// changes are kept.
import { createDemoTicketsPage, PAGE_TITLE } from './demo-tickets-page.mjs';

/** The emulator's AgentId for an app that was given none (packages/dingtalk-emulator/src/work-notices.ts). */
const EMULATOR_AGENT_ID = '3000000001';
export const CHANNEL = 'dingtalk_demo';
export const COLLECTION = 'demo_tickets';
export const WORKFLOW_TITLE = 'Notify the assignee in DingTalk (demo)';

async function exists(admin, action, filter) {
  const rows = await admin.call(action, { method: 'GET', params: { filter: JSON.stringify(filter) } });
  return Array.isArray(rows) && rows.length > 0;
}

/** Returns what it did, one line per piece; skipped when notification-manager or workflow is not enabled. */
export async function ensureNotificationDemo(admin, { authenticator }) {
  const done = [];
  try {
    if (await exists(admin, 'notificationChannels:list', { name: CHANNEL })) done.push(`channel "${CHANNEL}": kept`);
    else {
      await admin.call('notificationChannels:create', {
        body: {
          name: CHANNEL,
          title: 'DingTalk work notifications (demo)',
          notificationType: 'dingtalk-work-notification',
          options: { authenticator, agentId: EMULATOR_AGENT_ID },
        },
      });
      done.push(`channel "${CHANNEL}": created`);
    }
    if (await exists(admin, 'collections:list', { name: COLLECTION })) done.push(`collection "${COLLECTION}": kept`);
    else {
      await admin.call('collections:create', {
        body: {
          name: COLLECTION,
          title: 'Demo tickets',
          fields: [
            { name: 'title', type: 'string', interface: 'input', uiSchema: { title: 'Title', type: 'string', 'x-component': 'Input' } },
            {
              name: 'assignee',
              type: 'belongsTo',
              target: 'users',
              foreignKey: 'assigneeId',
              interface: 'm2o',
              uiSchema: { title: 'Assignee', 'x-component': 'AssociationField', 'x-component-props': { multiple: false, fieldNames: { label: 'nickname', value: 'id' } } },
            },
          ],
        },
      });
      done.push(`collection "${COLLECTION}": created`);
    }
    if (await exists(admin, 'desktopRoutes:list', { title: PAGE_TITLE })) done.push(`page "${PAGE_TITLE}": kept`);
    else done.push(await createDemoTicketsPage(admin, COLLECTION));
    if (await exists(admin, 'workflows:list', { title: WORKFLOW_TITLE })) done.push('workflow: kept');
    else {
      const workflow = await admin.call('workflows:create', {
        body: { title: WORKFLOW_TITLE, type: 'collection', enabled: true, sync: false, config: { mode: 1, collection: COLLECTION } },
      });
      await admin.call(`workflows/${workflow.id}/nodes:create`, {
        body: {
          type: 'notification',
          title: 'DingTalk work notification',
          config: {
            channelName: CHANNEL,
            receivers: ['{{$context.data.assigneeId}}'],
            msgType: 'actionCard',
            title: 'New ticket: {{$context.data.title}}',
            content: '**{{{$context.data.title}}}** is assigned to you.',
            buttons: [{ title: 'Open NocoBase', url: '/admin' }],
            buttonLayout: 'vertical',
          },
        },
      });
      done.push('workflow "on a new demo ticket, notify its assignee": created');
    }
  } catch (error) {
    done.push(`skipped (${error.message.slice(0, 120)}): enable Notification manager and Workflow: Notification to try it`);
  }
  return done;
}
