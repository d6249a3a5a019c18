import { findByKind, findResource } from './api-catalog';
import { KubeObject, seedObjects } from './seed-objects';

/**
 * The fake apiserver's memory: objects keyed by group, resource, namespace and name (the
 * version is left out so autoscaling/v1 and v2 share HorizontalPodAutoscalers, as on a real
 * server). Selectors support what kubectl sends: equality labels and a few field paths.
 */
export class ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  private nextResourceVersion = 1000;

  constructor(seed: KubeObject[] = seedObjects()) {
    for (const obj of seed) {
      const [group] = splitApiVersion(obj.apiVersion);
      const def = findByKind(group, obj.kind);
      if (!def) throw new Error(`seed object of unknown kind ${obj.apiVersion} ${obj.kind}`);
      this.objects.set(key(group, def.name, obj.metadata.namespace, obj.metadata.name), obj);
    }
  }

  get resourceVersion(): string {
    return String(this.nextResourceVersion);
  }

  get(group: string, resource: string, namespace: string | undefined, name: string) {
    const obj = this.objects.get(key(group, resource, namespace, name));
    return obj ? structuredClone(obj) : undefined;
  }

  list(group: string, resource: string, namespace: string | undefined, query: URLSearchParams) {
    const prefix = `${group}|${resource}|`;
    const labels = parseSelector(query.get('labelSelector'));
    const fields = parseSelector(query.get('fieldSelector'));
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, obj]) => obj)
      .filter((obj) => !namespace || obj.metadata.namespace === namespace)
      .filter((obj) => labels.every((t) => matches(obj.metadata.labels?.[t.key], t)))
      .filter((obj) => fields.every((t) => matches(fieldValue(obj, t.key), t)))
      .map((obj) => structuredClone(obj));
  }

  put(group: string, resource: string, obj: KubeObject): KubeObject {
    const stored = structuredClone(obj);
    stored.metadata = stored.metadata ?? {};
    if (!stored.metadata.name && stored.metadata.generateName) {
      stored.metadata.name = `${stored.metadata.generateName}x7k2q`;
    }
    const existing = this.objects.get(
      key(group, resource, stored.metadata.namespace, stored.metadata.name),
    );
    stored.metadata.uid = existing?.metadata.uid ?? `fake-${resource}-${stored.metadata.name}`;
    stored.metadata.creationTimestamp =
      existing?.metadata.creationTimestamp ?? '2026-01-01T00:00:00Z';
    stored.metadata.resourceVersion = String(++this.nextResourceVersion);
    this.objects.set(key(group, resource, stored.metadata.namespace, stored.metadata.name), stored);
    return structuredClone(stored);
  }

  delete(group: string, resource: string, namespace: string | undefined, name: string) {
    const k = key(group, resource, namespace, name);
    const obj = this.objects.get(k);
    this.objects.delete(k);
    return obj;
  }
}

function key(group: string, resource: string, namespace: string | undefined, name: string) {
  return `${group}|${resource}|${namespace ?? ''}|${name}`;
}

export function splitApiVersion(apiVersion: string): [string, string] {
  const i = apiVersion.indexOf('/');
  return i < 0 ? ['', apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}

export function resourceOf(obj: KubeObject): string | undefined {
  const [group, version] = splitApiVersion(String(obj.apiVersion ?? ''));
  const def = findByKind(group, String(obj.kind ?? ''));
  return def && findResource(group, version, def.name) ? def.name : undefined;
}

interface Term {
  key: string;
  op: '=' | '!=' | 'exists' | '!exists';
  value?: string;
}

function parseSelector(selector: string | null): Term[] {
  if (!selector) return [];
  return selector
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s): Term => {
      const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(s);
      if (m) return { key: m[1].trim(), op: m[2] === '!=' ? '!=' : '=', value: m[3].trim() };
      return s.startsWith('!') ? { key: s.slice(1), op: '!exists' } : { key: s, op: 'exists' };
    });
}

function matches(actual: unknown, t: Term): boolean {
  const value = actual === undefined || actual === null ? undefined : String(actual);
  switch (t.op) {
    case '=':
      return value === t.value;
    case '!=':
      return value !== t.value;
    case 'exists':
      return value !== undefined;
    case '!exists':
      return value === undefined;
  }
}

function fieldValue(obj: KubeObject, path: string): unknown {
  return path
    .split('.')
    .reduce<any>((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}

/** RFC 7386 JSON merge patch; strategic-merge directives are ignored, which is enough here. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
