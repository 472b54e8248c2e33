import { memberships, type Identity, type OrgMembership } from './identities';
import { DEFAULT_CORP_ID } from './responses';
import type { EmulatorState } from './state';

/** Names for organizations nobody named in the identities list (the default app's organization). */
const FALLBACK_NAMES: Record<string, string> = { [DEFAULT_CORP_ID]: 'Emulated Co.' };

export interface Member {
  identity: Identity;
  membership: OrgMembership;
}

/** What `GET /__emulator/organizations` lists. */
export interface OrganizationInfo {
  corpId: string;
  name: string;
  /** Client ids of the apps that belong to this organization. */
  apps: string[];
  members: Array<{ id: string; userid: string; nick: string; unionId: string }>;
}

/** Everyone who can be found: the configured people, then custom identities that signed in. */
export function people(state: EmulatorState): Identity[] {
  return [...state.identities, ...state.customIdentities.values()];
}

export function findPerson(state: EmulatorState, id: string): Identity | undefined {
  return people(state).find((identity) => identity.id === id);
}

export function orgName(state: EmulatorState, corpId: string): string {
  for (const identity of people(state)) {
    const named = memberships(identity).find((org) => org.corpId === corpId && org.name !== undefined);
    if (named?.name) return named.name;
  }
  return FALLBACK_NAMES[corpId] ?? corpId;
}

/** The members of one organization, in identities order. */
export function membersOf(state: EmulatorState, corpId: string): Member[] {
  const out: Member[] = [];
  for (const identity of people(state)) {
    const membership = memberships(identity).find((org) => org.corpId === corpId);
    if (membership) out.push({ identity, membership });
  }
  return out;
}

export function memberByUnionId(state: EmulatorState, corpId: string, unionId: string): Member | undefined {
  return membersOf(state, corpId).find((member) => member.identity.unionId === unionId);
}

export function memberByUserid(state: EmulatorState, corpId: string, userid: string): Member | undefined {
  return membersOf(state, corpId).find((member) => member.membership.userid === userid);
}

/** Every organization that has a member or an app, members' first, in order of appearance. */
export function listOrganizations(state: EmulatorState): OrganizationInfo[] {
  const corpIds: string[] = [];
  const add = (corpId: string): void => {
    if (!corpIds.includes(corpId)) corpIds.push(corpId);
  };
  for (const identity of people(state)) for (const org of memberships(identity)) add(org.corpId);
  for (const client of state.clients) add(client.corpId);
  return corpIds.map((corpId) => ({
    corpId,
    name: orgName(state, corpId),
    apps: state.clients.filter((client) => client.corpId === corpId).map((client) => client.clientId),
    members: membersOf(state, corpId).map(({ identity, membership }) => ({
      id: identity.id,
      userid: membership.userid,
      nick: identity.nick,
      unionId: identity.unionId,
    })),
  }));
}
