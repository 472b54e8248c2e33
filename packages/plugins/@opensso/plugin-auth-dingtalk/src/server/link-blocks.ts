/**
 * Unlinking sticks (checklist G8). When a link is removed (by its user or an admin), the pair (authenticator,
 * unionId) × user is remembered, and phone or email matching skips that user for that DingTalk account from then
 * on; otherwise the next sign-in would simply match the same phone and link it again. Only a deliberate link
 * (self-service linking) or an admin clearing the block undoes it. A link and a block of the same pair never
 * coexist: making a link clears its block.
 *
 * The collection is defined by the plugin's `load()` (not from a `server/collections` folder, which NocoBase only
 * reads for a plugin it loaded by package name, not for a class), so the table is created by the `db.sync()` of an
 * install, an enable or an upgrade, and by this plugin's migration on an existing install.
 */
import type { CollectionOptions, Database, Model, Transaction } from '@nocobase/database';

export const LINK_BLOCKS = 'dingtalkLinkBlocks';

export type RemovedBy = 'user' | 'admin';

export const linkBlocksCollection: CollectionOptions = {
  name: LINK_BLOCKS,
  // Account data, backed up and migrated with the users and their links.
  dumpRules: { group: 'user' },
  migrationRules: ['schema-only', 'overwrite'],
  dataCategory: 'business',
  shared: true,
  fields: [
    { type: 'string', name: 'authenticator', allowNull: false },
    /** DingTalk's unionId, the link's uuid. */
    { type: 'string', name: 'uuid', allowNull: false },
    { type: 'bigInt', name: 'userId', allowNull: false },
    /** The link's DingTalk nickname when it was removed, for the admin page. */
    { type: 'string', name: 'nickname', allowNull: false, defaultValue: '' },
    { type: 'string', name: 'removedBy', allowNull: false },
  ],
  indexes: [{ unique: true, fields: ['authenticator', 'uuid', 'userId'] }],
};

const repository = (db: Database) => db.getRepository(LINK_BLOCKS);

export async function isBlocked(db: Database, authenticator: string, unionId: string, userId: number): Promise<boolean> {
  return (await repository(db).count({ filter: { authenticator, uuid: unionId, userId } })) > 0;
}

/** Clears the block of a pair, e.g. when it is linked deliberately. Returns how many were cleared (0 or 1). */
export async function unblock(
  db: Database,
  authenticator: string,
  unionId: string,
  userId: number,
  transaction?: Transaction,
): Promise<number> {
  return repository(db).destroy({ filter: { authenticator, uuid: unionId, userId }, transaction });
}

/** Removes a user's link of this authenticator and blocks automatic matching of it. Returns the links removed. */
export async function unlinkAndBlock(db: Database, authenticator: string, userId: number, removedBy: RemovedBy): Promise<number> {
  return db.sequelize.transaction(async (transaction) => {
    const filter = { authenticator, userId };
    const links = await db.getRepository('usersAuthenticators').find({ filter, transaction });
    for (const link of links as Model[]) {
      const uuid = link.get('uuid') as string;
      if (await repository(db).count({ filter: { authenticator, uuid, userId }, transaction })) continue;
      await repository(db).create({
        values: { authenticator, uuid, userId, nickname: (link.get('nickname') as string) ?? '', removedBy },
        transaction,
      });
    }
    await db.getRepository('usersAuthenticators').destroy({ filter, transaction });
    return links.length;
  });
}

export interface BlockPage {
  rows: Model[];
  count: number;
}

/** One page of an authenticator's blocks, newest first. */
export async function listBlocks(db: Database, authenticator: string, page: number, pageSize: number): Promise<BlockPage> {
  const [rows, count] = await repository(db).findAndCount({
    filter: { authenticator },
    sort: ['-createdAt'],
    limit: pageSize,
    offset: (page - 1) * pageSize,
  });
  return { rows, count };
}
