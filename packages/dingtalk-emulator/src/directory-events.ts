/**
 * The directory's event subscription: when the app has subscribed to directory events (通讯录事件) in the developer
 * console, each change made through the directory control calls is delivered as DingTalk would deliver it, on the
 * app's Stream connections (stream-gateway.ts) or by HTTP push to its callback URL (event-push.ts).
 *
 *   add member → user_add_org, change member → user_modify_org, remove member → user_leave_org,
 *   add department → org_dept_create, change → org_dept_modify, remove → org_dept_remove.
 */
import { pushEvent, type PushResult, type PushTarget } from './event-push';
import type { EmulatorState } from './state';

export type DirectoryEventsMode = { mode: 'stream' } | { mode: 'push'; target: PushTarget };

export interface PushRecord {
  eventType: string;
  tamper?: string;
  result?: PushResult;
  error?: string;
}

type Ids = { userId: string[] } | { deptId: number[] };

export function emitDirectoryEvent(state: EmulatorState, corpId: string, eventType: string, ids: Ids): void {
  const mode = state.directoryEvents;
  if (!mode) return;
  const app = state.clients.find((client) => client.corpId === corpId);
  if (!app) return;
  const timeStamp = String(Date.now());
  if (mode.mode === 'stream') {
    state.stream.publish({ clientId: app.clientId, eventType, corpId, data: { timeStamp, ...ids } });
    return;
  }
  const body = 'userId' in ids ? { UserId: ids.userId } : { DeptId: ids.deptId };
  void deliverPush(state, mode.target, { EventType: eventType, CorpId: corpId, TimeStamp: timeStamp, ...body });
}

/** POSTs one event to the receiver and keeps what it answered (`Emulator.pushLog`). */
export async function deliverPush(state: EmulatorState, target: PushTarget, event: Record<string, unknown>, tamper?: 'signature' | 'stale' | 'owner'): Promise<PushRecord> {
  const record: PushRecord = { eventType: String(event.EventType), ...(tamper ? { tamper } : {}) };
  state.pushLog.push(record);
  try {
    record.result = await pushEvent(target, event, tamper);
  } catch (error) {
    record.error = (error as Error).message;
  }
  return record;
}
