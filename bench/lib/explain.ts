/**
 * What SQL did the server run for one request, and how does MariaDB execute it. The statements
 * are read back from the general log (switched on for the duration of `action` only, written to
 * the mysql.general_log table, then restored to what it was), keeping those of the connections
 * open on the benchmark's database. Each SELECT is then EXPLAINed (or ANALYZEd: executed, with
 * the real row counts) on the same database.
 */
import mysql from 'mysql2/promise';
import { MARIADB } from './mariadb';

export interface CapturedStatement {
  thread: number;
  sql: string;
}

export interface Plan {
  sql: string;
  /** EXPLAIN / ANALYZE rows as MariaDB returns them. */
  rows: Record<string, unknown>[];
  /** Wall time of the ANALYZE (which runs the statement), when analyzed. */
  ms?: number;
  error?: string;
}

async function connect(database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({ ...MARIADB, database, dateStrings: true });
}

async function threadsOn(connection: mysql.Connection, database: string): Promise<number[]> {
  const [rows] = await connection.query(
    'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ?',
    [database],
  );
  return (rows as { id: number }[]).map((r) => Number(r.id));
}

/** Runs `action` with the general log on and returns the statements the server sent meanwhile. */
export async function captureStatements(
  database: string,
  action: () => Promise<unknown>,
): Promise<CapturedStatement[]> {
  const connection = await connect();
  try {
    const [settings] = await connection.query(
      'SELECT @@global.general_log AS generalLog, @@global.log_output AS logOutput, NOW(6) AS now',
    );
    const { generalLog, logOutput, now } = (
      settings as { generalLog: number; logOutput: string; now: string }[]
    )[0];
    const outputs = logOutput
      .split(',')
      .map((o) => o.trim().toUpperCase())
      .filter((o) => o && o !== 'NONE');
    const withTable = outputs.includes('TABLE') ? outputs : [...outputs, 'TABLE'];
    const threads = new Set(await threadsOn(connection, database));
    await connection.query(`SET GLOBAL log_output = '${withTable.join(',')}'`);
    await connection.query('SET GLOBAL general_log = 1');
    try {
      await action();
    } finally {
      await connection.query(`SET GLOBAL general_log = ${Number(generalLog) ? 1 : 0}`);
      await connection.query(`SET GLOBAL log_output = '${logOutput}'`);
    }
    for (const id of await threadsOn(connection, database)) threads.add(id);
    if (threads.size === 0) return [];
    const [rows] = await connection.query(
      `SELECT thread_id AS thread, CONVERT(argument USING utf8mb4) AS \`sql\`
         FROM mysql.general_log
        WHERE event_time >= ? AND thread_id IN (?) AND command_type IN ('Query', 'Execute')
        ORDER BY event_time`,
      [now, [...threads]],
    );
    return (rows as { thread: number; sql: string }[]).map((r) => ({
      thread: Number(r.thread),
      sql: String(r.sql),
    }));
  } finally {
    await connection.end();
  }
}

function isSelect(sql: string): boolean {
  return /^\s*\(?\s*(SELECT|WITH)\b/i.test(sql);
}

/** EXPLAIN (or, with `analyze`, ANALYZE: runs it, at most `maxSeconds`) each distinct SELECT. */
export async function explainStatements(
  database: string,
  statements: string[],
  options: { analyze?: boolean; maxSeconds?: number } = {},
): Promise<Plan[]> {
  const connection = await connect(database);
  const plans: Plan[] = [];
  try {
    for (const sql of [...new Set(statements)].filter(isSelect)) {
      const prefix = options.analyze
        ? `SET STATEMENT max_statement_time=${options.maxSeconds ?? 60} FOR ANALYZE`
        : 'EXPLAIN';
      const t0 = performance.now();
      try {
        const [rows] = await connection.query(`${prefix} ${sql}`);
        plans.push({
          sql,
          rows: rows as Record<string, unknown>[],
          ms: options.analyze ? performance.now() - t0 : undefined,
        });
      } catch (error) {
        plans.push({
          sql,
          rows: [],
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  } finally {
    await connection.end();
  }
  return plans;
}

/** A plan as a Markdown table (ready for docs/benchmarks.md). */
export function formatPlan(plan: Plan, maxSqlChars = 2000): string {
  const sql = plan.sql.length > maxSqlChars ? `${plan.sql.slice(0, maxSqlChars)} ...` : plan.sql;
  const lines = [`    ${sql.replace(/\s+/g, ' ')}`];
  if (plan.ms !== undefined) lines.push(`  ANALYZE ran in ${plan.ms.toFixed(0)} ms`);
  if (plan.error) {
    lines.push(`  (no plan: ${plan.error})`);
    return lines.join('\n');
  }
  const columns = plan.rows.length > 0 ? Object.keys(plan.rows[0]) : [];
  const cell = (v: unknown) =>
    (v === null || v === undefined ? '' : String(v)).replace(/\|/g, '\\|');
  lines.push(`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`);
  for (const row of plan.rows) lines.push(`| ${columns.map((c) => cell(row[c])).join(' | ')} |`);
  return lines.join('\n');
}
