import { Migration } from '@nocobase/server';
import { ensureUniqueLinkIndex } from '../link-index';

/** Existing installs: add the unique (authenticator, uuid) index of the users-authenticators table. */
export default class UniqueLinkIndex extends Migration {
  on = 'afterLoad';

  async up() {
    await ensureUniqueLinkIndex(this.db, this.app.log);
  }
}
