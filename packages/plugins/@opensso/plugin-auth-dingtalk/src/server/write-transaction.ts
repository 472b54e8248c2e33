/**
 * The plugin's write transactions (a first sign-in's user and link, a match's link). SQLite has one writer: a
 * transaction that reads before it writes is refused at once (not made to wait) when another connection wrote in
 * between, and a refused COMMIT makes Sequelize close that connection, failing the queries queued on it. A burst of
 * first sign-ins (a department clicking the button on a Monday morning) did exactly that. So on SQLite these
 * transactions take turns in this process, and each takes the write lock when it begins (`BEGIN IMMEDIATE`), so a
 * write of NocoBase's own in between makes it wait rather than fail. SQLite is served by one process: the turn is
 * the whole of it. PostgreSQL and MySQL need no turn: row locks and the unique link index (`link-index.ts`) settle
 * what concurrent first sign-ins could collide on.
 */
import { Transaction, type Database } from '@nocobase/database';

/** The tail of each SQLite database's queue; gone when the queue is empty, so an idle database holds nothing. */
const queues = new WeakMap<object, Promise<void>>();

function isSqlite(db: Database): boolean {
  return db.sequelize.getDialect() === 'sqlite';
}

export function writeTransaction<T>(db: Database, fn: (transaction: Transaction) => Promise<T>): Promise<T> {
  if (!isSqlite(db)) return db.sequelize.transaction(fn);
  return inTurn(db.sequelize, () => db.sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, fn));
}

/**
 * Other writes of a sign-in in the same turn on SQLite: NocoBase's repositories wrap each `create` and `update` in
 * a transaction of their own that reads first (the token NocoBase records, a refreshed link). Never nest: `fn` must
 * not wait for a turn itself.
 */
export function inWriteTurn<T>(db: Database, fn: () => Promise<T>): Promise<T> {
  return isSqlite(db) ? inTurn(db.sequelize, fn) : fn();
}

/** Runs `fn` after every earlier caller of the same `key` has settled. */
function inTurn<T>(key: object, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const result = previous.then(fn);
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return result;
}
