import type { AuditEvent, JsonValue, ObjectReference } from '../../../domain/audit-event';
import { parsePath } from '../request';

export const KUBECTL_UA = 'kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd';

/** Bodies are typed loosely here so specs can write object literals with optional fields. */
type Overrides = Omit<Partial<AuditEvent>, 'requestObject' | 'responseObject'> & {
  body?: unknown;
  responseObject?: unknown;
};

/**
 * A ResponseComplete event shaped like the apiserver writes it for `verb requestURI`: the
 * objectRef is derived from the URI the way requestinfo.go does, unless one is given.
 */
export function makeEvent(verb: string, requestURI: string, overrides: Overrides = {}): AuditEvent {
  const { body, responseObject, ...rest } = overrides;
  const path = requestURI.split('?')[0];
  const parts = parsePath(path);
  let objectRef: ObjectReference | undefined;
  if (parts.isResource) {
    objectRef = { resource: parts.resource, apiVersion: parts.version };
    if (parts.group) objectRef.apiGroup = parts.group;
    if (parts.namespace) objectRef.namespace = parts.namespace;
    if (parts.name) objectRef.name = parts.name;
    if (parts.subresource) objectRef.subresource = parts.subresource;
  }
  const event: AuditEvent = {
    level: body === undefined ? 'Metadata' : 'Request',
    auditID: '7f0c3c1e-8a0d-4c59-9d0c-2f6c1b9e0a11',
    stage: 'ResponseComplete',
    requestURI,
    verb,
    user: { username: 'alice', groups: ['system:authenticated'] },
    sourceIPs: ['10.0.0.7'],
    userAgent: KUBECTL_UA,
    objectRef,
    responseStatus: { metadata: {}, code: verb === 'create' ? 201 : 200 },
    requestReceivedTimestamp: '2026-11-25T10:00:00.000000Z',
    stageTimestamp: '2026-11-25T10:00:00.004000Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
    ...rest,
  };
  if (body !== undefined) event.requestObject = body as JsonValue;
  if (responseObject !== undefined) event.responseObject = responseObject as JsonValue;
  return event;
}
