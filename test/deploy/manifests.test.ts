/**
 * Renders the plain manifests with the real `kubectl kustomize` and validates every object against
 * the Kubernetes OpenAPI schemas (kubernetes-models), then cross-checks what schemas cannot see.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseEnvironment } from '../../src/config/environment';
import { loadConfiguredRules } from '../../src/detection/rules-loader';
import {
  crossCheckProblems,
  KUBECTL,
  kustomize,
  schemaProblems,
  type K8sObject,
} from './support/k8s-objects';

const manifests = join(__dirname, '..', '..', 'k8s', 'manifests');

if (!KUBECTL) {
  console.warn(
    '\n\n!!! SKIPPING test/deploy/manifests.test.ts: no kubectl binary (looked in /usr/bin and ' +
      '/usr/local/bin). The plain manifests were NOT rendered or validated. !!!\n\n',
  );
}
const describeWithKubectl = KUBECTL ? describe : describe.skip;

const kinds = (objects: K8sObject[]) => objects.map((o) => o.kind).sort();

describeWithKubectl('k8s/manifests/base (kubectl kustomize)', () => {
  const objects = KUBECTL ? kustomize(join(manifests, 'base')) : [];

  it('renders the expected objects', () => {
    expect(kinds(objects)).toEqual(
      [
        'Deployment',
        'Namespace',
        'NetworkPolicy',
        'PersistentVolumeClaim',
        'PodDisruptionBudget',
        'Secret',
        'Service',
        'ServiceAccount',
      ].sort(),
    );
  });

  it('every object is valid against its Kubernetes schema', async () => {
    const problems = (await Promise.all(objects.map(schemaProblems))).flat();
    expect(problems).toEqual([]);
  });

  it('selectors, ports, volumes, secrets, pod security and the SQLite rule hold', () => {
    expect(crossCheckProblems(objects)).toEqual([]);
  });

  it('ships only a placeholder token the service refuses (it contains spaces)', () => {
    const secret = objects.find((o) => o.kind === 'Secret');
    expect(secret?.stringData.WEBHOOK_TOKENS).toMatch(/\s/);
  });

  it('ships only placeholders the service refuses, each by name', () => {
    const secret = objects.find((o) => o.kind === 'Secret')!;
    const env = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].env;
    const values = Object.fromEntries(
      env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    let problems: string[] = [];
    try {
      parseEnvironment({ ...values, ...secret.stringData });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    const refused = Object.keys(secret.stringData).filter((key) =>
      problems.some((p) => p.startsWith(`${key}:`)),
    );
    expect(refused.sort()).toEqual(Object.keys(secret.stringData).sort());
  });
});

describeWithKubectl('k8s/manifests/overlays/example (kubectl kustomize)', () => {
  const objects = KUBECTL ? kustomize(join(manifests, 'overlays', 'example')) : [];
  const deployment = objects.find((o) => o.kind === 'Deployment') as K8sObject;

  it('drops the SQLite PVC and the example Secret and runs several replicas on MySQL', () => {
    expect(kinds(objects)).not.toContain('PersistentVolumeClaim');
    expect(kinds(objects)).not.toContain('Secret');
    expect(deployment.spec.replicas).toBeGreaterThan(1);
    const env = deployment.spec.template.spec.containers[0].env.map(
      (e: { name: string }) => e.name,
    );
    expect(env).toContain('DB_HOST');
    expect(env).not.toContain('DB_PATH');
  });

  it('every object is valid against its Kubernetes schema', async () => {
    const problems = (await Promise.all(objects.map(schemaProblems))).flat();
    expect(problems).toEqual([]);
  });

  it('cross-checks hold, with the Secret created out of band', () => {
    expect(crossCheckProblems(objects, { externalSecrets: ['k8s-audit-webhook'] })).toEqual([]);
  });

  it('adds rules files from a generated ConfigMap (in the namespace, mounted read-only) named by RULES_FILES', () => {
    const configMap = objects.find((o) => o.kind === 'ConfigMap') as K8sObject;
    expect(configMap.metadata.name).toMatch(/^k8s-audit-webhook-rules-[a-z0-9]+$/);
    expect(configMap.metadata.namespace).toBe('audit-webhook');
    const pod = deployment.spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: 'rules',
      configMap: { name: configMap.metadata.name },
    });
    const env = Object.fromEntries(
      pod.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    const files = env.RULES_FILES.split(',');
    expect(files.length).toBeGreaterThan(0);
    // The mount, read-only flag and keys are checked by crossCheckProblems (rulesFilesProblems).
    expect(files.map((f: string) => f.replace('/etc/audit-webhook/rules/', ''))).toEqual(
      Object.keys(configMap.data),
    );
  });

  it('its rules files compile together with the default ruleset, as the pod loads them', () => {
    const configMap = objects.find((o) => o.kind === 'ConfigMap') as K8sObject;
    const dir = mkdtempSync(join(tmpdir(), 'kustomize-rules-'));
    try {
      const rulesFiles = Object.entries(configMap.data as Record<string, string>).map(
        ([key, text]) => {
          writeFileSync(join(dir, key), text);
          return join(dir, key);
        },
      );
      const loaded = loadConfiguredRules({ defaultRules: true, rulesFiles });
      const ours = loadConfiguredRules({ defaultRules: true, rulesFiles: [] });
      expect(loaded.ruleset.rules.length).toBeGreaterThan(ours.ruleset.rules.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens egress to the database port', () => {
    const policy = objects.find((o) => o.kind === 'NetworkPolicy') as K8sObject;
    const ports = policy.spec.egress.flatMap((r: { ports: { port: number }[] }) =>
      r.ports.map((p) => p.port),
    );
    expect(ports).toContain(3306);
  });
});

describe('the manifest checks themselves', () => {
  it('catch a schema violation and a broken selector', async () => {
    if (!KUBECTL) return;
    const objects = kustomize(join(manifests, 'base'));
    const deployment = structuredClone(objects.find((o) => o.kind === 'Deployment') as K8sObject);
    deployment.spec.template.spec.containers[0].ports[0].containerPort = 'eighty';
    expect(await schemaProblems(deployment)).toHaveLength(1);
    const broken = objects.map((o) =>
      o.kind === 'Service' ? { ...o, spec: { ...o.spec, selector: { app: 'nothing' } } } : o,
    );
    expect(crossCheckProblems(broken)).toContain(
      'Service/k8s-audit-webhook: selector matches no pod template',
    );
    const scaled = objects.map((o) =>
      o.kind === 'Deployment' ? { ...o, spec: { ...o.spec, replicas: 2 } } : o,
    );
    expect(crossCheckProblems(scaled).join('\n')).toMatch(/SQLite allows one replica/);
    const overlay = kustomize(join(manifests, 'overlays', 'example'));
    const typo = overlay.map((o) => (o.kind === 'Deployment' ? structuredClone(o) : o));
    const receiver = typo.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0];
    receiver.env.find((e: { name: string }) => e.name === 'RULES_FILES').value =
      '/etc/audit-webhook/rules/50-locale.yaml,/etc/rules/60.yaml';
    const problems = crossCheckProblems(typo, { externalSecrets: ['k8s-audit-webhook'] }).join(
      '\n',
    );
    expect(problems).toMatch(
      /RULES_FILES \/etc\/audit-webhook\/rules\/50-locale.yaml: ConfigMap .* has no key 50-locale.yaml/,
    );
    expect(problems).toMatch(/RULES_FILES \/etc\/rules\/60.yaml is not on a mounted volume/);
  });
});
