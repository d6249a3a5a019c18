import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SESSIONS_TABLE } from '../database/schema';
import type { SessionRepository, StoredSession } from './session.repository';

interface SessionRow {
  id_hash: string;
  username: string;
  via: string;
  user_groups: string;
  created_at: number | string;
  expires_at: number | string;
}

/** Sessions in the `console_sessions` table (MySQL/MariaDB or SQLite, portable SQL). */
@Injectable()
export class SqlSessionRepository implements SessionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(session: StoredSession): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${SESSIONS_TABLE} (id_hash, username, via, user_groups, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
      [
        session.idHash,
        session.username,
        session.via,
        JSON.stringify(session.groups),
        session.createdAt,
        session.expiresAt,
      ],
    );
  }

  async find(idHash: string, now: number): Promise<StoredSession | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT id_hash, username, via, user_groups, created_at, expires_at FROM ${SESSIONS_TABLE} WHERE id_hash = ? AND expires_at > ?`,
      [idHash, now],
    )) as SessionRow[];
    const row = rows[0];
    if (!row) return undefined;
    return {
      idHash: row.id_hash,
      username: row.username,
      via: row.via === 'oidc' ? 'oidc' : 'password',
      groups: parseGroups(row.user_groups),
      createdAt: Number(row.created_at),
      expiresAt: Number(row.expires_at),
    };
  }

  async revoke(idHash: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM ${SESSIONS_TABLE} WHERE id_hash = ?`, [idHash]);
  }

  async deleteExpired(now: number): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const result = await runner.query(
        `DELETE FROM ${SESSIONS_TABLE} WHERE expires_at <= ?`,
        [now],
        true,
      );
      return result.affected ?? 0;
    } finally {
      await runner.release();
    }
  }
}

function parseGroups(json: string): string[] {
  const groups: unknown = JSON.parse(json);
  return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [];
}
