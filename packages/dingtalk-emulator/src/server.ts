import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { APPROVE_PATH, AUTHORIZE_PATH, handleApprove, handleAuthorize } from './authorize';
import { CONTROL_PREFIX, handleControl } from './control-api';
import { DEPT_LISTSUB_PATH, handleDeptListSub, handleUserList, USER_LIST_PATH } from './directory-api';
import { sendJson } from './http';
import {
  GETBYUNIONID_PATH,
  GETTOKEN_PATH,
  GETUSERINFO_PATH,
  handleGetByUnionId,
  handleGettoken,
  handleGetUserInfo,
  handleUnknownTopapi,
  handleUserGet,
  TOPAPI_PREFIX,
  USER_GET_PATH,
} from './oapi';
import { APP_TOKEN_PATH, handleAppAccessToken, handleMe, handleUserAccessToken, ME_PATH, TOKEN_PATH } from './openapi';
import { errors } from './responses';
import { ASYNCSEND_PATH, GETSENDRESULT_PATH, handleAsyncSend, handleGetSendResult } from './work-notices';
import type { EmulatorState, Handler, RequestContext } from './state';
import { STREAM_OPEN_PATH } from './stream-gateway';

const routes: Record<string, Handler> = {
  [`GET ${AUTHORIZE_PATH}`]: handleAuthorize,
  [`POST ${APPROVE_PATH}`]: handleApprove,
  [`POST ${TOKEN_PATH}`]: handleUserAccessToken,
  [`GET ${ME_PATH}`]: handleMe,
  [`POST ${APP_TOKEN_PATH}`]: handleAppAccessToken,
  [`GET ${GETTOKEN_PATH}`]: handleGettoken,
  [`POST ${GETUSERINFO_PATH}`]: handleGetUserInfo,
  [`POST ${GETBYUNIONID_PATH}`]: handleGetByUnionId,
  [`POST ${USER_GET_PATH}`]: handleUserGet,
  [`POST ${ASYNCSEND_PATH}`]: handleAsyncSend,
  [`POST ${GETSENDRESULT_PATH}`]: handleGetSendResult,
  [`POST ${STREAM_OPEN_PATH}`]: (ctx) => ctx.state.stream.handleOpen(ctx),
  [`POST ${DEPT_LISTSUB_PATH}`]: handleDeptListSub,
  [`POST ${USER_LIST_PATH}`]: handleUserList,
};

function route(method: string, path: string): Handler | undefined {
  const exact = routes[`${method} ${path}`];
  if (exact) return exact;
  // The old host answers an unknown topapi name with errcode 22 rather than a 404 (a known name
  // with another method than POST is left to the 404 below).
  const known = Object.keys(routes).some((key) => key.slice(key.indexOf(' ') + 1) === path);
  if (path.startsWith(TOPAPI_PREFIX) && !known) return handleUnknownTopapi;
  return undefined;
}

export interface RunningServer {
  server: Server;
  /** Closes the listener and destroys every open socket, including ones a `hang` fault holds open. */
  close(): Promise<void>;
}

export function createEmulatorServer(state: EmulatorState): RunningServer {
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const method = req.method ?? 'GET';
    const isControl = url.pathname.startsWith(CONTROL_PREFIX);
    const started = Date.now();
    const entry = isControl
      ? { time: '', method, path: url.pathname, status: 0 } // a throwaway entry: control calls are not recorded
      : state.recorder.begin(method, url.pathname);
    const finish = (): void => {
      entry.durationMs = Date.now() - started;
      if (res.headersSent) entry.status = res.statusCode;
    };
    res.on('finish', finish);
    res.on('close', finish);

    const ctx: RequestContext = { req, res, url, entry, state };
    const handler: Handler | undefined = isControl ? handleControl : route(method, url.pathname);
    Promise.resolve()
      .then(() => {
        if (handler) return handler(ctx);
        const notFound = errors.routeNotFound();
        entry.errorCode = notFound.body.code;
        return sendJson(res, notFound.status, notFound.body);
      })
      .catch((err: unknown) => {
        // An emulator bug should surface in the test output, not as a mysterious hang.
        console.error('[dingtalk-emulator] handler failed:', err);
        sendJson(res, 500, errors.serverError(500).body);
      });
  });

  server.on('upgrade', (req, socket, head: Buffer) => state.stream.handleUpgrade(req, socket, head));

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const close = (): Promise<void> =>
    new Promise((resolve, reject) => {
      for (const timer of state.timers) clearTimeout(timer);
      state.timers.clear();
      state.stream.close();
      server.close((err) => (err ? reject(err) : resolve()));
      for (const socket of sockets) socket.destroy();
    });

  return { server, close };
}
