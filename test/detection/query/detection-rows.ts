/**
 * Until the detector fills the table, the read side's tests insert detection rows directly
 * through the app's DataSource, for events that were posted through the real webhook. Values
 * are shaped as src/detection/detection.ts and migration 1797600000000 describe them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { uuidToBuffer, bufferToUuid } from '../../../src/database/events-table';
import { DetectionField, DetectionPriority, severityOf } from '../../../src/detection/detection';
import type { TestApp } from '../../support/test-app';

export interface DetectionSeed {
  eventId: string;
  cluster: string;
  rule: string;
  priority: DetectionPriority;
  output?: string;
  tags?: string[];
  fields?: DetectionField[];
  /** The id of the alert this detection is grouped into. */
  groupedInto?: string;
  repeats?: number;
}

/** A UUIDv7 whose time part is the event's (as the detector makes them). */
export function detectionIdFor(eventId: string): string {
  const id = Buffer.concat([uuidToBuffer(eventId).subarray(0, 6), randomBytes(10)]);
  id[6] = 0x70 | (id[6] & 0x0f);
  id[8] = 0x80 | (id[8] & 0x3f);
  return bufferToUuid(id);
}

/** Inserts the detections; answers their ids, in order. */
export async function insertDetections(app: TestApp, seeds: DetectionSeed[]): Promise<string[]> {
  const dataSource = app.app.get(DataSource);
  const ids: string[] = [];
  for (const seed of seeds) {
    const id = detectionIdFor(seed.eventId);
    const groupKey = createHash('sha256').update(`${seed.rule}\0${seed.cluster}`).digest();
    await dataSource.query(
      `INSERT INTO detections (id, event_id, cluster, rule, priority, severity, output, tags, fields, group_key, grouped_into, repeats, detected_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        uuidToBuffer(id),
        uuidToBuffer(seed.eventId),
        seed.cluster,
        seed.rule,
        seed.priority,
        severityOf(seed.priority),
        seed.output ?? `${seed.rule} fired (cluster=${seed.cluster})`,
        JSON.stringify(seed.tags ?? ['k8s', 'T1098']),
        JSON.stringify(
          seed.fields ?? [
            { field: 'ka.user.name', value: 'alice' },
            { field: 'ka.verb', value: 'create' },
          ],
        ),
        groupKey.subarray(0, 16),
        seed.groupedInto ? uuidToBuffer(seed.groupedInto) : null,
        seed.repeats ?? 0,
        Date.now(),
      ],
    );
    ids.push(id);
  }
  return ids;
}
