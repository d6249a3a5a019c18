import { RuleLoadError } from '../../../src/detection/engine';
import {
  ADMIN,
  auditEvent,
  defaultRuleset,
  defaultRuleSources,
  execQuery,
  podSpec,
  workload,
} from './audit-event';

/**
 * rules/00-allow-lists.yaml is the one place for noise control: users append to its lists, or
 * replace its macros, from their own rules file loaded after the defaults (RULES_FILES).
 */
const privilegedDeployment = () =>
  auditEvent({
    verb: 'create',
    resource: 'deployments',
    namespace: 'shop',
    name: 'd',
    requestObject: workload(
      'Deployment',
      'd',
      podSpec({}, { securityContext: { privileged: true } }),
    ),
    userAgent: 'argocd-application-controller/v2.13.1',
  });
const secretRead = () =>
  auditEvent({ verb: 'get', resource: 'secrets', namespace: 'shop', name: 'db-password' });
const exec = () =>
  auditEvent({
    verb: 'create',
    resource: 'pods',
    subresource: 'exec',
    namespace: 'shop',
    name: 'api-1',
    query: execQuery(['cat', '/var/run/secrets/kubernetes.io/serviceaccount/token']),
  });

function names(extra: string, event: Record<string, unknown>): string[] {
  return defaultRuleset(extra ? [{ path: 'my-rules.yaml', text: extra }] : [])
    .evaluate({ event, cluster: 'prod' })
    .map((r) => r.name);
}

describe('allow-lists', () => {
  it('loads first: 00-allow-lists.yaml sorts before the rule files', () => {
    expect(defaultRuleSources().map((s) => s.path)[0]).toBe('rules/00-allow-lists.yaml');
  });

  it('every enabled default rule applies user_allowed_activity', () => {
    const without = defaultRuleset()
      .rules.filter((r) => !/\bnot user_allowed_activity\b/.test(r.condition))
      .map((r) => r.name);
    expect(without).toEqual([]);
  });

  it('the user lists are empty by default, so nothing is allow-listed', () => {
    expect(names('', secretRead())).toEqual(
      expect.arrayContaining(['Secret Read', 'Unlisted User Activity', 'Burst Of Secret Reads']),
    );
  });

  it('appending a user to user_allowed_users silences every rule for that user', () => {
    const extra = `- list: user_allowed_users\n  items: ["${ADMIN.username}"]\n  append: true\n`;
    expect(names(extra, secretRead())).toEqual([]);
    expect(names(extra, exec())).toEqual([]);
  });

  it('with the new-style override too', () => {
    const extra = `- list: user_allowed_users\n  items: ["${ADMIN.username}"]\n  override:\n    items: append\n`;
    expect(names(extra, secretRead())).toEqual([]);
  });

  it('a group, a namespace or a user agent can be allow-listed the same way', () => {
    const group = `- list: user_allowed_groups\n  items: [developers]\n  append: true\n`;
    const ns = `- list: user_allowed_namespaces\n  items: [shop]\n  append: true\n`;
    const agent = `- list: user_allowed_user_agents\n  items: ["argocd-application-controller/v2.13.1"]\n  append: true\n`;
    expect(names(group, secretRead())).toEqual([]);
    expect(names(ns, exec())).toEqual([]);
    expect(names('', privilegedDeployment())).toContain('Privileged Container In Workload');
    expect(names(agent, privilegedDeployment())).toEqual([]);
    const agentPrefix =
      '- macro: user_known_user_agent\n' +
      '  condition: (ka.useragent startswith "argocd-application-controller/")\n' +
      '  override:\n    condition: replace\n';
    expect(names(agentPrefix, privilegedDeployment())).toEqual([]);
  });

  it('a trusted image silences the workload rules for it only', () => {
    const extra = `- list: user_trusted_images\n  items: [registry.example.com/shop/api]\n  append: true\n`;
    expect(names(extra, privilegedDeployment())).not.toContain('Privileged Container In Workload');
  });

  it('user_known_system_identity recognises more platform components by prefix', () => {
    const flux = { username: 'system:serviceaccount:flux-system:kustomize-controller' };
    const event = auditEvent({
      verb: 'get',
      resource: 'secrets',
      namespace: 'shop',
      name: 'x',
      user: flux,
    });
    expect(names('', event)).toContain('Unlisted User Activity');
    const extra =
      '- macro: user_known_system_identity\n' +
      '  condition: (ka.user.name startswith "system:serviceaccount:flux-system:")\n' +
      '  override:\n    condition: replace\n';
    expect(names(extra, event)).toEqual([]);
  });

  it('one rule can be silenced for one case with Falco exceptions', () => {
    const extra =
      '- rule: Secret Read\n' +
      '  exceptions:\n' +
      '    - name: backup_tool\n' +
      '      fields: [ka.user.name, ka.target.namespace]\n' +
      `      values: [["${ADMIN.username}", shop]]\n` +
      '  override:\n    exceptions: append\n';
    const result = names(extra, secretRead());
    expect(result).not.toContain('Secret Read');
    expect(result).toContain('Unlisted User Activity');
  });

  it('platform identities of the known distributions are recognised', () => {
    const users = [
      'system:kube-controller-manager',
      'system:kube-scheduler',
      'system:node:ip-10-0-1-2.ec2.internal',
      'system:serviceaccount:kube-system:daemon-set-controller',
      'system:serviceaccount:kube-system:aws-node',
      'eks:node-manager',
      'eks:some-future-component',
      'aksService',
      'nodeclient',
      'system:gke-controller-manager',
      'system:gcp-controller-manager',
      'kubelet',
      'kube-proxy',
      'system:serviceaccount:local-path-storage:local-path-provisioner-service-account',
    ];
    for (const username of users) {
      const event = auditEvent({
        verb: 'get',
        resource: 'secrets',
        namespace: 'shop',
        name: 'x',
        user: { username },
      });
      expect({ username, fired: names('', event) }).toEqual({ username, fired: [] });
    }
  });

  it('anonymous and system:admin are not platform identities', () => {
    const anon = auditEvent({
      verb: 'create',
      resource: 'pods',
      namespace: 'shop',
      name: 'p',
      user: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
      requestObject: { kind: 'Pod', spec: podSpec() },
    });
    expect(names('', anon)).toContain('Anonymous Write Allowed');
    const admin = auditEvent({
      verb: 'get',
      resource: 'secrets',
      namespace: 'shop',
      name: 'x',
      user: { username: 'system:admin', groups: ['system:masters'] },
    });
    expect(names('', admin)).toEqual(
      expect.arrayContaining(['Default Admin Credential Used', 'Secret Read']),
    );
  });

  it('a mistake in a user file is reported with its file and line', () => {
    expect(() =>
      names('- list: user_allowed_users\n  items: [x]\n  append: true\n  bogus: 1\n', secretRead()),
    ).toThrow(RuleLoadError);
  });
});
