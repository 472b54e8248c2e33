/**
 * NocoBase does not enable plugin-departments by default: the DingTalk source still syncs people, and says that
 * departments were left out rather than failing.
 */
import type { Model } from '@nocobase/database';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAuthenticator, type Harness, startHarness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ extraPlugins: ['user-data-sync'] });
  await createAuthenticator(h.app);
});
afterAll(() => h?.close());

it('syncs the members and reports the departments it could not write', async () => {
  h.emulator.directory().replace({
    departments: [{ dept_id: 1, name: 'Org' }, { dept_id: 5, name: 'Sales', parent_id: 1 }],
    members: [{ userid: 'nd1', unionid: 'nd-union-1', name: 'No Dept', mobile: '13100000001', dept_id_list: [5] }],
  });
  const source = (await h.app.db.getRepository('userDataSyncSources').create({
    values: { name: 'nodept', sourceType: 'dingtalk', enabled: true, options: { authenticator: 'dingtalk' } },
  })) as Model;
  const root = await h.app.db.getRepository('users').findOne({ filter: { email: 'admin@nocobase.com' } });
  const admin = await h.app.agent().login(root, 'root');
  expect((await admin.post('/api/userData:pull').query({ name: 'nodept' })).status).toBe(200);
  let task: Model | undefined;
  for (let i = 0; i < 200 && !['success', 'failed'].includes(String(task?.get('status'))); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    [task] = (await h.app.db.getRepository('userDataSyncTasks').find({ filter: { sourceId: source.get('id') } })) as Model[];
  }
  expect(task?.get('status'), String(task?.get('message'))).toBe('success');
  expect(task?.get('message')).toContain('Users: 1 created');
  expect(task?.get('message')).toContain('Departments were not synchronized: enable the Departments plugin.');
  const link = (await h.app.db.getRepository('usersAuthenticators').findOne({ filter: { authenticator: 'dingtalk', uuid: 'nd-union-1' } })) as Model;
  expect(((await h.app.db.getRepository('users').findOne({ filterByTk: link.get('userId') })) as Model).get('nickname')).toBe('No Dept');
});
