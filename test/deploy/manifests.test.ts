/**
 * Renders the plain manifests with the real `kubectl kustomize` and validates every object against
 * the Kubernetes OpenAPI schemas (kubernetes-models), then cross-checks what schemas cannot see.
 */
import { join } from 'node:path';
import { ConfigError, parseEnvironment } from '../../src/config/environment';
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
  });
});
