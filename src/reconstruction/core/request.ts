import type { AuditEvent, JsonObject, JsonValue } from '../../domain/audit-event';
import type { ObjectReference } from '../../domain/audit-event';
import { ClientInfo, identifyClient } from './client';
import { Query } from './query';
import { code } from './text';

/** One audit event seen as the HTTP request it records. */
export interface RequestView {
  readonly event: AuditEvent;
  readonly verb: string;
  readonly path: string;
  /** The request URI as the apiserver received it (GKE's resource-name form read back). */
  readonly uri: string;
  /** The raw query string without `?`, as the client sent it. */
  readonly rawQuery: string;
  readonly query: Query;
  readonly isResource: boolean;
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  readonly body: JsonValue | undefined;
  readonly bodyObject: JsonObject | undefined;
  readonly fieldManager: string | undefined;
  readonly fieldValidation: string | undefined;
  readonly dryRun: boolean;
  readonly code: number | undefined;
  readonly client: ClientInfo;
  /** Where the target came from the request URI rather than the objectRef, in words. */
  readonly sourceNotes: readonly string[];
}

interface PathParts {
  isResource: boolean;
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  watchPrefix: boolean;
}

// The apiserver treats these as subresources of a namespace, not as namespaced resources.
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

// Every recognizer, and describe after toKubectl, asks for the view of the same event in turn.
// One remembered view serves them; a WeakMap of all events cost more in GC than it saved.
let lastEvent: AuditEvent | undefined;
let lastView: RequestView | undefined;

export function viewOf(event: AuditEvent): RequestView {
  if (event !== lastEvent || !lastView) {
    lastView = parse(event);
    lastEvent = event;
  }
  return lastView;
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function field(value: JsonValue | undefined, ...keys: string[]): JsonValue | undefined {
  let current = value;
  for (const key of keys) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function stringField(value: JsonValue | undefined, ...keys: string[]): string | undefined {
  const found = field(value, ...keys);
  return typeof found === 'string' ? found : undefined;
}

export function numberField(value: JsonValue | undefined, ...keys: string[]): number | undefined {
  const found = field(value, ...keys);
  return typeof found === 'number' ? found : undefined;
}

function parse(event: AuditEvent): RequestView {
  const uri = typeof event.requestURI === 'string' ? event.requestURI : '';
  const queryAt = uri.indexOf('?');
  const path = canonicalPath(queryAt < 0 ? uri : uri.slice(0, queryAt));
  const rawQuery = queryAt < 0 ? '' : uri.slice(queryAt + 1);
  const query = new Query(rawQuery);
  const ref = event.objectRef;
  const parts = parsePath(path);
  const sourceNotes: string[] = [];
  const target = trustedTarget(ref, parts, sourceNotes);
  const isResource = ref !== undefined || parts.isResource;
  const body = event.requestObject;
  const bodyObject = isObject(body) ? body : undefined;
  // DELETE carries dryRun in DeleteOptions, an eviction in its deleteOptions.
  const dryRun =
    query.getAll('dryRun').includes('All') ||
    includesAll(field(body, 'dryRun')) ||
    includesAll(field(body, 'deleteOptions', 'dryRun'));
  const { resource, group } = target;
  // A Namespace is cluster-scoped even though its URL and objectRef carry its own name as namespace.
  const namespace = resource === 'namespaces' && !group ? '' : target.namespace;
  let verb = typeof event.verb === 'string' ? event.verb : '';
  if (parts.watchPrefix && verb === 'list') verb = 'watch';
  return {
    event,
    verb,
    path,
    uri: queryAt < 0 ? path : `${path}?${rawQuery}`,
    rawQuery,
    query,
    isResource,
    group,
    version: target.version,
    resource,
    subresource: target.subresource,
    namespace,
    name: target.name || nameFromBody(event, body),
    body,
    bodyObject,
    fieldManager: query.get('fieldManager') ?? undefined,
    fieldValidation: query.get('fieldValidation') ?? undefined,
    dryRun,
    code: event.responseStatus?.code,
    client: identifyClient(event.userAgent, event.user?.username),
    sourceNotes,
  };
}

type Target = Pick<
  PathParts,
  'group' | 'version' | 'resource' | 'subresource' | 'namespace' | 'name'
>;
const TARGET_FIELDS: readonly [keyof Target, string][] = [
  ['group', 'API group'],
  ['version', 'API version'],
  ['resource', 'resource'],
  ['subresource', 'subresource'],
  ['namespace', 'namespace'],
  ['name', 'name'],
];

/**
 * The request URI is what the client sent; the objectRef is the apiserver's reading of it, and
 * sanitised exports and converted formats drop or change its fields. Each part the URI names
 * comes from the URI, the rest (a created object's name) from the objectRef; every gap or
 * contradiction filled from the URI is said in `notes`.
 */
function trustedTarget(
  ref: ObjectReference | undefined,
  parts: PathParts,
  notes: string[],
): Target {
  const fromRef: Record<keyof Target, string | undefined> = {
    group: ref?.apiGroup === 'core' ? '' : ref?.apiGroup,
    version: ref?.apiVersion,
    resource: ref?.resource,
    subresource: ref?.subresource,
    namespace: ref?.namespace,
    name: ref?.name,
  };
  const target: Target = {
    group: '',
    version: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
  };
  const missing: string[] = [];
  for (const [key, label] of TARGET_FIELDS) {
    const stated = fromRef[key] ?? '';
    const sent = parts[key];
    // The core group has no name in a URI: `/api/v1/...` says "" as clearly as a segment would.
    const uriNames = parts.isResource && (sent !== '' || key === 'group');
    if (!uriNames || sent === stated) {
      target[key] = stated;
      continue;
    }
    target[key] = sent;
    // A Namespace's "namespace" is its own name, which the URI already gave: nothing to say.
    const namespaceOfNamespace = key === 'namespace' && isCoreNamespaces(target);
    if (!ref || namespaceOfNamespace) continue;
    if (stated === '' && key !== 'group') missing.push(`${label} ${code(sent)}`);
    else {
      notes.push(
        `the objectRef's ${label} ${code(stated || '(core)')} contradicts the request URI's ${code(sent || '(core)')}; the command follows the request URI`,
      );
    }
  }
  if (!ref && parts.isResource)
    notes.push('the event has no objectRef; the target was read from the request URI');
  if (missing.length > 0) {
    notes.push(`the objectRef has no ${missing.join(', ')}; taken from the request URI`);
  }
  return target;
}

function isCoreNamespaces(target: Target): boolean {
  return target.resource === 'namespaces' && target.group === '';
}

// `v1`, `v1beta1`, `v2alpha3`: a Kubernetes API version segment.
const API_VERSION = /^v\d+((alpha|beta)\d+)?$/;

/**
 * GKE's resource names (`core/v1/namespaces/x/pods/y`, `apps/v1/...`), which converters emit as
 * the request URI, stand for `/api/v1/...` and `/apis/apps/v1/...`; real URIs pass unchanged.
 */
export function canonicalPath(path: string): string {
  if (path === '' || path.startsWith('/')) return path;
  const [group, version] = path.split('/', 2);
  if (!version || !API_VERSION.test(version)) return path;
  const rest = path.slice(group.length + 1);
  return group === 'core' ? `/api/${rest}` : `/apis/${path}`;
}

function emptyPath(): PathParts {
  return {
    isResource: false,
    group: '',
    version: '',
    namespace: '',
    resource: '',
    name: '',
    subresource: '',
    watchPrefix: false,
  };
}

function includesAll(value: JsonValue | undefined): boolean {
  return Array.isArray(value) && value.includes('All');
}

function nameFromBody(event: AuditEvent, body: JsonValue | undefined): string {
  if (event.verb !== 'create') return '';
  return stringField(body, 'metadata', 'name') ?? '';
}

function decode(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function parsePath(path: string): PathParts {
  const none = emptyPath();
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map(decode);
  let rest: string[];
  let group = '';
  let version: string;
  if (segments[0] === 'api' && segments.length >= 3) {
    version = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1];
    version = segments[2];
    rest = segments.slice(3);
  } else {
    return none;
  }
  const watchPrefix = rest[0] === 'watch';
  if (watchPrefix) rest = rest.slice(1);
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) {
    namespace = rest[1];
    rest = rest.slice(2);
  } else if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
  }
  if (rest.length === 0) return none;
  return {
    isResource: true,
    group,
    version,
    namespace,
    resource: rest[0],
    name: rest[1] ?? '',
    // requestinfo.go: only the segment after the name; a proxy's remaining path is not part of it.
    subresource: rest[2] ?? '',
    watchPrefix,
  };
}
