import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { acquireDatabaseLease, DatabaseLease } from '../database/database-lease';
import { SOURCE_CHECKPOINTS_TABLE } from '../database/schema';
import { SQL_DIALECT, SqlDialect } from '../database/sql-dialect';
import type { SourceStore, StoredSourcePosition } from './source-store.repository';

interface Row {
  source: string;
  position: string | null;
  last_event_ms: number | string | null;
  updated_at_ms: number | string;
}

const COLUMNS = 'source, position, last_event_ms, updated_at_ms';

function toPosition(row: Row): StoredSourcePosition {
  return {
    source: row.source,
    position: row.position,
    lastEventMs: row.last_event_ms === null ? null : Number(row.last_event_ms),
    updatedAtMs: Number(row.updated_at_ms),
  };
}

@Injectable()
export class SqlSourceStore implements SourceStore {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SQL_DIALECT) private readonly dialect: SqlDialect,
  ) {}

  acquireLease(source: string): Promise<DatabaseLease | undefined> {
    // MySQL lock names stop at 64 characters and carry the database's name: a digest of the
    // source's name keeps two long names apart.
    const digest = createHash('sha256').update(source).digest('hex').slice(0, 16);
    return acquireDatabaseLease(this.dataSource, this.dialect, `k8s_audit_source_${digest}`);
  }

  async position(source: string): Promise<StoredSourcePosition | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM ${SOURCE_CHECKPOINTS_TABLE} WHERE source = ?`,
      [source],
    )) as Row[];
    return rows[0] && toPosition(rows[0]);
  }

  async positions(): Promise<StoredSourcePosition[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM ${SOURCE_CHECKPOINTS_TABLE} ORDER BY source`,
    )) as Row[];
    return rows.map(toPosition);
  }
}
