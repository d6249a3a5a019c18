import { findResource } from './api-catalog';
import type { RecordedRequest } from './fake-apiserver';
import { mergePatch, ObjectStore } from './object-store';
import { RequestInfo } from './request-info';
import { KubeObject, nodeMetrics, podMetrics } from './seed-objects';

/**
 * How the fake apiserver answers resource requests: reads from the object store, writes into
 * it (unless dryRun), and the few subresources kubectl waits on (log, scale, eviction, token,
 * ephemeralcontainers, reviews, metrics) answered the way the commands expect.
 */

export interface Reply {
  status: number;
  body?: unknown;
  text?: string;
  contentType?: string;
}

export function status(code: number, reason: string, message: string, details?: object) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code < 400 ? 'Success' : 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export function notFound(info: RequestInfo): Reply {
  const what = `${info.resource ?? 'resource'}${info.apiGroup ? '.' + info.apiGroup : ''}`;
  return {
    status: 404,
    body: status(404, 'NotFound', `${what} "${info.name ?? ''}" not found`, {
      name: info.name,
      group: info.apiGroup,
      kind: info.resource,
    }),
  };
}

function listKind(kind: string) {
  return `${kind}List`;
}

export function resourceRequest(
  info: RequestInfo,
  rec: RecordedRequest,
  query: URLSearchParams,
  store: ObjectStore,
): Reply {
  const group = info.apiGroup;
  const resource = info.resource!;
  const ns = info.namespace;
  const dryRun = query.getAll('dryRun').length > 0;
  const apiVersion = group ? `${group}/${info.apiVersion}` : info.apiVersion!;

  if (group === 'metrics.k8s.io') return metrics(info, apiVersion);
  if (
    [
      'selfsubjectaccessreviews',
      'selfsubjectrulesreviews',
      'subjectaccessreviews',
      'selfsubjectreviews',
      'tokenreviews',
    ].includes(resource)
  ) {
    return { status: 201, body: review(resource, rec.json) };
  }

  switch (info.verb) {
    case 'list':
    case 'deletecollection': {
      const def = findResource(group, info.apiVersion!, resource)!;
      const items = store.list(group, resource, ns, query);
      return {
        status: 200,
        body: {
          kind: listKind(def.kind),
          apiVersion,
          metadata: { resourceVersion: store.resourceVersion },
          items,
        },
      };
    }
    case 'watch':
      // An empty watch stream: kubectl sees the watch end at once and exits.
      return { status: 200, text: '', contentType: 'application/json' };
    case 'create':
      return create(info, rec, store, dryRun, apiVersion);
  }

  const current = store.get(group, resource, ns, info.name!);
  if (
    info.verb === 'patch' &&
    !current &&
    !info.subresource &&
    rec.contentType?.startsWith('application/apply-patch')
  ) {
    const obj = (rec.json as KubeObject | undefined) ?? {
      metadata: { name: info.name, namespace: ns },
    };
    return { status: 201, body: dryRun ? obj : store.put(group, resource, obj) };
  }
  if (!current) return notFound(info);

  switch (info.subresource) {
    case 'log':
      return { status: 200, text: '2026-01-01T00:00:00Z listening on :8080\n' };
    case 'scale':
      return scaleSubresource(info, rec, current, store, dryRun);
  }
  switch (info.verb) {
    case 'get':
      return { status: 200, body: current };
    case 'update': {
      const body = (rec.json as KubeObject | undefined) ?? current;
      return { status: 200, body: dryRun ? body : store.put(group, resource, body) };
    }
    case 'patch': {
      const patched = Array.isArray(rec.json)
        ? current
        : (mergePatch(current, rec.json ?? {}) as KubeObject);
      if (info.subresource === 'ephemeralcontainers') markEphemeralContainersRunning(patched);
      return { status: 200, body: dryRun ? patched : store.put(group, resource, patched) };
    }
    case 'delete':
      if (!dryRun) store.delete(group, resource, ns, info.name!);
      return { status: 200, body: current };
  }
  return { status: 405, body: status(405, 'MethodNotAllowed', `${info.verb} is not supported`) };
}

function create(
  info: RequestInfo,
  rec: RecordedRequest,
  store: ObjectStore,
  dryRun: boolean,
  apiVersion: string,
): Reply {
  const group = info.apiGroup;
  const resource = info.resource!;
  const body = (rec.json as KubeObject | undefined) ?? {};
  if (info.subresource === 'eviction') {
    if (!store.get(group, resource, info.namespace, info.name!)) return notFound(info);
    if (!dryRun) store.delete(group, resource, info.namespace, info.name!);
    return { status: 201, body: status(201, '', '') };
  }
  if (info.subresource === 'token') {
    return {
      status: 201,
      body: {
        ...body,
        status: {
          token: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln',
          expirationTimestamp: '2026-01-01T01:00:00Z',
        },
      },
    };
  }
  if (info.subresource) return { status: 201, body: status(201, '', '') };
  const def = findResource(group, info.apiVersion!, resource)!;
  const obj: KubeObject = {
    kind: def.kind,
    apiVersion,
    ...body,
    metadata: { name: 'unknown', ...(body.metadata ?? {}) },
  };
  if (def.namespaced) obj.metadata.namespace = info.namespace;
  if (store.get(group, resource, obj.metadata.namespace, obj.metadata.name)) {
    return {
      status: 409,
      body: status(409, 'AlreadyExists', `${resource} "${obj.metadata.name}" already exists`),
    };
  }
  return { status: 201, body: dryRun ? obj : store.put(group, resource, obj) };
}

function scaleSubresource(
  info: RequestInfo,
  rec: RecordedRequest,
  current: KubeObject,
  store: ObjectStore,
  dryRun: boolean,
): Reply {
  let replicas = current.spec?.replicas ?? 1;
  if (info.verb === 'patch' || info.verb === 'update') {
    const requested = (rec.json as KubeObject | undefined)?.spec?.replicas;
    if (typeof requested === 'number') replicas = requested;
    if (!dryRun)
      store.put(info.apiGroup, info.resource!, { ...current, spec: { ...current.spec, replicas } });
  }
  return {
    status: 200,
    body: {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { ...current.metadata },
      spec: { replicas },
      status: { replicas: current.status?.replicas ?? replicas, selector: 'app=web' },
    },
  };
}

function metrics(info: RequestInfo, apiVersion: string): Reply {
  const pods = info.resource === 'pods';
  const item = (name: string) =>
    pods ? podMetrics(info.namespace ?? 'default', name) : nodeMetrics(name);
  if (info.name) return { status: 200, body: item(info.name) };
  const names = pods ? ['web-0'] : ['node-1', 'node-2'];
  return {
    status: 200,
    body: {
      kind: pods ? 'PodMetricsList' : 'NodeMetricsList',
      apiVersion,
      metadata: {},
      items: names.map(item),
    },
  };
}

function review(resource: string, body: unknown): KubeObject {
  const obj = { ...((body as KubeObject | undefined) ?? {}) };
  if (resource === 'selfsubjectreviews') {
    obj.status = {
      userInfo: {
        username: 'kubernetes-admin',
        groups: ['system:masters', 'system:authenticated'],
      },
    };
  } else if (resource === 'selfsubjectrulesreviews') {
    obj.status = {
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [],
      incomplete: false,
    };
  } else if (resource === 'tokenreviews') {
    obj.status = { authenticated: true };
  } else {
    obj.status = { allowed: true, reason: 'fake apiserver allows everything' };
  }
  return obj;
}

/** kubectl debug waits for its ephemeral container to run before it attaches. */
function markEphemeralContainersRunning(pod: KubeObject) {
  const containers: KubeObject[] = pod.spec?.ephemeralContainers ?? [];
  pod.status = {
    ...pod.status,
    ephemeralContainerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image,
      ready: false,
      restartCount: 0,
      state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
    })),
  };
}
