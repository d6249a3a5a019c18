/**
 * The Helm chart. No helm binary installs here, so the chart is guarded by static checks (values.yaml
 * parses, every value a template reads exists, blocks are balanced, includes defined, every setting
 * commented and in the README) and by rendering it with a Go-template subset (support/mini-helm.ts)
 * whose output is schema-validated. Where helm exists, `helm lint` and `helm template` run too.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { loadConfiguredRules } from '../../src/detection/rules-loader';
import {
  loadValues,
  missingValueReferences,
  templateSources,
  templateStructureProblems,
  valueLeaves,
} from './support/helm-static';
import {
  crossCheckProblems,
  parseManifests,
  schemaProblems,
  type K8sObject,
} from './support/k8s-objects';
import { ConfigError, parseEnvironment } from '../../src/config/environment';
import { goString, MiniHelm } from './support/mini-helm';
import { SOURCE_DEFINITIONS } from '../../src/sources/source-registry';

const chart = join(__dirname, '..', '..', 'k8s', 'helm', 'k8s-audit-webhook');
const templates = templateSources(chart);
const helm =
  spawnSync('helm', ['version', '--short'], { encoding: 'utf8' }).status === 0 ? 'helm' : undefined;

describe('Helm chart, static checks (no helm needed)', () => {
  it('Chart.yaml is a v2 application chart named like its directory', () => {
    const meta = parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8'));
    expect(meta).toMatchObject({
      apiVersion: 'v2',
      name: 'k8s-audit-webhook',
      type: 'application',
    });
    expect(meta.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(typeof meta.appVersion).toBe('string');
  });

  it('values.yaml parses without duplicate keys', () => {
    expect(() => loadValues(chart)).not.toThrow();
  });

  it('every .Values path the templates read exists in values.yaml', () => {
    expect(missingValueReferences(templates, loadValues(chart).values)).toEqual([]);
  });

  it('template actions are balanced and every include is defined', () => {
    expect(templateStructureProblems(templates)).toEqual([]);
  });

  it('every setting in values.yaml is commented', () => {
    const undocumented = valueLeaves(loadValues(chart).doc).filter((l) => !l.commented);
    expect(undocumented.map((l) => l.path)).toEqual([]);
  });

  it('the README values table lists every setting (or its parent block)', () => {
    const readme = readFileSync(join(chart, 'README.md'), 'utf8');
    const listed = new Set([...readme.matchAll(/^\| `([\w.]+)` \|/gm)].map((m) => m[1]));
    const unlisted = valueLeaves(loadValues(chart).doc)
      .map((l) => l.path)
      .filter(
        (path) =>
          !path.split('.').some((_, i, parts) => listed.has(parts.slice(0, i + 1).join('.'))),
      );
    expect(unlisted).toEqual([]);
  });

  it('refuses SQLite with more than one replica or with autoscaling', () => {
    const helpers = templates.get('_helpers.tpl') ?? '';
    expect(helpers).toMatch(
      /if and \$sqlite \(gt \(int \.Values\.replicaCount\) 1\)\s*\}\}\s*\{\{-\s*fail/,
    );
    expect(helpers).toMatch(/if and \$sqlite \.Values\.autoscaling\.enabled\s*\}\}\s*\{\{-\s*fail/);
    expect(templates.get('deployment.yaml')).toMatch(
      /^\{\{- include "k8s-audit-webhook\.validate" \. \}\}/,
    );
  });

  it('the receiver mounts TLS as a directory (never subPath) so renewals reach the pod', () => {
    expect(templates.get('deployment.yaml')).not.toMatch(/subPath:/);
  });
});

describe('the static checks themselves', () => {
  it('catch a misspelt value, an unclosed block and an undocumented setting', () => {
    const values = { image: { tag: '' } };
    const bad = new Map([
      ['t.yaml', '{{ if .Values.image.tagg }}{{ $i := .Values.image }}{{ $i.repo }}'],
    ]);
    expect(missingValueReferences(bad, values)).toEqual([
      't.yaml: .Values.image.tagg',
      't.yaml: $i -> .Values.image.repo',
    ]);
    expect(templateStructureProblems(bad)).toEqual(['t.yaml: 1 block(s) not closed with "end"']);
    const doc = parseDocument('# -- documented\na: 1\nblock:\n  # -- documented\n  b: 2\n  c: 3\n');
    expect(
      valueLeaves(doc)
        .filter((l) => !l.commented)
        .map((l) => l.path),
    ).toEqual(['block.c']);
  });
});

/** Typed like `helm --set`: integers are int64 (bigint here), the rest as written. */
const SCENARIOS: Record<string, Record<string, unknown>> = {
  sqlite: {
    'webhook.tokens.prod': 't0ken',
    'webhook.tokens.staging': 's3cret',
    'auth.apiTokens': 'siem:0123456789abcdef',
  },
  mysql: {
    existingSecret: 'audit-env',
    'database.external.host': 'mysql.db',
    'autoscaling.enabled': true,
    'ingress.enabled': true,
    'ingress.tls': [{ secretName: 'audit-tls', hosts: ['audit.example.com'] }],
    'serviceMonitor.enabled': true,
    'tls.enabled': true,
    'tls.certManager.enabled': true,
    'tls.certManager.issuerRef.name': 'ca',
    'tls.certManager.ipAddresses': ['10.96.100.100'],
    'tls.clientCa.enabled': true,
    'service.clusterIP': '10.96.100.100',
    'networkPolicy.ingressFrom': [{ ipBlock: { cidr: '10.0.0.0/24' } }],
  },
  mariadb: {
    'webhook.token': 't0ken',
    'auth.oidc.issuerUrl': 'https://sso.example.com',
    'auth.oidc.clientId': 'audit',
    'auth.oidc.redirectUrl': 'https://audit.example.com/auth/callback',
    'auth.oidc.allowedGroups': 'sre',
    'auth.sessionSecret': 'a-session-secret-of-32-characters',
    'mariadb.enabled': true,
    'mariadb.auth.password': 'p',
    'mariadb.auth.rootPassword': 'r',
    replicaCount: 2n,
  },
};
/** A rules file of the user's: appends to our allow-list and adds a rule that uses it. */
const CUSTOM_RULES = `- list: user_allowed_users
  items: [ci-deployer]
  append: true

- rule: Deployment Deleted In Production Namespace
  desc: A Deployment deleted in a namespace whose name starts with prod.
  condition: >
    kevt and ka.verb = delete and ka.target.resource = deployments
    and ka.target.namespace startswith "prod" and not user_allowed_activity
  output: >
    Deployment %ka.target.namespace/%ka.target.name deleted (user=%ka.user.name
    cluster=%ka.cluster.name)
  priority: WARNING
  source: k8s_audit
  tags: [local]
`;
SCENARIOS.detection = {
  'webhook.token': 't0ken',
  'auth.apiTokens': 'siem:0123456789abcdef',
  'detection.falcosidekickUrl': 'http://falcosidekick.falco:2801/',
  'detection.customRules': {
    '50-local.yaml': CUSTOM_RULES,
    // The same kind of file given as YAML rather than text.
    '40-allow.yaml': [{ list: 'user_allowed_users', items: ['argocd'], append: true }],
  },
  'networkPolicy.falcosidekickTo': [
    { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'falco' } } },
  ],
};
/** One entry of each kind, as docs/sources/*.md show them; the AKS SAS comes from a Secret. */
const SOURCES_LIST = [
  {
    name: 'gke-prod',
    kind: 'gke-pubsub',
    projectId: 'acme-prod',
    subscription: 'gke-audit-reader',
  },
  {
    name: 'aks-prod',
    kind: 'aks-blob',
    cluster: 'aks-prod',
    container: 'insights-logs-kube-audit-admin',
    accountUrl: 'https://aksauditprod.blob.core.windows.net',
    sasTokenEnv: 'AKS_PROD_AUDIT_SAS',
    pollSeconds: 30,
  },
  { name: 'eks-prod', kind: 'eks-cloudwatch', cluster: 'prod-eks', region: 'eu-west-1' },
];
SCENARIOS.sources = {
  'webhook.token': 't0ken',
  'auth.apiTokens': 'siem:0123456789abcdef',
  'sources.list': SOURCES_LIST,
  'sources.envFromSecret': 'audit-sources',
  'sources.extraVolumes': [{ name: 'gcp-key', secret: { secretName: 'gke-audit-key' } }],
  'sources.extraVolumeMounts': [
    { name: 'gcp-key', mountPath: '/etc/audit-webhook/gcp', readOnly: true },
  ],
  'serviceAccount.annotations': {
    'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/k8s-audit-webhook-eks-read',
  },
};
/** Secrets each scenario expects to exist outside the chart. */
const EXTERNAL_SECRETS: Record<string, string[]> = {
  sqlite: [],
  mysql: ['audit-env', 'audit-k8s-audit-webhook-tls'],
  mariadb: [],
  detection: [],
  sources: ['audit-sources', 'gke-audit-key'],
};

describe("Helm chart, rendered by the suite's Go-template subset (support/mini-helm.ts, not Helm)", () => {
  const mini = new MiniHelm(chart);
  const render = (sets: Record<string, unknown>): K8sObject[] =>
    [...mini.render({ name: 'audit', namespace: 'audit' }, sets).values()].flatMap((text) =>
      parseManifests(text),
    );

  it('prints numbers the way Go does, so the classic 1e+06 surprise would show', () => {
    expect([goString(8080), goString(67108864), goString(BigInt(67108864))]).toEqual([
      '8080',
      '6.7108864e+07',
      '67108864',
    ]);
  });

  it.each(Object.keys(SCENARIOS))(
    '%s: every object is schema-valid and the cross-checks hold',
    async (name) => {
      const objects = render(SCENARIOS[name]);
      expect(objects.length).toBeGreaterThan(4);
      expect((await Promise.all(objects.map(schemaProblems))).flat()).toEqual([]);
      expect(crossCheckProblems(objects, { externalSecrets: EXTERNAL_SECRETS[name] })).toEqual([]);
    },
  );

  it('sqlite: one Recreate replica on the PVC, tokens joined into WEBHOOK_TOKENS', () => {
    const objects = render(SCENARIOS.sqlite);
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy.type).toBe('Recreate');
    expect(objects.find((o) => o.kind === 'PersistentVolumeClaim')).toBeDefined();
    const secret = objects.find((o) => o.kind === 'Secret')!;
    expect(secret.stringData).toEqual({
      WEBHOOK_TOKENS: 'prod=t0ken,staging=s3cret',
      API_TOKENS: 'siem:0123456789abcdef',
    });
    const env = deployment.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'MAX_BODY_BYTES', value: '67108864' });
  });

  it('mysql: HPA instead of replicas, TLS files and client CA mounted, HTTPS probes', () => {
    const objects = render(SCENARIOS.mysql);
    const kinds = objects.map((o) => o.kind);
    for (const kind of ['HorizontalPodAutoscaler', 'Ingress', 'ServiceMonitor', 'Certificate']) {
      expect(kinds).toContain(kind);
    }
    expect(kinds).not.toContain('PersistentVolumeClaim');
    const pod = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec;
    expect(objects.find((o) => o.kind === 'Deployment')!.spec.replicas).toBeUndefined();
    const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({
      DB_HOST: 'mysql.db',
      TLS_CERT_FILE: '/etc/audit-webhook/tls/tls.crt',
      TLS_CLIENT_CA_FILE: '/etc/audit-webhook/client-ca/ca.crt',
    });
    expect(pod.containers[0].readinessProbe.httpGet.scheme).toBe('HTTPS');
    const certificate = objects.find((o) => o.kind === 'Certificate')!;
    expect(certificate.spec.ipAddresses).toEqual(['10.96.100.100']);
    expect(certificate.spec.secretName).toBe('audit-k8s-audit-webhook-tls');
  });

  it('mariadb: the receivers read the MariaDB credentials, and only receivers may reach it', () => {
    const objects = render(SCENARIOS.mariadb);
    expect(objects.find((o) => o.kind === 'StatefulSet')).toBeDefined();
    const env = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({
      name: 'DB_PASSWORD',
      valueFrom: {
        secretKeyRef: { name: 'audit-k8s-audit-webhook-mariadb', key: 'MARIADB_PASSWORD' },
      },
    });
    const policy = objects.find(
      (o) => o.kind === 'NetworkPolicy' && o.metadata.name.endsWith('-mariadb'),
    )!;
    expect(policy.spec.ingress[0].ports).toEqual([{ port: 3306, protocol: 'TCP' }]);
  });

  // The Deployment's pod spec, its container's environment, and the values every render needs.
  const receiver = (objects: K8sObject[]) =>
    objects.find((o) => o.kind === 'Deployment')!.spec.template.spec;
  const envOf = (objects: K8sObject[]) =>
    Object.fromEntries(
      receiver(objects).containers[0].env.map((e: any) => [e.name, e.value]),
    ) as Record<string, string | undefined>;
  const base = { 'webhook.token': 't', 'auth.apiTokens': 'a:0123456789abcdef' };

  describe('detections', () => {
    const egressPorts = (objects: K8sObject[]) =>
      objects
        .find((o) => o.kind === 'NetworkPolicy')!
        .spec.egress.flatMap((r: any) => r.ports.map((p: any) => p.port));

    it('by default: DETECTIONS and RULES_DEFAULT true, no RULES_FILES, no rules ConfigMap or mount, no Falcosidekick egress', () => {
      const objects = render(base);
      const env = envOf(objects);
      expect(env).toMatchObject({ DETECTIONS: 'true', RULES_DEFAULT: 'true' });
      expect(env).not.toHaveProperty('RULES_FILES');
      expect(env).not.toHaveProperty('FALCOSIDEKICK_URL');
      expect(objects.map((o) => o.kind)).not.toContain('ConfigMap');
      expect(receiver(objects).volumes.map((v: any) => v.name)).not.toContain('rules');
      expect(egressPorts(objects)).toEqual([53, 53]);
    });

    it('customRules: a ConfigMap mounted read-only, RULES_FILES in file-name order, Falcosidekick URL and egress to its port', () => {
      const objects = render(SCENARIOS.detection);
      const pod = receiver(objects);
      const configMap = objects.find((o) => o.kind === 'ConfigMap')!;
      expect(configMap.metadata.name).toBe('audit-k8s-audit-webhook-rules');
      expect(Object.keys(configMap.data)).toEqual(['40-allow.yaml', '50-local.yaml']);
      expect(configMap.data['50-local.yaml']).toBe(CUSTOM_RULES);
      expect(pod.volumes).toContainEqual({
        name: 'rules',
        configMap: { name: 'audit-k8s-audit-webhook-rules' },
      });
      expect(pod.containers[0].volumeMounts).toContainEqual({
        name: 'rules',
        mountPath: '/etc/audit-webhook/rules',
        readOnly: true,
      });
      expect(envOf(objects)).toMatchObject({
        DETECTIONS: 'true',
        RULES_DEFAULT: 'true',
        RULES_FILES:
          '/etc/audit-webhook/rules/40-allow.yaml,/etc/audit-webhook/rules/50-local.yaml',
        FALCOSIDEKICK_URL: 'http://falcosidekick.falco:2801/',
      });
      const policy = objects.find((o) => o.kind === 'NetworkPolicy')!;
      expect(policy.spec.egress).toContainEqual({
        ports: [{ port: 2801, protocol: 'TCP' }],
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'falco' } } }],
      });
    });

    it('customRules: the files as the pod sees them load after the default rules (append and a new rule)', () => {
      const objects = render(SCENARIOS.detection);
      const configMap = objects.find((o) => o.kind === 'ConfigMap')!;
      const dir = mkdtempSync(join(tmpdir(), 'helm-rules-'));
      try {
        // RULES_FILES with the mount point replaced by a scratch copy of the ConfigMap's files.
        mkdirSync(join(dir, 'rules'));
        for (const [key, text] of Object.entries(configMap.data as Record<string, string>)) {
          writeFileSync(join(dir, 'rules', key), text);
        }
        const rulesFiles = envOf(objects)
          .RULES_FILES!.split(',')
          .map((f) => f.replace('/etc/audit-webhook/rules', join(dir, 'rules')));
        const loaded = loadConfiguredRules({ defaultRules: true, rulesFiles });
        const names = loaded.ruleset.rules.map((r: { name: string }) => r.name);
        expect(names).toContain('Deployment Deleted In Production Namespace');
        expect(loaded.files.slice(-2)).toEqual(rulesFiles);
        const ours = loadConfiguredRules({ defaultRules: true, rulesFiles: [] });
        expect(names.length).toBe(ours.ruleset.rules.length + 1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a change to customRules changes the pod template (checksum/rules), other values do not', () => {
      const checksum = (sets: Record<string, unknown>) =>
        render(sets).find((o) => o.kind === 'Deployment')!.spec.template.metadata.annotations[
          'checksum/rules'
        ];
      const before = checksum(SCENARIOS.detection);
      expect(before).toMatch(/^[0-9a-f]{64}$/);
      const changed = {
        ...SCENARIOS.detection,
        'detection.customRules': {
          '50-local.yaml': CUSTOM_RULES.replace('ci-deployer', 'ci-robot'),
        },
      };
      expect(checksum(changed)).not.toBe(before);
      expect(checksum({ ...SCENARIOS.detection, logLevel: 'debug' })).toBe(before);
    });

    it('existingRulesConfigMap: mounts that ConfigMap and lists existingRulesFiles in the order given', () => {
      const objects = render({
        ...base,
        'detection.existingRulesConfigMap': 'team-rules',
        'detection.existingRulesFiles': ['20-team.yaml', '10-more.yaml'],
      });
      expect(objects.map((o) => o.kind)).not.toContain('ConfigMap');
      expect(receiver(objects).volumes).toContainEqual({
        name: 'rules',
        configMap: { name: 'team-rules' },
      });
      expect(envOf(objects).RULES_FILES).toBe(
        '/etc/audit-webhook/rules/20-team.yaml,/etc/audit-webhook/rules/10-more.yaml',
      );
      expect(crossCheckProblems(objects, { externalConfigMaps: ['team-rules'] })).toEqual([]);
      expect(crossCheckProblems(objects)).toContain(
        'Deployment/audit-k8s-audit-webhook: volume rules uses missing ConfigMap team-rules',
      );
    });

    it('defaultRules=false with custom rules sets RULES_DEFAULT=false', () => {
      const env = envOf(render({ ...SCENARIOS.detection, 'detection.defaultRules': false }));
      expect(env.RULES_DEFAULT).toBe('false');
      expect(env.RULES_FILES).toMatch(/50-local\.yaml$/);
    });

    it('enabled=false: DETECTIONS=false and nothing else of detection (no ConfigMap, mount, env or egress)', () => {
      const objects = render({ ...SCENARIOS.detection, 'detection.enabled': false });
      const env = envOf(objects);
      expect(env.DETECTIONS).toBe('false');
      for (const name of ['RULES_DEFAULT', 'RULES_FILES', 'FALCOSIDEKICK_URL']) {
        expect(env).not.toHaveProperty(name);
      }
      expect(objects.map((o) => o.kind)).not.toContain('ConfigMap');
      expect(receiver(objects).volumes.map((v: any) => v.name)).not.toContain('rules');
      expect(egressPorts(objects)).toEqual([53, 53]);
    });

    it.each([
      ['http://falcosidekick:2801/', 2801],
      ['https://falcosidekick.example.com/', 443],
      ['http://falcosidekick', 80],
      ['http://10.0.0.7:8080', 8080],
    ])('Falcosidekick egress port of %s is %d', (url, port) => {
      const objects = render({ ...base, 'detection.falcosidekickUrl': url });
      expect(egressPorts(objects)).toEqual([53, 53, port]);
    });

    it('the rendered environment (env and Secret) is one the service accepts, but for rules files that exist only in the pod', () => {
      const objects = render(SCENARIOS.detection);
      const secret = objects.find((o) => o.kind === 'Secret')!;
      let problems: string[] = [];
      try {
        parseEnvironment({ ...envOf(objects), ...secret.stringData });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems = error.problems;
      }
      expect(problems).toEqual([
        'RULES_FILES: cannot read /etc/audit-webhook/rules/40-allow.yaml (ENOENT)',
        'RULES_FILES: cannot read /etc/audit-webhook/rules/50-local.yaml (ENOENT)',
      ]);
    });
  });

  describe('managed-cluster sources', () => {
    const policyOf = (objects: K8sObject[]) =>
      objects.find(
        (o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'audit-k8s-audit-webhook',
      );
    const httpsEgress = (objects: K8sObject[]) =>
      policyOf(objects)!.spec.egress.filter((r: any) => r.ports.some((p: any) => p.port === 443));
    const sourcesConfigMap = (objects: K8sObject[]) =>
      objects.find(
        (o) => o.kind === 'ConfigMap' && o.metadata.name === 'audit-k8s-audit-webhook-sources',
      );

    it('by default: no SOURCES_FILE, no sources ConfigMap, volume or Secret, no 443 egress', () => {
      const objects = render(base);
      expect(envOf(objects)).not.toHaveProperty('SOURCES_FILE');
      expect(objects.map((o) => o.kind)).not.toContain('ConfigMap');
      expect(receiver(objects).volumes.map((v: any) => v.name)).toEqual(['tmp', 'data']);
      expect(receiver(objects).containers[0].envFrom).toEqual([
        { secretRef: { name: 'audit-k8s-audit-webhook' } },
      ]);
      expect(httpsEgress(objects)).toEqual([]);
    });

    it('list: rendered into the ConfigMap as sources.yaml, mounted read-only, SOURCES_FILE names it', () => {
      const objects = render(SCENARIOS.sources);
      const configMap = sourcesConfigMap(objects)!;
      expect(Object.keys(configMap.data)).toEqual(['sources.yaml']);
      expect(parse(configMap.data['sources.yaml'])).toEqual({ sources: SOURCES_LIST });
      const pod = receiver(objects);
      expect(pod.volumes).toContainEqual({
        name: 'sources',
        configMap: { name: 'audit-k8s-audit-webhook-sources' },
      });
      expect(pod.containers[0].volumeMounts).toContainEqual({
        name: 'sources',
        mountPath: '/etc/audit-webhook/sources',
        readOnly: true,
      });
      expect(envOf(objects).SOURCES_FILE).toBe('/etc/audit-webhook/sources/sources.yaml');
      // No secret in the ConfigMap: the AKS entry names the variable, the Secret holds it.
      expect(configMap.data['sources.yaml']).toContain('sasTokenEnv: AKS_PROD_AUDIT_SAS');
    });

    it('envFromSecret: its keys become the receiver environment, after the chart Secret', () => {
      const objects = render(SCENARIOS.sources);
      expect(receiver(objects).containers[0].envFrom).toEqual([
        { secretRef: { name: 'audit-k8s-audit-webhook' } },
        { secretRef: { name: 'audit-sources' } },
      ]);
      // Not optional: the pod waits for the Secret rather than starting without the SAS.
      expect(crossCheckProblems(objects, { externalSecrets: ['gke-audit-key'] })).toContain(
        'Deployment/audit-k8s-audit-webhook container receiver: needs missing Secret audit-sources',
      );
    });

    it('the sources file as the pod sees it, with the Secret keys in the environment, is one the service accepts', () => {
      const objects = render(SCENARIOS.sources);
      const configMap = sourcesConfigMap(objects)!;
      const env = envOf(objects);
      const secret = objects.find((o) => o.kind === 'Secret')!;
      const dir = mkdtempSync(join(tmpdir(), 'helm-sources-'));
      try {
        // SOURCES_FILE with the mount point replaced by a scratch copy of the ConfigMap.
        const file = env.SOURCES_FILE!.replace('/etc/audit-webhook/sources', dir);
        writeFileSync(file, configMap.data['sources.yaml']);
        const problemsOf = (extra: Record<string, string>) => {
          try {
            const config = parseEnvironment({
              ...env,
              ...secret.stringData,
              ...extra,
              SOURCES_FILE: file,
            });
            return config.sources.sources.map((s) => `${s.entry.name}: ${s.definition.kind}`);
          } catch (error) {
            if (!(error instanceof ConfigError)) throw error;
            return error.problems;
          }
        };
        // The key of sources.envFromSecret that the AKS entry names.
        expect(problemsOf({ AKS_PROD_AUDIT_SAS: 'sv=2024-08-04&sr=c&sp=rl&sig=abc' })).toEqual([
          'gke-prod: gke-pubsub',
          'aks-prod: aks-blob',
          'eks-prod: eks-cloudwatch',
        ]);
        expect(problemsOf({})).toEqual([
          `SOURCES_FILE ${file}: sources[1] ("aks-prod"): sasTokenEnv: the environment variable AKS_PROD_AUDIT_SAS is not set`,
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('existingConfigMap: mounts that ConfigMap, SOURCES_FILE names its key, nothing rendered', () => {
      const objects = render({
        ...base,
        'sources.existingConfigMap': 'team-sources',
        'sources.existingConfigMapKey': 'clusters.yaml',
      });
      expect(objects.map((o) => o.kind)).not.toContain('ConfigMap');
      expect(receiver(objects).volumes).toContainEqual({
        name: 'sources',
        configMap: { name: 'team-sources' },
      });
      expect(receiver(objects).containers[0].volumeMounts).toContainEqual({
        name: 'sources',
        mountPath: '/etc/audit-webhook/sources',
        readOnly: true,
      });
      expect(envOf(objects).SOURCES_FILE).toBe('/etc/audit-webhook/sources/clusters.yaml');
      expect(httpsEgress(objects)).toHaveLength(1);
      expect(crossCheckProblems(objects, { externalConfigMaps: ['team-sources'] })).toEqual([]);
      expect(crossCheckProblems(objects)).toContain(
        'Deployment/audit-k8s-audit-webhook: volume sources uses missing ConfigMap team-sources',
      );
      // The default key.
      const byDefault = render({ ...base, 'sources.existingConfigMap': 'team-sources' });
      expect(envOf(byDefault).SOURCES_FILE).toBe('/etc/audit-webhook/sources/sources.yaml');
    });

    it('NetworkPolicy: egress TCP 443 to sources.egressCidrs (default 0.0.0.0/0), only with sources', () => {
      expect(httpsEgress(render(SCENARIOS.sources))).toEqual([
        { ports: [{ port: 443, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] },
      ]);
      const narrowed = render({
        ...SCENARIOS.sources,
        'sources.egressCidrs': ['10.20.0.0/16', '199.36.153.8/30'],
      });
      expect(httpsEgress(narrowed)).toEqual([
        {
          ports: [{ port: 443, protocol: 'TCP' }],
          to: [{ ipBlock: { cidr: '10.20.0.0/16' } }, { ipBlock: { cidr: '199.36.153.8/30' } }],
        },
      ]);
      // DNS stays; the rule is added, not substituted.
      expect(policyOf(narrowed)!.spec.egress[0].ports.map((p: any) => p.port)).toEqual([53, 53]);
      expect(httpsEgress(render({ ...SCENARIOS.sources, 'sources.egressCidrs': [] }))).toEqual([
        { ports: [{ port: 443, protocol: 'TCP' }] },
      ]);
      expect(
        policyOf(render({ ...SCENARIOS.sources, 'networkPolicy.enabled': false })),
      ).toBeUndefined();
    });

    it('a change to sources.list changes the pod template (checksum/sources), other values do not', () => {
      const annotations = (sets: Record<string, unknown>) =>
        render(sets).find((o) => o.kind === 'Deployment')!.spec.template.metadata.annotations;
      const before = annotations(SCENARIOS.sources);
      expect(before['checksum/sources']).toMatch(/^[0-9a-f]{64}$/);
      const changed = annotations({
        ...SCENARIOS.sources,
        'sources.list': SOURCES_LIST.map((e) =>
          e.name === 'eks-prod' ? { ...e, region: 'eu-central-1' } : e,
        ),
      });
      expect(changed['checksum/sources']).not.toBe(before['checksum/sources']);
      expect(changed['checksum/rules']).toBe(before['checksum/rules']);
      expect(annotations({ ...SCENARIOS.sources, logLevel: 'debug' })['checksum/sources']).toBe(
        before['checksum/sources'],
      );
      expect(annotations(base)['checksum/sources']).not.toBe(before['checksum/sources']);
    });

    it('extraVolumes/extraVolumeMounts (a GCP key file) and the ServiceAccount annotations reach the pod', () => {
      const objects = render(SCENARIOS.sources);
      const pod = receiver(objects);
      expect(pod.volumes).toContainEqual({
        name: 'gcp-key',
        secret: { secretName: 'gke-audit-key' },
      });
      expect(pod.containers[0].volumeMounts).toContainEqual({
        name: 'gcp-key',
        mountPath: '/etc/audit-webhook/gcp',
        readOnly: true,
      });
      const account = objects.find((o) => o.kind === 'ServiceAccount')!;
      expect(account.metadata).toHaveProperty('annotations', {
        'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/k8s-audit-webhook-eks-read',
      });
      expect(pod.serviceAccountName).toBe(account.metadata.name);
    });

    it('the kinds the chart accepts are the kinds the service defines', () => {
      const helpers = templates.get('_helpers.tpl') ?? '';
      const accepted =
        /\^\(((?:[a-z-]+\|?)+)\)\$" \(printf "%v" \(default "" \$entry\.kind\)\)/.exec(
          helpers,
        )?.[1];
      expect(accepted?.split('|').sort()).toEqual(SOURCE_DEFINITIONS.map((d) => d.kind).sort());
    });

    it('refuses a secret pasted into an *Env field without printing it', () => {
      const sas = 'sv=2024-08-04&sr=c&sp=rl&sig=SECRETSIGNATURE';
      let message = '';
      try {
        render({
          ...SCENARIOS.sources,
          'sources.list': [{ ...SOURCES_LIST[1], sasTokenEnv: sas }],
        });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/sources\.list\[0\] \(aks-prod\): sasTokenEnv must be the NAME/);
      expect(message).not.toContain('SECRETSIGNATURE');
    });
  });

  it.each([
    [
      'SQLite with two replicas',
      { 'webhook.token': 't', replicaCount: 2n },
      /replicaCount must be 1/,
    ],
    [
      'SQLite with autoscaling',
      { 'webhook.token': 't', 'autoscaling.enabled': true },
      /needs a MySQL/,
    ],
    [
      'production without any webhook authentication',
      {},
      /Production needs webhook authentication/,
    ],
    [
      'production without a login for the console and /api',
      { 'webhook.token': 't' },
      /Production needs a login for the console and \/api: set auth.oidc.issuerUrl/,
    ],
    [
      'console users without a session secret',
      { 'webhook.token': 't', 'auth.consoleUsers': 'admin:scrypt$1$1$1$a$b' },
      /auth.sessionSecret is required/,
    ],
    [
      'OIDC without a client id and redirect URL',
      {
        'webhook.token': 't',
        'auth.oidc.issuerUrl': 'https://sso.example.com',
        'auth.sessionSecret': 'a-session-secret-of-32-characters',
      },
      /auth.oidc.issuerUrl needs auth.oidc.clientId/,
    ],
    [
      'MariaDB without passwords',
      { 'webhook.token': 't', 'auth.apiTokens': 'a:0123456789abcdef', 'mariadb.enabled': true },
      /mariadb.auth.password is required/,
    ],
    [
      'both customRules and existingRulesConfigMap',
      {
        'webhook.token': 't',
        'auth.apiTokens': 'a:0123456789abcdef',
        'detection.customRules': { 'a.yaml': '[]' },
        'detection.existingRulesConfigMap': 'team-rules',
        'detection.existingRulesFiles': ['a.yaml'],
      },
      /either detection.customRules or detection.existingRulesConfigMap/,
    ],
    [
      'existingRulesConfigMap without existingRulesFiles',
      {
        'webhook.token': 't',
        'auth.apiTokens': 'a:0123456789abcdef',
        'detection.existingRulesConfigMap': 'team-rules',
      },
      /detection.existingRulesConfigMap needs detection.existingRulesFiles/,
    ],
    [
      'a customRules file name with a comma (it would split RULES_FILES)',
      {
        'webhook.token': 't',
        'auth.apiTokens': 'a:0123456789abcdef',
        'detection.customRules': { 'a,b.yaml': '[]' },
      },
      /is not a file name a ConfigMap accepts/,
    ],
    [
      'defaultRules=false without rules of your own',
      {
        'webhook.token': 't',
        'auth.apiTokens': 'a:0123456789abcdef',
        'detection.defaultRules': false,
      },
      /leaves no rules to run/,
    ],
    [
      'a Falcosidekick URL that is not http(s)',
      {
        'webhook.token': 't',
        'auth.apiTokens': 'a:0123456789abcdef',
        'detection.falcosidekickUrl': 'falcosidekick:2801',
      },
      /detection.falcosidekickUrl must be an http\(s\) URL/,
    ],
    [
      'both sources.list and sources.existingConfigMap',
      { ...SCENARIOS.sources, 'sources.existingConfigMap': 'team-sources' },
      /either sources.list or sources.existingConfigMap/,
    ],
    [
      'a secret given as a field of a source entry',
      {
        ...SCENARIOS.sources,
        'sources.list': [{ ...SOURCES_LIST[1], connectionString: 'BlobEndpoint=https://x' }],
      },
      /sources.list\[0\] \(aks-prod\): connectionString looks like a secret/,
    ],
    [
      'two sources of the same name',
      { ...SCENARIOS.sources, 'sources.list': [SOURCES_LIST[0], SOURCES_LIST[0]] },
      /sources.list\[1\]: the name "gke-prod" is used by another source/,
    ],
    [
      'a source of an unknown kind',
      { ...SCENARIOS.sources, 'sources.list': [{ name: 'x', kind: 'gke-logging' }] },
      /sources.list\[0\] \(x\): kind must be one of/,
    ],
    [
      'a source without a usable name',
      { ...SCENARIOS.sources, 'sources.list': [{ name: 'GKE Prod', kind: 'gke-pubsub' }] },
      /sources.list\[0\]: name must be 1-63 characters/,
    ],
    [
      'a source name longer than 63 characters',
      { ...SCENARIOS.sources, 'sources.list': [{ ...SOURCES_LIST[0], name: 'g'.repeat(64) }] },
      /sources.list\[0\]: name must be 1-63 characters/,
    ],
    [
      'sources.envFromSecret without any source',
      {
        'webhook.token': 't',
        'auth.apiTokens': 'a:0123456789abcdef',
        'sources.envFromSecret': 'x',
      },
      /sources.envFromSecret is set but no source is/,
    ],
    [
      'TLS without a certificate source',
      { 'webhook.token': 't', 'auth.apiTokens': 'a:0123456789abcdef', 'tls.enabled': true },
      /tls.enabled needs/,
    ],
  ])('refuses %s', (_what, sets, message) => {
    expect(() => render(sets)).toThrow(message);
  });
});

if (!helm) {
  console.warn(
    '\n\n!!! SKIPPING helm lint / helm template in test/deploy/helm-chart.test.ts: no `helm` binary on ' +
      "PATH. The chart was rendered only by the suite's Go-template subset (support/mini-helm.ts), " +
      'NOT by Helm. !!!\n\n',
  );
}
const describeWithHelm = helm ? describe : describe.skip;

describeWithHelm('Helm chart, rendered by helm', () => {
  const render = (...sets: string[]) =>
    parseManifests(
      execFileSync(
        'helm',
        ['template', 'audit', chart, '-n', 'audit', ...sets.flatMap((s) => ['--set', s])],
        {
          encoding: 'utf8',
        },
      ),
    );
  const scenarios: Record<string, string[]> = {
    sqlite: ['webhook.tokens.prod=t0ken'],
    mysql: [
      'existingSecret=audit-env',
      'database.external.host=mysql.db',
      'autoscaling.enabled=true',
      'ingress.enabled=true',
      'serviceMonitor.enabled=true',
      'tls.enabled=true',
      'tls.certManager.enabled=true',
      'tls.certManager.issuerRef.name=ca',
      'tls.clientCa.enabled=true',
    ],
    mariadb: [
      'webhook.token=t0ken',
      'mariadb.enabled=true',
      'mariadb.auth.password=p',
      'mariadb.auth.rootPassword=r',
      'replicaCount=2',
    ],
    detection: [
      'webhook.token=t0ken',
      'auth.apiTokens=siem:0123456789abcdef',
      'detection.falcosidekickUrl=http://falcosidekick.falco:2801/',
      `detection.customRules.50-local\\.yaml=${CUSTOM_RULES.replace(/,/g, '\\,')}`,
    ],
    sources: [
      'webhook.token=t0ken',
      'auth.apiTokens=siem:0123456789abcdef',
      'sources.list[0].name=gke-prod',
      'sources.list[0].kind=gke-pubsub',
      'sources.list[0].projectId=acme-prod',
      'sources.list[0].subscription=gke-audit-reader',
      'sources.envFromSecret=audit-sources',
    ],
  };

  it('passes helm lint', () => {
    expect(() =>
      execFileSync('helm', ['lint', chart, '--set', 'webhook.tokens.prod=t0ken'], {
        stdio: 'pipe',
      }),
    ).not.toThrow();
  });

  it.each(Object.keys(scenarios))(
    '%s: every object is schema-valid and the cross-checks hold',
    async (name) => {
      const objects = render(...scenarios[name]);
      expect((await Promise.all(objects.map(schemaProblems))).flat()).toEqual([]);
      const external =
        name === 'mysql'
          ? ['audit-env', 'audit-k8s-audit-webhook-tls']
          : name === 'sources'
            ? ['audit-sources']
            : [];
      expect(crossCheckProblems(objects, { externalSecrets: external })).toEqual([]);
    },
  );

  it('detection: the same ConfigMap, RULES_FILES and Falcosidekick egress as the Go-template subset renders', () => {
    const objects = render(...scenarios.detection);
    const configMap = objects.find((o) => o.kind === 'ConfigMap')!;
    expect(configMap.data).toEqual({ '50-local.yaml': CUSTOM_RULES });
    const env = objects
      .find((o) => o.kind === 'Deployment')!
      .spec.template.spec.containers[0].env.reduce(
        (all: Record<string, string>, e: any) => ({ ...all, [e.name]: e.value }),
        {},
      );
    expect(env.RULES_FILES).toBe('/etc/audit-webhook/rules/50-local.yaml');
    const policy = objects.find((o) => o.kind === 'NetworkPolicy')!;
    expect(policy.spec.egress).toContainEqual({ ports: [{ port: 2801, protocol: 'TCP' }] });
  });

  it('sources: the same ConfigMap, SOURCES_FILE, Secret and 443 egress as the Go-template subset renders', () => {
    const objects = render(...scenarios.sources);
    const configMap = objects.find((o) => o.kind === 'ConfigMap')!;
    expect(parse(configMap.data['sources.yaml'])).toEqual({ sources: [SOURCES_LIST[0]] });
    const container = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec
      .containers[0];
    expect(container.env).toContainEqual({
      name: 'SOURCES_FILE',
      value: '/etc/audit-webhook/sources/sources.yaml',
    });
    expect(container.envFrom).toContainEqual({ secretRef: { name: 'audit-sources' } });
    const policy = objects.find((o) => o.kind === 'NetworkPolicy')!;
    expect(policy.spec.egress).toContainEqual({
      ports: [{ port: 443, protocol: 'TCP' }],
      to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
    });
  });

  it('fails a secret pasted into an *Env field of a source', () => {
    expect(() =>
      render(
        'webhook.token=t',
        'auth.apiTokens=a:0123456789abcdef',
        'sources.list[0].name=aks-prod',
        'sources.list[0].kind=aks-blob',
        'sources.list[0].cluster=aks-prod',
        'sources.list[0].connectionStringEnv=sv-2024-08-04;sig-abc',
      ),
    ).toThrow(/connectionStringEnv must be the NAME of an environment variable/);
  });

  it('fails SQLite with two replicas', () => {
    expect(() => render('webhook.token=t', 'replicaCount=2')).toThrow(/replicaCount must be 1/);
  });
});
