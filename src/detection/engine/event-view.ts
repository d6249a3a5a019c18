import { parseMicroTime } from '../../domain/micro-time';

/** A field's value for one event: a string, a non-empty list of strings, or absent. */
export type FieldValue = string | readonly string[] | undefined;

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One step of a JSON walk as fastjson's Get does it: object keys, and decimal indexes into arrays. */
export function child(value: unknown, key: string): unknown {
  if (isRecord(value))
    return Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
  if (Array.isArray(value) && /^\d+$/.test(key)) return value[Number(key)];
  return undefined;
}

export function walk(value: unknown, keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === undefined) return undefined;
    current = child(current, key);
  }
  return current;
}

/**
 * A JSON value as the k8saudit and json plugins hand it to Falco (`jsonValueAsString`): strings
 * as they are, anything else (booleans, numbers, null, objects, arrays) as compact JSON, so
 * `privileged: true` compares equal to the rule value `true`.
 */
export function falcoString(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Falco's plugin field extraction returns "not available" when a list field has no value (res_len == 0). */
export function listValue(values: string[]): FieldValue {
  return values.length === 0 ? undefined : values;
}

/** Workload resources whose pod spec is `spec.template.spec` (our extension; Falco reads only `spec`). */
const TEMPLATE_RESOURCES = new Set([
  'deployments',
  'daemonsets',
  'statefulsets',
  'replicasets',
  'jobs',
  'replicationcontrollers',
]);

export type ContainerList = 'containers' | 'initContainers' | 'ephemeralContainers';
export const CONTAINER_LISTS: readonly ContainerList[] = [
  'containers',
  'initContainers',
  'ephemeralContainers',
];

/**
 * The event being evaluated, with what several fields share computed once: the pod spec the
 * request carries and its containers. One view is made per event and shared by every rule.
 */
export class EventView {
  private podSpecValue: JsonRecord | undefined | null = null;
  private readonly containerCache = new Map<string, unknown[] | undefined>();

  constructor(
    readonly event: JsonRecord,
    readonly cluster: string,
  ) {}

  get requestObject(): unknown {
    return this.event.requestObject;
  }

  /**
   * The pod spec the request object carries: a Pod's `spec` (as Falco), a workload template's
   * `spec.template.spec`, a CronJob's `spec.jobTemplate.spec.template.spec`, a PodTemplate's
   * `template.spec`. Patches are read the same way when their body is an object (merge and
   * strategic-merge patches); a JSON patch is an array and carries no pod spec.
   */
  podSpec(): JsonRecord | undefined {
    if (this.podSpecValue !== null) return this.podSpecValue;
    const request = this.requestObject;
    const resource = walk(this.event, ['objectRef', 'resource']);
    let spec: unknown;
    if (!isRecord(request)) spec = undefined;
    else if (resource === 'cronjobs')
      spec = walk(request, ['spec', 'jobTemplate', 'spec', 'template', 'spec']);
    else if (typeof resource === 'string' && TEMPLATE_RESOURCES.has(resource))
      spec = walk(request, ['spec', 'template', 'spec']);
    else if (resource === 'podtemplates') spec = walk(request, ['template', 'spec']);
    else spec = request.spec;
    this.podSpecValue = isRecord(spec) ? spec : undefined;
    return this.podSpecValue;
  }

  /** The containers of the given lists, in order; undefined when none of the lists is present. */
  containers(lists: readonly ContainerList[]): unknown[] | undefined {
    const key = lists.join(',');
    if (this.containerCache.has(key)) return this.containerCache.get(key);
    const spec = this.podSpec();
    let result: unknown[] | undefined;
    for (const list of lists) {
      const items = spec?.[list];
      if (Array.isArray(items)) result = result ? result.concat(items) : [...items];
    }
    this.containerCache.set(key, result);
    return result;
  }

  /** Nanoseconds since the epoch of the event, as the k8saudit plugin stamps it (stageTimestamp). */
  rawTime(): string | undefined {
    const e = this.event;
    const stamp =
      parseMicroTime(e.stageTimestamp) ??
      parseMicroTime(e.requestReceivedTimestamp) ??
      parseMicroTime(e.timestamp);
    if (!stamp) return undefined;
    // Seconds and microseconds as text: exact where a float of nanoseconds would not be.
    return `${Math.floor(stamp.epochMs / 1000)}${stamp.iso.slice(20, 26)}000`;
  }

  isoTime(): string | undefined {
    const raw = this.rawTime();
    if (raw === undefined) return undefined;
    const seconds = Number(raw.slice(0, -9));
    return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${raw.slice(-9)}Z`;
  }
}
