/**
 * Each organization's directory and how its members read, shared by the directory listings (directory-api.ts) and
 * `topapi/v2/user/get` (oapi.ts), which answers from the directory once a test has read or changed it.
 */
import { seedDirectory, type Directory, type DirMember } from './directory';
import { orgName, people } from './organizations';
import type { EmulatorState } from './state';

/** The organization's directory, seeded from its identities the first time anything reads it. */
export function directoryOf(state: EmulatorState, corpId: string): Directory {
  let directory = state.directories.get(corpId);
  if (!directory) {
    directory = seedDirectory(corpId, orgName(state, corpId), people(state));
    state.directories.set(corpId, directory);
  }
  return directory;
}

/** A member as `topapi/v2/user/list` lists it under `deptId`. */
export function listEntry(member: DirMember, deptId: number, withMobile: boolean) {
  return {
    userid: member.userid,
    unionid: member.unionid,
    name: member.name,
    avatar: member.avatar ?? '',
    ...(withMobile && member.mobile !== undefined ? { state_code: member.state_code ?? '86', mobile: member.mobile } : {}),
    hide_mobile: false,
    telephone: '',
    job_number: member.job_number ?? '',
    title: member.title ?? '',
    ...(member.email !== undefined ? { email: member.email } : {}),
    ...(member.org_email !== undefined ? { org_email: member.org_email } : {}),
    work_place: '',
    remark: '',
    dept_id_list: [...member.dept_id_list],
    dept_order: 0,
    extension: '',
    active: member.active,
    admin: member.admin === true,
    boss: member.boss === true,
    // Whether this member leads the department being listed.
    leader: (member.leader_dept_ids ?? []).includes(deptId),
    exclusive_account: false,
  };
}

/**
 * A directory member as `topapi/v2/user/get` answers it, once the organization's directory has been read or
 * changed: the listing's fields, with the departments led as `leader_in_dept` rather than one `leader` flag.
 */
export function directoryUserGet(state: EmulatorState, corpId: string, userid: string, withMobile: boolean): object | null | undefined {
  if (!state.directories.has(corpId)) return undefined;
  const member = directoryOf(state, corpId).member(userid);
  if (!member) return null;
  const { leader: _leader, dept_order: _order, extension: _extension, ...fields } = listEntry(member, 0, withMobile);
  return {
    ...fields,
    leader_in_dept: member.dept_id_list.map((dept_id) => ({ dept_id, leader: (member.leader_dept_ids ?? []).includes(dept_id) })),
  };
}
