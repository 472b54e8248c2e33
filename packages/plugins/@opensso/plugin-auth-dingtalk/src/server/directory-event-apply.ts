/**
 * What a directory event changes in NocoBase. An event names people or departments, never their new state: a
 * member event reads the member (`topapi/v2/user/get`) and applies it with the full sync's rules
 * (directory-change.ts); a member gone from the organization, or `user_leave_org`, is a leaver. Department events
 * ask for a full sync (debounced by the caller): moving, renaming and removing departments is the full sync's job,
 * and a burst of department events becomes one sync.
 */
import type { AppTokenCache, AppCredentials } from './app-token';
import { getDirectoryUser, type CallOptions, type DingTalkHosts } from './dingtalk-api';
import { applyDirectoryChange, type ChangeOutcome, type ChangeSettings } from './directory-change';
import type { DirectoryEvent } from './directory-events';
import { memberOf } from './directory-pull';

export interface EventDeps {
  db: Parameters<typeof applyDirectoryChange>[0]['db'];
  app: Parameters<typeof applyDirectoryChange>[0]['app'];
  appTokens: AppTokenCache;
  hosts: DingTalkHosts;
  calls: CallOptions;
  /** A full sync soon (department events). */
  requestFullSync(): void;
}

export interface EventSettings extends ChangeSettings {
  credentials: AppCredentials;
}

/** Applies one event; returns what happened to each person it names (nothing for department events). */
export async function applyDirectoryEvent(deps: EventDeps, settings: EventSettings, event: DirectoryEvent): Promise<ChangeOutcome[]> {
  if (event.deptIds.length > 0) {
    deps.requestFullSync();
    return [];
  }
  const outcomes: ChangeOutcome[] = [];
  for (const userid of event.userIds) {
    const user =
      event.type === 'user_leave_org'
        ? undefined
        : await deps.appTokens.withToken(settings.credentials, deps.hosts, deps.calls, (token) => getDirectoryUser(deps.hosts, token, userid, deps.calls));
    const leaderOf = (user?.leader_in_dept ?? []).filter((entry) => entry.leader).map((entry) => entry.dept_id);
    const change = user ? { kind: 'member' as const, member: memberOf(user, leaderOf) } : { kind: 'memberLeft' as const, userid };
    outcomes.push((await applyDirectoryChange(deps, settings, change)).outcome);
  }
  return outcomes;
}
