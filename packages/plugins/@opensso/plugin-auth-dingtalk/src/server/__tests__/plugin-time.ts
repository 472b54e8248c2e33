/**
 * The plugin's own server time per sign-in (issue 10, goal 5), for a test or the benchmark against a harness app:
 * `count` returning sign-ins (start, callback, redeem) one after another under V8's sampling CPU profiler (every
 * 100 µs, in this process), then the samples whose synchronous stack is in the plugin's server code:
 *   - self: the sample's own frame is a plugin file;
 *   - inclusive: a plugin file is on the synchronous stack, with no Koa `next()` nor HTTP client frame in between
 *     (what the plugin runs, including zod, crypto, logging and the building of the queries it asks for; not the
 *     database's or DingTalk's answer time, nor NocoBase's own work around the request).
 * Both divided by `count`. The emulator runs in this process too; its frames are not the plugin's.
 */
import { Session } from 'node:inspector';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Harness, signInWithDingTalk } from './harness';

export interface PluginTime {
  signIns: number;
  selfMsPerSignIn: number;
  inclusiveMsPerSignIn: number;
  /** The process's busy time per sign-in, whatever ran (NocoBase, Koa, Sequelize, the emulator, the test client). */
  busyMsPerSignIn: number;
}

const SERVER_DIR = `${resolve(__dirname, '..')}/`;

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string; lineNumber?: number };
  children?: number[];
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))));
}

function isPlugin(url: string): boolean {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(SERVER_DIR) && !path.includes('/__tests__/');
}

export async function pluginTimePerSignIn(h: Harness, identity: Record<string, string>, count = 50): Promise<PluginTime> {
  // The first sign-in links; the timed ones return.
  await signInWithDingTalk(h, identity);
  const session = new Session();
  session.connect();
  try {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
    await post(session, 'Profiler.start');
    for (let i = 0; i < count; i += 1) {
      const { signIn } = await signInWithDingTalk(h, identity);
      if (signIn?.status !== 200) throw new Error(`returning sign-in answered ${signIn?.status}`);
    }
    const { profile } = await post<{ profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } }>(session, 'Profiler.stop');
    const parent = new Map<number, number>();
    const byId = new Map<number, ProfileNode>();
    for (const node of profile.nodes) {
      byId.set(node.id, node);
      for (const child of node.children ?? []) parent.set(child, node.id);
    }
    // Up the synchronous stack from a sample to the nearest plugin frame. A Koa `next()` on the way means the
    // plugin's middleware only passed the request on; undici's frames are the HTTP client reading DingTalk's answer
    // (here the emulator's, in this process): neither is the plugin's work.
    const inPlugin = (leaf: number): boolean => {
      for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
        const { url } = byId.get(id)!.callFrame;
        if (isPlugin(url)) return true;
        if (url.includes('/koa-compose/') || url.includes('undici')) return false;
      }
      return false;
    };
    let self = 0;
    let inclusive = 0;
    let busy = 0;
    const debug = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      const micros = profile.timeDeltas[i] ?? 0;
      if (byId.get(id)!.callFrame.functionName !== '(idle)') busy += micros;
      if (isPlugin(byId.get(id)!.callFrame.url)) self += micros;
      if (process.env.PLUGIN_TIME_DEBUG && inPlugin(id)) {
        // PLUGIN_TIME_DEBUG=1: where the time goes, by the innermost plugin frame and what it called.
        let at: number | undefined = id;
        let below = id;
        while (at !== undefined && !isPlugin(byId.get(at)!.callFrame.url)) {
          below = at;
          at = parent.get(at);
        }
        const f = byId.get(at!)!.callFrame;
        const b = byId.get(below)!.callFrame;
        const key = `${f.url.split('/').pop()}:${f.functionName} -> ${at === below ? '(self)' : `${b.url.split('/').slice(-2).join('/')}:${b.functionName}`}`;
        debug.set(key, (debug.get(key) ?? 0) + micros);
      }
      if (inPlugin(id)) inclusive += micros;
    });
    if (process.env.PLUGIN_TIME_DEBUG) {
      for (const [key, micros] of [...debug].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(micros / 1000 / count).toFixed(3)} ms  ${key}`);
    }
    return {
      signIns: count,
      selfMsPerSignIn: self / 1000 / count,
      inclusiveMsPerSignIn: inclusive / 1000 / count,
      busyMsPerSignIn: busy / 1000 / count,
    };
  } finally {
    session.disconnect();
  }
}
