/**
 * The deployment files and docs name environment variables and metrics that the service defines
 * elsewhere (src/config/environment.ts, src/ops). A rename there must fail here, not in a cluster.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KUBECTL, kustomize } from './support/k8s-objects';

const repo = join(__dirname, '..', '..');
const read = (...p: string[]) => readFileSync(join(repo, ...p), 'utf8');

/** The variables `parseEnvironment` reads: the properties of its EnvironmentVariables class. */
function variablesTheServiceReads(): Set<string> {
  const source = read('src', 'config', 'environment.ts');
  const body = /class EnvironmentVariables \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
  return new Set([...body.matchAll(/\b([A-Z][A-Z0-9_]+)\?:/g)].map((m) => m[1]));
}

const known = variablesTheServiceReads();
/** Read by Node or the runtime, not by the service's parser. */
const RUNTIME = new Set(['NODE_ENV', 'TMPDIR']);

describe('environment variables in the deployment files exist in the service', () => {
  it('the parser declares the variables this check relies on', () => {
    expect(known.size).toBeGreaterThan(10);
    expect(known).toContain('DB_PATH');
  });

  it('Dockerfile ENV', () => {
    const names = [...read('Dockerfile').matchAll(/^\s*(?:ENV\s+)?([A-Z][A-Z0-9_]+)=/gm)].map(
      (m) => m[1],
    );
    expect(names.length).toBeGreaterThan(2);
    expect(names.filter((n) => !known.has(n) && !RUNTIME.has(n))).toEqual([]);
  });

  it('Helm receiver env and Secret keys', () => {
    const templates = ['deployment.yaml', 'secret.yaml'].map((f) =>
      read('k8s', 'helm', 'k8s-audit-webhook', 'templates', f),
    );
    const names = templates.flatMap((t) => [
      ...[...t.matchAll(/- name: ([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]),
      ...[...t.matchAll(/^\s+([A-Z][A-Z0-9_]+): \{\{/gm)].map((m) => m[1]),
    ]);
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !known.has(n))).toEqual([]);
  });

  (KUBECTL ? it : it.skip)('kustomize base and overlay receiver env and Secret keys', () => {
    for (const dir of ['base', join('overlays', 'example')]) {
      const objects = kustomize(join(repo, 'k8s', 'manifests', dir));
      const env = objects
        .filter((o) => o.kind === 'Deployment')
        .flatMap((o) =>
          o.spec.template.spec.containers.flatMap((c: any) =>
            (c.env ?? []).map((e: any) => e.name),
          ),
        );
      const secretKeys = objects
        .filter((o) => o.kind === 'Secret')
        .flatMap((o) => Object.keys({ ...o.data, ...o.stringData }));
      expect([...env, ...secretKeys].filter((n) => !known.has(n))).toEqual([]);
    }
  });
});

describe('names the docs tell operators to look for', () => {
  const metricsSource = readdirSync(join(repo, 'src', 'ops'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => read('src', 'ops', f))
    .join('\n');

  it.each([
    'docs/kubernetes.md',
    'docs/scaling.md',
    'k8s/helm/k8s-audit-webhook/templates/NOTES.txt',
  ])('every audit_* metric in %s is defined in src/ops', (file) => {
    const metrics = [...read(file).matchAll(/\baudit_[a-z_]*(?:_total|_seconds|_events)\b/g)].map(
      (m) => m[0],
    );
    const missing = [...new Set(metrics)].filter((m) => !metricsSource.includes(`'${m}'`));
    expect(missing).toEqual([]);
  });

  it('every environment variable the docs name is one the service reads (or Kubernetes/apiserver wording)', () => {
    const text = read('docs', 'kubernetes.md');
    const named = [...text.matchAll(/`([A-Z][A-Z0-9_]{3,})(?:=[^`]*)?`/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(3);
    expect([...new Set(named)].filter((n) => !known.has(n))).toEqual([]);
  });
});
