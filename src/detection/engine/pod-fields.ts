import {
  CONTAINER_LISTS,
  ContainerList,
  EventView,
  child,
  falcoString,
  isRecord,
  listValue,
  walk,
} from './event-view';
import {
  POD,
  arrayAt,
  define,
  fromElements,
  imageRepository,
  indexedField,
  parseIndex,
  podValue,
} from './field-builders';
import { FieldDefinition } from './types';

/** Fields of the pod spec a request carries (see EventView.podSpec for where it is read). */
export function declarePodFields(): void {
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
}
