import { Inject, Injectable } from '@nestjs/common';
import type { Page } from '../../audit/audit-query';
import { AuditService } from '../../audit/audit.service';
import type { ClusterVisibility } from '../../auth/identity';
import type { StoredDetection } from '../detection';
import {
  DETECTION_READER,
  DetectionFilter,
  DetectionReader,
  RuleSummary,
} from './detection-reader.repository';

/** Most rules the summary lists. */
export const MAX_SUMMARY_RULES = 500;
const WEEK_MS = 7 * 86_400_000;

/** The event a detection fired on, as the list shows it; null once retention deleted it. */
export interface DetectionEventView {
  summary: string;
  username: string;
  verb: string;
  resource: string;
  namespace: string;
  name: string;
  kubectl: string;
}

/** An item of GET /api/v1/detections. */
export interface DetectionItem extends StoredDetection {
  event: DetectionEventView | null;
  links: { event: string; console: string };
}

export interface RuleSummaryItem extends Omit<RuleSummary, 'lastId'> {
  /** The event time of the newest detection (ISO 8601). */
  lastSeen: string;
}

export interface DetectionSummaryAnswer {
  fromMs: number;
  toMs: number;
  rules: RuleSummaryItem[];
}

function idTimeMs(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

/** The read side's use cases: pages of alerts or detections, and the findings per rule. */
@Injectable()
export class DetectionQueryService {
  constructor(
    @Inject(DETECTION_READER) private readonly reader: DetectionReader,
    private readonly audit: AuditService,
  ) {}

  /** Newest first; each item with the sentence of its event (one more statement per page). */
  async list(
    visibility: ClusterVisibility,
    filter: DetectionFilter,
    page: { limit: number; cursor?: string },
  ): Promise<Page<DetectionItem>> {
    // One row more than asked tells whether another page exists without a COUNT.
    const rows = await this.reader.list(visibility, filter, {
      limit: page.limit + 1,
      before: page.cursor,
    });
    const current = rows.slice(0, page.limit);
    const events = await this.audit.eventsByIds(
      visibility,
      [...new Set(current.map((d) => d.eventId))],
      { detections: false },
    );
    const byId = new Map(events.map((event) => [event.id, event]));
    const items = current.map((detection): DetectionItem => {
      const event = byId.get(detection.eventId);
      return {
        ...detection,
        event: event
          ? {
              summary: event.summary,
              username: event.username,
              verb: event.verb,
              resource: event.resource,
              namespace: event.namespace,
              name: event.name,
              kubectl: event.kubectl.command,
            }
          : null,
        links: {
          event: `/api/v1/events/${detection.eventId}`,
          console: `/events/${detection.eventId}`,
        },
      };
    });
    return {
      items,
      nextCursor: rows.length > page.limit ? items[items.length - 1].id : null,
    };
  }

  /** Every detection of one event, with why it fired (the event detail page). */
  ofEvent(visibility: ClusterVisibility, eventId: string): Promise<StoredDetection[]> {
    return this.reader.ofEvent(visibility, eventId.toLowerCase());
  }

  /** Per rule in a range that defaults to the 7 days before `toMs` (or now). */
  async summary(
    visibility: ClusterVisibility,
    filter: Omit<DetectionFilter, 'alertsOnly'>,
    nowMs = Date.now(),
  ): Promise<DetectionSummaryAnswer> {
    const toMs = filter.toMs ?? nowMs;
    const fromMs = filter.fromMs ?? toMs - WEEK_MS;
    // Without `to`, no upper bound: an event stamped a little ahead of this clock still counts.
    const rules = await this.reader.summary(visibility, { ...filter, fromMs }, MAX_SUMMARY_RULES);
    return {
      fromMs,
      toMs,
      rules: rules.map(({ lastId, ...rule }) => ({
        ...rule,
        lastSeen: new Date(idTimeMs(lastId)).toISOString(),
      })),
    };
  }
}
