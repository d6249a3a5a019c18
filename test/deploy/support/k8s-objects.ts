import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object, loosely typed: the schema validators decide what is valid. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: any;
}

export const KUBECTL = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`YAML error: ${doc.errors[0].message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

export function kustomize(dir: string): K8sObject[] {
  if (!KUBECTL) throw new Error('kubectl not found');
  return parseManifests(execFileSync(KUBECTL, ['kustomize', dir], { encoding: 'utf8' }));
}

/** CRD kinds the chart may render; kubernetes-models only ships the built-in API groups. */
const CUSTOM_KINDS: Record<string, (o: K8sObject) => string[]> = {
  'cert-manager.io/v1/Certificate': (o) =>
    [
      !o.spec?.secretName && 'spec.secretName is required',
      !o.spec?.issuerRef?.name && 'spec.issuerRef.name is required',
      !(o.spec?.dnsNames?.length || o.spec?.ipAddresses?.length) && 'needs dnsNames or ipAddresses',
    ].filter((p): p is string => !!p),
  'monitoring.coreos.com/v1/ServiceMonitor': (o) =>
    [
      !o.spec?.selector && 'spec.selector is required',
      !Array.isArray(o.spec?.endpoints) && 'spec.endpoints must be a list',
    ].filter((p): p is string => !!p),
};

/**
 * Validates one object against the Kubernetes OpenAPI schema of its apiVersion/kind (through the
 * kubernetes-models package). Returns the problems found; an unknown kind is a problem too.
 */
export async function schemaProblems(o: K8sObject): Promise<string[]> {
  const id = `${o.apiVersion}/${o.kind}`;
  if (CUSTOM_KINDS[id]) return CUSTOM_KINDS[id](o).map((p) => `${id} ${o.metadata?.name}: ${p}`);
  let model: { new (data: unknown): { validate(): void } } | undefined;
  try {
    const mod = (await import(`kubernetes-models/${o.apiVersion}/${o.kind}`)) as Record<
      string,
      { new (data: unknown): { validate(): void } }
    >;
    model = mod[o.kind];
  } catch {
    return [`${id}: no schema known for this apiVersion/kind`];
  }
  try {
    new model(o).validate();
    return [];
  } catch (err) {
    return [`${id} ${o.metadata?.name}: ${(err as Error).message}`];
  }
}

const matches = (
  selector: Record<string, string> | undefined,
  labels: Record<string, string> = {},
) =>
  !!selector &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels[k] === v);

function podTemplates(objects: K8sObject[]) {
  return objects
    .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))
    .map((o) => ({ owner: o, pod: o.spec.template }));
}

export interface CrossCheckOptions {
  /** Secrets the manifests expect to be created out of band. */
  externalSecrets?: string[];
  /** ConfigMaps the manifests expect to be created out of band. */
  externalConfigMaps?: string[];
}

/**
 * Checks the schemas cannot: selectors that select the pods, ports and volumes that exist,
 * restricted pod security, the receiver's probes, and the SQLite single-replica rule.
 */
export function crossCheckProblems(objects: K8sObject[], opts: CrossCheckOptions = {}): string[] {
  const problems: string[] = [];
  const named = (kind: string, name: string) =>
    objects.some((o) => o.kind === kind && o.metadata.name === name);
  const templates = podTemplates(objects);
  const namespaces = new Set(
    objects.filter((o) => o.metadata.namespace).map((o) => o.metadata.namespace),
  );
  if (namespaces.size > 1)
    problems.push(`objects spread over namespaces ${[...namespaces].join(', ')}`);

  for (const { owner, pod } of templates) {
    const where = `${owner.kind}/${owner.metadata.name}`;
    if (!matches(owner.spec.selector?.matchLabels, pod.metadata?.labels)) {
      problems.push(`${where}: selector does not match its pod template labels`);
    }
    const spec = pod.spec;
    const psc = spec.securityContext ?? {};
    if (psc.seccompProfile?.type !== 'RuntimeDefault')
      problems.push(`${where}: seccompProfile must be RuntimeDefault`);
    const volumes = new Map<string, any>(
      [
        ...(spec.volumes ?? []),
        ...(owner.spec.volumeClaimTemplates ?? []).map((t: any) => ({ name: t.metadata.name })),
      ].map((v: any) => [v.name, v]),
    );
    for (const v of volumes.values()) {
      if (
        v.persistentVolumeClaim &&
        !named('PersistentVolumeClaim', v.persistentVolumeClaim.claimName)
      ) {
        problems.push(
          `${where}: volume ${v.name} claims missing PVC ${v.persistentVolumeClaim.claimName}`,
        );
      }
      const secretName = v.secret?.secretName;
      if (
        secretName &&
        !named('Secret', secretName) &&
        !opts.externalSecrets?.includes(secretName)
      ) {
        problems.push(`${where}: volume ${v.name} uses missing Secret ${secretName}`);
      }
      const configMapName = v.configMap?.name;
      if (
        configMapName &&
        !v.configMap.optional &&
        !named('ConfigMap', configMapName) &&
        !opts.externalConfigMaps?.includes(configMapName)
      ) {
        problems.push(`${where}: volume ${v.name} uses missing ConfigMap ${configMapName}`);
      }
    }
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      const sc = c.securityContext ?? {};
      const cw = `${where} container ${c.name}`;
      if (sc.allowPrivilegeEscalation !== false)
        problems.push(`${cw}: allowPrivilegeEscalation must be false`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL'))
        problems.push(`${cw}: must drop ALL capabilities`);
      if (!(sc.runAsNonRoot ?? psc.runAsNonRoot)) problems.push(`${cw}: runAsNonRoot must be true`);
      if (sc.readOnlyRootFilesystem !== true)
        problems.push(`${cw}: readOnlyRootFilesystem must be true`);
      for (const m of c.volumeMounts ?? []) {
        if (!volumes.has(m.name)) problems.push(`${cw}: mounts unknown volume ${m.name}`);
      }
      const secretRefs = [
        ...(c.envFrom ?? []).map(
          (e: any) => e.secretRef && !e.secretRef.optional && e.secretRef.name,
        ),
        ...(c.env ?? []).map((e: any) => {
          const ref = e.valueFrom?.secretKeyRef;
          return ref && !ref.optional && ref.name;
        }),
      ].filter(Boolean) as string[];
      for (const s of secretRefs) {
        if (!named('Secret', s) && !opts.externalSecrets?.includes(s))
          problems.push(`${cw}: needs missing Secret ${s}`);
      }
      const portNames = new Set((c.ports ?? []).map((p: any) => p.name));
      for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
        const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
        if (typeof port === 'string' && !portNames.has(port))
          problems.push(`${cw}: probe uses unknown port ${port}`);
      }
    }
    const receiver = spec.containers.find((c: any) => c.name === 'receiver');
    if (receiver) problems.push(...receiverProblems(owner, receiver, volumes, objects));
  }

  for (const o of objects) {
    const where = `${o.kind}/${o.metadata.name}`;
    const selector =
      o.kind === 'Service'
        ? o.spec.selector
        : ['PodDisruptionBudget', 'NetworkPolicy'].includes(o.kind)
          ? (o.spec.selector ?? o.spec.podSelector)?.matchLabels
          : undefined;
    if (
      selector !== undefined &&
      !templates.some(({ pod }) => matches(selector, pod.metadata?.labels))
    ) {
      problems.push(`${where}: selector matches no pod template`);
    }
    if (o.kind === 'Service') {
      for (const port of o.spec.ports ?? []) {
        const selected = templates.filter(({ pod }) => matches(selector, pod.metadata?.labels));
        const has = selected.some(({ pod }) =>
          pod.spec.containers.some((c: any) =>
            (c.ports ?? []).some(
              (p: any) => p.name === port.targetPort || p.containerPort === port.targetPort,
            ),
          ),
        );
        if (!has)
          problems.push(
            `${where}: targetPort ${port.targetPort} is not a port of the selected pods`,
          );
      }
    }
    if (
      o.kind === 'HorizontalPodAutoscaler' &&
      !named(o.spec.scaleTargetRef.kind, o.spec.scaleTargetRef.name)
    ) {
      problems.push(`${where}: scale target ${o.spec.scaleTargetRef.name} is missing`);
    }
    if (o.kind === 'Ingress') {
      for (const rule of o.spec.rules ?? []) {
        for (const path of rule.http?.paths ?? []) {
          if (!named('Service', path.backend.service.name))
            problems.push(`${where}: backend service missing`);
        }
      }
    }
  }
  return problems;
}

function receiverProblems(
  owner: K8sObject,
  c: any,
  volumes: Map<string, any>,
  objects: K8sObject[],
): string[] {
  const problems: string[] = [];
  const where = `${owner.kind}/${owner.metadata.name} receiver`;
  if (c.livenessProbe?.httpGet?.path !== '/healthz')
    problems.push(`${where}: liveness must GET /healthz`);
  if (c.readinessProbe?.httpGet?.path !== '/readyz')
    problems.push(`${where}: readiness must GET /readyz`);
  if (!c.resources?.requests || !c.resources?.limits?.memory)
    problems.push(`${where}: needs requests and a memory limit`);
  const tmp = (c.volumeMounts ?? []).find((m: any) => m.mountPath === '/tmp');
  if (!tmp || !volumes.get(tmp.name)?.emptyDir) problems.push(`${where}: /tmp must be an emptyDir`);
  const env = new Map<string, string>((c.env ?? []).map((e: any) => [e.name, e.value]));
  if (env.get('ENVIRONMENT') !== 'production')
    problems.push(`${where}: ENVIRONMENT must be production`);
  problems.push(...rulesFilesProblems(where, c, env, volumes, objects));
  const sqlite = !env.has('DB_HOST');
  if (sqlite) {
    const data = (c.volumeMounts ?? []).find((m: any) =>
      (env.get('DB_PATH') ?? '').startsWith(m.mountPath + '/'),
    );
    if (!data)
      problems.push(`${where}: SQLite DB_PATH ${env.get('DB_PATH')} is not on a mounted volume`);
    if ((owner.spec.replicas ?? 1) > 1)
      problems.push(`${where}: SQLite allows one replica, not ${owner.spec.replicas}`);
    if (owner.kind === 'Deployment' && owner.spec.strategy?.type !== 'Recreate') {
      problems.push(`${where}: SQLite on a ReadWriteOnce volume needs strategy Recreate`);
    }
  }
  return problems;
}

/**
 * RULES_FILES must name files the pod has: each on a read-only mount of a ConfigMap (or Secret)
 * volume and, when that ConfigMap is among the objects, one of its keys. The service refuses to
 * start on a rules file it cannot read.
 */
function rulesFilesProblems(
  where: string,
  c: any,
  env: Map<string, string>,
  volumes: Map<string, any>,
  objects: K8sObject[],
): string[] {
  const problems: string[] = [];
  const files = (env.get('RULES_FILES') ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  for (const file of files) {
    const mount = (c.volumeMounts ?? []).find((m: any) => file.startsWith(m.mountPath + '/'));
    if (!mount) {
      problems.push(`${where}: RULES_FILES ${file} is not on a mounted volume`);
      continue;
    }
    if (mount.readOnly !== true)
      problems.push(`${where}: rules mount ${mount.name} must be readOnly`);
    const volume = volumes.get(mount.name);
    const key = file.slice(mount.mountPath.length + 1);
    if (volume?.configMap) {
      const configMap = objects.find(
        (o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap.name,
      );
      if (configMap && !(key in { ...configMap.data })) {
        problems.push(
          `${where}: RULES_FILES ${file}: ConfigMap ${configMap.metadata.name} has no key ${key}`,
        );
      }
    } else if (!volume?.secret) {
      problems.push(
        `${where}: RULES_FILES ${file} is on volume ${mount.name}, not a ConfigMap or Secret`,
      );
    }
  }
  return problems;
}
