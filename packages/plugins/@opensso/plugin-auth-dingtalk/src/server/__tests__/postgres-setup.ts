/**
 * Global setup of the PostgreSQL run (`vitest.postgres.config.mts`): one private cluster for the run, on
 * `TEST_PG_PORT` or a free port; each test file's harness makes its own database in it. Stopped at the end.
 */
import { createServer } from 'node:net';
import { PG_USER, startPostgres } from './postgres';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export default async function setup() {
  const began = Date.now();
  const postgres = await startPostgres(Number(process.env.TEST_PG_PORT) || (await freePort()));
  // The test workers inherit these; the harness reads them.
  Object.assign(process.env, { DB_HOST: postgres.host, DB_PORT: String(postgres.port), DB_USER: PG_USER });
  console.log(`PostgreSQL test cluster on ${postgres.host}:${postgres.port}, started in ${Date.now() - began} ms`);
  return () => postgres.stop();
}
