import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../../../src/config/app-config';
import type { TestApp } from '../../support/test-app';

export const TEST_RULES = join(__dirname, 'rules', 'test-rules.yaml');
/** Our test rules only: the default ruleset evolves on its own. */
export const TEST_RULES_ENV = {
  DETECTIONS: 'true',
  RULES_DEFAULT: 'false',
  RULES_FILES: TEST_RULES,
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface EventSpec {
  verb: string;
  resource: string;
  name: string;
  user?: string;
  namespace?: string;
  atMs: number;
}

/** A minimal audit.k8s.io/v1 event (ResponseComplete) at `atMs`. */
export function auditEvent(spec: EventSpec): Record<string, unknown> {
  const ns = spec.namespace ?? 'default';
  const time = new Date(spec.atMs).toISOString().replace('Z', '000Z');
  return {
    level: 'Metadata',
    auditID: randomUUID(),
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/${ns}/${spec.resource}/${spec.name}`,
    verb: spec.verb,
    user: { username: spec.user ?? 'alice', groups: ['system:authenticated'] },
    sourceIPs: ['10.1.2.3'],
    userAgent: 'kubectl/v1.30.0',
    objectRef: { resource: spec.resource, namespace: ns, name: spec.name, apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: time,
    stageTimestamp: time,
  };
}

export async function post(
  url: string,
  cluster: string,
  items: Record<string, unknown>[],
): Promise<void> {
  const res = await fetch(`${url}/webhook/audit/${cluster}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items }),
  });
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
}

export function dataSourceOf(app: TestApp): DataSource {
  return app.app.get(DataSource);
}

export interface DetectionRow {
  id: string;
  eventId: string;
  rule: string;
  priority: string;
  severity: number;
  output: string;
  groupedInto: string | null;
  repeats: number;
  fields: string;
  tags: string;
}

export async function detections(ds: DataSource, rule?: string): Promise<DetectionRow[]> {
  const rows = (await ds.query(
    `SELECT id, event_id, rule, priority, severity, output, grouped_into, repeats, fields, tags FROM detections${rule ? ' WHERE rule = ?' : ''} ORDER BY id`,
    rule ? [rule] : [],
  )) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: (r.id as Buffer).toString('hex'),
    eventId: (r.event_id as Buffer).toString('hex'),
    rule: String(r.rule),
    priority: String(r.priority),
    severity: Number(r.severity),
    output: String(r.output),
    groupedInto: r.grouped_into ? (r.grouped_into as Buffer).toString('hex') : null,
    repeats: Number(r.repeats),
    fields: String(r.fields),
    tags: String(r.tags),
  }));
}

/** Waits until `check` passes (it throws until then), up to `withinMs`. */
export async function eventually<T>(check: () => Promise<T>, withinMs = 15_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

/** The detector has taken its position (first start): events posted now are evaluated. */
export async function detectorStarted(ds: DataSource): Promise<void> {
  await eventually(async () => {
    const rows = (await ds.query(
      "SELECT value FROM audit_settings WHERE name = 'detection_checkpoint'",
    )) as unknown[];
    if (rows.length === 0) throw new Error('detector has not started');
  });
}

/** One query on a test database from outside the server (a child process owns the server). */
export async function queryDatabase(
  database: DatabaseConfig,
  sql: string,
  params: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  if (database.type === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(database.path, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all(...params) as Record<string, unknown>[];
    } finally {
      db.close();
    }
  }
  const mysql = await import('mysql2/promise');
  const connection = await mysql.createConnection({
    host: database.host,
    port: database.port,
    user: database.user,
    password: database.password,
    database: database.name,
  });
  try {
    const [rows] = await connection.query(sql, params);
    return rows as Record<string, unknown>[];
  } finally {
    await connection.end();
  }
}

/** Counts that prove "every matching event has exactly one detection" for one rule. */
export async function detectionIntegrity(database: DatabaseConfig, rule: string) {
  const [row] = await queryDatabase(
    database,
    `SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS events,
            SUM(CASE WHEN grouped_into IS NULL THEN 1 ELSE 0 END) AS alerts,
            SUM(repeats) AS repeats
       FROM detections WHERE rule = ?`,
    [rule],
  );
  const [orphans] = await queryDatabase(
    database,
    `SELECT COUNT(*) AS n FROM detections d WHERE d.rule = ? AND d.grouped_into IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM detections a WHERE a.id = d.grouped_into)`,
    [rule],
  );
  return {
    detections: Number(row.n),
    events: Number(row.events),
    alerts: Number(row.alerts ?? 0),
    repeats: Number(row.repeats ?? 0),
    orphans: Number(orphans.n),
  };
}
