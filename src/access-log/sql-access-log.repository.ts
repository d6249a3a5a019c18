import { Injectable } from '@nestjs/common';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { lowestIdAt } from '../audit/event-filters';
import type { Identity } from '../auth/identity';
import { bufferToUuid, uuidToBuffer } from '../database/events-table';
import { ACCESS_LOG_TABLE } from '../database/schema';
import type {
  AccessAction,
  AccessEntry,
  AccessLogFilter,
  AccessLogRepository,
} from './access-log.repository';

type Row = Record<string, unknown>;

const COLUMNS = [
  'id',
  'at_ms',
  'username',
  'via',
  'action',
  'target',
  'client_address',
  'user_agent',
];

function toEntry(row: Row): AccessEntry {
  return {
    id: bufferToUuid(row.id as Buffer),
    at: new Date(Number(row.at_ms)).toISOString(),
    name: String(row.username),
    via: String(row.via) as Identity['via'],
    action: String(row.action) as AccessAction,
    target: String(row.target),
    clientAddress: String(row.client_address),
    userAgent: String(row.user_agent),
  };
}

/** The access log's SQL: every value a bound parameter. */
@Injectable()
export class SqlAccessLogRepository implements AccessLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  async append(entry: AccessEntry): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(ACCESS_LOG_TABLE)
      .values({
        id: uuidToBuffer(entry.id),
        at_ms: Date.parse(entry.at),
        username: entry.name,
        via: entry.via,
        action: entry.action,
        target: entry.target,
        client_address: entry.clientAddress,
        user_agent: entry.userAgent,
      })
      .execute();
  }

  async list(
    filter: AccessLogFilter,
    page: { limit: number; before?: string },
  ): Promise<AccessEntry[]> {
    const qb = this.dataSource
      .createQueryBuilder()
      .from(ACCESS_LOG_TABLE, 'a') as SelectQueryBuilder<Row>;
    for (const column of COLUMNS) qb.addSelect(`a.${column}`, column);
    if (filter.name !== undefined) qb.andWhere('a.username = :name', { name: filter.name });
    if (filter.action !== undefined) qb.andWhere('a.action = :action', { action: filter.action });
    // Ids are UUIDv7 of the time of the access: a time range is an id range.
    if (filter.fromMs !== undefined)
      qb.andWhere('a.id >= :from', { from: lowestIdAt(filter.fromMs) });
    if (filter.toMs !== undefined) qb.andWhere('a.id < :to', { to: lowestIdAt(filter.toMs) });
    if (page.before !== undefined)
      qb.andWhere('a.id < :before', { before: uuidToBuffer(page.before) });
    const rows = await qb.orderBy('a.id', 'DESC').limit(page.limit).getRawMany<Row>();
    return rows.map(toEntry);
  }
}
