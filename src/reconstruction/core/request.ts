import type { AuditEvent, JsonObject, JsonValue } from '../../domain/audit-event';
import { ClientInfo, identifyClient } from './client';
import { Query } from './query';

/** One audit event seen as the HTTP request it records. */
export interface RequestView {
  readonly event: AuditEvent;
  readonly verb: string;
  readonly path: string;
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
  const path = queryAt < 0 ? uri : uri.slice(0, queryAt);
  const rawQuery = queryAt < 0 ? '' : uri.slice(queryAt + 1);
  const query = new Query(rawQuery);
  const ref = event.objectRef;
  // A complete objectRef says everything the path would; parse the path only to fill gaps.
  const parts = ref?.resource && ref.apiVersion ? fromObjectRef(path) : parsePath(path);
  const isResource = ref !== undefined || parts.isResource;
  const body = event.requestObject;
  const bodyObject = isObject(body) ? body : undefined;
  // DELETE carries dryRun in DeleteOptions, an eviction in its deleteOptions.
  const dryRun =
    query.getAll('dryRun').includes('All') ||
    includesAll(field(body, 'dryRun')) ||
    includesAll(field(body, 'deleteOptions', 'dryRun'));
  const resource = ref?.resource ?? parts.resource;
  const group = ref?.apiGroup ?? parts.group;
  // A Namespace is cluster-scoped even though its URL and objectRef carry its own name as namespace.
  const namespace = resource === 'namespaces' && !group ? '' : (ref?.namespace ?? parts.namespace);
  let verb = typeof event.verb === 'string' ? event.verb : '';
  if (parts.watchPrefix && verb === 'list') verb = 'watch';
  return {
    event,
    verb,
    path,
    rawQuery,
    query,
    isResource,
    group,
    version: ref?.apiVersion ?? parts.version,
    resource,
    subresource: ref?.subresource ?? parts.subresource,
    namespace,
    name: ref?.name || parts.name || nameFromBody(event, body),
    body,
    bodyObject,
    fieldManager: query.get('fieldManager') ?? undefined,
    fieldValidation: query.get('fieldValidation') ?? undefined,
    dryRun,
    code: event.responseStatus?.code,
    client: identifyClient(event.userAgent, event.user?.username),
  };
}

/** No path parts: the objectRef is authoritative, only the deprecated /watch/ prefix matters. */
function fromObjectRef(path: string): PathParts {
  return { ...emptyPath(), isResource: true, watchPrefix: path.includes('/watch/') };
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
    subresource: rest.slice(2).join('/'),
    watchPrefix,
  };
}
