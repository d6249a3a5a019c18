import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { AuditEvent } from '../domain/audit-event';
import { normalizeEvent } from '../domain/normalize-event';
import { readAuditFile } from '../import/audit-file-reader';
import { parsePath } from './core/request';
import { placeholdersIn } from './core/to-kubectl';
import { describe as sentence, toKubectl } from './index';
import type { KubectlReconstruction } from './index';

const CORPUS = join(__dirname, '../../test/fixtures/corpus');

interface Case {
  file: string;
  event: AuditEvent;
  result: KubectlReconstruction;
  summary: string;
}

async function loadCorpus(): Promise<Case[]> {
  const cases: Case[] = [];
  for (const folder of readdirSync(CORPUS, { withFileTypes: true }).filter((d) =>
    d.isDirectory(),
  )) {
    for (const name of readdirSync(join(CORPUS, folder.name)).sort()) {
      const path = join(CORPUS, folder.name, name);
      for await (const item of readAuditFile(path)) {
        if (item.kind !== 'event') continue;
        const normalized = normalizeEvent(item.raw);
        if (!normalized.ok) continue;
        const event = normalized.event;
        cases.push({
          file: relative(CORPUS, path),
          event,
          result: toKubectl(event),
          summary: sentence(event),
        });
      }
    }
  }
  return cases;
}

let cases: Case[];
const inFile = (file: string) => cases.filter((c) => c.file === file);

beforeAll(async () => {
  cases = await loadCorpus();
});

describe('the shared corpus', () => {
  it('is all there', () => {
    expect(cases.length).toBeGreaterThanOrEqual(140);
  });

  it('gives every event a sentence and a named recognizer that kubectl can follow', () => {
    for (const c of cases) {
      expect({ file: c.file, recognizer: c.result.recognizer }).not.toEqual({
        file: c.file,
        recognizer: 'raw-fallback',
      });
      expect(c.result.fidelity).not.toBe('none');
      expect(c.summary).toMatch(/^\S.* \S/);
      expect(c.summary).not.toMatch(/undefined|null|\[object/);
    }
  });

  it('rebuilds the falco exec and attach events', () => {
    const [exec] = inFile('falcosecurity-falco/exec_pod.json');
    expect(exec.result.command).toBe(
      'kubectl exec -i -t nginx-deployment-7998647bdf-phvq7 -c nginx1 -n default -- bash',
    );
    expect(exec.summary).toContain(
      'ran `bash` in container `nginx1` of Pod `nginx-deployment-7998647bdf-phvq7`',
    );
    const [attach] = inFile('falcosecurity-falco/attach_pod.json');
    expect(attach.result.command).toBe(
      'kubectl attach -i nginx-deployment-7998647bdf-phvq7 -c nginx1 -n default',
    );
  });

  it('adds --as for every impersonated liggitt event and reports its denials', () => {
    const demo = inFile('liggitt-audit2rbac/demo.log');
    expect(demo).toHaveLength(37);
    for (const c of demo) {
      expect(c.result.command).toContain(`--as=${c.event.impersonatedUser!.username}`);
      expect(
        c.summary.startsWith(`system:admin, acting as ${c.event.impersonatedUser!.username},`),
      ).toBe(true);
      if (c.event.responseStatus?.code === 403) expect(c.summary).toContain('was denied (403)');
    }
    expect(demo.filter((c) => c.result.command.includes('--as=bob')).length).toBeGreaterThan(20);
  });

  it('reads the v1beta1 copy of the liggitt log into the same commands', () => {
    const v1 = inFile('liggitt-audit2rbac/demo.log').map((c) => c.result.command);
    const v1beta1 = inFile('liggitt-audit2rbac/demo.v1beta1.log').map((c) => c.result.command);
    expect(v1beta1).toEqual(v1);
  });

  it('calls the AKS controller and kubelet events equivalent and names the client', () => {
    const aks = cases.filter((c) => c.file.startsWith('sysdiglabs-aks-audit-log/'));
    expect(aks).toHaveLength(24);
    for (const c of aks) {
      const agent = c.event.userAgent ?? '';
      if (agent.startsWith('kubectl/')) {
        expect(['exact', 'partial', 'equivalent']).toContain(c.result.fidelity);
        continue;
      }
      expect(c.result.fidelity).toBe('equivalent');
      const client = agent.startsWith('kubelet/')
        ? 'kubelet'
        : /kube-controller-manager \([a-z-]+\)/;
      expect(c.result.notes[0]).toMatch(client);
    }
    const discovery = aks.find(
      (c) => c.event.requestURI === '/apis/metrics.k8s.io/v1beta1?timeout=32s',
    )!;
    expect(discovery.result.command).toBe(
      "kubectl get --raw '/apis/metrics.k8s.io/v1beta1?timeout=32s'",
    );
  });

  it('recognizes the old client-side apply of a ClusterRole', () => {
    const [apply] = inFile('falcosecurity-falco/modify_cluster_role_node_problem_detector.json');
    expect(apply.result.recognizer).toBe('apply-client-side');
    expect(apply.result.command).toMatch(
      /^kubectl apply -f - <<'EOF'\napiVersion: rbac.authorization.k8s.io\/v1\nkind: ClusterRole\n/,
    );
    expect(apply.result.command).not.toMatch(/resourceVersion|selfLink|uid:/);
  });

  it('treats Namespace deletes as cluster-scoped and controller creates as equivalent', () => {
    expect(inFile('falcosecurity-falco/delete_namespace_foo.json')[0].result.command).toBe(
      'kubectl delete namespaces foo',
    );
    const [pod] = inFile('falcosecurity-falco/create_nginx_pod_privileged.json');
    expect(pod.result.fidelity).toBe('equivalent');
    expect(pod.result.notes[0]).toContain('replicaset-controller');
  });

  it('never claims exact for a command with a placeholder', () => {
    const exactWithPlaceholders = cases
      .filter((c) => c.result.fidelity === 'exact' && placeholdersIn(c.result.command).length > 0)
      .map((c) => `${c.file}: ${c.result.command}`);
    expect(exactWithPlaceholders).toEqual([]);
  });

  it('finds the objectRef of every apiserver-written event in agreement with its request URI', () => {
    const fromUri = cases
      .filter((c) => c.result.notes.some((n) => /request URI/.test(n)))
      .map((c) => `${c.file}: ${c.event.requestURI} ${JSON.stringify(c.event.objectRef)}`);
    expect(fromUri).toEqual([]);
  });

  // Issue 11: sanitised exports drop objectRef fields, converters write GKE's resource names.
  it('rebuilds the same command from every event stripped of what its request URI names', () => {
    const changed = cases
      .map((c) => {
        const parts = parsePath(c.event.requestURI.split('?')[0]);
        if (!c.event.objectRef || !parts.isResource) return undefined;
        const objectRef = { ...c.event.objectRef };
        if (parts.name) delete objectRef.name;
        if (parts.namespace) delete objectRef.namespace;
        if (parts.subresource) delete objectRef.subresource;
        const stripped = toKubectl({ ...c.event, objectRef });
        return stripped.command === c.result.command && stripped.fidelity === c.result.fidelity
          ? undefined
          : `${c.file}: ${c.result.command} -> ${stripped.command} (${stripped.fidelity})`;
      })
      .filter(Boolean);
    expect(changed).toEqual([]);
  });

  it("rebuilds the same command and sentence from every event in GKE's resource-name form", () => {
    const changed = cases
      .map((c) => {
        const requestURI = c.event.requestURI.replace(/^\/api\//, 'core/').replace(/^\/apis\//, '');
        const objectRef = c.event.objectRef && {
          ...c.event.objectRef,
          apiGroup: c.event.objectRef.apiGroup || 'core',
        };
        const converted = { ...c.event, requestURI, objectRef };
        const result = toKubectl(converted);
        const same =
          result.command === c.result.command &&
          result.fidelity === c.result.fidelity &&
          sentence(converted) === c.summary;
        return same ? undefined : `${c.file}: ${c.result.command} -> ${result.command}`;
      })
      .filter(Boolean);
    expect(changed).toEqual([]);
  });

  it('never shows an empty value in a sentence', () => {
    expect(cases.filter((c) => c.summary.includes('``')).map((c) => c.summary)).toEqual([]);
  });

  it('produces commands bash accepts and that run nothing but kubectl', () => {
    const script = [
      'kubectl() { cat >/dev/null; }',
      ...cases.map((c) => c.result.command),
      'echo done',
    ].join('\n');
    const run = spawnSync('bash', ['-c', script], { encoding: 'utf8', input: '' });
    expect({ status: run.status, stderr: run.stderr, stdout: run.stdout }).toEqual({
      status: 0,
      stderr: '',
      stdout: 'done\n',
    });
  });
});
