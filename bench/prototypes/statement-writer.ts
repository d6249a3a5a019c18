import type { DataSource, QueryRunner } from 'typeorm';
import type { SqlDialect } from '../../src/database/sql-dialect';
import type { EventRow, QuarantineRow } from '../../src/ingest/event-row';
import {
  EventWriter,
  StorageUnavailableError,
  WriteResult,
} from '../../src/ingest/event-writer.repository';
import { BatchStatements, StatementMode } from './sql-batch';

/** src's SqlEventWriter (one transaction per request) with a choice of statement kind. */
export class StatementEventWriter implements EventWriter {
  private readonly statements: BatchStatements;

  constructor(
    private readonly dataSource: DataSource,
    dialect: SqlDialect,
    mode: StatementMode,
  ) {
    this.statements = new BatchStatements(dialect, mode);
  }

  async write(events: EventRow[], quarantine: QuarantineRow[]): Promise<WriteResult> {
    if (events.length === 0 && quarantine.length === 0) return { inserted: 0, quarantined: 0 };
    let runner: QueryRunner | undefined;
    try {
      runner = this.dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      const result = await this.statements.write(runner, events, quarantine);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner?.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw new StorageUnavailableError(error);
    } finally {
      await runner?.release().catch(() => undefined);
    }
  }
}
