import type { EventItem, ObjectRef } from '../audit/audit-query';
import type { StoredDetection } from '../detection/detection';
import type { JsonValue } from '../domain/audit-event';
import { isObject } from '../reconstruction/core/request';
import { toYaml as yamlOf } from '../reconstruction/core/yaml';
import { consoleHref } from './console-filters';
import { badgeOf, EventRowView, eventRowView, TimeView, timeView } from './event-row.view';
import { DetectionDetailView, detectionDetailView } from './detections.view';
import { LayoutView } from './layout.view';

type JsonRecord = { [key: string]: JsonValue };

export interface KeyValue {
  key: string;
  value: string;
}

export interface AnnotationGroup {
  title: string;
  entries: KeyValue[];
}

export interface EventDetailView extends LayoutView {
  item: EventItem;
  badge: { label: string; className: string } | null;
  fidelityNote: string;
  received: TimeView;
  staged: TimeView;
  latency: string | null;
  groups: string[];
  extra: KeyValue[];
  impersonation: { user: string; groups: string[] } | null;
  sourceIPs: string[];
  decisionReason: string | null;
  status: { message: string; reason: string } | null;
  annotations: AnnotationGroup[];
  requestYaml: string | null;
  responseYaml: string | null;
  /** Why a body is not shown: not kept by the audit level, or there was none. */
  requestMissing: string;
  responseMissing: string;
  otherStages: EventRowView[];
  /** The rules that fired on the event, most severe first, each with why it fired. */
  detections: DetectionDetailView[];
  historyHref: string | null;
  userHref: string;
  aroundHref: string;
}

const FIDELITY_NOTES: Record<string, string> = {
  exact: 'exact: running this command makes the same request',
  equivalent: 'equivalent: another client made the request; this command makes the same one',
  partial: 'partial: the <placeholders> stand for what the audit event does not record',
  none: 'none: kubectl cannot make this request; the command is the closest raw call',
};

/** Minutes either side of the event for "around this time by the same user". */
const AROUND_MINUTES = 5;
const DECISION_REASON = 'authorization.k8s.io/reason';
const DECISION = 'authorization.k8s.io/decision';

/**
 * A value of the stored event as text: strings as they are, anything else as JSON. The event is
 * whatever the sender wrote, and `String()` throws on an object whose `toString` is not a
 * function (`{"toString": 1}`).
 */
function asText(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

/** `/objects?...`; an absent apiGroup means any group, an empty one the core group. */
export function objectHistoryHref(ref: ObjectRef): string {
  const params = new URLSearchParams({ cluster: ref.cluster });
  if (ref.apiGroup !== undefined) params.set('apiGroup', ref.apiGroup);
  params.set('resource', ref.resource);
  params.set('namespace', ref.namespace);
  params.set('name', ref.name);
  return `/objects?${params.toString()}`;
}

export function userActivityHref(username: string, cluster?: string): string {
  const base = `/users/${encodeURIComponent(username)}`;
  return cluster ? `${base}?${new URLSearchParams({ cluster }).toString()}` : base;
}

/** Everything the detail page shows, read from the item and its (redacted) original JSON. */
export function eventDetailView(
  item: EventItem,
  event: JsonValue,
  otherStages: EventItem[],
  detections: StoredDetection[] = [],
): EventDetailView {
  const raw = asRecord(event);
  const user = asRecord(raw.user);
  const impersonated = asRecord(raw.impersonatedUser);
  const annotations = stringEntries(asRecord(raw.annotations));
  const status = asRecord(raw.responseStatus);
  const stagedMs = Date.parse(item.stageTimestamp);
  const receivedMs = Date.parse(item.requestReceivedTimestamp);
  const around = (minutes: number) => new Date(stagedMs + minutes * 60_000).toISOString();
  return {
    title: `Event ${item.verb} ${item.resource || item.requestURI}`,
    nav: 'events',
    switcher: null,
    item,
    badge: badgeOf(item),
    fidelityNote: FIDELITY_NOTES[item.kubectl.fidelity] ?? item.kubectl.fidelity,
    received: timeView(item.requestReceivedTimestamp),
    staged: timeView(item.stageTimestamp),
    latency: Number.isNaN(stagedMs - receivedMs)
      ? null
      : `${Math.max(0, stagedMs - receivedMs)} ms`,
    groups: item.groups,
    extra: Object.entries(asRecord(user.extra)).map(([key, values]) => ({
      key,
      value: Array.isArray(values) ? values.map(asText).join(', ') : asText(values),
    })),
    impersonation: item.impersonatedUser
      ? { user: item.impersonatedUser, groups: stringList(impersonated.groups) }
      : null,
    sourceIPs: item.sourceIPs,
    decisionReason: annotations.find((entry) => entry.key === DECISION_REASON)?.value ?? null,
    status:
      typeof status.message === 'string' || typeof status.reason === 'string'
        ? { message: asText(status.message ?? ''), reason: asText(status.reason ?? '') }
        : null,
    annotations: groupAnnotations(
      annotations.filter((entry) => entry.key !== DECISION_REASON && entry.key !== DECISION),
    ),
    requestYaml: toYaml(raw.requestObject),
    responseYaml: toYaml(raw.responseObject),
    ...missingBodies(item.level),
    otherStages: otherStages
      .filter((other) => other.id !== item.id)
      .map((other) => eventRowView(other, {})),
    detections: detections.map(detectionDetailView),
    historyHref:
      item.resource && item.name
        ? objectHistoryHref({
            cluster: item.cluster,
            apiGroup: item.apiGroup,
            resource: item.resource,
            namespace: item.namespace,
            name: item.name,
          })
        : null,
    userHref: userActivityHref(item.username),
    aroundHref: consoleHref('/', {
      user: [item.username],
      from: [around(-AROUND_MINUTES)],
      to: [around(AROUND_MINUTES)],
    }),
  };
}

/** Pod Security and admission (webhooks, policies, mutations) first; the rest after. */
function groupAnnotations(entries: KeyValue[]): AnnotationGroup[] {
  const podSecurity = entries.filter((e) => e.key.startsWith('pod-security.kubernetes.io/'));
  const admission = entries.filter(
    (e) => !podSecurity.includes(e) && /admission|webhook|policy|mutation/i.test(e.key),
  );
  const other = entries.filter((e) => !podSecurity.includes(e) && !admission.includes(e));
  return [
    { title: 'Pod Security', entries: podSecurity },
    { title: 'Admission', entries: admission },
    { title: 'Other annotations', entries: other },
  ].filter((group) => group.entries.length > 0);
}

function missingBodies(level: string): { requestMissing: string; responseMissing: string } {
  const keepsRequest = level === 'Request' || level === 'RequestResponse';
  return {
    requestMissing: keepsRequest
      ? 'None: this request carried no body.'
      : `Not recorded: the audit policy's level for this request (${level}) keeps no request body.`,
    responseMissing:
      level === 'RequestResponse'
        ? 'None in this event: the apiserver recorded no response body for it.'
        : 'Not recorded: only the RequestResponse level keeps response bodies.',
  };
}

function toYaml(value: JsonValue | undefined): string | null {
  if (value === undefined || value === null) return null;
  return yamlOf(value);
}

function asRecord(value: JsonValue | undefined): JsonRecord {
  return isObject(value) ? value : {};
}

function stringList(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function stringEntries(record: JsonRecord): KeyValue[] {
  return Object.entries(record).map(([key, value]) => ({
    key,
    value: typeof value === 'string' ? value : JSON.stringify(value),
  }));
}
