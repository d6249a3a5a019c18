/**
 * GKE audit logs as Cloud Logging exports them: a `LogEntry` whose `protoPayload` is a
 * `google.cloud.audit.AuditLog` with `serviceName: "k8s.io"`. {@link convertGkeLogEntry} turns one
 * into an `audit.k8s.io/v1` Event; docs/managed-clusters.md gives the mapping field by field.
 *
 * What GKE does not carry is not invented: the event names it in the
 * `k8s-audit-webhook/missing` annotation, so the console can show it.
 */

import { CONVERTED_FROM, MISSING } from '../domain/converted-event';

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export { CONVERTED_FROM, MISSING };
export const GKE_FORMAT = 'gke-cloud-logging';

const AUDIT_LOG_TYPE = 'type.googleapis.com/google.cloud.audit.AuditLog';

/** A Cloud Logging LogEntry (any payload): it has a protoPayload, or a logName and an insertId. */
export function isLogEntry(v: Obj): boolean {
  return isObject(v.protoPayload) || (typeof v.logName === 'string' && 'insertId' in v);
}

/**
 * Why a LogEntry is not a Kubernetes audit entry (a GKE cluster operation of
 * container.googleapis.com, a non-audit payload), as a category to count it under; undefined if
 * it is one.
 */
export function nonKubernetesCategory(entry: Obj): string | undefined {
  const p = entry.protoPayload;
  if (!isObject(p)) return `gke:${entry.jsonPayload ? 'jsonPayload' : 'textPayload'}`;
  if (p['@type'] !== AUDIT_LOG_TYPE) return `gke:${String(p['@type'] ?? 'protoPayload')}`;
  if (p.serviceName !== 'k8s.io') return `gke:${String(p.serviceName ?? 'no serviceName')}`;
  return undefined;
}

/** google.rpc.Code to the HTTP status the apiserver answers with (docs/managed-clusters.md). */
export const GRPC_TO_HTTP: Readonly<Record<number, number>> = {
  0: 200, // OK (a create answered 201 also logs 0)
  1: 499, // CANCELLED
  2: 500, // UNKNOWN
  3: 400, // INVALID_ARGUMENT
  4: 504, // DEADLINE_EXCEEDED
  5: 404, // NOT_FOUND
  6: 409, // ALREADY_EXISTS
  7: 403, // PERMISSION_DENIED
  8: 429, // RESOURCE_EXHAUSTED
  9: 400, // FAILED_PRECONDITION
  10: 409, // ABORTED (a conflict)
  11: 400, // OUT_OF_RANGE
  12: 501, // UNIMPLEMENTED
  13: 500, // INTERNAL
  14: 503, // UNAVAILABLE
  15: 500, // DATA_LOSS
  16: 401, // UNAUTHENTICATED
};

/** Groups without a `.k8s.io` suffix (methodName prefixes them with `io.k8s.` all the same). */
const UNSUFFIXED_GROUPS = new Set(['apps', 'batch', 'autoscaling', 'policy', 'extensions', 'core']);

const VERSION = /^v\d+((alpha|beta)\d+)?$/;

export interface GkeTarget {
  verb?: string;
  /** "" for the legacy core group. */
  apiGroup?: string;
  apiVersion?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/**
 * `io.k8s.core.v1.pods.exec.create` -> verb create, group "", version v1, resource pods,
 * subresource exec. The group is only a guess here (methodName reverses it:
 * `io.k8s.authorization.rbac` is rbac.authorization.k8s.io); resourceName names it exactly.
 */
export function parseMethodName(methodName: string): GkeTarget {
  const parts = methodName.split('.');
  const v = parts.findIndex((p) => VERSION.test(p));
  if (v < 1 || parts.length < v + 3) return {};
  let groupParts = parts.slice(0, v);
  if (groupParts[0] === 'io' && groupParts[1] === 'k8s') groupParts = groupParts.slice(2);
  let apiGroup: string;
  if (groupParts.length === 1 && UNSUFFIXED_GROUPS.has(groupParts[0])) {
    apiGroup = groupParts[0] === 'core' ? '' : groupParts[0];
  } else if (parts[0] === 'io' && parts[1] === 'k8s') {
    apiGroup = `${[...groupParts].reverse().join('.')}.k8s.io`;
  } else {
    apiGroup = [...groupParts].reverse().join('.');
  }
  const rest = parts.slice(v + 1);
  return {
    verb: rest[rest.length - 1],
    apiGroup,
    apiVersion: parts[v],
    resource: rest[0],
    subresource: rest.length > 2 ? rest.slice(1, -1).join('.') : undefined,
  };
}

/**
 * `core/v1/namespaces/x/pods/y/exec` -> group "", version v1, namespace x, resource pods,
 * name y, subresource exec. `core/v1/namespaces/x` is the Namespace x itself.
 */
export function parseResourceName(resourceName: string): GkeTarget {
  const seg = resourceName.replace(/^\/+/, '').split('/');
  if (seg.length < 3 || !VERSION.test(seg[1])) return {};
  const out: GkeTarget = { apiGroup: seg[0] === 'core' ? '' : seg[0], apiVersion: seg[1] };
  let rest = seg.slice(2);
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    out.namespace = rest[1];
    rest = rest.slice(2);
  }
  out.resource = rest[0];
  if (rest[1] !== undefined && rest[1] !== '') out.name = rest[1];
  if (rest.length > 2) out.subresource = rest.slice(2).join('/');
  return out;
}

/** The request URI the client sent, as far as GKE tells it (no query string: GKE drops it). */
export function requestUri(t: GkeTarget, query = ''): string {
  const base = t.apiGroup ? `/apis/${t.apiGroup}/${t.apiVersion}` : `/api/${t.apiVersion}`;
  const parts = [base];
  if (t.namespace !== undefined && !(t.resource === 'namespaces' && !t.subresource)) {
    parts.push('namespaces', t.namespace);
  }
  if (t.resource) parts.push(t.resource);
  // A create posts to the collection: the name comes from the body, not the URI.
  const nameInUri = t.name !== undefined && !(t.verb === 'create' && !t.subresource);
  if (nameInUri) parts.push(t.name!);
  if (nameInUri && t.subresource) parts.push(t.subresource);
  return parts.join('/') + query;
}

/** Drops protobuf Any's `@type` and, if it names a Kubernetes kind, restores kind/apiVersion. */
function body(v: unknown): unknown {
  if (!isObject(v)) return v;
  // kind and apiVersion first, as the apiserver writes them.
  const out: Obj = {};
  const type = str(v['@type']);
  // e.g. "apps.k8s.io/v1.Deployment", "core.k8s.io/v1.Pod", "meta.k8s.io/__internal.Status"
  const m = type ? /^([^/]+)\/([^.]+)\.(\w+)$/.exec(type) : null;
  if (m && v.kind === undefined && VERSION.test(m[2])) {
    const group =
      m[1] === 'core.k8s.io'
        ? ''
        : m[1].replace(/^(apps|batch|autoscaling|policy)\.k8s\.io$/, '$1');
    out.kind = m[3];
    if (v.apiVersion === undefined) out.apiVersion = group ? `${group}/${m[2]}` : m[2];
  }
  for (const [k, val] of Object.entries(v)) if (k !== '@type') out[k] = val;
  return out;
}

/** `?command=sh&command=-c&container=app&stdin=true...` from a PodExecOptions request, if any. */
function execQuery(request: unknown): string | undefined {
  if (!isObject(request)) return undefined;
  const command = request.command;
  if (!Array.isArray(command) || command.length === 0) return undefined;
  const q = new URLSearchParams();
  for (const c of command) q.append('command', String(c));
  if (typeof request.container === 'string') q.append('container', request.container);
  for (const flag of ['stdin', 'stdout', 'stderr', 'tty']) {
    if (request[flag] === true) q.append(flag, 'true');
  }
  return `?${q.toString()}`;
}

export type GkeConversion = { ok: true; event: Obj } | { ok: false; reason: string };

/** One GKE Kubernetes audit LogEntry (see {@link nonKubernetesCategory}) as an audit.k8s.io/v1 Event. */
export function convertGkeLogEntry(entry: Obj): GkeConversion {
  const p = entry.protoPayload as Obj;
  const methodName = str(p.methodName);
  const resourceName = str(p.resourceName);
  const fromMethod = methodName ? parseMethodName(methodName) : {};
  const fromResource = resourceName ? parseResourceName(resourceName) : {};
  const t: GkeTarget = { ...fromMethod, ...fromResource, verb: fromMethod.verb };
  if (!t.subresource && fromMethod.subresource) t.subresource = fromMethod.subresource;
  // `core/v1/namespaces/x/finalize` is a subresource of the Namespace x, not resource "finalize".
  if (
    fromMethod.resource === 'namespaces' &&
    fromResource.namespace !== undefined &&
    fromResource.resource !== 'namespaces' &&
    fromResource.name === undefined
  ) {
    t.subresource = fromResource.resource;
    t.resource = 'namespaces';
    t.name = fromResource.namespace;
    delete t.namespace;
  }
  if (!t.verb)
    return {
      ok: false,
      reason: `protoPayload.methodName ${JSON.stringify(methodName)} names no verb`,
    };

  const op = isObject(entry.operation) ? entry.operation : {};
  const auditID = str(op.id) ?? str(entry.insertId);
  const timestamp = str(entry.timestamp) ?? str(entry.receiveTimestamp);
  const missing = ['user.groups', 'user.uid', 'user.extra', 'request-query', 'stage-timing'];

  let uri: string;
  if (t.resource && t.apiVersion) {
    let query = '';
    if (t.subresource === 'exec' || t.subresource === 'attach') {
      const q = t.subresource === 'exec' ? execQuery(p.request) : undefined;
      if (q) query = q;
      else missing.push(t.subresource === 'exec' ? 'exec-command' : 'attach-options');
    }
    uri = requestUri(t, query);
  } else {
    // Not a resource path: keep what GKE gave as the path.
    uri = resourceName ? `/${resourceName.replace(/^\/+/, '')}` : '';
    if (!uri) missing.push('request-uri');
  }

  const status = isObject(p.status) ? p.status : {};
  const grpc = typeof status.code === 'number' ? status.code : 0;
  const code = GRPC_TO_HTTP[grpc] ?? 500;
  missing.push('http-status-code');
  const responseStatus: Obj = { metadata: {}, code };
  if (grpc !== 0) responseStatus.status = 'Failure';
  if (str(status.message)) responseStatus.message = status.message;

  const annotations: Record<string, string> = {};
  if (isObject(entry.labels)) {
    for (const [k, v] of Object.entries(entry.labels))
      if (typeof v === 'string') annotations[k] = v;
  }
  const authz = Array.isArray(p.authorizationInfo) ? p.authorizationInfo.filter(isObject) : [];
  if (annotations['authorization.k8s.io/decision'] === undefined && authz.length > 0) {
    annotations['authorization.k8s.io/decision'] = authz.every((a) => a.granted === true)
      ? 'allow'
      : 'forbid';
  }
  annotations[CONVERTED_FROM] = GKE_FORMAT;
  const res =
    isObject(entry.resource) && isObject(entry.resource.labels) ? entry.resource.labels : {};
  if (str(res.cluster_name)) {
    annotations['k8s-audit-webhook/gke-cluster'] =
      `projects/${String(res.project_id)}/locations/${String(res.location)}/clusters/${String(res.cluster_name)}`;
  }
  if (str(entry.receiveTimestamp)) {
    annotations['k8s-audit-webhook/gke-receive-timestamp'] = entry.receiveTimestamp as string;
  }
  if (str(entry.insertId))
    annotations['k8s-audit-webhook/gke-insert-id'] = entry.insertId as string;

  const event: Obj = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level:
      p.response !== undefined
        ? 'RequestResponse'
        : p.request !== undefined
          ? 'Request'
          : 'Metadata',
    auditID,
    stage: 'ResponseComplete',
    requestURI: uri,
    verb: t.verb,
  };
  const auth = isObject(p.authenticationInfo) ? p.authenticationInfo : {};
  event.user = str(auth.principalEmail) ? { username: auth.principalEmail } : {};
  if (!str(auth.principalEmail)) missing.push('user.username');
  const meta = isObject(p.requestMetadata) ? p.requestMetadata : {};
  if (str(meta.callerIp)) event.sourceIPs = [meta.callerIp];
  if (str(meta.callerSuppliedUserAgent)) event.userAgent = meta.callerSuppliedUserAgent;
  if (t.resource) {
    const ref: Obj = { resource: t.resource };
    if (t.namespace !== undefined) ref.namespace = t.namespace;
    if (t.name !== undefined) ref.name = t.name;
    if (t.apiGroup) ref.apiGroup = t.apiGroup;
    if (t.apiVersion) ref.apiVersion = t.apiVersion;
    if (t.subresource) ref.subresource = t.subresource;
    event.objectRef = ref;
  }
  event.responseStatus = responseStatus;
  if (p.request !== undefined) event.requestObject = body(p.request);
  if (p.response !== undefined) event.responseObject = body(p.response);
  event.requestReceivedTimestamp = timestamp;
  event.stageTimestamp = timestamp;
  annotations[MISSING] = missing.join(',');
  event.annotations = annotations;
  if (!auditID) return { ok: false, reason: 'LogEntry has neither operation.id nor insertId' };
  if (!timestamp) return { ok: false, reason: 'LogEntry has no timestamp' };
  return { ok: true, event };
}
