/**
 * Global setup of the PostgreSQL run (`vitest.postgres.config.mts`): one private cluster for the run, on
 * `TEST_PG_PORT` or a free port; each test file's harness makes its own database in it. Stopped at the end.
 */
import { PG_USER, startPostgres } from './postgres';
import { freePort } from './ports';

export default async function setup() {
  const began = Date.now();
  const postgres = await startPostgres(Number(process.env.TEST_PG_PORT) || (await freePort()));
  // The test workers inherit these; the harness reads them.
  Object.assign(process.env, { DB_HOST: postgres.host, DB_PORT: String(postgres.port), DB_USER: PG_USER });
  console.log(`PostgreSQL test cluster on ${postgres.host}:${postgres.port}, started in ${Date.now() - began} ms`);
  return () => postgres.stop();
}
