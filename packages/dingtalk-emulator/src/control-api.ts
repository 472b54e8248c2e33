import { BodyError, readBody, sendJson, sendText } from './http';
import { escapeHtml } from './login-page';
import { FaultError, parseFault } from './faults';
import type { EmulatorState, RequestContext } from './state';

export const CONTROL_PREFIX = '/__emulator/';

/** Operations shared by the HTTP control API and the programmatic Emulator object. */
export function resetState(state: EmulatorState): void {
  state.faults.set(null);
  state.recorder.reset();
  state.codes.clear();
  state.tokens.clear();
}

// A tiny generated avatar keeps `avatarUrl` pointing somewhere reachable with the network closed.
function avatarSvg(state: EmulatorState, id: string): string {
  const nick = state.identities.find((identity) => identity.id === id)?.nick ?? id;
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
    case 'GET /fault':
      return sendJson(res, 200, { fault: state.faults.current() });
    case 'PUT /fault': {
      try {
        const raw = await readBody(req);
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          throw new FaultError('body must be JSON: a fault object or null');
        }
        const fault = parseFault(parsed);
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
  const avatar = /^GET \/avatar\/([^/]+)\.svg$/.exec(route);
  if (avatar) {
    return sendText(res, 200, 'image/svg+xml', avatarSvg(state, decodeURIComponent(avatar[1])));
  }
  return sendJson(res, 404, { ok: false, error: `no control route ${route}` });
}
