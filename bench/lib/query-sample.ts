/**
 * Parameter values for the query benchmark, drawn from what is actually stored: a sample of the
 * newest rows (read straight from the events table by primary key, which costs a short range
 * scan, not a table scan) gives the users, namespace/resource pairs, written objects, event ids
 * and search words the measured requests use.
 */
import { adminQuery } from './mariadb';

export interface ObjectKey {
  cluster: string;
  apiGroup: string;
  resource: string;
  namespace: string;
  name: string;
  writes: number;
}

export interface QueryParams {
  total: number;
  newestMs: number;
  oldestMs: number;
  clusters: string[];
  /** Busy and quiet users alike (most frequent first, then a spread down to rare ones). */
  users: string[];
  /** People (not system: identities), for activity and text search. */
  humans: string[];
  nsResources: { namespace: string; resource: string; count: number }[];
  objects: ObjectKey[];
  ids: string[];
  nameWords: string[];
  userWords: string[];
  /** Lower time bound (epoch ms) that leaves about `exportRows` events after it. */
  exportFromMs: number;
  exportRows: number;
}

interface SampleRow {
  cluster: string;
  username: string;
  namespace: string;
  resource: string;
  subresource: string;
  apiGroup: string;
  name: string;
  verb: string;
  id: string;
}

export function hexToUuid(hex: string): string {
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The epoch ms a UUIDv7 (hex or dashed) carries in its first 48 bits. */
export function uuidTimeMs(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

function counted<T>(values: T[], key: (v: T) => string): [string, number, T][] {
  const map = new Map<string, [string, number, T]>();
  for (const v of values) {
    const k = key(v);
    const entry = map.get(k);
    if (entry) entry[1]++;
    else map.set(k, [k, 1, v]);
  }
  return [...map.values()].sort((a, b) => b[1] - a[1]);
}

/** A spread over a list sorted by frequency: the first few, then evenly down to the tail. */
function spread<T>(sorted: T[], head: number, total: number): T[] {
  const out = sorted.slice(0, head);
  const rest = sorted.slice(head);
  const step = rest.length / Math.max(1, total - head);
  for (let i = 0; out.length < total && i < rest.length; i++) {
    const pick = rest[Math.floor(i * step)];
    if (pick !== undefined && !out.includes(pick)) out.push(pick);
  }
  return out;
}

const WORD = /^[a-z][a-z]{3,}$/;

export async function sampleParams(
  database: string,
  options: { sampleRows: number; exportRows: number },
): Promise<QueryParams> {
  const table = `\`${database}\`.audit_events`;
  const [{ n }] = (await adminQuery(`SELECT COUNT(*) AS n FROM ${table}`)) as { n: number }[];
  const total = Number(n);
  const rows = (await adminQuery(
    `SELECT cluster, username, namespace, resource, subresource, api_group AS apiGroup, name, verb,
            LOWER(HEX(id)) AS id
       FROM ${table} ORDER BY id DESC LIMIT ${Math.floor(options.sampleRows)}`,
  )) as SampleRow[];
  if (rows.length === 0) throw new Error(`no events in ${database}`);
  const [oldest] = (await adminQuery(
    `SELECT LOWER(HEX(id)) AS id FROM ${table} ORDER BY id ASC LIMIT 1`,
  )) as { id: string }[];
  const exportRows = Math.max(1, Math.min(options.exportRows, Math.floor(total / 2)));
  const [boundary] = (await adminQuery(
    `SELECT LOWER(HEX(id)) AS id FROM ${table} ORDER BY id DESC LIMIT 1 OFFSET ${exportRows - 1}`,
  )) as { id: string }[];

  const users = counted(rows, (r) => r.username).map(([u]) => u);
  const humans = users.filter((u) => !u.startsWith('system:'));
  const resourceName = (r: SampleRow) => (r.apiGroup ? `${r.resource}.${r.apiGroup}` : r.resource);
  const nsResources = counted(
    rows.filter((r) => r.namespace !== ''),
    (r) => `${r.namespace} ${resourceName(r)}`,
  ).map(([, count, r]) => ({ namespace: r.namespace, resource: resourceName(r), count }));
  // The pairs people filter by most: pods (and exec sessions) and deployments of a namespace.
  const wantedPairs = [
    ...nsResources.filter((p) => p.resource === 'pods').slice(0, 2),
    ...nsResources.filter((p) => p.resource === 'deployments.apps').slice(0, 1),
    ...nsResources.filter((p) => p.resource === 'secrets').slice(0, 1),
    ...counted(
      rows.filter((r) => r.resource === 'pods' && r.subresource === 'exec'),
      (r) => r.namespace,
    )
      .slice(0, 1)
      .map(([, count, r]) => ({ namespace: r.namespace, resource: 'pods/exec', count })),
  ];
  const writes = rows.filter(
    (r) => ['create', 'update', 'patch', 'delete'].includes(r.verb) && r.name !== '',
  );
  const objects = counted(writes, (r) =>
    [r.cluster, r.apiGroup, r.resource, r.namespace, r.name].join('|'),
  )
    .slice(0, 8)
    .map(([, count, r]) => ({
      cluster: r.cluster,
      apiGroup: r.apiGroup,
      resource: r.resource,
      namespace: r.namespace,
      name: r.name,
      writes: count,
    }));
  const nameWords = counted(
    rows.flatMap((r) => r.name.split(/[^a-z]+/).filter((w) => WORD.test(w))),
    (w) => w,
  ).map(([w]) => w);
  const userWords = counted(
    humans.flatMap((u) => u.split(/[^a-z]+/).filter((w) => WORD.test(w) && w !== 'example')),
    (w) => w,
  ).map(([w]) => w);
  const step = Math.max(1, Math.floor(rows.length / 40));
  return {
    total,
    newestMs: uuidTimeMs(rows[0].id),
    oldestMs: oldest ? uuidTimeMs(oldest.id) : uuidTimeMs(rows[rows.length - 1].id),
    clusters: counted(rows, (r) => r.cluster).map(([c]) => c),
    users: spread(users, 3, 10),
    humans: spread(humans, 2, 8),
    nsResources: [
      ...new Map(
        [...wantedPairs, ...spread(nsResources, 3, 12 - wantedPairs.length)].map((p) => [
          `${p.namespace} ${p.resource}`,
          p,
        ]),
      ).values(),
    ],
    objects,
    ids: rows.filter((_, i) => i % step === 0).map((r) => hexToUuid(r.id)),
    // Common words (app names) and rarer ones alike.
    nameWords: spread(nameWords, 3, 8),
    userWords: spread(userWords, 2, 6),
    exportFromMs: boundary ? uuidTimeMs(boundary.id) : uuidTimeMs(rows[rows.length - 1].id),
    exportRows,
  };
}
