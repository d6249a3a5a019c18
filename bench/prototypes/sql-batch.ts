import type { QueryRunner } from 'typeorm';
import {
  EVENT_COLUMNS,
  EVENTS_TABLE,
  QUARANTINE_COLUMNS,
  QUARANTINE_TABLE,
} from '../../src/database/schema';
import type { SqlDialect } from '../../src/database/sql-dialect';
import type { EventRow, QuarantineRow } from '../../src/ingest/event-row';
import { chunkRows } from '../../src/ingest/sql-event-writer.repository';
import { CallbackConnection, loadData, loadDataSql, rowsToTsv } from './tsv';

type Row = readonly unknown[];

/**
 * How rows reach MariaDB. insert: multi-row INSERT IGNORE through TypeORM's query(), values
 * escaped into the SQL text by mysql2 (what src/ does); execute: the same statement prepared,
 * values sent in the binary protocol (no escaping, no value parsing on the server); load-data:
 * LOAD DATA LOCAL INFILE ... IGNORE of a TSV stream.
 */
export type StatementMode = 'insert' | 'execute' | 'load-data';

interface ExecuteConnection {
  execute(
    sql: string,
    values: unknown[],
    callback: (error: Error | null, result: unknown) => void,
  ): void;
}

function execute(connection: ExecuteConnection, sql: string, values: unknown[]): Promise<number> {
  return new Promise((resolve, reject) => {
    connection.execute(sql, values, (error, result) => {
      if (error) reject(error);
      else resolve((result as { affectedRows?: number }).affectedRows ?? 0);
    });
  });
}

/** The statements of one request's rows, run on a query runner inside a transaction the caller owns. */
export class BatchStatements {
  private readonly eventsInsert: string;
  private readonly quarantineInsert: string;
  private readonly eventsLoad = loadDataSql(EVENTS_TABLE, EVENT_COLUMNS, ['id', 'content_hash']);
  private readonly quarantineLoad = loadDataSql(QUARANTINE_TABLE, QUARANTINE_COLUMNS, [
    'id',
    'content_hash',
  ]);

  constructor(
    private readonly dialect: SqlDialect,
    private readonly mode: StatementMode,
  ) {
    this.eventsInsert = dialect.insertIgnore(EVENTS_TABLE, EVENT_COLUMNS);
    this.quarantineInsert = dialect.insertIgnore(QUARANTINE_TABLE, QUARANTINE_COLUMNS);
  }

  async write(runner: QueryRunner, events: EventRow[], quarantine: QuarantineRow[]) {
    const inserted = await this.rows(runner, this.eventsInsert, this.eventsLoad, events);
    const quarantined = await this.rows(
      runner,
      this.quarantineInsert,
      this.quarantineLoad,
      quarantine,
    );
    return { inserted, quarantined };
  }

  private async rows(
    runner: QueryRunner,
    insert: string,
    load: string,
    rows: Row[],
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const mysql = this.dialect.name === 'mysql';
    if (this.mode === 'load-data' && mysql) {
      const connection = (await runner.connect()) as CallbackConnection;
      return loadData(connection, load, rowsToTsv(rows));
    }
    let affected = 0;
    const placeholders = `(${rows[0].map(() => '?').join(',')})`;
    for (const chunk of chunkRows(rows, this.dialect.maxParams, this.dialect.maxStatementBytes)) {
      const sql = insert + new Array<string>(chunk.length).fill(placeholders).join(',');
      if (this.mode === 'execute' && mysql) {
        affected += await execute((await runner.connect()) as ExecuteConnection, sql, chunk.flat());
      } else {
        const result = await runner.query(sql, chunk.flat(), true);
        affected += result.affected ?? 0;
      }
    }
    return affected;
  }
}
