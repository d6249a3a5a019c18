import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnvironment } from '../config/environment';
import { SOURCE_DEFINITIONS } from './source-registry';
import { loadSourcesFile } from './sources-file';

describe('loadSourcesFile (SOURCES_FILE)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sources-file-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const context = (env: Record<string, string> = {}) => ({
    env,
    log: () => undefined,
    now: Date.now,
  });
  function load(yaml: string, env: Record<string, string> = {}) {
    const path = join(dir, `s-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(path, yaml);
    return { path, ...loadSourcesFile(path, context(env), SOURCE_DEFINITIONS) };
  }

  it('reads one source of each kind with their defaults', () => {
    const { sources, problems } = load(
      [
        'sources:',
        '  - name: gke-prod',
        '    kind: gke-pubsub',
        '    projectId: acme-prod',
        '    subscription: k8s-audit',
        '  - name: aks-prod',
        '    kind: aks-blob',
        '    cluster: prod-aks',
        '    connectionStringEnv: AKS_STORAGE',
        '  - name: eks-prod',
        '    kind: eks-cloudwatch',
        '    cluster: prod-eks',
        '    region: eu-west-1',
      ].join('\n'),
      { AKS_STORAGE: 'UseDevelopmentStorage=true' },
    );
    expect(problems).toEqual([]);
    expect(sources.map((s) => [s.entry.name, s.entry.kind, s.entry.cluster])).toEqual([
      ['gke-prod', 'gke-pubsub', undefined],
      ['aks-prod', 'aks-blob', 'prod-aks'],
      ['eks-prod', 'eks-cloudwatch', 'prod-eks'],
    ]);
    expect(sources.map((s) => s.definition.kind)).toEqual([
      'gke-pubsub',
      'aks-blob',
      'eks-cloudwatch',
    ]);
  });

  it('names the file, the entry and the field of every problem at once', () => {
    const { path, sources, problems } = load(
      [
        'sources:',
        '  - name: Bad_Name',
        '    kind: gke-pubsub',
        '    projectId: acme',
        '    subscription: s1',
        '  - name: twice',
        '    kind: eks-cloudwatch',
        '    cluster: c1',
        '    region: eu-west-1',
        '    regoin: typo',
        '  - name: twice',
        '    kind: eks-cloudwatch',
        '    cluster: c2',
        '    region: eu-west-1',
        '  - name: nokind',
        '    kind: openshift',
        '  - name: aks-no-secret',
        '    kind: aks-blob',
        '    cluster: Prod!',
        '  - just a string',
        '  - name: gke-x',
        '    kind: gke-pubsub',
        '    projectId: acme',
        '    subscription: s1',
        '    maxMessages: "many"',
      ].join('\n'),
    );
    expect(sources).toEqual([]);
    const at = `SOURCES_FILE ${path}`;
    expect(problems).toEqual(
      expect.arrayContaining([
        `${at}: sources[0] ("Bad_Name"): name must be 1-63 characters of a-z, 0-9 and -`,
        `${at}: sources[1] ("twice"): regoin: unknown field`,
        `${at}: sources[2] ("twice"): name is used by another source`,
        `${at}: sources[3] ("nokind"): kind must be one of gke-pubsub, aks-blob, eks-cloudwatch`,
        expect.stringMatching(/^.*sources\[4\] \("aks-no-secret"\): cluster must be 1-63/),
        `${at}: sources[5]: must be a mapping with name and kind`,
      ]),
    );
    // One line per problem, even where a field's checks share their message.
    expect(problems.filter((p) => p.includes('maxMessages'))).toHaveLength(1);
  });

  it('refuses what is not a sources file, and a file it cannot read', () => {
    expect(load('sources: {}').problems).toEqual([
      expect.stringMatching(/needs a list under "sources:"$/),
    ]);
    expect(load('sources: [\n').problems).toEqual([expect.stringMatching(/not valid YAML/)]);
    const missing = join(dir, 'missing.yaml');
    expect(loadSourcesFile(missing, context(), SOURCE_DEFINITIONS).problems).toEqual([
      `SOURCES_FILE ${missing}: cannot read it (ENOENT)`,
    ]);
    const { problems } = load(`sources:\n${'  - {name: a, kind: x}\n'.repeat(101)}`);
    expect(problems).toEqual([expect.stringMatching(/more than 100 sources$/)]);
  });

  it('stops startup through parseEnvironment, naming the variable', () => {
    const path = join(dir, 'startup.yaml');
    writeFileSync(path, 'sources:\n  - name: x\n    kind: eks-cloudwatch\n');
    expect(() => parseEnvironment({ SOURCES_FILE: path })).toThrow(
      new RegExp(`SOURCES_FILE ${path}: sources\\[0\\] \\("x"\\): `),
    );
    expect(parseEnvironment({}).sources).toEqual({ sources: [] });
  });
});
