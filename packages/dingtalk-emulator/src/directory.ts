/**
 * An organization's directory (通讯录): its department tree and its members, as DingTalk's directory calls see them
 * (`topapi/v2/department/listsub`, `topapi/v2/user/list`). One per organization, seeded from the identities that
 * belong to it the first time it is read, then changed only through the control calls, so a test can add, change
 * and remove members and departments between two syncs. Field names are DingTalk's own (snake_case).
 */
import { memberships, type Identity } from './identities';

export const ROOT_DEPT_ID = 1;

export interface DirDepartment {
  dept_id: number;
  name: string;
  /** Absent only for the root department (1). */
  parent_id?: number;
}

export interface DirMember {
  userid: string;
  unionid: string;
  name: string;
  mobile?: string;
  state_code?: string;
  email?: string;
  org_email?: string;
  title?: string;
  job_number?: string;
  dept_id_list: number[];
  /** The departments this member leads (`leader` in `user/list`, `leader_in_dept` elsewhere). */
  leader_dept_ids?: number[];
  /** false: invited but not activated, or disabled by the organization. */
  active: boolean;
  admin?: boolean;
  boss?: boolean;
  avatar?: string;
}

export class DirectoryError extends Error {
  override name = 'DirectoryError';
}

const USERID = /^[A-Za-z0-9_.@-]{1,64}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

export function parseDepartment(raw: unknown, where = 'department'): DirDepartment {
  if (!isObject(raw)) throw new DirectoryError(`${where}: must be an object`);
  const { dept_id, name, parent_id } = raw;
  if (!positiveInt(dept_id)) throw new DirectoryError(`${where}: "dept_id" must be a positive integer`);
  if (typeof name !== 'string' || name === '' || name.length > 64) throw new DirectoryError(`${where}: "name" must be 1..64 characters`);
  if (dept_id === ROOT_DEPT_ID) {
    if (parent_id !== undefined) throw new DirectoryError(`${where}: the root department has no parent`);
    return { dept_id, name };
  }
  if (!positiveInt(parent_id)) throw new DirectoryError(`${where}: "parent_id" must be a positive integer`);
  return { dept_id, name, parent_id };
}

const MEMBER_STRINGS = ['mobile', 'state_code', 'email', 'org_email', 'title', 'job_number', 'avatar'] as const;
const MEMBER_KNOWN = new Set<string>(['userid', 'unionid', 'name', 'dept_id_list', 'leader_dept_ids', 'active', 'admin', 'boss', ...MEMBER_STRINGS]);

export function parseMember(raw: unknown, where = 'member'): DirMember {
  if (!isObject(raw)) throw new DirectoryError(`${where}: must be an object`);
  for (const key of Object.keys(raw)) if (!MEMBER_KNOWN.has(key)) throw new DirectoryError(`${where}: unknown field "${key}"`);
  const { userid, unionid, name, dept_id_list, leader_dept_ids, active, admin, boss } = raw;
  if (typeof userid !== 'string' || !USERID.test(userid)) throw new DirectoryError(`${where}: "userid" must be 1..64 of [A-Za-z0-9_.@-]`);
  if (typeof unionid !== 'string' || unionid === '') throw new DirectoryError(`${where}: "unionid" must be a non-empty string`);
  if (typeof name !== 'string' || name === '') throw new DirectoryError(`${where}: "name" must be a non-empty string`);
  const ids = (value: unknown, field: string): number[] => {
    if (!Array.isArray(value) || !value.every(positiveInt)) throw new DirectoryError(`${where}: "${field}" must be positive integers`);
    return [...new Set(value as number[])];
  };
  const member: DirMember = {
    userid,
    unionid,
    name,
    dept_id_list: dept_id_list === undefined ? [ROOT_DEPT_ID] : ids(dept_id_list, 'dept_id_list'),
    active: active === undefined ? true : active === true,
  };
  if (member.dept_id_list.length === 0) throw new DirectoryError(`${where}: a member belongs to at least one department`);
  if (active !== undefined && typeof active !== 'boolean') throw new DirectoryError(`${where}: "active" must be a boolean`);
  if (leader_dept_ids !== undefined) member.leader_dept_ids = ids(leader_dept_ids, 'leader_dept_ids');
  for (const [key, value] of [['admin', admin], ['boss', boss]] as const) {
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new DirectoryError(`${where}: "${key}" must be a boolean`);
    member[key] = value;
  }
  for (const key of MEMBER_STRINGS) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new DirectoryError(`${where}: "${key}" must be a string`);
    member[key] = value;
  }
  return member;
}

/** The mutable directory of one organization; every change is checked so the tree stays a tree. */
export class Directory {
  private readonly departments = new Map<number, DirDepartment>();
  private readonly members = new Map<string, DirMember>();

  constructor(rootName: string) {
    this.departments.set(ROOT_DEPT_ID, { dept_id: ROOT_DEPT_ID, name: rootName });
  }

  /** Replaces everything; the root department must be among `departments`. */
  replace(departments: DirDepartment[], members: DirMember[]): void {
    const next = new Directory('');
    next.departments.clear();
    for (const dept of departments) {
      if (next.departments.has(dept.dept_id)) throw new DirectoryError(`duplicate dept_id ${dept.dept_id}`);
      next.departments.set(dept.dept_id, { ...dept });
    }
    if (!next.departments.has(ROOT_DEPT_ID)) throw new DirectoryError('the root department (dept_id 1) is missing');
    for (const dept of next.departments.values()) next.checkParent(dept);
    for (const member of members) next.addMember(member);
    this.departments.clear();
    this.members.clear();
    for (const [id, dept] of next.departments) this.departments.set(id, dept);
    for (const [id, member] of next.members) this.members.set(id, member);
  }

  department(deptId: number): DirDepartment | undefined {
    const found = this.departments.get(deptId);
    return found ? { ...found } : undefined;
  }

  /** Direct children, in dept_id order (DingTalk's own order is the console's; any stable order will do). */
  children(deptId: number): DirDepartment[] {
    return [...this.departments.values()]
      .filter((dept) => dept.parent_id === deptId)
      .sort((a, b) => a.dept_id - b.dept_id)
      .map((dept) => ({ ...dept }));
  }

  /** Members of one department (not of its sub-departments), in the order they joined. */
  membersOf(deptId: number): DirMember[] {
    return [...this.members.values()].filter((member) => member.dept_id_list.includes(deptId)).map(cloneMember);
  }

  member(userid: string): DirMember | undefined {
    const found = this.members.get(userid);
    return found ? cloneMember(found) : undefined;
  }

  snapshot(): { departments: DirDepartment[]; members: DirMember[] } {
    return {
      departments: [...this.departments.values()].sort((a, b) => a.dept_id - b.dept_id).map((dept) => ({ ...dept })),
      members: [...this.members.values()].map(cloneMember),
    };
  }

  addDepartment(dept: DirDepartment): void {
    if (this.departments.has(dept.dept_id)) throw new DirectoryError(`department ${dept.dept_id} exists`);
    this.checkParent(dept);
    this.departments.set(dept.dept_id, { ...dept });
  }

  /** Renames and/or moves a department; a move under its own subtree is refused. */
  updateDepartment(deptId: number, changes: { name?: string; parent_id?: number }): DirDepartment {
    const current = this.departments.get(deptId);
    if (!current) throw new DirectoryError(`no department ${deptId}`);
    const next = parseDepartment({ ...current, ...changes }, `department ${deptId}`);
    this.checkParent(next);
    for (let up = next.parent_id; up !== undefined; up = this.departments.get(up)?.parent_id) {
      if (up === deptId) throw new DirectoryError(`department ${deptId} cannot move under itself`);
    }
    this.departments.set(deptId, next);
    return { ...next };
  }

  /** Like DingTalk's console: only an empty department (no sub-department, no member) can be deleted. */
  removeDepartment(deptId: number): void {
    if (deptId === ROOT_DEPT_ID) throw new DirectoryError('the root department cannot be deleted');
    if (!this.departments.has(deptId)) throw new DirectoryError(`no department ${deptId}`);
    if (this.children(deptId).length) throw new DirectoryError(`department ${deptId} has sub-departments`);
    if (this.membersOf(deptId).length) throw new DirectoryError(`department ${deptId} has members`);
    this.departments.delete(deptId);
  }

  addMember(member: DirMember): void {
    if (this.members.has(member.userid)) throw new DirectoryError(`member ${member.userid} exists`);
    if ([...this.members.values()].some((other) => other.unionid === member.unionid)) {
      throw new DirectoryError(`unionid ${member.unionid} is already a member`);
    }
    this.checkDepartments(member);
    this.members.set(member.userid, cloneMember(member));
  }

  updateMember(userid: string, changes: Record<string, unknown>): DirMember {
    const current = this.members.get(userid);
    if (!current) throw new DirectoryError(`no member ${userid}`);
    if ('userid' in changes && changes.userid !== userid) throw new DirectoryError('"userid" cannot change');
    if ('unionid' in changes && changes.unionid !== current.unionid) throw new DirectoryError('"unionid" cannot change');
    const merged: Record<string, unknown> = { ...current, ...changes };
    // null removes an optional field (a phone number taken away).
    for (const [key, value] of Object.entries(changes)) if (value === null) delete merged[key];
    const next = parseMember(merged, `member ${userid}`);
    this.checkDepartments(next);
    this.members.set(userid, next);
    return cloneMember(next);
  }

  removeMember(userid: string): void {
    if (!this.members.delete(userid)) throw new DirectoryError(`no member ${userid}`);
  }

  private checkParent(dept: DirDepartment): void {
    if (dept.parent_id !== undefined && !this.departments.has(dept.parent_id)) {
      throw new DirectoryError(`department ${dept.dept_id}: no parent department ${dept.parent_id}`);
    }
  }

  private checkDepartments(member: DirMember): void {
    for (const id of [...member.dept_id_list, ...(member.leader_dept_ids ?? [])]) {
      if (!this.departments.has(id)) throw new DirectoryError(`member ${member.userid}: no department ${id}`);
    }
    for (const id of member.leader_dept_ids ?? []) {
      if (!member.dept_id_list.includes(id)) throw new DirectoryError(`member ${member.userid}: leads department ${id} without being in it`);
    }
  }
}

function cloneMember(member: DirMember): DirMember {
  return { ...member, dept_id_list: [...member.dept_id_list], ...(member.leader_dept_ids ? { leader_dept_ids: [...member.leader_dept_ids] } : {}) };
}

/**
 * The directory an organization starts with: its root, a department per id its members' `deptIds` name (under the
 * root, named "Department N"), and every identity that belongs to it. A boss leads each of their departments.
 */
export function seedDirectory(corpId: string, rootName: string, identities: Identity[]): Directory {
  const directory = new Directory(rootName);
  const departments = new Map<number, DirDepartment>([[ROOT_DEPT_ID, { dept_id: ROOT_DEPT_ID, name: rootName }]]);
  const members: DirMember[] = [];
  for (const identity of identities) {
    const membership = memberships(identity).find((org) => org.corpId === corpId);
    if (!membership) continue;
    const deptIds = membership.deptIds ?? [ROOT_DEPT_ID];
    for (const id of deptIds) if (!departments.has(id)) departments.set(id, { dept_id: id, name: `Department ${id}`, parent_id: ROOT_DEPT_ID });
    members.push({
      userid: membership.userid,
      unionid: identity.unionId,
      name: identity.nick,
      ...(identity.mobile !== undefined ? { mobile: identity.mobile, state_code: identity.stateCode ?? '86' } : {}),
      ...(identity.email !== undefined ? { email: identity.email } : {}),
      ...(membership.orgEmail !== undefined ? { org_email: membership.orgEmail } : {}),
      ...(membership.title !== undefined ? { title: membership.title } : {}),
      ...(membership.jobNumber !== undefined ? { job_number: membership.jobNumber } : {}),
      dept_id_list: [...deptIds],
      ...(membership.boss ? { leader_dept_ids: [...deptIds] } : {}),
      active: true,
      admin: membership.admin === true,
      boss: membership.boss === true,
    });
  }
  directory.replace([...departments.values()], members);
  return directory;
}

export interface GenerateOptions {
  users: number;
  departments: number;
  /** Department ids start above this (default 1000); userids are `u<seq>`, unionids `union-<seq>`. */
  firstDeptId?: number;
}

/**
 * A large directory for load tests: `departments` departments in a tree of fan-out 10 under the root, `users`
 * members spread round-robin over them, every fifth one also in a second department, the first member of each
 * department its leader. Deterministic, so two runs build the same directory.
 */
export function generateDirectory(rootName: string, options: GenerateOptions): { departments: DirDepartment[]; members: DirMember[] } {
  const { users, departments: count } = options;
  if (!Number.isInteger(users) || users < 0 || users > 200_000) throw new DirectoryError('"users" must be 0..200000');
  if (!Number.isInteger(count) || count < 0 || count > 20_000) throw new DirectoryError('"departments" must be 0..20000');
  const first = options.firstDeptId ?? 1000;
  const departments: DirDepartment[] = [{ dept_id: ROOT_DEPT_ID, name: rootName }];
  for (let i = 0; i < count; i += 1) {
    const parent = i < 10 ? ROOT_DEPT_ID : first + Math.floor(i / 10) - 1;
    departments.push({ dept_id: first + i, name: `Dept ${i + 1}`, parent_id: parent });
  }
  const deptIds = count ? departments.slice(1).map((dept) => dept.dept_id) : [ROOT_DEPT_ID];
  const led = new Set<number>();
  const members: DirMember[] = [];
  for (let i = 0; i < users; i += 1) {
    const main = deptIds[i % deptIds.length];
    const second = i % 5 === 4 && deptIds.length > 1 ? deptIds[(i * 7 + 3) % deptIds.length] : undefined;
    const deptList = second !== undefined && second !== main ? [main, second] : [main];
    const leads = !led.has(main);
    if (leads) led.add(main);
    members.push({
      userid: `u${i + 1}`,
      unionid: `union-${i + 1}`,
      name: `User ${i + 1}`,
      mobile: `139${String(i + 1).padStart(8, '0')}`,
      state_code: '86',
      email: `user${i + 1}@generated.example`,
      title: leads ? 'Manager' : 'Staff',
      dept_id_list: deptList,
      ...(leads ? { leader_dept_ids: [main] } : {}),
      active: true,
    });
  }
  return { departments, members };
}
