import { readFileSync } from 'fs';
import { join } from 'path';
import { loadRules } from '../../../src/detection/engine';
import { corpusEvents } from './corpus';
import { baseEvent, podCreate } from './events';

/** Falco's own k8s_audit_rules.yaml (test data, see the header of the file for its origin and licence). */
const text = readFileSync(
  join(__dirname, '../../fixtures/rules/falco-k8s_audit_rules.yaml'),
  'utf8',
);
const ruleset = loadRules([{ path: 'falco-k8s_audit_rules.yaml', text }]);

function fired(event: Record<string, unknown>): string[] {
  return ruleset.evaluate({ event, cluster: 'prod' }).map((r) => r.name);
}

describe("Falco's k8s_audit_rules.yaml", () => {
  it('loads unchanged: every rule, with its priority', () => {
    expect(ruleset.rules).toHaveLength(43);
    const byName = new Map(ruleset.rules.map((r) => [r.name, r]));
    expect(byName.get('Create Privileged Pod')?.priority).toBe('WARNING');
    expect(byName.get('K8s Deployment Created')?.priority).toBe('INFORMATIONAL');
    expect(byName.get('All K8s Audit Events')?.priority).toBe('DEBUG');
    expect(byName.get('K8s Secret Get Unsuccessfully Tried')?.line).toBeGreaterThan(1);
  });

  it('fires Create Privileged Pod and Create HostNetwork Pod on a pod create', () => {
    const event = podCreate({
      hostNetwork: true,
      containers: [{ name: 'c', image: 'nginx:1.25', securityContext: { privileged: true } }],
    });
    expect(fired(event)).toEqual(
      expect.arrayContaining([
        'Create Privileged Pod',
        'Create HostNetwork Pod',
        'Disallowed K8s User',
      ]),
    );
    const privileged = ruleset.rules.find((r) => r.name === 'Create Privileged Pod')!;
    expect(privileged.output({ event, cluster: 'prod' })).toBe(
      'Pod started with privileged container (user=alice pod=web resource=pods ns=default images=(nginx:1.25))',
    );
  });

  it('does not fire Create Privileged Pod for an allowed user, a non-privileged pod or another stage', () => {
    expect(
      fired(
        podCreate({ containers: [{ image: 'nginx', securityContext: { privileged: false } }] }),
      ),
    ).not.toContain('Create Privileged Pod');
    const started = podCreate(
      { containers: [{ image: 'nginx', securityContext: { privileged: true } }] },
      { stage: 'ResponseStarted' },
    );
    expect(fired(started)).toEqual([]);
    const admin = podCreate(
      { containers: [{ image: 'nginx' }] },
      { user: { username: 'kubernetes-admin' } },
    );
    expect(fired(admin)).toEqual([]);
  });

  it('fires Anonymous Request Allowed except on health endpoints', () => {
    const anonymous = (uri: string) =>
      baseEvent({
        verb: 'get',
        requestURI: uri,
        user: { username: 'system:anonymous' },
        objectRef: undefined,
        responseStatus: { code: 200 },
      });
    expect(fired(anonymous('/api/v1/secrets'))).toEqual(['Anonymous Request Allowed']);
    expect(fired(anonymous('/healthz'))).toEqual([]);
    expect(fired(anonymous('/readyz?verbose'))).toEqual([]);
  });

  it('fires Attach/Exec Pod with the command in its output', () => {
    const exec = baseEvent({
      stage: 'ResponseStarted',
      user: { username: 'minikube' },
      requestURI:
        '/api/v1/namespaces/default/pods/web/exec?command=cat&command=%2Fetc%2Fshadow&container=app&stdout=true',
      objectRef: { resource: 'pods', subresource: 'exec', namespace: 'default', name: 'web' },
      responseStatus: { code: 101 },
    });
    expect(fired(exec)).toEqual(['Attach/Exec Pod']);
    expect(
      ruleset.rules
        .find((r) => r.name === 'Attach/Exec Pod')!
        .output({ event: exec, cluster: 'c' }),
    ).toBe(
      'Attach/Exec to pod (user=minikube pod=web resource=pods ns=default action=exec command=cat)',
    );
  });

  it('fires EphemeralContainers Created with the container from jevt.value', () => {
    const event = baseEvent({
      verb: 'patch',
      user: { username: 'kubelet' },
      objectRef: {
        resource: 'pods',
        subresource: 'ephemeralcontainers',
        namespace: 'default',
        name: 'web',
      },
      requestObject: { ephemeralContainers: [{ name: 'debugger', image: 'busybox' }] },
    });
    expect(fired(event)).toEqual(['EphemeralContainers Created']);
    const rule = ruleset.rules.find((r) => r.name === 'EphemeralContainers Created')!;
    expect(rule.output({ event, cluster: 'c' })).toMatch(
      /ephemeral_container_name=debugger ephemeral_container_image=busybox\)$/,
    );
  });

  it('fires Create NodePort Service and K8s Secret Get Unsuccessfully Tried', () => {
    const service = baseEvent({
      user: { username: 'admin' },
      objectRef: { resource: 'services', namespace: 'default', name: 's' },
      requestObject: { spec: { type: 'NodePort', ports: [{ port: 80 }] } },
    });
    expect(fired(service)).toContain('Create NodePort Service');
    const secret = baseEvent({
      verb: 'get',
      user: { username: 'admin' },
      objectRef: { resource: 'secrets', namespace: 'default', name: 'db' },
      responseStatus: { code: 403 },
    });
    expect(fired(secret)).toEqual(['K8s Secret Get Unsuccessfully Tried']);
  });

  it('fires on Falco\u2019s own regression trace files as Falco\u2019s tests expect', () => {
    const expected: Record<string, string> = {
      'create_nginx_pod_privileged.json': 'Create Privileged Pod',
      'create_nginx_pod_privileged_2nd_container.json': 'Create Privileged Pod',
      'create_nginx_pod_hostnetwork.json': 'Create HostNetwork Pod',
      'create_nginx_pod_sensitive_mount.json': 'Create Sensitive Mount Pod',
      'create_nginx_service_nodeport.json': 'Create NodePort Service',
      'create_configmap_sensitive_values.json': 'Create/Modify Configmap With Private Credentials',
      'anonymous_creates_namespace_foo.json': 'Anonymous Request Allowed',
      'exec_pod.json': 'Attach/Exec Pod',
      'attach_pod.json': 'Attach/Exec Pod',
      'some-user_creates_namespace_foo.json': 'Create Disallowed Namespace',
      'create_pod_kube_system_namespace.json': 'Pod Created in Kube Namespace',
      'create_serviceaccount_kube_system_namespace.json':
        'Service Account Created in Kube Namespace',
      'attach_cluster_admin_role.json': 'Attach to cluster-admin Role',
      'create_cluster_role_wildcard_verbs.json': 'ClusterRole With Wildcard Created',
      'create_cluster_role_write_privileges.json': 'ClusterRole With Write Privileges Created',
      'create_cluster_role_pod_exec.json': 'ClusterRole With Pod Exec Created',
      'create_deployment.json': 'K8s Deployment Created',
      'delete_secret.json': 'K8s Secret Deleted',
    };
    const events = corpusEvents('falcosecurity-falco');
    for (const [file, rule] of Object.entries(expected)) {
      const matching = events.filter((e) => e.file === file);
      expect(matching.length).toBeGreaterThan(0);
      for (const { event } of matching)
        expect({ file, fired: fired(event) }).toEqual({
          file,
          fired: expect.arrayContaining([rule]),
        });
    }
    const unprivileged = events.find((e) => e.file === 'create_nginx_pod_unprivileged.json')!;
    expect(fired(unprivileged.event)).not.toContain('Create Privileged Pod');
    const nohostnetwork = events.find((e) => e.file === 'create_nginx_pod_nohostnetwork.json')!;
    expect(fired(nohostnetwork.event)).not.toContain('Create HostNetwork Pod');
  });

  it('gives the same results with the per-event cache as without it', () => {
    // evaluate() extracts each field and evaluates each macro once per input object, shared by
    // every rule, output() and explain(); rule.matches() on a fresh input object starts a fresh
    // cache. The corpus is run forward and then backward, so each event follows two different
    // ones and a value left over from the previous event would show. (Speed is measured by
    // bench/detection.bench.ts, not asserted in tests.)
    const events = corpusEvents('falcosecurity-falco').concat(corpusEvents('liggitt-audit2rbac'));
    let matched = 0;
    for (const round of [0, 1])
      for (const { file, event } of round === 0 ? events : [...events].reverse()) {
        const input = { event, cluster: 'c' };
        const cached = ruleset.evaluate(input);
        const outputs = cached.map((r) => [r.output(input), r.explain(input)]);
        const fresh = ruleset.rules.filter((r) => r.matches({ event, cluster: 'c' }));
        expect({ file, fired: cached.map((r) => r.name) }).toEqual({
          file,
          fired: fresh.map((r) => r.name),
        });
        expect({ file, outputs }).toEqual({
          file,
          outputs: fresh.map((r) => [
            r.output({ event, cluster: 'c' }),
            r.explain({ event, cluster: 'c' }),
          ]),
        });
        matched += cached.length;
      }
    expect(matched).toBeGreaterThan(0);
  });
});
