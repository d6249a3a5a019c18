import { createHash, randomFillSync } from 'node:crypto';
import { bufferToUuid } from '../database/events-table';
import { DETECTION_LIMITS, type DetectionField, PRIORITIES } from './detection';
import type { DetectionStore, NewDetection, StoredEventRow } from './detection-store.repository';
import type { CompiledRule, EvaluationInput, Ruleset } from './engine';
import { type FalcoPayload, falcoPriority, rfc3339Nano } from './falco-output';

/** Grouping of rules without `group`: one identity doing one thing to one object. */
export const DEFAULT_GROUP_BY = [
  'ka.user.name',
  'ka.target.namespace',
  'ka.target.resource',
  'ka.target.name',
];
export const DEFAULT_GROUP_MS = 60 * 60 * 1000;
/** audit_settings name prefix of a first-seen rule's learning start (then a hash of the name). */
export const LEARNING_SETTING_PREFIX = 'detection_learn:';

/** What the pipeline reports as it goes (metrics, forwarding, the backfill's counts). */
export interface PipelineSink {
  /** A detection row was inserted (`alert`: it raised an alert rather than repeating one). */
  stored?(rule: CompiledRule, alert: boolean): void;
  /** A rule matched an event (before windows and first-seen decide whether it is stored). */
  matched?(rule: CompiledRule): void;
  /** A new alert, as Falco's JSON output. */
  alert?(payload: FalcoPayload): void;
  /** An event that could not be read or evaluated (skipped: one bad event must not stall). */
  error?(stage: 'parse' | 'evaluate'): void;
}

export interface PipelineOptions {
  hostname: string;
  /** Only these rules (the backfill's --rule). */
  ruleFilter?: (rule: CompiledRule) => boolean;
  /** Evaluate and report matches, store nothing. */
  dryRun?: boolean;
  now?: () => number;
}

/** The time part of a UUIDv7: milliseconds since the epoch in the first 48 bits. */
export function idTimeMs(id: Buffer): number {
  return id.readUIntBE(0, 6);
}

function idAt(epochMs: number, fill: 0x00 | 0xff): Buffer {
  const id = Buffer.alloc(16, fill);
  id.writeUIntBE(Math.min(Math.max(0, Math.floor(epochMs)), 2 ** 48 - 1), 0, 6);
  return id;
}

/**
 * A detection's id: the event id's time part (milliseconds, then the microseconds in the
 * version's 12 bits, as src/ingest/event-record.ts makes it), then 62 random bits. Detections
 * sort by event time, and retention deletes them by id with the events.
 */
export function detectionId(eventId: Buffer): Buffer {
  const id = Buffer.alloc(16);
  eventId.copy(id, 0, 0, 8);
  randomFillSync(id, 8, 8);
  id[8] = 0x80 | (id[8] & 0x3f);
  return id;
}

/** 128 bits of SHA-256 of the JSON of `parts` (values may be strings, lists or null). */
export function hashOf(...parts: unknown[]): Buffer {
  return createHash('sha256').update(JSON.stringify(parts)).digest().subarray(0, 16);
}

function cut(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function cutValue(value: unknown): unknown {
  if (typeof value === 'string') return cut(value, DETECTION_LIMITS.fieldValue);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    let size = 0;
    for (const item of value) {
      const v = cutValue(item);
      size += JSON.stringify(v ?? null).length;
      if (size > DETECTION_LIMITS.fieldValue) {
        out.push(`… ${value.length - out.length} more`);
        break;
      }
      out.push(v);
    }
    return out;
  }
  if (value === undefined) return null;
  return value;
}

/** The fields' JSON within DETECTION_LIMITS: values cut, then trailing fields dropped. */
export function fieldsJson(fields: DetectionField[]): string {
  const cutFields = fields.map((f) => ({
    field: cut(f.field, 200),
    value: cutValue(f.value),
  }));
  let json = JSON.stringify(cutFields);
  while (json.length > DETECTION_LIMITS.fields && cutFields.length > 0) {
    cutFields.pop();
    json = JSON.stringify(cutFields);
  }
  return json;
}

export function tagsJson(tags: string[]): string {
  const kept = [...tags];
  let json = JSON.stringify(kept);
  while (json.length > DETECTION_LIMITS.tags && kept.length > 0) {
    kept.pop();
    json = JSON.stringify(kept);
  }
  return json;
}

/** Per rule: the window or grouping its detections share. */
interface Grouping {
  key: Buffer;
  withinMs: number;
}

/**
 * Runs the rules over stored events and stores what they find: the same code for the detector
 * (store order, after commit) and the backfill (id order). Every write is idempotent (unique
 * (event_id, rule) for detections, (rule, key, event) for signals), and side effects (alert
 * repeats, metrics, forwarding) follow only rows actually inserted: evaluating an event twice
 * stores and sends nothing new.
 *
 * - Grouping: a detection whose group (rule + `group.by` values, by default user, namespace,
 *   resource and name) has an alert stamped within `group.within` (default 1 h, event time)
 *   before it is grouped into that alert (`grouped_into`, the alert's `repeats` + 1); otherwise
 *   it raises a new alert. The newest detection of the group at or before the event decides
 *   (one indexed lookup); a late event older than every alert of its group raises its own.
 * - `window` rules: each match is a signal; the rule fires once COUNT(DISTINCT value) of its key
 *   within (t - within, t] reaches the threshold, and further matches of that window are
 *   grouped into the alert (one burst, one alert).
 * - `first_seen` rules: fire when the key has no signal before the event's time, and only once
 *   `learn` has passed (event time) since the first signal the rule ever stored, kept in
 *   audit_settings (`detection_learn:<hash of the rule name>`) so pruning signals does not move it.
 */
export class DetectionPipeline {
  private readonly learningStart = new Map<string, number>();
  /** First-seen keys known to have a signal (rule NUL key hash). */
  private readonly seenKeys = new Set<string>();
  /**
   * The newest alert of each group key this pipeline stored or looked up. Detections are written
   * a chunk at a time, so the chunk's grouping is decided here; a key not known here (or an
   * event older than its alert) is looked up in the database, after writing what is pending.
   */
  private readonly groups = new Map<string, { alertId: Buffer; alertMs: number }>();
  private pending: {
    detection: NewDetection;
    rule: CompiledRule;
    input: EvaluationInput;
    atMs: number;
  }[] = [];
  private readonly now: () => number;

  constructor(
    private readonly store: DetectionStore,
    private readonly ruleset: Ruleset,
    private readonly sink: PipelineSink,
    private readonly options: PipelineOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Evaluates the rows in the order given and stores what they find (one transaction for the
   * chunk's detections); store failures reject and the caller evaluates the rows again.
   */
  async process(rows: readonly StoredEventRow[]): Promise<number> {
    let evaluated = 0;
    const found: { id: Buffer; input: EvaluationInput; rules: CompiledRule[] }[] = [];
    for (const row of rows) {
      if (!row.id || row.event === '') continue;
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(row.event) as Record<string, unknown>;
      } catch {
        this.sink.error?.('parse');
        continue;
      }
      const input: EvaluationInput = { event, cluster: row.cluster };
      let matched: CompiledRule[];
      try {
        matched = this.ruleset.evaluate(input);
      } catch {
        this.sink.error?.('evaluate');
        continue;
      }
      evaluated++;
      const filter = this.options.ruleFilter;
      const rules = filter ? matched.filter(filter) : matched;
      if (rules.length === 0) continue;
      for (const rule of rules) this.sink.matched?.(rule);
      found.push({ id: row.id, input, rules });
    }
    if (this.options.dryRun || found.length === 0) return evaluated;
    // Evaluated before (a restart re-reads up to the settling bound; a second backfill): those
    // pairs are skipped, and what this pipeline knows of groups may be older than the database.
    const existing = await this.store.existingDetections(found.map((f) => f.id));
    if (existing.size > 0) {
      this.groups.clear();
      this.seenKeys.clear();
    }
    try {
      for (const { id, input, rules } of found) {
        const hex = id.toString('hex');
        for (const rule of rules) {
          if (existing.has(`${hex}:${cut(rule.name, DETECTION_LIMITS.rule)}`)) continue;
          await this.handle(rule, input, id);
        }
      }
      await this.flush();
    } catch (error) {
      this.pending = [];
      this.groups.clear();
      this.seenKeys.clear();
      throw error;
    }
    return evaluated;
  }

  private async handle(rule: CompiledRule, input: EvaluationInput, eventId: Buffer): Promise<void> {
    const atMs = idTimeMs(eventId);
    const grouping = await this.decide(rule, input, eventId, atMs);
    if (!grouping) return;
    let explained: DetectionField[];
    let output: string;
    try {
      explained = rule.explain(input);
      output = rule.output(input);
    } catch {
      this.sink.error?.('evaluate');
      return;
    }
    const alertId = await this.alertFor(grouping, atMs);
    const detection: NewDetection = {
      id: detectionId(eventId),
      eventId,
      cluster: input.cluster,
      rule: cut(rule.name, DETECTION_LIMITS.rule),
      priority: rule.priority,
      severity: PRIORITIES.indexOf(rule.priority),
      output: cut(output, DETECTION_LIMITS.output),
      tags: tagsJson(rule.tags),
      fields: fieldsJson(explained),
      groupKey: grouping.key,
      groupedInto: alertId,
      detectedAtMs: this.now(),
    };
    if (alertId === undefined) this.remember(grouping.key, detection.id, atMs);
    this.pending.push({ detection, rule, input, atMs });
  }

  /** The alert a detection at `atMs` joins, or undefined: it raises a new one. */
  private async alertFor(grouping: Grouping, atMs: number): Promise<Buffer | undefined> {
    const known = this.groups.get(grouping.key.toString('hex'));
    if (known && known.alertMs <= atMs) {
      return known.alertMs > atMs - grouping.withinMs ? known.alertId : undefined;
    }
    await this.flush();
    const latest = await this.store.latestInGroup(
      grouping.key,
      idAt(atMs - grouping.withinMs + 1, 0x00),
      idAt(atMs, 0xff),
    );
    const alertId = latest ? (latest.groupedInto ?? latest.id) : undefined;
    if (!alertId || idTimeMs(alertId) <= atMs - grouping.withinMs) return undefined;
    this.remember(grouping.key, alertId, idTimeMs(alertId));
    return alertId;
  }

  private remember(key: Buffer, alertId: Buffer, alertMs: number): void {
    const hex = key.toString('hex');
    const known = this.groups.get(hex);
    if (known && known.alertMs > alertMs) return;
    if (this.groups.size >= 100_000) this.groups.clear();
    this.groups.set(hex, { alertId, alertMs });
  }

  /** Writes the pending detections in one transaction, then reports them. */
  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const pending = this.pending;
    this.pending = [];
    const repeats = new Map<string, number>();
    for (const { detection } of pending) {
      if (!detection.groupedInto) continue;
      const hex = detection.groupedInto.toString('hex');
      repeats.set(hex, (repeats.get(hex) ?? 0) + 1);
    }
    await this.store.insertDetections(
      pending.map((p) => p.detection),
      repeats,
    );
    for (const { detection, rule, input, atMs } of pending) {
      const alert = detection.groupedInto === undefined;
      this.sink.stored?.(rule, alert);
      if (!alert || !this.sink.alert) continue;
      this.sink.alert({
        uuid: bufferToUuid(detection.id),
        output: detection.output,
        priority: falcoPriority(rule.priority),
        rule: rule.name,
        time: rfc3339Nano(input.event.stageTimestamp, atMs),
        output_fields: Object.fromEntries(
          (JSON.parse(detection.fields) as DetectionField[]).map((f) => [f.field, f.value]),
        ),
        source: 'k8s_audit',
        tags: JSON.parse(detection.tags) as string[],
        hostname: this.options.hostname,
      });
    }
  }

  /** The grouping of a detection to store, or undefined when the rule does not fire yet. */
  private async decide(
    rule: CompiledRule,
    input: EvaluationInput,
    eventId: Buffer,
    atMs: number,
  ): Promise<Grouping | undefined> {
    if (rule.window) {
      const { by, distinct, threshold, withinMs } = rule.window;
      const keyHash = hashOf(rule.values(input, by));
      const valueHash = distinct
        ? hashOf(rule.values(input, [distinct]))
        : hashOf(eventId.toString('hex'));
      const grouping = { key: hashOf('window', rule.name, keyHash.toString('hex')), withinMs };
      // The burst already raised its alert: this match repeats it, without a signal or a count
      // (a noisy key would otherwise write a signal and count thousands per match). A burst that
      // goes on past the alert's window reaches the threshold again with new signals.
      const known = this.groups.get(grouping.key.toString('hex'));
      if (known && known.alertMs <= atMs && known.alertMs > atMs - withinMs) return grouping;
      await this.store.insertSignal({ rule: rule.name, keyHash, eventId, valueHash, atMs });
      const count = await this.store.countDistinct(rule.name, keyHash, atMs - withinMs, atMs);
      if (count < threshold) return undefined;
      return grouping;
    }
    if (rule.firstSeen) {
      const { by, learnMs } = rule.firstSeen;
      const values = rule.values(input, by);
      const keyHash = hashOf(values);
      // A key seen before needs no further signal: only its first time matters.
      const seen = `${rule.name}\u0000${keyHash.toString('hex')}`;
      if (this.seenKeys.has(seen)) return undefined;
      const seenBefore = await this.store.signalBefore(rule.name, keyHash, atMs);
      if (this.seenKeys.size >= 100_000) this.seenKeys.clear();
      this.seenKeys.add(seen);
      if (seenBefore) return undefined;
      await this.store.insertSignal({
        rule: rule.name,
        keyHash,
        eventId,
        valueHash: hashOf(eventId.toString('hex')),
        atMs,
      });
      if (atMs < (await this.learningStarted(rule.name, atMs)) + learnMs) return undefined;
      return { key: hashOf('first_seen', rule.name, values), withinMs: DEFAULT_GROUP_MS };
    }
    const by = rule.group?.by ?? DEFAULT_GROUP_BY;
    return {
      key: hashOf(rule.name, rule.values(input, by)),
      withinMs: rule.group?.withinMs ?? DEFAULT_GROUP_MS,
    };
  }

  private async learningStarted(rule: string, atMs: number): Promise<number> {
    const known = this.learningStart.get(rule);
    if (known !== undefined) return known;
    const name = `${LEARNING_SETTING_PREFIX}${hashOf(rule).toString('hex')}`;
    const stored = Number(await this.store.settingIfAbsent(name, String(atMs)));
    const start = Number.isFinite(stored) ? stored : atMs;
    this.learningStart.set(rule, start);
    return start;
  }
}
