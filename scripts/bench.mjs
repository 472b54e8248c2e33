// `npm run bench`: how fast people sign in with DingTalk compared with NocoBase's password sign-in, on a NocoBase
// of this workspace started for the purpose (SQLite, or PostgreSQL with --pg), with the DingTalk emulator. Prints
// the figures as it goes and one table at the end. It measures; it asserts nothing (see README "Performance").
// It uses the installed dependencies (`npm start` or `npm test` installs them) and Debian's chromium.
//   --quick      fewer rounds and shorter runs (about 4 minutes instead of about 10)
//   --pg         a private PostgreSQL cluster instead of SQLite (Debian's postgresql, as the tests use it)
//   --port N     first of the bench's ports (N: NocoBase, N+1: emulator, N+2: PostgreSQL); default 13800
//   --only A,B   only these parts: phone, rounds, browser, race, memory (all by default)
import { spawn } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { log, root } from './lib.mjs';
import { compareInBrowser } from './bench/browser.mjs';
import { countLinks, countUsers, deleteUnlinkedFillers, fillerPhone, insertFillers, openDatabase } from './bench/db.mjs';
import { authCheck, dingTalkSignIn, newPeople, outcome, passwordSignIn, personWithPhone } from './bench/flows.mjs';
import { interleave, runBatch } from './bench/load.mjs';
import { AUTHENTICATOR, startStack, stopAll } from './bench/stack.mjs';
import { fmt, formatCounts, median, ratio, summarize } from './bench/stats.mjs';

const { values: flags } = parseArgs({
  options: { quick: { type: 'boolean' }, pg: { type: 'boolean' }, port: { type: 'string' }, only: { type: 'string' } },
  strict: true,
});
const quick = Boolean(flags.quick);
const PARTS = ['phone', 'rounds', 'browser', 'race', 'memory'];
const only = flags.only ? flags.only.split(',').map((part) => part.trim()) : PARTS;
for (const part of only) if (!PARTS.includes(part)) throw new Error(`--only: unknown part "${part}" (${PARTS.join(', ')})`);
const runs = (part) => only.includes(part);
const plan = {
  rounds: quick ? 2 : 4,
  perBatch: { 1: quick ? 4 : 8, 10: quick ? 20 : 40 },
  raceBurst: 50,
  raceSeconds: quick ? 15 : 60,
  memoryCount: quick ? 20_000 : 100_000,
  phonePeople: quick ? 5 : 20,
  bigTable: 100_000,
  smallTable: 100,
  browserTimes: quick ? 2 : 5,
  returningPool: quick ? 10 : 20,
};
const basePort = Number(flags.port || process.env.BENCH_PORT || 13800);
const dir = join(root, 'test-results/bench', `${flags.pg ? 'postgres' : 'sqlite'}-${basePort}`);
const machine = {
  cpu: cpus()[0]?.model?.trim() ?? 'unknown CPU',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 1024 ** 3),
  node: process.version,
  loadAtStart: loadavg()[0],
};

let memoryChild;
let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  if (memoryChild && memoryChild.exitCode === null) memoryChild.kill('SIGKILL');
  await stopAll();
  process.exit(code);
}
process.on('SIGINT', () => shutdown(130));
process.on('SIGTERM', () => shutdown(143));

const results = { failed: {} };

/**
 * Runs one part; a part that fails (the server stopped answering, say) is reported in the table and the next part
 * still runs, on whatever state the server is left in.
 */
async function part(name, body) {
  if (!runs(name)) return;
  try {
    await body();
  } catch (error) {
    results.failed[name] = error.message;
    log(`${name}: failed: ${error.message}`);
  }
}
const began = Date.now();
try {
  log(`bench${quick ? ' --quick' : ''} on ${flags.pg ? 'PostgreSQL' : 'SQLite'}; ports ${basePort}-${basePort + 2}; storage ${dir}`);
  if (PARTS.slice(0, 4).some(runs)) {
    const stack = await startStack({ dir, basePort, postgres: flags.pg, log });
    const target = { appUrl: stack.appUrl, emulatorUrl: stack.emulatorUrl };
    const db = await openDatabase(stack.db);
    const tag = Date.now().toString(36);
    const nextPerson = newPeople(tag);
    const must = async (what, flow) => {
      const result = await outcome(flow);
      if (!result.ok) throw new Error(`${what} failed: ${result.code}`);
    };

    // Warm-up, untimed: the returning people sign up, and each action runs once so nothing is timed cold.
    const adminToken = await passwordSignIn(stack.appUrl);
    const pool = Array.from({ length: plan.returningPool }, () => nextPerson());
    for (const person of pool) await must('a warm-up sign-in', () => dingTalkSignIn(target, person));
    await must('auth:check', () => authCheck(stack.appUrl, adminToken));
    log(`ready in ${Math.round((Date.now() - began) / 1000)} s: ${pool.length} DingTalk people signed up for the returning sign-ins`);

    // Phone matching: the first sign-in of people whose mobile is an existing user's phone, on a small table, then on
    // a big one (filled by SQL), then the fillers nobody linked are removed again.
    await part('phone', async () => {
      const timed = async (phones) => {
        const users = await countUsers(db);
        const links = await countLinks(db, AUTHENTICATOR);
        const steps = {};
        const batch = await runBatch({ concurrency: 1, count: phones.length, flow: (i) => outcome(() => dingTalkSignIn(target, personWithPhone(tag, phones[i]), steps)) });
        return { ...batch, callbacksMs: steps.callback ?? [], tableUsers: users, created: (await countUsers(db)) - users, linked: (await countLinks(db, AUTHENTICATOR)) - links };
      };
      const present = await countUsers(db);
      const smallFillers = Math.max(plan.phonePeople, plan.smallTable - present);
      await insertFillers(db, 1, smallFillers);
      const small = await timed(Array.from({ length: plan.phonePeople }, (_, i) => fillerPhone(i + 1)));
      const filled = performance.now();
      const last = smallFillers + plan.bigTable - (await countUsers(db));
      await insertFillers(db, smallFillers + 1, last);
      const fillSeconds = (performance.now() - filled) / 1000;
      const big = await timed(Array.from({ length: plan.phonePeople }, (_, i) => fillerPhone(last - i)));
      await deleteUnlinkedFillers(db);
      results.phone = { small, big, fillSeconds };
      for (const [name, r] of Object.entries({ small, big })) {
        log(`phone matching, ${r.tableUsers} users${name === 'big' ? ` (${fmt(fillSeconds)} s to insert them)` : ''}: p50 ${fmt(median(r.latenciesMs))} ms, callback alone ${fmt(median(r.callbacksMs))} ms; ${r.linked} linked, ${r.created} created, errors ${formatCounts(r.errors)}`);
      }
    });

    // Interleaved rounds of every kind at concurrency 1 and 10.
    await part('rounds', async () => {
      // Each DingTalk cell also keeps its steps' own times, to see which step grows with concurrency.
      const steps = {};
      const kinds = {
        'auth:check': () => authCheck(stack.appUrl, adminToken),
        password: () => passwordSignIn(stack.appUrl),
        returning: (i, cell) => dingTalkSignIn(target, pool[i % pool.length], (steps[cell] ??= {})),
        first: (i, cell) => dingTalkSignIn(target, nextPerson(), (steps[cell] ??= {})),
      };
      const cells = [];
      for (const concurrency of [1, 10]) {
        for (const [kind, flow] of Object.entries(kinds)) {
          const name = `${kind}@${concurrency}`;
          cells.push({ name, concurrency, count: plan.perBatch[concurrency], flow: (i) => outcome(() => flow(i, name)) });
        }
      }
      const totals = await interleave(cells, plan.rounds, (round, cell, batch) =>
        log(`round ${round + 1}/${plan.rounds} ${cell.name.padEnd(14)} p50 ${fmt(median(batch.latenciesMs)).padStart(6)} ms  ${fmt((batch.ok * 1000) / batch.wallMs)}/s${batch.failed ? `  errors ${formatCounts(batch.errors)}` : ''}`),
      );
      results.rounds = Object.fromEntries([...totals].map(([name, total]) => [name, { ...summarize(total), errors: total.errors, steps: steps[name] }]));
    });

    // Before the race, which can leave the server unable to answer for minutes.
    await part('browser', async () => {
      results.browser = await compareInBrowser(target, plan.browserTimes, log);
    });

    // The race: distinct new people all at once, then 10 at a time for a while.
    await part('race', async () => {
      // Counted once the server is done: a request the bench gave up on (TIMEOUT) may still be writing. Unknown (NaN)
      // when the database stays locked for minutes.
      const settledCounts = async () => {
        let last = [Number.NaN, Number.NaN];
        for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
          const now = await Promise.all([countUsers(db), countLinks(db, AUTHENTICATOR)]).catch(() => [Number.NaN, Number.NaN]);
          if (now.every(Number.isFinite) && now[0] === last[0] && now[1] === last[1]) return now;
          last = now;
          await new Promise((resolve) => setTimeout(resolve, 3000));
        }
        return last;
      };
      const race = async (run) => {
        const [users, links] = await settledCounts();
        const batch = await run();
        const [usersAfter, linksAfter] = await settledCounts();
        return { ...batch, users: usersAfter - users, links: linksAfter - links };
      };
      const signUp = () => outcome(() => dingTalkSignIn(target, nextPerson()));
      const burst = await race(() => runBatch({ concurrency: plan.raceBurst, count: plan.raceBurst, flow: signUp }));
      log(`race, ${plan.raceBurst} at once: ${burst.ok} signed in, ${burst.users} users and ${burst.links} links created, errors ${formatCounts(burst.errors)}`);
      const sustained = await race(() => runBatch({ concurrency: 10, untilMs: plan.raceSeconds * 1000, flow: signUp }));
      log(`race, 10 at a time for ${plan.raceSeconds} s: ${sustained.ok} signed in, ${sustained.users} users and ${sustained.links} links created, errors ${formatCounts(sustained.errors)}`);
      results.race = { burst, sustained };
    });

    await db.close();
    log('stopping NocoBase, the emulator' + (flags.pg ? ' and PostgreSQL' : ''));
    await stopAll();
  }

  await part('memory', async () => {
    log(`memory check: ${plan.memoryCount.toLocaleString('en')} states and tickets issued and consumed (a NocoBase app of its own)`);
    results.memory = await memoryCheck(plan.memoryCount);
    log(`memory: heap ${fmt(results.memory.before.heap)} → ${fmt(results.memory.after.heap)} MiB after gc, in ${fmt(results.memory.seconds)} s`);
  });

  machine.loadAtEnd = loadavg()[0];
  console.log(`\n${table(results)}\n`);
  console.log(machineLine());
  console.log(`${flags.pg ? 'PostgreSQL' : 'SQLite'}, ${quick ? '--quick, ' : ''}${Math.round((Date.now() - began) / 1000)} s in all; NocoBase's log: ${join(dir, 'logs/nocobase.log')}`);
  await shutdown(0);
} catch (error) {
  console.error(`\nbench failed: ${error.stack || error.message}`);
  await shutdown(1);
}

/** Runs memory.mjs in a node of its own with --expose-gc; resolves to its JSON line. */
function memoryCheck(count) {
  return new Promise((resolve, reject) => {
    memoryChild = spawn(process.execPath, ['--expose-gc', join(root, 'scripts/bench/memory.mjs'), String(count)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    memoryChild.stdout.on('data', (chunk) => (out += chunk));
    memoryChild.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0) return reject(new Error(`memory check exited with ${code}`));
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`memory check printed no figures: ${line}`));
      }
    });
  });
}

function machineLine() {
  return `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}; load average ${fmt(machine.loadAtStart)} at start, ${fmt(machine.loadAtEnd)} at end`;
}

/** The one table: DingTalk against the password sign-in of the same run, and the other figures. */
function table(r) {
  const rows = [];
  if (r.rounds) {
    const k = (name) => r.rounds[name];
    const ms = (s) => `${fmt(s.p50)} / ${fmt(s.p95)} ms`;
    const errs = (s) => (s.failed ? ` (${s.failed} failed: ${formatCounts(s.errors)})` : '');
    const latency = (what, kind, c) => [
      `server flow, ${what}, c=${c}, p50 / p95`,
      ms(k(`${kind}@${c}`)) + errs(k(`${kind}@${c}`)),
      ms(k(`password@${c}`)) + errs(k(`password@${c}`)),
      fmt(ratio(k(`${kind}@${c}`).p50, k(`password@${c}`).p50)),
    ];
    const rate = (what, kind) => [
      `server flow, ${what}, c=10, flows/s`,
      fmt(k(`${kind}@10`).perSecond),
      fmt(k('password@10').perSecond),
      fmt(ratio(k(`${kind}@10`).perSecond, k('password@10').perSecond)),
    ];
    rows.push(
      latency('returning', 'returning', 1),
      latency('returning', 'returning', 10),
      rate('returning', 'returning'),
      latency('first sign-in', 'first', 1),
      latency('first sign-in', 'first', 10),
      rate('first sign-in', 'first'),
      ...['returning', 'first'].map((kind) => {
        const step = (c, name) => fmt(median(k(`${kind}@${c}`).steps?.[name] ?? []));
        return [
          `DingTalk ${kind === 'first' ? 'first sign-in' : 'returning'}, each step's p50 at c=1 → c=10: start, callback, redeem`,
          ['start', 'callback', 'redeem'].map((name) => `${step(1, name)} → ${step(10, name)}`).join('; ') + ' ms',
          '',
          '',
        ];
      }),
      ['`auth:check` signed in: c=1 p50 / p95; c=10 requests/s', `${ms(k('auth:check@1'))}; ${fmt(k('auth:check@10').perSecond)}/s${errs(k('auth:check@10'))}`, '', ''],
    );
  }
  if (r.browser) {
    const b = r.browser.runs;
    const browserMs = (runs) => median(runs.map((x) => x.ms));
    const browserRequests = (runs) => median(runs.map((x) => x.requests));
    rows.push(
      [`browser, DingTalk default (popup window): click → /admin rendered, median of ${b.popup.length}`, fmt(browserMs(b.popup) / 1000, ' s'), fmt(browserMs(b.password) / 1000, ' s'), fmt(ratio(browserMs(b.popup), browserMs(b.password)))],
      [`browser, DingTalk same tab (signInWindow "page"): click → /admin rendered, median of ${b.sameTab.length}`, fmt(browserMs(b.sameTab) / 1000, ' s'), fmt(browserMs(b.password) / 1000, ' s'), fmt(ratio(browserMs(b.sameTab), browserMs(b.password)))],
      ['browser, requests after the click (median): default (popup); same tab', `${Math.round(browserRequests(b.popup))}; ${Math.round(browserRequests(b.sameTab))}`, String(Math.round(browserRequests(b.password))), ''],
    );
  }
  if (r.race) {
    const count = (n) => (Number.isFinite(n) ? String(n) : '?');
    const race = (x) => `${x.ok} signed in; ${count(x.users)} users, ${count(x.links)} links created; errors: ${formatCounts(x.errors)}`;
    rows.push(
      [`race: ${plan.raceBurst} new people at once`, race(r.race.burst), '', ''],
      [`race: new people 10 at a time for ${plan.raceSeconds} s`, race(r.race.sustained), '', ''],
    );
  }
  if (r.phone) {
    const p = r.phone;
    const tried = p.small.ok + p.small.failed + p.big.ok + p.big.failed;
    rows.push([
      `first sign-in matching by phone, p50: ${p.small.tableUsers.toLocaleString('en')} → ${p.big.tableUsers.toLocaleString('en')} users`,
      `${fmt(median(p.small.latenciesMs))} → ${fmt(median(p.big.latenciesMs))} ms (${p.small.linked + p.big.linked} of ${tried} linked by phone)`,
      '',
      `×${fmt(ratio(median(p.big.latenciesMs), median(p.small.latenciesMs)))} (big / small)`,
    ]);
    rows.push([
      'the callback alone (where the user is looked up), p50',
      `${fmt(median(p.small.callbacksMs))} → ${fmt(median(p.big.callbacksMs))} ms`,
      '',
      `×${fmt(ratio(median(p.big.callbacksMs), median(p.small.callbacksMs)))} (big / small)`,
    ]);
  }
  if (r.memory) {
    const m = r.memory;
    const growth = m.after.heap - m.before.heap;
    rows.push([
      `memory: ${m.count.toLocaleString('en')} states + tickets issued and consumed, heap after gc`,
      `${fmt(m.before.heap)} → ${fmt(m.after.heap)} MiB (${growth >= 0 ? '+' : ''}${fmt(growth)}); lock keys ${m.before.locks ?? '?'} → ${m.after.locks ?? '?'}; used ids held ${m.usedIds ?? '?'} in ${fmt(m.usedIdMiB ?? 0)} MiB of typed arrays`,
      '',
      '',
    ]);
  }
  for (const [name, message] of Object.entries(r.failed ?? {})) rows.push([`${name}: did not complete`, message.replace(/\|/g, '/').slice(0, 200), '', '']);
  const header = ['what', 'DingTalk', 'password sign-in (same run)', 'DingTalk / password'];
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
