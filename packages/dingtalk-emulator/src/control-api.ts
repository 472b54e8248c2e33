import type { ServerResponse } from 'node:http';
import { BodyError, readJson, sendJson, sendText } from './http';
import { JsapiError, mintInClientCode, renderJsapiBridge, type BridgeDefaults } from './jsapi';
import { escapeHtml } from './login-page';
import { FaultError, parseFault } from './faults';
import { handleDirectoryControl } from './directory-control';
import { findPerson, listOrganizations } from './organizations';
import type { EmulatorState, RequestContext } from './state';

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
    case 'POST /reset':
      resetState(state);
      return sendJson(res, 200, { ok: true });
  }
  if (await handleDirectoryControl(ctx, route)) return;
  const avatar = /^GET \/avatar\/([^/]+)\.svg$/.exec(route);
  if (avatar) {
    return sendText(res, 200, 'image/svg+xml', avatarSvg(state, decodeURIComponent(avatar[1])));
  }
  return sendJson(res, 404, { ok: false, error: `no control route ${route}` });
}
