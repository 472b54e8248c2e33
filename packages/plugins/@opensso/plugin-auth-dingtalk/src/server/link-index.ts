/**
 * NocoBase's users ↔ authenticators table has no unique key on (authenticator, uuid), and its own
 * `findOrCreateUser` is find-then-create: two first sign-ins of one person racing each other could make two
 * users. This unique index makes the database the referee; `user-resolver.ts` turns the loser's constraint error
 * into a sign-in as the winner. It is added by this plugin (on install and by a migration for existing installs),
 * never by editing NocoBase's collection.
 */
import type { Database } from '@nocobase/database';

export const LINK_INDEX_NAME = 'users_authenticators_authenticator_uuid_unique';

interface Logger {
  info?(message: string, meta?: object): void;
  error?(message: string, meta?: object): void;
}

export type EnsureResult = 'exists' | 'created' | 'duplicates';

export async function ensureUniqueLinkIndex(db: Database, log?: Logger): Promise<EnsureResult> {
  const collection = db.getCollection('usersAuthenticators');
  const model = collection.model;
  const queryInterface = db.sequelize.getQueryInterface();
  const table = collection.getTableNameWithSchema();
  const authenticator = model.getAttributes().authenticator.field ?? 'authenticator';
  const uuid = model.getAttributes().uuid.field ?? 'uuid';

  const indexes = (await queryInterface.showIndex(table)) as Array<{ name: string }>;
  if (indexes.some((index) => index.name === LINK_INDEX_NAME)) return 'exists';

  // Existing duplicates would make the index fail; they are reported, not resolved by deleting someone's link.
  const duplicates = (await model.findAll({
    attributes: [authenticator, uuid, [db.sequelize.fn('COUNT', db.sequelize.col(uuid)), 'count']],
    group: [authenticator, uuid],
    having: db.sequelize.where(db.sequelize.fn('COUNT', db.sequelize.col(uuid)), '>', 1),
    raw: true,
  })) as unknown as Array<Record<string, unknown>>;
  if (duplicates.length > 0) {
    log?.error?.('dingtalk: users linked twice to one identity; the unique (authenticator, uuid) index was not added', {
      duplicates: duplicates.map((row) => ({ authenticator: row[authenticator], count: Number(row.count) })),
    });
    return 'duplicates';
  }

  await queryInterface.addIndex(table, [authenticator, uuid], { name: LINK_INDEX_NAME, unique: true });
  log?.info?.('dingtalk: added the unique (authenticator, uuid) index to the users-authenticators table');
  return 'created';
}
