import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { EVENT_READER, EventReader, StoredEvent } from './event-reader.repository';

export const DEFAULT_PAGE_SIZE = 100;

export interface EventPage {
  items: StoredEvent[];
  nextCursor: string | null;
}

@Injectable()
export class AuditService {
  constructor(@Inject(EVENT_READER) private readonly reader: EventReader) {}

  async listEvents(query: { cluster?: string; limit?: number; cursor?: string }): Promise<EventPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    // One row more than asked tells whether another page exists without a COUNT.
    const rows = await this.reader.list({ cluster: query.cluster, before: query.cursor, limit: limit + 1 });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  async getEvent(id: string): Promise<StoredEvent & { event: unknown }> {
    const found = await this.reader.get(id.toLowerCase());
    if (!found) throw new NotFoundException(`no event with id ${id}`);
    return { ...found.event, event: JSON.parse(found.json) as unknown };
  }
}
