import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Past this many clusters new names share one label value, so a client cannot blow up series. */
const MAX_CLUSTER_LABELS = 100;

@Injectable()
export class AuditMetrics {
  readonly registry = new Registry();
  private readonly clusters = new Set<string>();

  private readonly accepted = new Counter({
    name: 'audit_events_accepted_total',
    help: 'Audit events stored for the first time',
    labelNames: ['cluster'],
    registers: [this.registry],
  });
  private readonly duplicates = new Counter({
    name: 'audit_events_duplicate_total',
    help: 'Audit events received again (apiserver retries, re-imports) and not stored twice',
    labelNames: ['cluster'],
    registers: [this.registry],
  });
  private readonly rejected = new Counter({
    name: 'audit_events_rejected_total',
    help: 'Audit events that lacked what storage needs; kept verbatim in the quarantine table',
    labelNames: ['cluster'],
    registers: [this.registry],
  });
  private readonly batchSize = new Histogram({
    name: 'audit_batch_events',
    help: 'Events per received batch',
    buckets: [1, 10, 50, 100, 200, 400, 800, 1600, 5000],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'audit_ingest_duration_seconds',
    help: 'Time from a parsed batch to its committed rows',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly databaseErrors = new Counter({
    name: 'audit_database_errors_total',
    help: 'Batches the database could not take (answered 503, the apiserver retries)',
    registers: [this.registry],
  });
  private readonly throttled = new Counter({
    name: 'audit_ingest_throttled_batches_total',
    help: 'Batches answered 429 because too many of the cluster were waiting for the database (INGEST_MAX_PENDING_BATCHES)',
    labelNames: ['cluster'],
    registers: [this.registry],
  });
  private readonly retentionDeleted = new Counter({
    name: 'audit_retention_deleted_events_total',
    help: 'Rows deleted by retention (RETENTION_DAYS) and npm run purge, by table (events, quarantine, access_log, detections)',
    labelNames: ['table'],
    registers: [this.registry],
  });
  private readonly retentionLastRun = new Gauge({
    name: 'audit_retention_last_run_timestamp_seconds',
    help: 'When this replica last completed a retention run (0: never)',
    registers: [this.registry],
  });
  private readonly oldestEvent = new Gauge({
    name: 'audit_retention_oldest_event_timestamp_seconds',
    help: 'Stage time of the oldest stored event, as of the last retention run (0: none stored)',
    registers: [this.registry],
  });

  private readonly detections = new Counter({
    name: 'audit_detections_total',
    help: 'Detections stored by the rules (alerts and the repeats grouped into them), by rule and priority',
    labelNames: ['rule', 'priority'],
    registers: [this.registry],
  });
  private readonly detectionAlerts = new Counter({
    name: 'audit_detection_alerts_total',
    help: 'Detections that raised a new alert (not grouped into an earlier one), by rule and priority',
    labelNames: ['rule', 'priority'],
    registers: [this.registry],
  });
  private readonly detectionEvaluated = new Counter({
    name: 'audit_detection_events_evaluated_total',
    help: 'Stored events the detector ran the rules over',
    registers: [this.registry],
  });
  private readonly detectionErrors = new Counter({
    name: 'audit_detection_errors_total',
    help: 'Detector failures by stage: parse, evaluate (event skipped), store (pass retried), forward (alert not delivered after retries), forward_dropped (forwarding queue full)',
    labelNames: ['stage'],
    registers: [this.registry],
  });
  private readonly detectionForwarded = new Counter({
    name: 'audit_detection_forwarded_total',
    help: 'Alerts delivered to FALCOSIDEKICK_URL',
    registers: [this.registry],
  });
  /** When the detector last had nothing left to read; undefined while this replica does not run it. */
  private detectionCaughtUpMs?: number;
  private readonly detectionLag = new Gauge({
    name: 'audit_detection_lag_seconds',
    help: 'How far the detector is behind the store: seconds since it last reached the newest stored event (0 on replicas not running the detector)',
    registers: [this.registry],
    collect: () => {
      const at = this.detectionCaughtUpMs;
      this.detectionLag.set(at === undefined ? 0 : Math.max(0, (Date.now() - at) / 1000));
    },
  });

  private readonly sourceEvents = new Counter({
    name: 'audit_source_events_total',
    help: 'Records read by managed-cluster sources (SOURCES_FILE), by source and outcome: accepted (stored), duplicate (already stored), rejected (quarantined), skipped (other log categories)',
    labelNames: ['source', 'outcome'],
    registers: [this.registry],
  });
  private readonly sourceErrors = new Counter({
    name: 'audit_source_errors_total',
    help: "Failed steps of managed-cluster sources: read (the cloud's API) or store (the database); each is retried with backoff",
    labelNames: ['source', 'stage'],
    registers: [this.registry],
  });
  /** Per source on this replica: leading it, and the newest event time committed. */
  private readonly sourceStates = new Map<string, { leader: boolean; lastEventMs?: number }>();
  private readonly sourceLeader = new Gauge({
    name: 'audit_source_leader',
    help: 'Whether this replica reads the source now (1) or stands by (0); one replica leads each source',
    labelNames: ['source'],
    registers: [this.registry],
    collect: () => {
      for (const [source, state] of this.sourceStates) {
        this.sourceLeader.set({ source }, state.leader ? 1 : 0);
      }
    },
  });
  private readonly sourceLag = new Gauge({
    name: 'audit_source_lag_seconds',
    help: 'Seconds between now and the newest event a source committed (on the replica leading it; grows too while the cluster is quiet)',
    labelNames: ['source'],
    registers: [this.registry],
    collect: () => {
      const now = Date.now();
      for (const [source, state] of this.sourceStates) {
        const lag =
          state.leader && state.lastEventMs !== undefined ? (now - state.lastEventMs) / 1000 : 0;
        this.sourceLag.set({ source }, Math.max(0, lag));
      }
    },
  });
  private readonly sourceLastEvent = new Gauge({
    name: 'audit_source_last_event_timestamp_seconds',
    help: 'Time of the newest event a source committed, as this replica last saw it (0: none yet)',
    labelNames: ['source'],
    registers: [this.registry],
    collect: () => {
      for (const [source, state] of this.sourceStates) {
        this.sourceLastEvent.set({ source }, (state.lastEventMs ?? 0) / 1000);
      }
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A source's leadership or newest committed event changed on this replica. */
  recordSourceState(source: string, state: { leader: boolean; lastEventMs?: number }): void {
    this.sourceStates.set(source, state);
  }

  recordSourceEvents(
    source: string,
    counts: { accepted: number; duplicates: number; rejected: number; skipped: number },
  ): void {
    this.sourceEvents.inc({ source, outcome: 'accepted' }, counts.accepted);
    this.sourceEvents.inc({ source, outcome: 'duplicate' }, counts.duplicates);
    this.sourceEvents.inc({ source, outcome: 'rejected' }, counts.rejected);
    this.sourceEvents.inc({ source, outcome: 'skipped' }, counts.skipped);
  }

  recordSourceError(source: string, stage: 'read' | 'store'): void {
    this.sourceErrors.inc({ source, stage });
  }

  recordBatch(
    cluster: string,
    counts: { accepted: number; duplicates: number; rejected: number },
    seconds: number,
  ): void {
    const label = this.clusterLabel(cluster);
    this.accepted.inc({ cluster: label }, counts.accepted);
    this.duplicates.inc({ cluster: label }, counts.duplicates);
    this.rejected.inc({ cluster: label }, counts.rejected);
    this.batchSize.observe(counts.accepted + counts.duplicates + counts.rejected);
    this.latency.observe(seconds);
  }

  recordDatabaseError(): void {
    this.databaseErrors.inc();
  }

  recordThrottledBatch(cluster: string): void {
    this.throttled.inc({ cluster: this.clusterLabel(cluster) });
  }

  recordRetentionDeleted(
    table: 'events' | 'quarantine' | 'access_log' | 'detections',
    count: number,
  ): void {
    this.retentionDeleted.inc({ table }, count);
  }

  recordRetentionRun(at: Date, oldestEventMs: number | undefined): void {
    this.retentionLastRun.set(at.getTime() / 1000);
    this.oldestEvent.set(oldestEventMs === undefined ? 0 : oldestEventMs / 1000);
  }

  recordDetection(rule: string, priority: string, alert: boolean): void {
    this.detections.inc({ rule, priority });
    if (alert) this.detectionAlerts.inc({ rule, priority });
  }

  recordDetectionEvaluated(events: number): void {
    this.detectionEvaluated.inc(events);
  }

  recordDetectionError(
    stage: 'parse' | 'evaluate' | 'store' | 'forward' | 'forward_dropped',
  ): void {
    this.detectionErrors.inc({ stage });
  }

  recordDetectionForwarded(): void {
    this.detectionForwarded.inc();
  }

  /** The detector reached the newest stored event at `atMs`; undefined: it stopped running here. */
  recordDetectionCaughtUp(atMs: number | undefined): void {
    this.detectionCaughtUpMs = atMs;
  }

  private clusterLabel(cluster: string): string {
    if (this.clusters.has(cluster)) return cluster;
    if (this.clusters.size >= MAX_CLUSTER_LABELS) return '_other';
    this.clusters.add(cluster);
    return cluster;
  }
}
