import { Migration } from '@nocobase/server';
import { LINK_BLOCKS } from '../link-blocks';

/**
 * Existing installs: the table of DingTalk accounts unlinked from a user (checklist G8). An upgrade's own
 * `db.sync()` creates it too; this makes it explicit, and is harmless when the table exists.
 */
export default class LinkBlocks extends Migration {
  on = 'afterLoad';

  async up() {
    await this.db.getCollection(LINK_BLOCKS).sync();
  }
}
