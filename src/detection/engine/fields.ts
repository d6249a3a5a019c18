import {
  CONTAINER_LISTS,
  ContainerList,
  EventView,
  FieldValue,
  child,
  falcoString,
  isRecord,
  listValue,
  walk,
} from './event-view';
import { FieldArgument, FieldDefinition } from './types';

/** Reads one field (its argument already bound) from an event. */
export type Extractor = (view: EventView) => FieldValue;

interface FieldEntry {
  definition: FieldDefinition;
  /** Binds the bracket argument (`undefined` when none); throws a message when it is not acceptable. */
  bind(arg: string | undefined): Extractor;
}

/*
 * The k8saudit field table, following falcosecurity/plugins plugins/k8saudit/pkg/k8saudit/fields.go
 * and extract.go (https://github.com/falcosecurity/plugins/blob/main/plugins/k8saudit/pkg/k8saudit/extract.go),
 * plus the json plugin's jevt.* / json.* fields (plugins/json/pkg/json/json.go). Declared once
 * here; docs/detection-engine.md is generated from it and checked by a test.
 */
const ENTRIES: FieldEntry[] = [];

interface Options {
  arg?: FieldArgument;
  argRequired?: boolean;
  origin?: FieldDefinition['origin'];
}

function define(
  name: string,
  list: boolean,
  paths: string[],
  description: string,
  bind: (arg: string | undefined) => Extractor,
  options: Options = {},
): void {
  const arg = options.arg ?? 'none';
  ENTRIES.push({
    definition: {
      name,
      type: 'string',
      list,
      arg,
      argRequired: options.argRequired ?? false,
      paths,
      description,
      origin: options.origin ?? 'k8saudit',
    },
    bind,
  });
}

function scalarAt(keys: string[]): Extractor {
  return (view) => falcoString(walk(view.event, keys));
}

/** A plain field read from fixed keys (`extractFromKeys`): list fields need a JSON array there. */
function keysField(name: string, list: boolean, keys: string[], description: string): void {
  const path = keys.join('.');
  if (!list) {
    define(name, false, [path], description, () => scalarAt(keys));
    return;
  }
  define(name, true, [`${path}[]`], description, () => (view) => {
    const value = walk(view.event, keys);
    return Array.isArray(value) ? listValue(value.map((v) => falcoString(v) ?? 'null')) : undefined;
  });
}

function parseIndex(arg: string | undefined): number | undefined {
  if (arg === undefined) return undefined;
  if (!/^\d+$/.test(arg)) throw new Error(`takes a numeric index argument, not '${arg}'`);
  return Number(arg);
}

/** Values from each element of an array (optionally only the element at an index), nil skipped. */
function fromElements(
  items: unknown[] | undefined,
  index: number | undefined,
  pick: (item: unknown) => unknown,
): FieldValue {
  if (items === undefined) return undefined;
  const selected = index === undefined ? items : index < items.length ? [items[index]] : undefined;
  if (selected === undefined) return undefined;
  const out: string[] = [];
  for (const item of selected) {
    const picked = pick(item);
    if (picked === undefined) continue;
    if (Array.isArray(picked)) {
      for (const v of picked) {
        const s = falcoString(v);
        if (s !== undefined) out.push(s);
      }
    } else {
      const s = falcoString(picked);
      if (s !== undefined) out.push(s);
    }
  }
  return listValue(out);
}

function indexedField(
  name: string,
  paths: string[],
  description: string,
  items: (view: EventView) => unknown[] | undefined,
  pick: (item: unknown) => unknown,
  origin: FieldDefinition['origin'] = 'k8saudit',
): void {
  define(
    name,
    true,
    paths,
    description,
    (arg) => {
      const index = parseIndex(arg);
      return (view) => fromElements(items(view), index, pick);
    },
    { arg: 'index', origin },
  );
}

/** Falco's repository split: the part before the first ':' then before the first '@' (so `host:5000/x` gives `host`, as upstream). */
export function imageRepository(image: string): string {
  return image.split(':')[0].split('@')[0];
}

const POD = '<pod spec>';

function podValue(keys: string[]): Extractor {
  return (view) => falcoString(walk(view.podSpec(), keys));
}

function arrayAt(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

keysField('ka.auditid', false, ['auditID'], 'The unique id of the audit event');
keysField(
  'ka.stage',
  false,
  ['stage'],
  'Stage of the request (e.g. RequestReceived, ResponseComplete, etc.)',
);
keysField(
  'ka.auth.decision',
  false,
  ['annotations', 'authorization.k8s.io/decision'],
  'The authorization decision',
);
keysField(
  'ka.auth.reason',
  false,
  ['annotations', 'authorization.k8s.io/reason'],
  'The authorization reason',
);
keysField(
  'ka.auth.openshift.decision',
  false,
  ['annotations', 'authentication.openshift.io/decision'],
  'The authentication decision of the openshift apiserver extension. Only available on openshift clusters',
);
keysField(
  'ka.auth.openshift.username',
  false,
  ['annotations', 'authentication.openshift.io/username'],
  'The user name performing the openshift authentication operation. Only available on openshift clusters',
);
keysField(
  'ka.validations.admission.policy.failure',
  false,
  ['annotations', 'validation.policy.admission.k8s.io/validation_failure'],
  'The validation failure reason from a Validation Admission Policy',
);
keysField(
  'ka.security.pod.violations',
  false,
  ['annotations', 'pod-security.kubernetes.io/audit-violations'],
  'The violation reason for pod security policy',
);
keysField('ka.user.name', false, ['user', 'username'], 'The user name performing the request');
keysField('ka.user.groups', true, ['user', 'groups'], 'The groups to which the user belongs');
keysField('ka.impuser.name', false, ['impersonatedUser', 'username'], 'The impersonated user name');
keysField('ka.verb', false, ['verb'], 'The action being performed');
keysField('ka.uri', false, ['requestURI'], 'The request URI as sent from client to server');
define(
  'ka.uri.param',
  false,
  ['requestURI (query string)'],
  'The value of a given query parameter in the uri (e.g. when uri=/foo?key=val, ka.uri.param[key] is val).',
  (arg) => {
    const key = arg ?? '';
    return (view) => {
      const uri = view.event.requestURI;
      if (typeof uri !== 'string') return undefined;
      const q = uri.indexOf('?');
      if (q < 0) return undefined;
      const hash = uri.indexOf('#', q);
      const query = new URLSearchParams(uri.slice(q + 1, hash < 0 ? undefined : hash));
      return query.get(key) ?? undefined;
    };
  },
  { arg: 'key', argRequired: true },
);
keysField('ka.target.name', false, ['objectRef', 'name'], 'The target object name');
keysField('ka.target.namespace', false, ['objectRef', 'namespace'], 'The target object namespace');
keysField('ka.target.resource', false, ['objectRef', 'resource'], 'The target object resource');
keysField(
  'ka.target.subresource',
  false,
  ['objectRef', 'subresource'],
  'The target object subresource',
);
define(
  'ka.target.pod.name',
  false,
  ['objectRef.name (when objectRef.resource is pods)'],
  'The target pod name',
  () => (view) =>
    walk(view.event, ['objectRef', 'resource']) === 'pods'
      ? falcoString(walk(view.event, ['objectRef', 'name']))
      : undefined,
);
keysField(
  'ka.req.binding.subjects',
  true,
  ['requestObject', 'subjects'],
  'When the request object refers to a cluster role binding, the subject (e.g. account/users) being linked by the binding',
);

function subjects(kind: string, pick: (subject: Record<string, unknown>) => unknown): Extractor {
  return (view) => {
    const list = walk(view.event, ['requestObject', 'subjects']);
    if (!Array.isArray(list)) return undefined;
    const out: string[] = [];
    for (const s of list) {
      if (!isRecord(s) || s.kind !== kind) continue;
      const v = falcoString(pick(s));
      if (v !== undefined) out.push(v);
    }
    return listValue(out);
  };
}
define(
  'ka.req.binding.subjects.user_names',
  true,
  ['requestObject.subjects[kind=User].name'],
  'When the request object refers to a cluster role binding, the subject user names being linked by the binding',
  () => subjects('User', (s) => s.name),
);
define(
  'ka.req.binding.subjects.serviceaccount_names',
  true,
  ['requestObject.subjects[kind=ServiceAccount].name'],
  'When the request object refers to a cluster role binding, the subject service account names being linked by the binding',
  () => subjects('ServiceAccount', (s) => s.name),
);
define(
  'ka.req.binding.subjects.serviceaccount_ns_names',
  true,
  ['requestObject.subjects[kind=ServiceAccount].namespace + ":" + name'],
  'When the request object refers to a cluster role binding, the subject serviceaccount namespaced names being linked by the binding, e.g. a list containing: mynamespace:myserviceaccount',
  () =>
    subjects('ServiceAccount', (s) =>
      typeof s.name === 'string'
        ? `${typeof s.namespace === 'string' ? s.namespace : ''}:${s.name}`
        : undefined,
    ),
);
define(
  'ka.req.binding.subjects.group_names',
  true,
  ['requestObject.subjects[kind=Group].name'],
  'When the request object refers to a cluster role binding, the subject group names being linked by the binding',
  () => subjects('Group', (s) => s.name),
);
keysField(
  'ka.req.binding.role',
  false,
  ['requestObject', 'roleRef', 'name'],
  'When the request object refers to a cluster role binding, the role being linked by the binding',
);
define(
  'ka.req.binding.subject.has_name',
  false,
  ['(none)'],
  'Deprecated, always returns "true" (as the plugin does, although documented as N/A). Only provided for backwards compatibility',
  () => () => 'true',
  { arg: 'key', argRequired: true },
);
keysField(
  'ka.req.configmap.name',
  false,
  ['objectRef', 'name'],
  'If the request object refers to a configmap, the configmap name',
);
keysField(
  'ka.req.configmap.obj',
  false,
  ['requestObject', 'data'],
  'If the request object refers to a configmap, the entire configmap object',
);

function securityContext(item: unknown, ...keys: string[]): unknown {
  return walk(child(item, 'securityContext'), keys);
}

/** The per-container fields, for one set of container lists under one name prefix. */
function containerFields(
  prefix: string,
  lists: readonly ContainerList[],
  what: string,
  origin: FieldDefinition['origin'],
): void {
  const items = (view: EventView): unknown[] | undefined => view.containers(lists);
  const paths = (suffix: string): string[] => lists.map((l) => `${POD}.${l}[].${suffix}`);
  const field = (
    suffix: string,
    path: string,
    description: string,
    pick: (item: unknown) => unknown,
  ): void => indexedField(`${prefix}.${suffix}`, paths(path), description, items, pick, origin);
  field('name', 'name', `When the request object refers to a pod, the ${what} names.`, (c) =>
    child(c, 'name'),
  );
  field('image', 'image', `When the request object refers to a pod, the ${what} images.`, (c) =>
    child(c, 'image'),
  );
  field(
    'image.repository',
    'image (before the first ":" and "@")',
    `The same as ${prefix}.image, but only the repository part (e.g. falcosecurity/falco).`,
    (c) => {
      const image = child(c, 'image');
      return typeof image === 'string' ? imageRepository(image) : undefined;
    },
  );
  field(
    'command',
    'command[]',
    `When the request object refers to a pod, the ${what} commands (each element one value).`,
    (c) => child(c, 'command'),
  );
  field(
    'args',
    'args[]',
    `When the request object refers to a pod, the ${what} args (each element one value).`,
    (c) => child(c, 'args'),
  );
  field(
    'privileged',
    'securityContext.privileged',
    `When the request object refers to a pod, the value of the privileged flag for all ${what}.`,
    (c) => securityContext(c, 'privileged'),
  );
  field(
    'allow_privilege_escalation',
    'securityContext.allowPrivilegeEscalation',
    `When the request object refers to a pod, the value of the allowPrivilegeEscalation flag for all ${what}`,
    (c) => securityContext(c, 'allowPrivilegeEscalation'),
  );
  field(
    'read_only_fs',
    'securityContext.readOnlyRootFilesystem',
    `When the request object refers to a pod, the value of the readOnlyRootFilesystem flag for all ${what}`,
    (c) => securityContext(c, 'readOnlyRootFilesystem'),
  );
  field(
    'run_as_user',
    'securityContext.runAsUser',
    `When the request object refers to a pod, the runAsUser uid for all ${what}`,
    (c) => securityContext(c, 'runAsUser'),
  );
  field(
    'run_as_group',
    'securityContext.runAsGroup',
    `When the request object refers to a pod, the runAsGroup gid for all ${what}`,
    (c) => securityContext(c, 'runAsGroup'),
  );
  for (const [suffix, key, unit] of [
    ['eff_run_as_user', 'runAsUser', 'uid'],
    ['eff_run_as_group', 'runAsGroup', 'gid'],
  ] as const) {
    define(
      `${prefix}.${suffix}`,
      true,
      [...paths(`securityContext.${key}`), `${POD}.securityContext.${key}`, '"0"'],
      `When the request object refers to a pod, the initial ${unit} that will be used for all ${what}. This combines information from both the pod and container security contexts and uses 0 if no ${unit} is specified`,
      (arg) => {
        const index = parseIndex(arg);
        return (view) => {
          const podLevel = falcoString(walk(view.podSpec(), ['securityContext', key])) ?? '0';
          return fromElements(items(view), index, (c) => securityContext(c, key) ?? podLevel);
        };
      },
      { arg: 'index', origin },
    );
  }
  field(
    'proc_mount',
    'securityContext.procMount',
    `When the request object refers to a pod, the procMount types for all ${what}`,
    (c) => securityContext(c, 'procMount'),
  );
  field(
    'add_capabilities',
    'securityContext.capabilities.add[]',
    `When the request object refers to a pod, all capabilities to add when running the ${what}.`,
    (c) => securityContext(c, 'capabilities', 'add'),
  );
  field(
    'host_port',
    'ports[].hostPort (else containerPort)',
    `When the request object refers to a pod, all ${what} hostPort values (the containerPort when no hostPort is set, which is the host port under hostNetwork).`,
    (c) => {
      const ports = child(c, 'ports');
      if (!Array.isArray(ports)) return undefined;
      return ports
        .map((p) => child(p, 'hostPort') ?? child(p, 'containerPort'))
        .filter((p) => p !== undefined);
    },
  );
}

containerFields(
  'ka.req.pod.containers',
  CONTAINER_LISTS,
  'containers (containers, initContainers and ephemeralContainers)',
  'k8saudit',
);
containerFields('ka.req.pod.initContainers', ['initContainers'], 'init containers', 'k8saudit');
containerFields(
  'ka.req.pod.ephemeralContainers',
  ['ephemeralContainers'],
  'ephemeral containers',
  'k8saudit',
);

function firstContainer(view: EventView): unknown {
  return view.containers(['containers'])?.[0];
}
define(
  'ka.req.container.image',
  false,
  [`${POD}.containers[0].image`],
  'Deprecated by ka.req.pod.containers.image. Returns the image of the first container only',
  () => (view) => falcoString(child(firstContainer(view), 'image')),
);
define(
  'ka.req.container.image.repository',
  false,
  [`${POD}.containers[0].image (before the first ":" and "@")`],
  'Deprecated by ka.req.pod.containers.image.repository. Returns the repository of the first container only',
  () => (view) => {
    const image = child(firstContainer(view), 'image');
    return typeof image === 'string' ? imageRepository(image) : undefined;
  },
);
define(
  'ka.req.pod.host_ipc',
  false,
  [`${POD}.hostIPC`],
  'When the request object refers to a pod, the value of the hostIPC flag.',
  () => podValue(['hostIPC']),
);
define(
  'ka.req.pod.host_network',
  false,
  [`${POD}.hostNetwork`],
  'When the request object refers to a pod, the value of the hostNetwork flag.',
  () => podValue(['hostNetwork']),
);
define(
  'ka.req.container.host_network',
  false,
  [`${POD}.hostNetwork`],
  'Deprecated alias for ka.req.pod.host_network',
  () => podValue(['hostNetwork']),
);
define(
  'ka.req.pod.host_pid',
  false,
  [`${POD}.hostPID`],
  'When the request object refers to a pod, the value of the hostPID flag.',
  () => podValue(['hostPID']),
);
define(
  'ka.req.container.privileged',
  false,
  CONTAINER_LISTS.map((l) => `${POD}.${l}[].securityContext.privileged`),
  'Deprecated by ka.req.pod.containers.privileged. Returns true if any container has privileged=true',
  () => (view) => {
    const items = view.containers(CONTAINER_LISTS);
    if (items === undefined) return undefined;
    return items.some((c) => securityContext(c, 'privileged') === true) ? 'true' : 'false';
  },
);
define(
  'ka.req.pod.run_as_user',
  false,
  [`${POD}.securityContext.runAsUser`],
  'When the request object refers to a pod, the runAsUser uid specified in the security context for the pod. See ....containers.run_as_user for the runAsUser for individual containers',
  () => podValue(['securityContext', 'runAsUser']),
);
define(
  'ka.req.pod.run_as_group',
  false,
  [`${POD}.securityContext.runAsGroup`],
  'When the request object refers to a pod, the runAsGroup gid specified in the security context for the pod. See ....containers.run_as_group for the runAsGroup for individual containers',
  () => podValue(['securityContext', 'runAsGroup']),
);
define(
  'ka.req.pod.fs_group',
  false,
  [`${POD}.securityContext.fsGroup`],
  'When the request object refers to a pod, the fsGroup gid specified by the security context.',
  () => podValue(['securityContext', 'fsGroup']),
);
define(
  'ka.req.pod.supplemental_groups',
  true,
  [`${POD}.securityContext.supplementalGroups[]`],
  'When the request object refers to a pod, the supplementalGroup gids specified by the security context.',
  () => (view) => {
    const groups = walk(view.podSpec(), ['securityContext', 'supplementalGroups']);
    return Array.isArray(groups)
      ? listValue(groups.map((g) => falcoString(g) ?? 'null'))
      : undefined;
  },
);

const roleRules = (view: EventView): unknown[] | undefined =>
  arrayAt(walk(view.event, ['requestObject', 'rules']));
keysField(
  'ka.req.role.rules',
  true,
  ['requestObject', 'rules'],
  'When the request object refers to a role/cluster role, the rules associated with the role',
);
for (const key of ['apiGroups', 'nonResourceURLs', 'verbs', 'resources']) {
  indexedField(
    `ka.req.role.rules.${key}`,
    [`requestObject.rules[].${key}[]`],
    `When the request object refers to a role/cluster role, the ${key === 'apiGroups' ? 'api groups' : key === 'nonResourceURLs' ? 'non resource urls' : key} associated with the role's rules`,
    roleRules,
    (rule) => arrayAt(child(rule, key)),
  );
}
keysField(
  'ka.req.service.type',
  false,
  ['requestObject', 'spec', 'type'],
  'When the request object refers to a service, the service type',
);
indexedField(
  'ka.req.service.ports',
  ['requestObject.spec.ports[]'],
  "When the request object refers to a service, the service's ports",
  (view) => arrayAt(walk(view.event, ['requestObject', 'spec', 'ports'])),
  (port) => port,
);

const volumes = (view: EventView): unknown[] | undefined => arrayAt(view.podSpec()?.volumes);
indexedField(
  'ka.req.pod.volumes.hostpath',
  [`${POD}.volumes[].hostPath.path`],
  'When the request object refers to a pod, all hostPath paths specified for all volumes',
  volumes,
  (v) => walk(v, ['hostPath', 'path']),
);
define(
  'ka.req.volume.hostpath',
  false,
  [`${POD}.volumes[].hostPath.path`],
  'Deprecated by ka.req.pod.volumes.hostpath. Return true if the provided (host) path prefix is used by any volume (an argument ending in * is a prefix)',
  (arg) => {
    const key = arg ?? '';
    const prefix = key.endsWith('*') ? key.slice(0, -1) : undefined;
    return (view) => {
      const list = volumes(view);
      if (list === undefined) return undefined;
      for (const v of list) {
        const path = walk(v, ['hostPath', 'path']);
        if (typeof path !== 'string') continue;
        if ((prefix !== undefined && path.startsWith(prefix)) || path === key) return 'true';
      }
      return 'false';
    };
  },
  { arg: 'key', argRequired: true },
);
indexedField(
  'ka.req.pod.volumes.flexvolume_driver',
  [`${POD}.volumes[].flexVolume.driver`],
  'When the request object refers to a pod, all flexvolume drivers specified for all volumes',
  volumes,
  (v) => walk(v, ['flexVolume', 'driver']),
);
indexedField(
  'ka.req.pod.volumes.volume_type',
  [`${POD}.volumes[] (every key but name)`],
  'When the request object refers to a pod, all volume types for all volumes',
  volumes,
  (v) => (isRecord(v) ? Object.keys(v).filter((k) => k !== 'name') : undefined),
);
keysField(
  'ka.resp.name',
  false,
  ['responseObject', 'metadata', 'name'],
  'The response object name',
);
keysField('ka.response.code', false, ['responseStatus', 'code'], 'The response code');
keysField(
  'ka.response.reason',
  false,
  ['responseStatus', 'reason'],
  'The response reason (usually present only for failures)',
);
keysField(
  'ka.useragent',
  false,
  ['userAgent'],
  'The useragent of the client who made the request to the apiserver',
);
indexedField(
  'ka.sourceips',
  ['sourceIPs[]'],
  'The IP addresses of the client who made the request to the apiserver',
  (view) => arrayAt(view.event.sourceIPs),
  (ip) => ip,
);
define(
  'ka.cluster.name',
  false,
  ['(the cluster the event was received for)'],
  'The name of the cluster the event was received for (from the webhook URL, not from the event)',
  () => (view) => view.cluster,
  { origin: 'extension' },
);

function jsonPointer(arg: string | undefined): string[] {
  if (arg === undefined || arg === '')
    throw new Error('requires a JSON pointer argument, e.g. [/objectRef/name]');
  const pointer = arg.startsWith('/') ? arg.slice(1) : arg;
  return pointer.split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
}
for (const prefix of ['json', 'jevt']) {
  const alias =
    prefix === 'jevt' ? ' (alias of the json.* field, kept for backwards compatibility)' : '';
  define(
    `${prefix}.value`,
    false,
    ['<json pointer> (RFC 6901)'],
    `Extracts a value from the event with a JSON pointer: ${prefix}.value[/objectRef/name]${alias}`,
    (arg) => {
      const keys = jsonPointer(arg);
      return (view) => falcoString(walk(view.event, keys));
    },
    { arg: 'key', argRequired: true, origin: 'json' },
  );
  define(
    `${prefix}.obj`,
    false,
    ['(the whole event)'],
    `The full event as indented JSON text${alias}`,
    () => (view) => JSON.stringify(view.event, null, 2),
    {
      origin: 'json',
    },
  );
  define(
    `${prefix}.rawtime`,
    false,
    ['stageTimestamp (else requestReceivedTimestamp, timestamp)'],
    `The time of the event in nanoseconds since the epoch${alias}`,
    () => (view) => view.rawTime(),
    { origin: 'json' },
  );
}
define(
  'jevt.time',
  false,
  ['stageTimestamp (else requestReceivedTimestamp, timestamp)'],
  'The time of the event as an ISO 8601 UTC string with nanoseconds',
  () => (view) => view.isoTime(),
  { origin: 'json' },
);
define(
  'jevt.time.iso8601',
  false,
  ['stageTimestamp (else requestReceivedTimestamp, timestamp)'],
  'The time of the event as an ISO 8601 UTC string with nanoseconds',
  () => (view) => view.isoTime(),
  { origin: 'json' },
);

const BY_NAME = new Map(ENTRIES.map((e) => [e.definition.name, e]));

export const FIELDS: readonly FieldDefinition[] = Object.freeze(
  ENTRIES.map((e) => Object.freeze(e.definition)),
);

export interface BoundField {
  definition: FieldDefinition;
  /** `name` or `name[arg]`, as the rule wrote it. */
  key: string;
  extract: Extractor;
}

/** Resolves `name` + optional bracket argument; throws a message naming the problem. */
export function bindField(name: string, arg: string | undefined): BoundField {
  const entry = BY_NAME.get(name);
  if (!entry) throw new Error(`unknown field '${name}'`);
  const { definition } = entry;
  const key = arg === undefined ? name : `${name}[${arg}]`;
  if (arg !== undefined && definition.arg === 'none')
    throw new Error(`field '${name}' takes no argument (got '${key}')`);
  if (arg === undefined && definition.argRequired)
    throw new Error(`field '${name}' requires an argument: ${name}[...]`);
  try {
    return { definition, key, extract: entry.bind(arg) };
  } catch (e) {
    throw new Error(`field '${name}' ${(e as Error).message}`);
  }
}
