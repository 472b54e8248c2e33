/**
 * The control calls that change an organization's directory, as a test (or an admin in DingTalk's console) would:
 * over HTTP under `/__emulator/directory` (the organization in `?corpId=`, default the default app's) and from code
 * through `Emulator.directory(corpId)`. Not part of DingTalk: never counted, logged or faulted.
 *
 *   GET    /directory                  the departments and members
 *   PUT    /directory                  {departments, members}: replace everything
 *   DELETE /directory                  back to the directory seeded from the identities
 *   POST   /directory/generate         {users, departments}: replace with a generated directory
 *   POST   /directory/members          a member (DingTalk's field names)      → 201
 *   PATCH  /directory/members/<userid> changed fields (null removes one)
 *   DELETE /directory/members/<userid> the member leaves the organization
 *   POST   /directory/departments      {dept_id, name, parent_id}              → 201
 *   PATCH  /directory/departments/<id> {name?, parent_id?}: rename, move
 *   DELETE /directory/departments/<id> only an empty department
 */
import type { IncomingMessage } from 'node:http';
import { directoryOf } from './directory-api';
import {
  DirectoryError,
  generateDirectory,
  parseDepartment,
  parseMember,
  type DirDepartment,
  type DirMember,
  type GenerateOptions,
} from './directory';
import { emitDirectoryEvent } from './directory-events';
import { BodyError, readJson, sendJson } from './http';
import { orgName } from './organizations';
import { DEFAULT_CORP_ID } from './responses';
import type { EmulatorState, RequestContext } from './state';

export interface DirectoryControl {
  snapshot(): { departments: DirDepartment[]; members: DirMember[] };
  replace(directory: { departments: unknown[]; members: unknown[] }): void;
  /** Back to the directory seeded from the identities. */
  reseed(): void;
  generate(options: GenerateOptions): { departments: number; members: number };
  addMember(member: unknown): DirMember;
  updateMember(userid: string, changes: Record<string, unknown>): DirMember;
  removeMember(userid: string): void;
  addDepartment(department: unknown): DirDepartment;
  updateDepartment(deptId: number, changes: { name?: string; parent_id?: number }): DirDepartment;
  removeDepartment(deptId: number): void;
}

export function directoryControl(state: EmulatorState, corpId: string = DEFAULT_CORP_ID): DirectoryControl {
  const directory = () => directoryOf(state, corpId);
  return {
    snapshot: () => directory().snapshot(),
    replace: ({ departments, members }) => {
      if (!Array.isArray(departments) || !Array.isArray(members)) throw new DirectoryError('"departments" and "members" must be arrays');
      directory().replace(
        departments.map((raw, i) => parseDepartment(raw, `departments[${i}]`)),
        members.map((raw, i) => parseMember(raw, `members[${i}]`)),
      );
    },
    reseed: () => {
      state.directories.delete(corpId);
    },
    generate: (options) => {
      const generated = generateDirectory(orgName(state, corpId), options);
      directory().replace(generated.departments, generated.members);
      return { departments: generated.departments.length, members: generated.members.length };
    },
    addMember: (raw) => {
      const member = parseMember(raw);
      directory().addMember(member);
      emitDirectoryEvent(state, corpId, 'user_add_org', { userId: [member.userid] });
      return member;
    },
    updateMember: (userid, changes) => {
      const member = directory().updateMember(userid, changes);
      emitDirectoryEvent(state, corpId, 'user_modify_org', { userId: [userid] });
      return member;
    },
    removeMember: (userid) => {
      directory().removeMember(userid);
      emitDirectoryEvent(state, corpId, 'user_leave_org', { userId: [userid] });
    },
    addDepartment: (raw) => {
      const department = parseDepartment(raw);
      directory().addDepartment(department);
      emitDirectoryEvent(state, corpId, 'org_dept_create', { deptId: [department.dept_id] });
      return department;
    },
    updateDepartment: (deptId, changes) => {
      const department = directory().updateDepartment(deptId, changes);
      emitDirectoryEvent(state, corpId, 'org_dept_modify', { deptId: [deptId] });
      return department;
    },
    removeDepartment: (deptId) => {
      directory().removeDepartment(deptId);
      emitDirectoryEvent(state, corpId, 'org_dept_remove', { deptId: [deptId] });
    },
  };
}

async function objectBody(req: IncomingMessage, expected: string): Promise<Record<string, unknown>> {
  return (await readJson(req, expected, { object: true })) as Record<string, unknown>;
}

/** `/__emulator/directory…`; returns false when the path is not one of these. */
export async function handleDirectoryControl(ctx: RequestContext, route: string): Promise<boolean> {
  if (!/^[A-Z]+ \/directory(\/|$)/.test(route)) return false;
  const { req, res } = ctx;
  const control = directoryControl(ctx.state, ctx.url.searchParams.get('corpId') || DEFAULT_CORP_ID);
  const member = /^(PATCH|DELETE) \/directory\/members\/([^/]+)$/.exec(route);
  const department = /^(PATCH|DELETE) \/directory\/departments\/([0-9]+)$/.exec(route);
  try {
    if (route === 'GET /directory') sendJson(res, 200, control.snapshot());
    else if (route === 'PUT /directory') {
      const body = await objectBody(req, '{ departments, members }');
      control.replace(body as { departments: unknown[]; members: unknown[] });
      sendJson(res, 200, { ok: true });
    } else if (route === 'DELETE /directory') {
      control.reseed();
      sendJson(res, 200, { ok: true });
    } else if (route === 'POST /directory/generate') {
      const body = await objectBody(req, '{ users, departments }');
      sendJson(res, 200, { ok: true, ...control.generate(body as unknown as GenerateOptions) });
    } else if (route === 'POST /directory/members') {
      sendJson(res, 201, { ok: true, member: control.addMember(await objectBody(req, 'a member')) });
    } else if (route === 'POST /directory/departments') {
      sendJson(res, 201, { ok: true, department: control.addDepartment(await objectBody(req, 'a department')) });
    } else if (member?.[1] === 'PATCH') {
      sendJson(res, 200, { ok: true, member: control.updateMember(decodeURIComponent(member[2]), await objectBody(req, 'changed fields')) });
    } else if (member?.[1] === 'DELETE') {
      control.removeMember(decodeURIComponent(member[2]));
      sendJson(res, 200, { ok: true });
    } else if (department?.[1] === 'PATCH') {
      const changes = await objectBody(req, '{ name?, parent_id? }');
      sendJson(res, 200, { ok: true, department: control.updateDepartment(Number(department[2]), changes as { name?: string; parent_id?: number }) });
    } else if (department?.[1] === 'DELETE') {
      control.removeDepartment(Number(department[2]));
      sendJson(res, 200, { ok: true });
    } else return false;
  } catch (err) {
    if (err instanceof DirectoryError || err instanceof BodyError) sendJson(res, 400, { ok: false, error: err.message });
    else throw err;
  }
  return true;
}
