import { randomUUID } from 'node:crypto';
import {
  AuditEvent,
  AuditLevel,
  JsonValue,
  ObjectReference,
  UserInfo,
} from '../../src/domain/audit-event';
import { RecordedRequest } from './fake-apiserver';
import { requestInfo } from './request-info';

/**
 * The ResponseComplete audit event a kube-apiserver would write for one recorded request,
 * following pkg/audit/request.go (NewEventFromRequest, LogRequestObject) and
 * pkg/endpoints/filters/impersonation.go. The fake apiserver cannot authenticate, so the
 * authenticated user is a parameter (by default a kubeadm-style cluster admin).
 */

export interface EventOptions {
  level?: AuditLevel;
  user?: UserInfo;
  auditID?: string;
  sourceIP?: string;
  /** Defaults to the time the request was received. */
  receivedAt?: Date;
}

export const ADMIN: UserInfo = {
  username: 'kubernetes-admin',
  groups: ['kubeadm:cluster-admins', 'system:authenticated'],
};

const STREAMING_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function eventFromRequest(req: RecordedRequest, options: EventOptions = {}): AuditEvent {
  const level = options.level ?? 'Request';
  const query = new URLSearchParams(req.rawQuery);
  const info = requestInfo(req.method, safeDecode(req.path), query);
  const received = options.receivedAt ?? req.receivedAt;
  const event: AuditEvent = {
    level,
    auditID: options.auditID ?? randomUUID(),
    stage: 'ResponseComplete',
    requestURI: req.rawQuery ? `${req.path}?${req.rawQuery}` : req.path,
    verb: info.verb,
    user: options.user ?? ADMIN,
    sourceIPs: [options.sourceIP ?? '127.0.0.1'],
    requestReceivedTimestamp: microTime(received),
    stageTimestamp: microTime(new Date(received.getTime() + 3)),
  };
  const impersonated = impersonatedUser(req);
  if (impersonated) event.impersonatedUser = impersonated;
  const userAgent = header(req, 'user-agent')[0];
  if (userAgent) event.userAgent = userAgent;

  if (info.isResourceRequest) {
    const ref: ObjectReference = { resource: info.resource };
    if (info.namespace) ref.namespace = info.namespace;
    if (info.name) ref.name = info.name;
    if (info.apiGroup) ref.apiGroup = info.apiGroup;
    ref.apiVersion = info.apiVersion;
    if (info.subresource) ref.subresource = info.subresource;
    if ((info.verb === 'create' || info.verb === 'update') && isObject(req.json)) {
      completeFromBody(ref, req.json);
    }
    event.objectRef = ref;
    if (level !== 'Metadata' && req.json !== undefined) event.requestObject = req.json as JsonValue;
    if (level === 'RequestResponse' && req.response !== undefined && !req.upgrade) {
      event.responseObject = req.response as JsonValue;
    }
  }
  event.responseStatus = responseStatus(req, info.subresource);
  event.annotations = {
    'authorization.k8s.io/decision': 'allow',
    'authorization.k8s.io/reason': '',
  };
  return event;
}

/** LogRequestObject: empty objectRef fields are filled from the body's metadata. */
function completeFromBody(ref: ObjectReference, body: Record<string, unknown>) {
  const meta = body.metadata;
  if (!isObject(meta)) return;
  const pick = (k: string) =>
    typeof meta[k] === 'string' && meta[k] ? (meta[k] as string) : undefined;
  ref.namespace = ref.namespace ?? pick('namespace');
  ref.name = ref.name ?? pick('name');
  ref.uid = ref.uid ?? pick('uid');
  ref.resourceVersion = ref.resourceVersion ?? pick('resourceVersion');
  for (const k of Object.keys(ref) as (keyof ObjectReference)[])
    if (ref[k] === undefined) delete ref[k];
}

/**
 * Streaming upgrades are answered 101 by a real apiserver; the fake refuses them (the request,
 * not the session, is what is under test), so the event reports the upgrade as a real one would.
 */
function responseStatus(req: RecordedRequest, subresource: string | undefined) {
  if (req.upgrade && subresource && STREAMING_SUBRESOURCES.has(subresource)) {
    return { metadata: {}, code: 101 };
  }
  const r = isObject(req.response) ? req.response : {};
  if (r.kind === 'Status' || req.status >= 400) {
    return {
      metadata: {},
      status: typeof r.status === 'string' ? r.status : 'Failure',
      ...(typeof r.message === 'string' ? { message: r.message } : {}),
      ...(typeof r.reason === 'string' && r.reason ? { reason: r.reason } : {}),
      code: req.status,
    };
  }
  return { metadata: {}, code: req.status };
}

/** pkg/endpoints/filters/impersonation.go, including the groups it adds on its own. */
function impersonatedUser(req: RecordedRequest): UserInfo | undefined {
  const username = header(req, 'impersonate-user')[0];
  if (!username) return undefined;
  const groups = header(req, 'impersonate-group');
  const uid = header(req, 'impersonate-uid')[0];
  const extra: Record<string, string[]> = {};
  for (const [name, value] of req.rawHeaders) {
    const m = /^impersonate-extra-(.+)$/i.exec(name);
    if (m) {
      const k = safeDecode(m[1].toLowerCase());
      extra[k] = [...(extra[k] ?? []), value];
    }
  }
  const sa = /^system:serviceaccount:([^:]+):[^:]+$/.exec(username);
  if (sa && groups.length === 0)
    groups.push('system:serviceaccounts', `system:serviceaccounts:${sa[1]}`);
  if (
    username !== 'system:anonymous' &&
    !groups.some((g) => g === 'system:authenticated' || g === 'system:unauthenticated')
  ) {
    groups.push('system:authenticated');
  }
  return {
    username,
    ...(uid ? { uid } : {}),
    groups,
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}

export function header(req: RecordedRequest, name: string): string[] {
  return req.rawHeaders.filter(([k]) => k.toLowerCase() === name).map(([, v]) => v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
