import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { JsonValue } from '../domain/audit-event';
import { normalizeEvent } from '../domain/normalize-event';
import { Explanation, ReconstructionService } from '../reconstruction/reconstruction.service';
import {
  EVENT_READER,
  EventReader,
  StoredEvent,
  StoredEventWithJson,
} from './event-reader.repository';

export const DEFAULT_PAGE_SIZE = 100;

/** The API item: the stored columns plus the sentence and the kubectl command. */
export type EventItem = StoredEvent & Explanation;

export interface EventPage {
  items: EventItem[];
  nextCursor: string | null;
}

@Injectable()
export class AuditService {
  constructor(
    @Inject(EVENT_READER) private readonly reader: EventReader,
    private readonly reconstruction: ReconstructionService,
  ) {}

  async listEvents(query: {
    cluster?: string;
    limit?: number;
    cursor?: string;
  }): Promise<EventPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    // One row more than asked tells whether another page exists without a COUNT.
    const rows = await this.reader.list({
      cluster: query.cluster,
      before: query.cursor,
      limit: limit + 1,
    });
    const items = rows
      .slice(0, limit)
      .map((row) => this.toItem(row, JSON.parse(row.json) as unknown));
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  async getEvent(id: string): Promise<EventItem & { event: unknown }> {
    const found = await this.reader.get(id.toLowerCase());
    if (!found) throw new NotFoundException(`no event with id ${id}`);
    const raw = JSON.parse(found.json) as JsonValue;
    return { ...this.toItem(found, raw), event: this.reconstruction.redactForDisplay(raw) };
  }

  private toItem(row: StoredEventWithJson, raw: unknown): EventItem {
    const normalized = normalizeEvent(raw);
    // Stored events were normalized on the way in; this only guards against edited rows.
    const explanation: Explanation = normalized.ok
      ? this.reconstruction.explain(normalized.event, row.event.cluster)
      : {
          summary: `unreadable event: ${normalized.reason}`,
          kubectl: { command: '', fidelity: 'none', notes: [] },
        };
    return { ...row.event, ...explanation };
  }
}
