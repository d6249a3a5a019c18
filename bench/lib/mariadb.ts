import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

/** The benchmark's MariaDB; BENCH_DB_* override the local defaults. */
export const MARIADB = {
  host: process.env.BENCH_DB_HOST ?? '127.0.0.1',
  port: Number(process.env.BENCH_DB_PORT ?? 3306),
  user: process.env.BENCH_DB_USER ?? 'root',
  password: process.env.BENCH_DB_PASSWORD ?? '',
};

export function benchDatabaseName(): string {
  return `audit_bench_${randomBytes(3).toString('hex')}`;
}

export async function adminQuery(sql: string): Promise<unknown> {
  const connection = await mysql.createConnection(MARIADB);
  try {
    const [rows] = await connection.query(sql);
    return rows;
  } finally {
    await connection.end();
  }
}

export async function dropDatabase(name: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS \`${name}\``);
}

export async function serverVersion(): Promise<string> {
  const rows = (await adminQuery('SELECT VERSION() AS v')) as { v: string }[];
  return rows[0].v;
}
