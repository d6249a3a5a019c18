import Database from 'better-sqlite3';
import type { DatabaseConfig } from '../../src/config/app-config';
import type { Delivery } from './apiserver-sender';
import { MARIADB } from './mariadb';

/**
 * How many rows each auditID of a cluster has, read from the database itself (a connection of
 * the test, straight to the server or file, never through the application or its proxy).
 */
export async function storedCounts(
  database: DatabaseConfig,
  cluster: string,
): Promise<Map<string, number>> {
  const sql =
    'SELECT audit_id AS auditID, COUNT(*) AS n FROM audit_events WHERE cluster = ? GROUP BY audit_id';
  let rows: { auditID: string; n: number | string }[];
  if (database.type === 'sqlite') {
    const db = new Database(database.path, { readonly: true, fileMustExist: true });
    try {
      rows = db.prepare(sql).all(cluster) as typeof rows;
    } finally {
      db.close();
    }
  } else {
    const mysql = await import('mysql2/promise');
    const connection = await mysql.createConnection({ ...MARIADB, database: database.name });
    try {
      [rows] = (await connection.query(sql, [cluster])) as unknown as [typeof rows];
    } finally {
      await connection.end();
    }
  }
  return new Map(rows.map((row) => [row.auditID, Number(row.n)]));
}

export interface Tally {
  /** Distinct events the client sent. */
  sent: number;
  /** Distinct events of batches answered 2xx. */
  acked: number;
  /** Events sent that are in the database. */
  stored: number;
  /** Rows beyond the first for an event. */
  duplicated: number;
  /** Rows of the cluster that no batch sent. */
  unknown: number;
  /** Batches answered 2xx with an event missing from the database. */
  ackedButMissing: number[];
}

export function tally(deliveries: Delivery[], counts: Map<string, number>): Tally {
  const sentIDs = new Set(deliveries.flatMap((d) => d.batch.auditIDs));
  let stored = 0;
  let duplicated = 0;
  let unknown = 0;
  for (const [auditID, n] of counts) {
    if (!sentIDs.has(auditID)) {
      unknown += n;
      continue;
    }
    stored++;
    duplicated += n - 1;
  }
  const acked = deliveries.filter((d) => d.acked);
  return {
    sent: sentIDs.size,
    acked: new Set(acked.flatMap((d) => d.batch.auditIDs)).size,
    stored,
    duplicated,
    unknown,
    ackedButMissing: acked
      .filter((d) => d.batch.auditIDs.some((id) => !counts.has(id)))
      .map((d) => d.batch.index),
  };
}

/** The line each fault scenario prints for the report (docs/faults.md). */
export function printTally(scenario: string, t: Tally): void {
  process.stdout.write(
    `[faults] ${scenario}: sent=${t.sent} acked=${t.acked} stored=${t.stored} duplicated=${t.duplicated}\n`,
  );
}
