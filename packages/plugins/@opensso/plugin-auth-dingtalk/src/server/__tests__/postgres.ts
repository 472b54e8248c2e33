/**
 * A private PostgreSQL cluster for the tests that also run on PostgreSQL: Debian's server binaries (`npm test`
 * installs `postgresql`), a fresh cluster in a temporary folder on a loopback port, its socket in that folder, and
 * no durability (the data is thrown away). The system cluster is never touched. PostgreSQL refuses to run as root,
 * so as root the cluster belongs to Debian's `postgres` user and every server command runs through `runuser`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PG_LIB = '/usr/lib/postgresql';
export const PG_USER = 'nocobase';

export interface Postgres {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/** The newest installed server's bin folder (Debian keeps each major version under /usr/lib/postgresql/<n>). */
function binDir(): string {
  const versions = existsSync(PG_LIB)
    ? readdirSync(PG_LIB)
        .filter((v) => existsSync(join(PG_LIB, v, 'bin/initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new Error(`no PostgreSQL server under ${PG_LIB}: apt-get install -y postgresql (npm test does it)`);
  return join(PG_LIB, versions[0], 'bin');
}

/** Runs a server command as the cluster's owner. */
function asOwner(command: string, args: string[]): void {
  const [file, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.stdout || result.error}`);
}

export async function startPostgres(port: number): Promise<Postgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'dingtalk-pg-'));
  if (process.getuid?.() === 0) {
    const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' })));
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  asOwner(join(bin, 'initdb'), ['-D', data, '-U', PG_USER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  const settings = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'];
  try {
    asOwner(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-o', settings.join(' '), '-w', '-t', '60', 'start']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host: '127.0.0.1',
    port,
    async stop() {
      try {
        asOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Runs one statement on the cluster's maintenance database (`CREATE DATABASE` cannot run in a transaction). */
export function psql(statement: string, env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(
    join(binDir(), 'psql'),
    ['-h', env.DB_HOST ?? '127.0.0.1', '-p', String(env.DB_PORT), '-U', env.DB_USER ?? PG_USER, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qc', statement],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr || result.error}`);
}
