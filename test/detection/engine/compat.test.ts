import { readFileSync } from 'fs';
import { join } from 'path';
import { CompiledRule, loadRules } from '../../../src/detection/engine';
import { CORPUS_FOLDERS, corpusEvents } from './corpus';
import { baseEvent, podCreate, podSpec, workloadCreate } from './events';

const path = join(__dirname, '../../fixtures/rules/compat-rules.yaml');
const ruleset = loadRules([{ path: 'compat-rules.yaml', text: readFileSync(path, 'utf8') }]);

function fired(event: Record<string, unknown>, cluster = 'prod'): string[] {
  return ruleset.evaluate({ event, cluster }).map((r) => r.name);
}

function rule(name: string): CompiledRule {
  const found = ruleset.rules.find((r) => r.name === name);
  if (!found) throw new Error(`no rule ${name}`);
  return found;
}

const privileged = (image: string) => ({
  containers: [{ name: 'c', image, securityContext: { privileged: true } }],
});

describe('compat-rules.yaml (Falco rule-file features)', () => {
  it('loads the k8s_audit rules, skips the syscall rule and the disabled rule', () => {
    expect(ruleset.rules.map((r) => r.name)).toEqual([
      'Compat Privileged Workload',
      'Compat Sensitive Mount',
      'Compat Exec',
      'Compat Cluster Admin Binding',
      'Compat Wildcard Role',
      'Compat Secret Read By Unknown User',
      'Compat Forbidden Request',
      'Compat Namespace Created',
    ]);
  });

  it('applies the override of priority and tags, and the appended condition', () => {
    expect(rule('Compat Exec')).toMatchObject({
      priority: 'WARNING',
      tags: ['k8s', 'mitre_execution'],
    });
    expect(rule('Compat Sensitive Mount').condition).toMatch(
      /compat_sensitive_mount and not ka.target.namespace in \(kube-system\)$/,
    );
  });

  it('parses the extensions', () => {
    expect(rule('Compat Secret Read By Unknown User').window).toEqual({
      by: ['ka.user.name'],
      distinct: 'ka.target.name',
      threshold: 10,
      withinMs: 300_000,
    });
    expect(rule('Compat Forbidden Request').group).toEqual({
      by: ['ka.user.name', 'ka.impuser.name'],
      withinMs: 3_600_000,
    });
    expect(rule('Compat Namespace Created').firstSeen).toEqual({
      by: ['ka.user.name'],
      learnMs: 604_800_000,
    });
  });

  describe('hand-written events', () => {
    it('fires on a privileged pod, in any kind of container, with the cluster in the output', () => {
      const event = podCreate(privileged('nginx'));
      expect(fired(event)).toEqual(['Compat Privileged Workload']);
      expect(rule('Compat Privileged Workload').output({ event, cluster: 'prod' })).toBe(
        'Privileged container (user=alice pods=default/web images=(nginx) cluster=prod)',
      );
      const init = podCreate({
        containers: [{ image: 'nginx' }],
        initContainers: [{ image: 'x', securityContext: { privileged: true } }],
      });
      expect(fired(init)).toEqual(['Compat Privileged Workload']);
    });

    it('fires on workload templates and on a patch of one', () => {
      for (const [resource, kind] of [
        ['deployments', 'Deployment'],
        ['daemonsets', 'DaemonSet'],
        ['cronjobs', 'CronJob'],
      ]) {
        expect(fired(workloadCreate(resource, kind, privileged('nginx')))).toEqual([
          'Compat Privileged Workload',
        ]);
      }
      const patch = baseEvent({
        verb: 'patch',
        objectRef: {
          resource: 'daemonsets',
          namespace: 'default',
          name: 'agent',
          apiGroup: 'apps',
        },
        requestObject: { spec: { template: { spec: privileged('nginx') } } },
      });
      expect(fired(patch)).toEqual(['Compat Privileged Workload']);
    });

    it('honours the exception values from the rule, from the appended rule and from the appended list', () => {
      expect(fired(podCreate(privileged('quay.io/trusted/agent:1.0')))).toEqual([]);
      expect(
        fired(podCreate(privileged('registry.example.com/ops/node-agent@sha256:abc'))),
      ).toEqual([]);
      expect(fired(podCreate(privileged('docker.io/library/trusted-debug')))).toEqual([]);
      // `in` on a list field: every container must be trusted for the exception to apply.
      const mixed = podCreate({
        containers: [...privileged('quay.io/trusted/agent').containers, { image: 'evil' }],
      });
      expect(fired(mixed)).toEqual(['Compat Privileged Workload']);
    });

    it('applies a tuple exception only when every field matches', () => {
      const exec = (user: string, namespace: string) =>
        baseEvent({
          stage: 'ResponseStarted',
          user: { username: user },
          requestURI: `/api/v1/namespaces/${namespace}/pods/p/exec?command=sh&container=c`,
          objectRef: { resource: 'pods', subresource: 'exec', namespace, name: 'p' },
        });
      expect(fired(exec('ci-bot', 'ci'))).toEqual([]);
      expect(fired(exec('ci-bot', 'prod'))).toEqual(['Compat Exec']);
      expect(fired(exec('alice', 'ci'))).toEqual(['Compat Exec']);
      expect(rule('Compat Exec').output({ event: exec('alice', 'ci'), cluster: 'c' })).toBe(
        'Exec/attach (user=alice pod=ci/p action=exec command=sh)',
      );
    });

    it('expands a list named in another list', () => {
      const secretGet = (user: string) =>
        baseEvent({
          verb: 'get',
          user: { username: user },
          objectRef: { resource: 'secrets', namespace: 'default', name: 's' },
        });
      expect(fired(secretGet('minikube-user'))).toEqual([]);
      expect(fired(secretGet('kubelet'))).toEqual([]);
      expect(fired(secretGet('mallory'))).toEqual(['Compat Secret Read By Unknown User']);
      expect(
        rule('Compat Secret Read By Unknown User').values(
          { event: secretGet('mallory'), cluster: 'c' },
          ['ka.user.name', 'ka.target.name'],
        ),
      ).toEqual(['mallory', 's']);
    });

    it('does not fire the sensitive-mount rule in kube-system (appended condition)', () => {
      const mount = (namespace: string) =>
        podCreate(
          { containers: [{ image: 'x' }], volumes: [{ name: 'v', hostPath: { path: '/etc' } }] },
          { objectRef: { resource: 'pods', namespace, name: 'web' } },
        );
      expect(fired(mount('default'))).toContain('Compat Sensitive Mount');
      expect(fired(mount('kube-system'))).not.toContain('Compat Sensitive Mount');
      // intersects is exact membership: /etc/kubernetes is not /etc.
      expect(fired(podCreate(podSpec()))).not.toContain('Compat Sensitive Mount');
    });
  });

  describe('real events of test/fixtures/corpus', () => {
    const hits = new Map<string, string[]>();
    let events = 0;
    beforeAll(() => {
      for (const folder of CORPUS_FOLDERS) {
        for (const { file, event } of corpusEvents(folder)) {
          events++;
          for (const r of ruleset.evaluate({ event, cluster: 'corpus' })) {
            hits.set(r.name, [...(hits.get(r.name) ?? []), `${folder}/${file}`]);
          }
        }
      }
    });

    it('reads every corpus event', () => {
      expect(events).toBe(150);
    });

    it('fires where Falco\u2019s own trace files say it should, and nowhere else', () => {
      const dedup = (name: string) => [...new Set(hits.get(name) ?? [])];
      expect(dedup('Compat Privileged Workload')).toEqual([
        'falcosecurity-falco/create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json',
        'falcosecurity-falco/create_nginx_pod_privileged.json',
        'falcosecurity-falco/create_nginx_pod_privileged_2nd_container.json',
      ]);
      expect(dedup('Compat Sensitive Mount')).toEqual([
        'falcosecurity-falco/create_nginx_pod_sensitive_mount.json',
        'falcosecurity-falco/create_nginx_pod_sensitive_mount_2nd_container.json',
      ]);
      expect(dedup('Compat Exec')).toEqual([
        'falcosecurity-falco/attach_pod.json',
        'falcosecurity-falco/exec_pod.json',
      ]);
      expect(dedup('Compat Cluster Admin Binding')).toEqual([
        'falcosecurity-falco/attach_cluster_admin_role.json',
      ]);
      expect(dedup('Compat Wildcard Role')).toEqual([
        'falcosecurity-falco/create_cluster_role_wildcard_resources.json',
        'falcosecurity-falco/create_cluster_role_wildcard_verbs.json',
      ]);
      expect(dedup('Compat Namespace Created')).toEqual([
        'falcosecurity-falco/anonymous_creates_namespace_foo.json',
        'falcosecurity-falco/minikube_creates_namespace_foo.json',
        'falcosecurity-falco/some-user_creates_namespace_foo.json',
      ]);
      // liggitt's demo: system:admin impersonating bob, 11 requests refused (403) in each version of the log.
      expect(hits.get('Compat Forbidden Request')).toHaveLength(22);
      expect(hits.has('Compat Secret Read By Unknown User')).toBe(false);
    });

    it('explains a corpus detection with the values that made it fire', () => {
      const { event } = corpusEvents('falcosecurity-falco').find(
        (e) => e.file === 'create_nginx_pod_privileged.json',
      )!;
      const explained = rule('Compat Privileged Workload').explain({ event, cluster: 'corpus' });
      expect(explained).toContainEqual({
        field: 'ka.req.pod.containers.privileged',
        value: ['true'],
      });
      expect(explained).toContainEqual({ field: 'ka.verb', value: 'create' });
      expect(explained).toContainEqual({ field: 'ka.cluster.name', value: 'corpus' });
    });
  });
});
