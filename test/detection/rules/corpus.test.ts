import { CorpusEvent, loadCorpus } from '../../support/corpus';
import { defaultRuleset } from './audit-event';

/**
 * The whole default ruleset over every event of the real-cluster corpus (test/fixtures/corpus):
 * no rule throws, platform identities (controllers, nodes, AKS's aksService/nodeclient) raise
 * nothing, and the counts per rule are those reviewed below (printed for the record).
 */
const IDENTITY_RULES = ['Unlisted User Activity', 'Default Admin Credential Used'];

/** Reviewed counts: what each rule finds in the corpus, and why. */
const EXPECTED: Record<string, number> = {
  // system:admin (audit2rbac demo, 74), minikube-user (Falco's traces, 36 less its exec and
  // attach, which end at ResponseStarted), kubeadm's admin (1)
  'Default Admin Credential Used': 109,
  // some-user creating namespace foo
  'Unlisted User Activity': 1,
  // system:anonymous creating namespace foo (Falco's trace)
  'Anonymous Request Authorized': 1,
  'Anonymous Write Allowed': 1,
  'Exec Or Attach Into Pod': 2,
  'First Exec By User Into Namespace': 2,
  'NodePort Service Exposed': 1,
  'ConfigMap Holding Credentials': 6,
  'Namespace Created Outside Known List': 3,
  'Service Account Created In System Namespace': 2,
  'System Role Changed': 2,
  'Binding To Cluster Admin': 1,
  'Role With Wildcard Permissions': 2,
  // the write-privileges role, and the node-problem-detector patch (create/patch on events)
  'Role With Write Permissions': 2,
  'Role Granting Pod Exec': 1,
  'Deployment Created Or Deleted': 2,
  'Service Created Or Deleted': 4,
  'ConfigMap Created Or Deleted': 9,
  'Namespace Created Or Deleted': 4,
  'Service Account Created Or Deleted': 4,
  'ClusterRole Created Or Deleted': 7,
  'ClusterRoleBinding Changed': 3,
  'Secret Changed Or Deleted': 2,
  // the 403s of bob, alice and sa1 (impersonated by system:admin) in both demo logs: events that
  // count towards the bursts; 11 per log, below the thresholds the service applies
  'Burst Of Denied Requests By User': 22,
  'Burst Of Denied Requests From Address': 22,
};

describe('default rules over the real-event corpus', () => {
  let corpus: CorpusEvent[];
  const counts = new Map<string, number>();
  const byIdentityRule: { rule: string; user: string; file: string }[] = [];
  const byPlatform: { rule: string; user: string; file: string }[] = [];
  const isPlatform = (user: string): boolean =>
    (user.startsWith('system:') && user !== 'system:admin' && user !== 'system:anonymous') ||
    ['aksService', 'nodeclient', 'masterclient'].includes(user);

  beforeAll(async () => {
    corpus = await loadCorpus();
    const ruleset = defaultRuleset();
    for (const e of corpus) {
      const input = { event: e.raw, cluster: 'corpus' };
      for (const rule of ruleset.evaluate(input)) {
        counts.set(rule.name, (counts.get(rule.name) ?? 0) + 1);
        rule.output(input);
        rule.explain(input);
        const user = (e.raw.user as { username?: string } | undefined)?.username ?? '';
        if (IDENTITY_RULES.includes(rule.name))
          byIdentityRule.push({ rule: rule.name, user, file: e.file });
        if (isPlatform(user)) byPlatform.push({ rule: rule.name, user, file: e.file });
      }
    }
    const table = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    console.log(
      `default rules over ${corpus.length} corpus events:\n` +
        table.map(([name, n]) => `  ${String(n).padStart(4)}  ${name}`).join('\n'),
    );
  });

  it('evaluates every event without a rule error', () => {
    expect(corpus.length).toBeGreaterThan(150);
  });

  it('raises no identity rule for platform identities', () => {
    expect(byIdentityRule.filter(({ user }) => isPlatform(user))).toEqual([]);
  });

  it('raises nothing at all for the platform identities of the corpus (controllers, nodes, AKS)', () => {
    expect(byPlatform).toEqual([]);
  });

  it('finds what was reviewed, rule by rule', () => {
    expect(Object.fromEntries([...counts.entries()].sort())).toEqual(
      Object.fromEntries(Object.entries(EXPECTED).sort()),
    );
  });
});
