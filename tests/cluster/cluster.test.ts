/**
 * A real cluster: two NocoBase processes of one app (the plugin installed from its .tgz), one private PostgreSQL
 * and one private Redis holding NocoBase's cache (`CACHE_DEFAULT_STORE=redis`), the same APP_KEY, and the DingTalk
 * emulator. The test plays the load balancer: it sends each request to the node it chooses.
 */
import { join } from 'node:path';
import { startEmulator, type Emulator } from '@opensso/dingtalk-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helpers shared with `npm start`
import { root } from '../../scripts/lib.mjs';
import { PG_USER, psql, startPostgres, type Postgres } from '../../packages/plugins/@opensso/plugin-auth-dingtalk/src/server/__tests__/postgres';
import { startRedis, type Redis } from '../../packages/plugins/@opensso/plugin-auth-dingtalk/src/server/__tests__/redis';
import { startUserApp, type UserApp } from '../e2e/user-app';
import { freePort } from '../../packages/plugins/@opensso/plugin-auth-dingtalk/src/server/__tests__/ports';

const CLIENT = { clientId: 'dingclusterclient', clientSecret: 'cluster-client-secret-9e2a' };
const CORP_ID = 'dingemulatorcorp';
const ADMIN = { account: 'admin@nocobase.com', password: 'admin123' };

let postgres: Postgres;
let redis: Redis;
let emulator: Emulator;
let app: UserApp;
let nodeB: { url: string; stop(): Promise<void> };
let nodes: string[];
let adminToken: string;

/** A browser's cookies, kept by hand: one browser may talk to either node (one address behind a load balancer). */
class Browser {
  private cookies = new Map<string, string>();
  absorb(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (value && !/max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.set(name, value);
      else this.cookies.delete(name);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async fetch(node: string, path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(`${node}${path}`, { ...init, redirect: 'manual', headers: { ...(init.headers as object), cookie: this.header() } });
    this.absorb(res);
    return res;
  }
}

async function api(node: string, action: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${node}/api/${action}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

/** Starts a sign-in on `node` and approves it at DingTalk; returns the callback's path and query. */
async function approvedOn(browser: Browser, node: string, identity: string, authenticator = 'dingtalk-cluster') {
  const start = await browser.fetch(node, '/api/dingtalk:getAuthUrl', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-authenticator': authenticator },
    body: JSON.stringify({ redirect: '/admin' }),
  });
  const { data } = (await start.json()) as { data: { url: string } };
  const auth = new URL(data.url);
  const approve = await fetch(`${emulator.url}/oauth2/auth/approve`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      redirect_uri: auth.searchParams.get('redirect_uri'),
      client_id: auth.searchParams.get('client_id'),
      state: auth.searchParams.get('state'),
      scope: auth.searchParams.get('scope'),
      identity,
    }),
    redirect: 'manual',
  });
  const callback = new URL(approve.headers.get('location') ?? '');
  return `${callback.pathname}${callback.search}`;
}

const landingOf = (res: Response) => new URL(res.headers.get('location') ?? '', 'http://app.invalid').searchParams;
const tokenCalls = () => emulator.counters()['POST /v1.0/oauth2/userAccessToken'] ?? 0;

beforeAll(async () => {
  const began = Date.now();
  postgres = await startPostgres(await freePort());
  psql('CREATE DATABASE cluster', { DB_HOST: postgres.host, DB_PORT: String(postgres.port), DB_USER: PG_USER });
  redis = await startRedis();
  emulator = await startEmulator({ port: 0, clients: [CLIENT] });
  const portA = Number(process.env.CLUSTER_APP_PORT || 13900);
  app = await startUserApp({
    dir: join(root, `test-results/cluster/app-${portA}`),
    port: portA,
    dingtalkUrl: emulator.url,
    env: {
      DB_DIALECT: 'postgres',
      DB_HOST: postgres.host,
      DB_PORT: String(postgres.port),
      DB_DATABASE: 'cluster',
      DB_USER: PG_USER,
      DB_PASSWORD: '',
      CACHE_DEFAULT_STORE: 'redis',
      CACHE_REDIS_URL: redis.url,
    },
  });
  nodeB = await app.startNode(portA + 1);
  nodes = [app.url, nodeB.url];
  adminToken = (await api(app.url, 'auth:signIn', ADMIN, { 'x-authenticator': 'basic' })).body.data.token;
  const created = await api(
    app.url,
    'authenticators:create',
    { name: 'dingtalk-cluster', authType: 'dingtalk', enabled: true, options: { ...CLIENT, autoSignup: true, inAppSignIn: true, corpId: CORP_ID } },
    { authorization: `Bearer ${adminToken}`, 'x-authenticator': 'basic' },
  );
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  console.log(`cluster: PostgreSQL, Redis and two NocoBase nodes (${nodes.join(', ')}) ready in ${Math.round((Date.now() - began) / 1000)} s`);
}, 400_000);

afterAll(async () => {
  await nodeB?.stop();
  await app?.stop();
  await emulator?.close();
  await redis?.stop();
  await postgres?.stop();
});

describe('two NocoBase nodes, one PostgreSQL, NocoBase\'s cache in Redis', () => {
  it('F2 a sign-in started on node A finishes on node B', async () => {
    const browser = new Browser();
    const callback = await browser.fetch(nodes[1], await approvedOn(browser, nodes[0], 'zhangsan'));
    expect(landingOf(callback).get('dingtalk_signin')).toBe('dingtalk-cluster');
    const signIn = await browser.fetch(nodes[1], '/api/auth:signIn', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-authenticator': 'dingtalk-cluster' },
      body: '{}',
    });
    expect(signIn.status).toBe(200);
    const body = (await signIn.json()) as { data: { token: string; user: { nickname: string } } };
    expect(body.data.user.nickname).toBe('张三');
    // The token works on either node.
    const check = await api(nodes[0], 'auth:check', undefined, { authorization: `Bearer ${body.data.token}`, 'x-authenticator': 'dingtalk-cluster' });
    expect(check.body.data.nickname).toBe('张三');
  });

  it('F2 one callback sent to A and B at the same moment, 30 times: one gets through each time, and DingTalk is asked once', async () => {
    const through: number[] = [];
    const calls: number[] = [];
    for (let trial = 0; trial < 30; trial += 1) {
      const browser = new Browser();
      const path = await approvedOn(browser, nodes[trial % 2], 'lisi');
      const before = tokenCalls();
      const answers = await Promise.all(nodes.map((node) => fetch(`${node}${path}`, { redirect: 'manual', headers: { cookie: browser.header() } })));
      through.push(answers.filter((res) => landingOf(res).get('dingtalk_signin') === 'dingtalk-cluster').length);
      calls.push(tokenCalls() - before);
    }
    expect(through).toEqual(Array.from({ length: 30 }, () => 1));
    expect(calls).toEqual(Array.from({ length: 30 }, () => 1));
  });

  it('an authenticator created on node A is used on node B at once', async () => {
    const created = await api(
      nodes[0],
      'authenticators:create',
      { name: 'dingtalk-cluster-new', authType: 'dingtalk', enabled: true, options: { ...CLIENT, autoSignup: true } },
      { authorization: `Bearer ${adminToken}`, 'x-authenticator': 'basic' },
    );
    expect(created.status).toBe(200);
    const browser = new Browser();
    const callback = await browser.fetch(nodes[1], await approvedOn(browser, nodes[1], 'wangwu', 'dingtalk-cluster-new'));
    expect(landingOf(callback).get('dingtalk_signin')).toBe('dingtalk-cluster-new');
    const signIn = await browser.fetch(nodes[1], '/api/auth:signIn', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-authenticator': 'dingtalk-cluster-new' },
      body: '{}',
    });
    expect(signIn.status).toBe(200);
  });

  it('20 in-app sign-ins arriving together, split across the nodes, fetch the organization app token once', async () => {
    // 张三 and 李四, members of the organization already linked by the tests above: what is measured here is the app
    // token, not a first sign-in of one person arriving at both nodes at once.
    const people = ['zhangsan', 'lisi'];
    const appTokenCalls = () => (emulator.counters()['POST /v1.0/oauth2/accessToken'] ?? 0) + (emulator.counters()['GET /gettoken'] ?? 0);
    const codes = Array.from({ length: 20 }, (_, i) =>
      emulator.mintJsapiCode({ identity: people[i % people.length], corpId: CORP_ID, clientId: CLIENT.clientId }).code,
    );
    const before = appTokenCalls();
    const answers = await Promise.all(
      codes.map((code, i) => api(nodes[i % 2], 'auth:signIn', { inAppCode: code }, { 'x-authenticator': 'dingtalk-cluster' })),
    );
    expect(answers.map((answer) => answer.status), JSON.stringify(answers.filter((answer) => answer.status !== 200))).toEqual(
      Array.from({ length: 20 }, () => 200),
    );
    expect(appTokenCalls() - before).toBe(1);
  });
});
