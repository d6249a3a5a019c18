import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EVENTS_TABLE } from '../database/schema';
import { sqlToMicroTime } from '../domain/micro-time';
import {
  EventFilter,
  EventReader,
  StoredEvent,
  StoredEventWithJson,
} from './event-reader.repository';

const SUMMARY_COLUMNS =
  'id, cluster, audit_id, stage, level, verb, username, user_groups, impersonated_user, source_ips, ' +
  'user_agent, api_group, api_version, resource, subresource, namespace, name, response_code, decision, ' +
  'request_received_at, stage_at, request_uri';

interface EventRowData {
  id: Buffer;
  cluster: string;
  audit_id: string;
  stage: string;
  level: string;
  verb: string;
  username: string;
  user_groups: string;
  impersonated_user: string | null;
  source_ips: string;
  user_agent: string;
  api_group: string;
  api_version: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  response_code: number | null;
  decision: string | null;
  request_received_at: string;
  stage_at: string;
  request_uri: string;
  event?: string;
}

export function uuidToBuffer(id: string): Buffer {
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

export function bufferToUuid(buf: Buffer): string {
  const hex = buf.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function jsonArray(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

function toStoredEvent(row: EventRowData): StoredEvent {
  return {
    id: bufferToUuid(row.id),
    cluster: row.cluster,
    auditID: row.audit_id,
    stage: row.stage,
    level: row.level,
    verb: row.verb,
    username: row.username,
    groups: jsonArray(row.user_groups),
    impersonatedUser: row.impersonated_user,
    sourceIPs: jsonArray(row.source_ips),
    userAgent: row.user_agent,
    apiGroup: row.api_group,
    apiVersion: row.api_version,
    resource: row.resource,
    subresource: row.subresource,
    namespace: row.namespace,
    name: row.name,
    responseCode: row.response_code === null ? null : Number(row.response_code),
    decision: row.decision,
    requestReceivedTimestamp: sqlToMicroTime(row.request_received_at),
    stageTimestamp: sqlToMicroTime(row.stage_at),
    requestURI: row.request_uri,
  };
}

/** Keyset pagination on the UUIDv7 primary key: newest first, constant cost per page. */
@Injectable()
export class SqlEventReader implements EventReader {
  constructor(private readonly dataSource: DataSource) {}

  async list(filter: EventFilter): Promise<StoredEventWithJson[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.cluster !== undefined) {
      where.push('cluster = ?');
      params.push(filter.cluster);
    }
    if (filter.before !== undefined) {
      where.push('id < ?');
      params.push(uuidToBuffer(filter.before));
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    params.push(filter.limit);
    const rows = (await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS}, event FROM ${EVENTS_TABLE} ${clause} ORDER BY id DESC LIMIT ?`,
      params,
    )) as EventRowData[];
    return rows.map((row) => ({ event: toStoredEvent(row), json: row.event ?? '{}' }));
  }

  async get(id: string): Promise<StoredEventWithJson | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS}, event FROM ${EVENTS_TABLE} WHERE id = ?`,
      [uuidToBuffer(id)],
    )) as EventRowData[];
    const row = rows[0];
    return row ? { event: toStoredEvent(row), json: row.event ?? '{}' } : undefined;
  }
}
