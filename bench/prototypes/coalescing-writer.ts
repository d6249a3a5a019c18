import type { DataSource, QueryRunner } from 'typeorm';
import type { SqlDialect } from '../../src/database/sql-dialect';
import type { EventRow, QuarantineRow } from '../../src/ingest/event-row';
import {
  EventWriter,
  StorageUnavailableError,
  WriteResult,
} from '../../src/ingest/event-writer.repository';
import { BatchStatements, StatementMode } from './sql-batch';

interface Pending {
  events: EventRow[];
  quarantine: QuarantineRow[];
  resolve(result: WriteResult): void;
  reject(error: unknown): void;
}

export interface CoalescingOptions {
  /** Most rows one transaction takes (a single larger request still goes alone). */
  maxRows: number;
  /** Transactions in flight at once; requests arriving meanwhile wait and are grouped. */
  concurrency: number;
  /** How the rows are sent (see StatementMode). */
  mode: StatementMode;
}

/**
 * Group commit in the application: requests that arrive while `concurrency` transactions are
 * busy are written together in the next one, one statement per request so each still gets its
 * own inserted count. Every request is answered only after its transaction commits. No timer:
 * an idle server writes a lone request at once, a busy one writes fewer, larger transactions.
 * If a shared transaction fails, its requests are retried one by one, so one bad batch cannot
 * fail the others.
 */
export class CoalescingEventWriter implements EventWriter {
  private readonly queue: Pending[] = [];
  private active = 0;
  private readonly statements: BatchStatements;
  /** Requests per committed transaction, for the benchmark's report. */
  readonly groupSizes: number[] = [];

  constructor(
    private readonly dataSource: DataSource,
    dialect: SqlDialect,
    private readonly options: CoalescingOptions,
  ) {
    this.statements = new BatchStatements(dialect, options.mode);
  }

  write(events: EventRow[], quarantine: QuarantineRow[]): Promise<WriteResult> {
    if (events.length === 0 && quarantine.length === 0)
      return Promise.resolve({ inserted: 0, quarantined: 0 });
    return new Promise((resolve, reject) => {
      this.queue.push({ events, quarantine, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.active < this.options.concurrency && this.queue.length > 0) {
      const group = this.takeGroup();
      this.active++;
      void this.commitGroup(group).finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  private takeGroup(): Pending[] {
    const group = [this.queue.shift()!];
    let rows = group[0].events.length + group[0].quarantine.length;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      const size = next.events.length + next.quarantine.length;
      if (rows + size > this.options.maxRows) break;
      group.push(this.queue.shift()!);
      rows += size;
    }
    return group;
  }

  private async commitGroup(group: Pending[]): Promise<void> {
    try {
      const results = await this.transaction(group);
      this.groupSizes.push(group.length);
      group.forEach((p, i) => p.resolve(results[i]));
    } catch (error) {
      if (group.length === 1) {
        group[0].reject(new StorageUnavailableError(error));
        return;
      }
      for (const p of group) await this.commitGroup([p]);
    }
  }

  private async transaction(group: Pending[]): Promise<WriteResult[]> {
    let runner: QueryRunner | undefined;
    try {
      runner = this.dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      const results: WriteResult[] = [];
      for (const p of group)
        results.push(await this.statements.write(runner, p.events, p.quarantine));
      await runner.commitTransaction();
      return results;
    } catch (error) {
      if (runner?.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner?.release().catch(() => undefined);
    }
  }
}
