import type { ServerResponse } from 'node:http';
import { deliverPush } from './directory-events';
import { BodyError, readJson, sendHtml, sendJson, sendText } from './http';
import { JsapiError, mintInClientCode, renderJsapiBridge, renderPcClientPage, type BridgeDefaults } from './jsapi';
import { escapeHtml } from './login-page';
import { FaultError, parseFault } from './faults';
import { handleDirectoryControl } from './directory-control';
import { findPerson, listOrganizations } from './organizations';
import type { EmulatorState, RequestContext } from './state';
import { inboxOf, openNotice, renderInbox } from './work-notices';

export const CONTROL_PREFIX = '/__emulator/';

/** Operations shared by the HTTP control API and the programmatic Emulator object. */
export function resetState(state: EmulatorState): void {
  state.faults.set(null);
  state.recorder.reset();
  state.codes.clear();
  state.tokens.clear();
  state.appTokens.clear();
  state.inClientCodes.clear();
  state.customIdentities.clear();
  state.workNotices.clear();
  state.stream.reset();
  state.directoryEvents = undefined;
  state.pushLog.length = 0;
}

/**
 * The in-client code endpoint is called by the bridge script from the page under test, which lives
 * on another origin (the app's): it answers any origin. Loopback-only test tool, no credentials.
 */
function allowAnyOrigin(res: ServerResponse): void {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
  res.setHeader('access-control-allow-headers', 'content-type');
  res.setHeader('access-control-max-age', '600');
}

function bridgeDefaults(query: URLSearchParams): BridgeDefaults {
  const pick = (name: string): string | undefined => query.get(name) || undefined;
  return {
    identity: pick('identity'),
    corpId: pick('corpId'),
    clientId: pick('clientId'),
    platform: pick('platform'),
    dd: query.has('dd') ? query.get('dd') !== 'false' && query.get('dd') !== '0' : undefined,
    version: /^[0-9][0-9.]{0,30}$/.test(query.get('version') ?? '') ? (query.get('version') as string) : undefined,
  };
}

// A tiny generated avatar keeps `avatarUrl` pointing somewhere reachable with the network closed.
function avatarSvg(state: EmulatorState, id: string): string {
  const nick = findPerson(state, id)?.nick ?? id;
  const letter = escapeHtml(Array.from(nick)[0] ?? '?');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96"><rect width="96" height="96" rx="16" fill="#0089ff"/><text x="48" y="62" font-size="44" text-anchor="middle" fill="#fff" font-family="sans-serif">${letter}</text></svg>`;
}

/** `/__emulator/*`: not part of DingTalk, so never counted, logged or affected by faults. */
export async function handleControl(ctx: RequestContext): Promise<void> {
  const { req, res, state } = ctx;
  const route = `${req.method} ${ctx.url.pathname.slice(CONTROL_PREFIX.length - 1)}`;
  switch (route) {
    case 'GET /health':
      return sendJson(res, 200, { ok: true });
    case 'GET /counters':
      return sendJson(res, 200, state.recorder.counters());
    case 'GET /log':
      return sendJson(res, 200, state.recorder.log());
    case 'GET /identities':
      return sendJson(res, 200, state.identities);
    case 'GET /organizations':
      return sendJson(res, 200, listOrganizations(state));
    case 'OPTIONS /jsapi/code':
      allowAnyOrigin(res);
      res.writeHead(204, { 'content-length': 0 });
      res.end();
      return;
    case 'POST /jsapi/code': {
      allowAnyOrigin(res);
      try {
        const parsed = await readJson(req, '{ identity, corpId?, clientId? }', { object: true });
        const { identity, corpId, clientId } = parsed as Record<string, unknown>;
        const minted = mintInClientCode(state, {
          identity: identity as string,
          corpId: (corpId ?? undefined) as string | undefined,
          clientId: (clientId ?? undefined) as string | undefined,
        });
        return sendJson(res, 200, { ok: true, ...minted });
      } catch (err) {
        if (err instanceof JsapiError || err instanceof BodyError) return sendJson(res, 400, { ok: false, error: err.message });
        throw err;
      }
    }
    case 'GET /jsapi-bridge.js':
      return sendText(res, 200, 'application/javascript;charset=utf-8', renderJsapiBridge(state.baseUrl(), bridgeDefaults(ctx.url.searchParams)));
    case 'GET /fault':
      return sendJson(res, 200, { fault: state.faults.current() });
    case 'PUT /fault': {
      try {
        const fault = parseFault(await readJson(req, 'a fault object or null'));
        state.faults.set(fault);
        return sendJson(res, 200, { ok: true, fault });
      } catch (err) {
        if (err instanceof FaultError || err instanceof BodyError) return sendJson(res, 400, { ok: false, error: err.message });
        throw err;
      }
    }
    case 'GET /work-notifications':
      return sendJson(res, 200, [...state.workNotices.tasks.values()]);
    case 'GET /stream/connections':
      return sendJson(res, 200, state.stream.listConnections());
    case 'GET /stream/events':
      return sendJson(res, 200, state.stream.listEvents());
    case 'POST /stream/events': {
      const body = (await readJson(req, '{ eventType, data, clientId?, corpId?, eventId? }', { object: true })) as Record<string, unknown>;
      if (typeof body.eventType !== 'string' || typeof body.data !== 'object' || body.data === null || Array.isArray(body.data)) {
        return sendJson(res, 400, { error: 'eventType (string) and data (object) are required' });
      }
      const text = (name: string): string | undefined => (typeof body[name] === 'string' && body[name] !== '' ? (body[name] as string) : undefined);
      try {
        return sendJson(res, 200, state.stream.publish({
          clientId: text('clientId') ?? state.clients[0].clientId,
          eventType: body.eventType,
          data: body.data as Record<string, unknown>,
          corpId: text('corpId'),
          eventId: text('eventId'),
        }));
      } catch (error) {
        return sendJson(res, 400, { error: (error as Error).message });
      }
    }
    case 'POST /stream/drop': {
      const body = (await readJson(req, '{ clientId? }', { object: true })) as Record<string, unknown>;
      return sendJson(res, 200, { dropped: state.stream.drop(typeof body.clientId === 'string' ? body.clientId : undefined) });
    }
    case 'PUT /stream/outage': {
      const body = (await readJson(req, '{ on: boolean }', { object: true })) as Record<string, unknown>;
      state.stream.refuseConnections(body.on === true);
      return sendJson(res, 200, { on: body.on === true });
    }
    case 'POST /push/events': {
      // DingTalk's HTTP push: the event encrypted and POSTed to the receiver's callback URL (event-push.ts).
      const body = (await readJson(req, '{ url, token, aesKey, owner, event, tamper? }', { object: true })) as Record<string, unknown>;
      const { url, token, aesKey, owner, event, tamper } = body;
      if ([url, token, aesKey, owner].some((value) => typeof value !== 'string') || typeof event !== 'object' || event === null) {
        return sendJson(res, 400, { error: 'url, token, aesKey, owner (strings) and event (object) are required' });
      }
      const target = { url, token, aesKey, owner } as { url: string; token: string; aesKey: string; owner: string };
      const record = await deliverPush(state, target, event as Record<string, unknown>, tamper === 'signature' || tamper === 'stale' || tamper === 'owner' ? tamper : undefined);
      return sendJson(res, 200, record);
    }
    case 'PUT /directory-events': {
      // The app's event subscription: {mode: 'stream'}, {mode: 'push', url, token, aesKey, owner} or {mode: 'off'}.
      const body = (await readJson(req, '{ mode, url?, token?, aesKey?, owner? }', { object: true })) as Record<string, unknown>;
      const { mode, url, token, aesKey, owner } = body;
      if (mode === 'stream') state.directoryEvents = { mode };
      else if (mode === 'off') state.directoryEvents = undefined;
      else if (mode === 'push' && [url, token, aesKey, owner].every((value) => typeof value === 'string' && value !== '')) {
        state.directoryEvents = { mode, target: { url, token, aesKey, owner } as { url: string; token: string; aesKey: string; owner: string } };
      } else return sendJson(res, 400, { error: 'mode must be stream, off, or push with url, token, aesKey and owner' });
      return sendJson(res, 200, { mode });
    }
    case 'GET /push/log':
      return sendJson(res, 200, state.pushLog);
    case 'POST /reset':
      resetState(state);
      return sendJson(res, 200, { ok: true });
    case 'GET /pc-client': {
      const app = ctx.url.searchParams.get('app') ?? '';
      if (!/^https?:\/\//.test(app)) return sendJson(res, 400, { ok: false, error: '"app" (the URL to frame) is required' });
      return sendHtml(res, 200, renderPcClientPage(`http://${req.headers.host ?? ''}`, app, bridgeDefaults(ctx.url.searchParams)));
    }
  }
  const inbox = /^GET \/inbox\/([^/]+)$/.exec(route);
  if (inbox) {
    const identity = decodeURIComponent(inbox[1]);
    if (ctx.url.searchParams.get('format') === 'json') {
      if (!findPerson(state, identity)) return sendJson(res, 404, { ok: false, error: `no identity ${identity}` });
      return sendJson(res, 200, inboxOf(state, identity));
    }
    const page = renderInbox(state, identity);
    return page ? sendText(res, 200, 'text/html;charset=utf-8', page) : sendJson(res, 404, { ok: false, error: `no identity ${identity}` });
  }
  const open = /^GET \/inbox\/([^/]+)\/open\/([^/]+)\/(\d+)$/.exec(route);
  if (open) {
    const target = openNotice(state, decodeURIComponent(open[1]), open[2], Number(open[3]));
    if (!target) return sendJson(res, 404, { ok: false, error: 'no such message or button' });
    res.writeHead(302, { location: target, 'content-length': 0 });
    res.end();
    return;
  }
  if (await handleDirectoryControl(ctx, route)) return;
  const avatar = /^GET \/avatar\/([^/]+)\.svg$/.exec(route);
  if (avatar) {
    return sendText(res, 200, 'image/svg+xml', avatarSvg(state, decodeURIComponent(avatar[1])));
  }
  return sendJson(res, 404, { ok: false, error: `no control route ${route}` });
}
