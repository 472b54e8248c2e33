// The bench's own SQL on the app's database: counts (users, links) and the fast bulk insert of users that phone
// matching is timed against. Never used on a database the bench did not create.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export async function openDatabase(db) {
  if (db.dialect === 'postgres') {
    const { Client } = require('pg');
    const client = new Client({ host: db.host, port: db.port, user: db.user, database: db.database });
    await client.connect();
    return {
      query: async (sql, params = []) => (await client.query(sql, params)).rows,
      close: () => client.end(),
      dialect: 'postgres',
    };
  }
  const sqlite3 = require('sqlite3');
  const handle = await new Promise((resolve, reject) => {
    const opened = new sqlite3.Database(db.file, (error) => (error ? reject(error) : resolve(opened)));
  });
  // NocoBase writes to the same file meanwhile: wait for its write lock rather than fail.
  handle.configure('busyTimeout', 60_000);
  return {
    // `$1` placeholders, as PostgreSQL writes them; SQLite reads `?NNN`.
    query: (sql, params = []) =>
      new Promise((resolve, reject) => handle.all(sql.replace(/\$(\d+)/g, '?$1'), params, (error, rows) => (error ? reject(error) : resolve(rows)))),
    close: () => new Promise((resolve) => handle.close(resolve)),
    dialect: 'sqlite',
  };
}

export async function countUsers(db) {
  return Number((await db.query('SELECT COUNT(*) AS n FROM users'))[0].n);
}

export async function countLinks(db, authenticator) {
  return Number((await db.query('SELECT COUNT(*) AS n FROM "usersAuthenticators" WHERE authenticator = $1', [authenticator]))[0].n);
}

/** The phone of filler user `i`: `16` and nine digits, a range no other person of the bench uses. */
export const fillerPhone = (i) => `16${String(i).padStart(9, '0')}`;

/**
 * Filler users `from`…`to` in one statement (100,000 rows in seconds), each with a national phone number as an admin
 * would import it, no DingTalk link and no password.
 */
export async function insertFillers(db, from, to) {
  if (to < from) return;
  if (db.dialect === 'postgres') {
    await db.query(
      `INSERT INTO users (nickname, username, phone, "createdAt", "updatedAt")
       SELECT 'Filler ' || i, 'bench-filler-' || i, '16' || lpad(i::text, 9, '0'), now(), now() FROM generate_series($1::int, $2::int) AS i`,
      [from, to],
    );
    return;
  }
  await db.query(
    `INSERT INTO users (nickname, username, phone, createdAt, updatedAt)
     WITH RECURSIVE seq(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM seq WHERE i < $2)
     SELECT 'Filler ' || i, 'bench-filler-' || i, '16' || substr('000000000' || i, -9), datetime('now'), datetime('now') FROM seq`,
    [from, to],
  );
}

/** Removes the fillers nobody linked, so the rest of the bench runs on a table of ordinary size. */
export async function deleteUnlinkedFillers(db) {
  await db.query(
    `DELETE FROM users WHERE username LIKE 'bench-filler-%' AND id NOT IN (SELECT "userId" FROM "usersAuthenticators" WHERE "userId" IS NOT NULL)`,
  );
}
