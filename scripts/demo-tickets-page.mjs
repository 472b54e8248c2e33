// The admin's page "Demo tickets" of the notification demo: a classic (v1) page with a table of the demo tickets and
// its "Add new" drawer holding a create form (title, assignee), so that a person creates a ticket the way NocoBase's
// users do and the workflow fires on it. Made through NocoBase's own APIs, as its "Add page" menu item and block
// initializers make them (@nocobase/client 2.2: PageMenuItem's route and getPageMenuSchema, createTableBlockUISchema,
// CreateActionInitializer, createCreateFormBlockUISchema, CreateSubmitActionInitializer): a desktop route with a
// hidden tab, and the page's uiSchema inserted with `uiSchemas:insert`.
import { randomBytes } from 'node:crypto';

export const PAGE_TITLE = 'Demo tickets';

/** An id in the shape of NocoBase's `uid()`: 11 lowercase letters and digits. */
function uid() {
  return [...randomBytes(11)].map((byte) => 'abcdefghijklmnopqrstuvwxyz0123456789'[byte % 36]).join('');
}

/** One row of one column holding `schema` under `name`: how NocoBase's Grid lays out a block or a form field. */
function row(name, schema) {
  return {
    type: 'void',
    'x-component': 'Grid.Row',
    properties: { [uid()]: { type: 'void', 'x-component': 'Grid.Col', properties: { [name]: schema } } },
  };
}

/** A form field of the collection, as the "Configure fields" initializer inserts it. */
function formField(collection, name, componentProps = {}) {
  return {
    type: 'string',
    name,
    'x-toolbar': 'FormItemSchemaToolbar',
    'x-settings': 'fieldSettings:FormItem',
    'x-component': 'CollectionField',
    'x-decorator': 'FormItem',
    'x-collection-field': `${collection}.${name}`,
    'x-component-props': componentProps,
  };
}

/** A table column of the collection, as "Configure columns" inserts it. */
function column(collection, name, componentProps = {}) {
  return {
    type: 'void',
    'x-decorator': 'TableV2.Column.Decorator',
    'x-toolbar': 'TableColumnSchemaToolbar',
    'x-settings': 'fieldSettings:TableColumn',
    'x-component': 'TableV2.Column',
    properties: {
      [name]: {
        name,
        'x-collection-field': `${collection}.${name}`,
        'x-component': 'CollectionField',
        'x-component-props': componentProps,
        'x-read-pretty': true,
        'x-decorator': null,
        'x-decorator-props': { labelStyle: { display: 'none' } },
      },
    },
  };
}

/** The "Add new" drawer's create form: title, assignee (picked by nickname), Submit. */
function createForm(collection) {
  const assignee = { fieldNames: { label: 'nickname', value: 'id' } };
  return {
    type: 'void',
    'x-acl-action-props': { skipScopeCheck: true },
    'x-acl-action': `${collection}:create`,
    'x-decorator': 'FormBlockProvider',
    'x-use-decorator-props': 'useCreateFormBlockDecoratorProps',
    'x-decorator-props': { dataSource: 'main', collection },
    'x-toolbar': 'BlockSchemaToolbar',
    'x-settings': 'blockSettings:createForm',
    'x-component': 'CardItem',
    properties: {
      [uid()]: {
        type: 'void',
        'x-component': 'FormV2',
        'x-use-component-props': 'useCreateFormBlockProps',
        properties: {
          grid: {
            type: 'void',
            'x-component': 'Grid',
            'x-initializer': 'form:configureFields',
            properties: {
              [uid()]: row('title', formField(collection, 'title')),
              [uid()]: row('assignee', formField(collection, 'assignee', assignee)),
            },
          },
          [uid()]: {
            type: 'void',
            'x-initializer': 'createForm:configureActions',
            'x-component': 'ActionBar',
            'x-component-props': { layout: 'one-column' },
            properties: {
              submit: {
                type: 'void',
                title: '{{ t("Submit") }}',
                'x-action': 'submit',
                'x-component': 'Action',
                'x-use-component-props': 'useCreateActionProps',
                'x-toolbar': 'ActionSchemaToolbar',
                'x-settings': 'actionSettings:createSubmit',
                'x-component-props': { type: 'primary', htmlType: 'submit' },
              },
            },
          },
        },
      },
    },
  };
}

/** "Add new" on the table: a drawer with one tab holding the create form. */
function addNewAction(collection) {
  return {
    type: 'void',
    'x-action': 'create',
    'x-acl-action': 'create',
    title: "{{t('Add new')}}",
    'x-toolbar': 'ActionSchemaToolbar',
    'x-settings': 'actionSettings:addNew',
    'x-component': 'Action',
    'x-decorator': 'ACLActionProvider',
    'x-component-props': { openMode: 'drawer', type: 'primary', component: 'CreateRecordAction', icon: 'PlusOutlined' },
    properties: {
      drawer: {
        type: 'void',
        title: '{{ t("Add record") }}',
        'x-component': 'Action.Container',
        'x-component-props': { className: 'nb-action-popup' },
        properties: {
          tabs: {
            type: 'void',
            'x-component': 'Tabs',
            'x-initializer': 'popup:addTab',
            'x-initializer-props': { gridInitializer: 'popup:addNew:addBlock' },
            properties: {
              tab1: {
                type: 'void',
                title: '{{t("Add new")}}',
                'x-component': 'Tabs.TabPane',
                'x-designer': 'Tabs.Designer',
                properties: {
                  grid: {
                    type: 'void',
                    'x-component': 'Grid',
                    'x-initializer': 'popup:addNew:addBlock',
                    properties: { [uid()]: row(uid(), createForm(collection)) },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}

/** The table block of the collection, newest first, with "Add new" above it. */
function tableBlock(collection) {
  return {
    type: 'void',
    'x-decorator': 'TableBlockProvider',
    'x-acl-action': `${collection}:list`,
    'x-use-decorator-props': 'useTableBlockDecoratorProps',
    'x-decorator-props': { collection, dataSource: 'main', action: 'list', params: { pageSize: 20, sort: ['-id'] }, showIndex: true, dragSort: false },
    'x-toolbar': 'BlockSchemaToolbar',
    'x-settings': 'blockSettings:table',
    'x-component': 'CardItem',
    'x-filter-targets': [],
    properties: {
      actions: {
        type: 'void',
        'x-initializer': 'table:configureActions',
        'x-component': 'ActionBar',
        'x-component-props': { style: { marginBottom: 'var(--nb-spacing)' } },
        properties: { addNew: addNewAction(collection) },
      },
      [uid()]: {
        type: 'array',
        'x-initializer': 'table:configureColumns',
        'x-component': 'TableV2',
        'x-use-component-props': 'useTableBlockProps',
        'x-component-props': { rowKey: 'id', rowSelection: { type: 'checkbox' } },
        properties: {
          [uid()]: column(collection, 'title'),
          [uid()]: column(collection, 'assignee', { fieldNames: { label: 'nickname', value: 'id' } }),
        },
      },
    },
  };
}

/** Creates the page (its menu item titled PAGE_TITLE, its route and its uiSchema). */
export async function createDemoTicketsPage(admin, collection) {
  const pageSchemaUid = uid();
  const tabSchemaUid = uid();
  const tabSchemaName = uid();
  await admin.call('desktopRoutes:create', {
    body: {
      type: 'page',
      title: PAGE_TITLE,
      schemaUid: pageSchemaUid,
      menuSchemaUid: uid(),
      enableTabs: false,
      children: [{ type: 'tabs', schemaUid: tabSchemaUid, tabSchemaName, hidden: true }],
    },
  });
  await admin.call('uiSchemas:insert', {
    body: {
      type: 'void',
      'x-component': 'Page',
      'x-uid': pageSchemaUid,
      properties: {
        [tabSchemaName]: {
          type: 'void',
          'x-component': 'Grid',
          'x-initializer': 'page:addBlock',
          'x-uid': tabSchemaUid,
          'x-async': true,
          properties: { [uid()]: row(uid(), tableBlock(collection)) },
        },
      },
    },
  });
  return `page "${PAGE_TITLE}" (table and "Add new" form): created`;
}
