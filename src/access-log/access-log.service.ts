import { ForbiddenException, Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import type { Identity } from '../auth/identity';
import {
  ACCESS_LIMITS,
  ACCESS_LOG_REPOSITORY,
  AccessAction,
  AccessEntry,
  AccessLogFilter,
  AccessLogRepository,
} from './access-log.repository';

/** Who acted: an identity, or for a failed login the name that was tried and how. */
export type AccessActor = Pick<Identity, 'name' | 'via'>;

/** Where an access came from and what it asked for. */
export interface AccessDetails {
  /** The URL asked for, or the event id; cut to 2 KB. */
  target?: string;
  clientAddress?: string;
  userAgent?: string;
}

/** The client's address (the proxy's X-Forwarded-For under TRUST_PROXY) and user agent. */
export function detailsOf(request: FastifyRequest, target?: string): AccessDetails {
  const agent = request.headers['user-agent'];
  return {
    target: target ?? request.url,
    clientAddress: request.ip,
    userAgent: typeof agent === 'string' ? agent : '',
  };
}

/** At most `limit` characters (code points): a longer text keeps its start and an ellipsis. */
export function bounded(text: string, limit: number): string {
  const chars = Array.from(text);
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join('')}…`;
}

/**
 * "Who looked": the console's and the API's own reads (and logins) in their own table. A
 * record is written before the answer is sent; when it cannot be written the failure is
 * logged and the read goes on, so the log never takes the console down with it.
 */
@Injectable()
export class AccessLogService {
  private readonly logger = new Logger('AccessLog');

  constructor(@Inject(ACCESS_LOG_REPOSITORY) private readonly repository: AccessLogRepository) {}

  async record(
    actor: AccessActor,
    action: AccessAction,
    details: AccessDetails = {},
  ): Promise<void> {
    const now = Date.now();
    const entry: AccessEntry = {
      id: uuidv7({ msecs: now }),
      at: new Date(now).toISOString(),
      name: bounded(actor.name, ACCESS_LIMITS.name),
      via: actor.via,
      action,
      target: bounded(details.target ?? '', ACCESS_LIMITS.target),
      clientAddress: bounded(details.clientAddress ?? '', ACCESS_LIMITS.clientAddress),
      userAgent: bounded(details.userAgent ?? '', ACCESS_LIMITS.userAgent),
    };
    try {
      await this.repository.append(entry);
    } catch (error) {
      this.logger.error(
        `could not record ${action} by ${JSON.stringify(entry.name)}: ${String(error)}`,
      );
    }
  }

  /** The log, newest first: for administrators (ADMIN_GROUPS) only. */
  async list(
    reader: Identity,
    filter: AccessLogFilter,
    page: { limit: number; cursor?: string },
  ): Promise<{ items: AccessEntry[]; nextCursor: string | null }> {
    if (!reader.admin) {
      throw new ForbiddenException('the access log is for administrators (ADMIN_GROUPS)');
    }
    const rows = await this.repository.list(filter, { limit: page.limit + 1, before: page.cursor });
    const items = rows.slice(0, page.limit);
    return { items, nextCursor: rows.length > page.limit ? items[items.length - 1].id : null };
  }
}
