/**
 * DingTalk departments as plugin-departments' `departments` (a tree by `parentId`, with `isLeaf`). Which NocoBase
 * department a DingTalk department became is kept where user-data-sync keeps it for every source: a
 * `userDataSyncRecords` row (sourceName, sourceUk = dept_id, dataType `department`) with one
 * `userDataSyncRecordsResources` row (resource `departments`, resourcePk = the department's id). So the mapping
 * survives a rename or a move, and NocoBase's own tools see where each department came from.
 *
 * Only what differs is written: a re-run of an unchanged directory writes nothing. The department a sync starts
 * from (the organization, or the chosen root) is not one of them: its sub-departments are the top level.
 */
import type { Database, Model, Transaction } from '@nocobase/database';
import type { DirectoryDepartment } from './directory-pull';
import { writeTransaction } from './write-transaction';

const DATA_TYPE = 'department';
const DEPARTMENTS_PER_TRANSACTION = 100;
const RESOURCE = 'departments';

export interface DepartmentCounts {
  created: number;
  updated: number;
  removed: number;
  unchanged: number;
}

/** dept_id → NocoBase department id, for the members' pass. */
export type DepartmentMap = Map<number, string>;

interface Mapped {
  record: Model;
  departmentId: string;
  department?: Model;
}

async function loadMapped(db: Database, sourceName: string, transaction?: Transaction): Promise<Map<number, Mapped>> {
  const records = (await db.getRepository('userDataSyncRecords').find({
    filter: { sourceName, dataType: DATA_TYPE },
    appends: ['resources'],
    transaction,
  })) as Model[];
  const ids: string[] = [];
  const mapped = new Map<number, Mapped>();
  for (const record of records) {
    const resource = ((record.get('resources') as Model[] | undefined) ?? []).find((r) => r.get('resource') === RESOURCE);
    if (!resource) continue;
    const departmentId = String(resource.get('resourcePk'));
    ids.push(departmentId);
    mapped.set(Number(record.get('sourceUk')), { record, departmentId });
  }
  if (ids.length) {
    const departments = (await db.getRepository('departments').find({ filter: { id: { $in: ids } }, transaction })) as Model[];
    const byId = new Map(departments.map((d) => [String(d.get('id')), d]));
    for (const entry of mapped.values()) entry.department = byId.get(entry.departmentId);
  }
  return mapped;
}

/** The departments earlier syncs made, dept_id → NocoBase department id (for one member's change). */
export async function departmentMap(db: Database, sourceName: string): Promise<DepartmentMap> {
  const map: DepartmentMap = new Map();
  for (const [deptId, entry] of await loadMapped(db, sourceName)) if (entry.department) map.set(deptId, entry.departmentId);
  return map;
}

/**
 * Creates, renames and moves departments to match `pulled` (breadth-first: parents first). Returns the map for the
 * members and a function that removes the departments DingTalk no longer has, to run after the members have moved
 * out of them.
 */
export async function syncDepartments(
  db: Database,
  sourceName: string,
  pulled: DirectoryDepartment[],
  rootDeptId: number,
): Promise<{ map: DepartmentMap; counts: DepartmentCounts; removeGone(): Promise<void> }> {
  const counts: DepartmentCounts = { created: 0, updated: 0, removed: 0, unchanged: 0 };
  const mapped = await loadMapped(db, sourceName);
  const map: DepartmentMap = new Map();
  const hasChildren = new Set(pulled.map((d) => d.parentId).filter((id): id is number => id !== undefined && id !== rootDeptId));
  const departments = db.getRepository('departments');

  // In transactions of many departments: a commit for each of a department's three writes was most of the time of
  // a large first sync's departments on SQLite.
  for (let i = 0; i < pulled.length; i += DEPARTMENTS_PER_TRANSACTION) {
    await writeTransaction(db, async (transaction) => {
      for (const dept of pulled.slice(i, i + DEPARTMENTS_PER_TRANSACTION)) {
        const parentId = dept.parentId === undefined || dept.parentId === rootDeptId ? null : map.get(dept.parentId) ?? null;
        const isLeaf = !hasChildren.has(dept.deptId);
        const known = mapped.get(dept.deptId);
        if (known?.department) {
          const row = known.department;
          const current = { title: row.get('title'), parentId: row.get('parentId') == null ? null : String(row.get('parentId')), isLeaf: row.get('isLeaf') === true };
          const changes: Record<string, unknown> = {};
          if (current.title !== dept.name) changes.title = dept.name;
          if (current.parentId !== parentId) changes.parentId = parentId;
          if (current.isLeaf !== isLeaf) changes.isLeaf = isLeaf;
          if (Object.keys(changes).length) {
            await departments.update({ filterByTk: known.departmentId, values: changes, transaction });
            counts.updated += 1;
          } else counts.unchanged += 1;
          map.set(dept.deptId, known.departmentId);
          continue;
        }
        // New, or its NocoBase department was deleted by hand: (re)create it and point the record at it.
        const created = (await departments.create({ values: { title: dept.name, parentId, isLeaf }, transaction })) as Model;
        const departmentId = String(created.get('id'));
        await recordMapping(db, sourceName, dept, departmentId, known?.record, transaction);
        map.set(dept.deptId, departmentId);
        counts.created += 1;
      }
    });
  }

  const pulledIds = new Set(pulled.map((d) => d.deptId));
  const removeGone = async () => {
    for (const [deptId, entry] of mapped) {
      if (pulledIds.has(deptId)) continue;
      if (entry.department) {
        await db.getRepository('departmentsUsers').destroy({ filter: { departmentId: entry.departmentId } });
        await db.getRepository('users').update({ filter: { mainDepartmentId: entry.departmentId }, values: { mainDepartmentId: null } });
        await departments.destroy({ filterByTk: entry.departmentId });
        counts.removed += 1;
      }
      await db.getRepository('userDataSyncRecordsResources').destroy({ filter: { recordId: entry.record.get('id') } });
      await entry.record.destroy();
    }
  };
  return { map, counts, removeGone };
}

async function recordMapping(
  db: Database,
  sourceName: string,
  dept: DirectoryDepartment,
  departmentId: string,
  existing: Model | undefined,
  transaction: Transaction,
): Promise<void> {
  const metaData = { uid: String(dept.deptId), title: dept.name, parentUid: dept.parentId === undefined ? undefined : String(dept.parentId) };
  if (existing) {
    await db.getRepository('userDataSyncRecordsResources').destroy({ filter: { recordId: existing.get('id'), resource: RESOURCE }, transaction });
    await db.getRepository('userDataSyncRecordsResources').create({ values: { recordId: existing.get('id'), resource: RESOURCE, resourcePk: departmentId }, transaction });
    return;
  }
  await db.getRepository('userDataSyncRecords').create({
    values: { sourceName, sourceUk: String(dept.deptId), dataType: DATA_TYPE, metaData, resources: [{ resource: RESOURCE, resourcePk: departmentId }] },
    transaction,
  });
}
