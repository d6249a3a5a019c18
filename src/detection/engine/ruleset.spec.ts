import { baseEvent, podCreate } from '../../../test/detection/engine/events';
import { RuleLoadError } from './errors';
import { loadRules } from './ruleset';
import { RuleSource } from './types';

const rule = (name: string, condition: string, extra = ''): string => `
- rule: ${name}
  desc: ${name} desc
  condition: ${condition}
  output: ${name} by %ka.user.name
  priority: WARNING
${extra}`;

function load(...texts: string[]) {
  const sources: RuleSource[] = texts.map((text, i) => ({ path: `f${i + 1}.yaml`, text }));
  return loadRules(sources);
}

function fired(ruleset: ReturnType<typeof load>, event: Record<string, unknown>): string[] {
  return ruleset.evaluate({ event, cluster: 'prod' }).map((r) => r.name);
}

function loadError(...texts: string[]): RuleLoadError {
  try {
    load(...texts);
  } catch (e) {
    if (e instanceof RuleLoadError) return e;
    throw e;
  }
  throw new Error('loaded without error');
}

const alice = baseEvent();
const bob = baseEvent({ user: { username: 'bob' } });

describe('rules, append and override', () => {
  it('keeps name, desc, priority, tags, source, file and line; defaults enabled and source', () => {
    const [r] = load(
      `- rule: R\n  desc: d\n  condition: ka.verb=create\n  output: o\n  priority: info\n  tags: [a, b]\n`,
    ).rules;
    expect(r).toMatchObject({
      name: 'R',
      desc: 'd',
      priority: 'INFORMATIONAL',
      tags: ['a', 'b'],
      source: 'k8s_audit',
      file: 'f1.yaml',
      line: 1,
      condition: 'ka.verb=create',
    });
  });

  it('returns every matching rule in load order', () => {
    const rs = load(
      rule('one', 'ka.verb=create'),
      rule('two', 'ka.user.name=alice'),
      rule('three', 'ka.verb=delete'),
    );
    expect(fired(rs, alice)).toEqual(['one', 'two']);
  });

  it('replaces a rule redefined without append, in place', () => {
    const rs = load(
      rule('one', 'ka.verb=delete') + rule('two', 'ka.verb=create'),
      rule('one', 'ka.verb=create'),
    );
    expect(rs.rules.map((r) => [r.name, r.file])).toEqual([
      ['one', 'f2.yaml'],
      ['two', 'f1.yaml'],
    ]);
    expect(fired(rs, alice)).toEqual(['one', 'two']);
  });

  it('appends to a rule condition with append: true (legacy) and keeps the text', () => {
    const rs = load(
      rule('R', 'ka.verb=create'),
      `- rule: R\n  append: true\n  condition: and ka.user.name=bob\n`,
    );
    expect(rs.rules[0].condition).toBe('ka.verb=create and ka.user.name=bob');
    expect(fired(rs, alice)).toEqual([]);
    expect(fired(rs, bob)).toEqual(['R']);
  });

  it('overrides with append and replace', () => {
    const rs = load(
      rule('R', 'ka.verb=create', '  tags: [a]'),
      `- rule: R
  condition: and ka.user.name=bob
  output: "(again)"
  priority: ERROR
  tags: [b]
  override:
    condition: append
    output: append
    priority: replace
    tags: append
`,
    );
    const [r] = rs.rules;
    expect(r.priority).toBe('ERROR');
    expect(r.tags).toEqual(['a', 'b']);
    expect(r.output({ event: bob, cluster: 'c' })).toBe('R by bob (again)');
    expect(fired(rs, bob)).toEqual(['R']);
    expect(fired(rs, alice)).toEqual([]);
  });

  it('disables a rule with enabled: false, by override or by an enabled-only item', () => {
    expect(load(rule('R', 'ka.verb=create', '  enabled: false')).rules).toEqual([]);
    expect(load(rule('R', 'ka.verb=create'), '- rule: R\n  enabled: false\n').rules).toEqual([]);
    expect(
      load(
        rule('R', 'ka.verb=create'),
        '- rule: R\n  enabled: false\n  override:\n    enabled: replace\n',
      ).rules,
    ).toEqual([]);
    const back = load(
      rule('R', 'ka.verb=create', '  enabled: false'),
      '- rule: R\n  enabled: true\n',
    );
    expect(fired(back, alice)).toEqual(['R']);
  });

  it('appends and overrides lists and macros', () => {
    const base = `
- list: users
  items: [carol]
- macro: who
  condition: ka.user.name in (users)
${rule('R', 'who')}`;
    expect(fired(load(base, '- list: users\n  items: [alice]\n  append: true\n'), alice)).toEqual([
      'R',
    ]);
    expect(
      fired(load(base, '- list: users\n  items: [alice]\n  override:\n    items: append\n'), alice),
    ).toEqual(['R']);
    expect(
      fired(load(base, '- list: users\n  items: [bob]\n  override:\n    items: replace\n'), alice),
    ).toEqual([]);
    expect(
      fired(load(base, '- macro: who\n  condition: or ka.verb=create\n  append: true\n'), alice),
    ).toEqual(['R']);
    expect(
      fired(
        load(
          base,
          '- macro: who\n  condition: ka.verb=create\n  override:\n    condition: replace\n',
        ),
        alice,
      ),
    ).toEqual(['R']);
    expect(fired(load(base, '- list: users\n  items: [alice]\n'), alice)).toEqual(['R']);
  });

  it('resolves a list named in another list only when defined before (definition order)', () => {
    const rs = load(`
- list: outer
  items: [inner]
- list: inner
  items: [alice]
${rule('R', 'ka.user.name in (outer)')}`);
    expect(fired(rs, alice)).toEqual([]);
    expect(fired(rs, baseEvent({ user: { username: 'inner' } }))).toEqual(['R']);
  });

  it('skips rules of other sources, and rules with skip-if-unknown-filter whose fields are unknown', () => {
    const rs = load(
      rule('syscall', 'proc.name = bash', '  source: syscall'),
      rule('audit', 'ka.verb=create', '  source: k8s_audit'),
      rule('unknown', 'ka.nope = x', '  skip-if-unknown-filter: true'),
    );
    expect(rs.rules.map((r) => r.name)).toEqual(['audit']);
  });

  it('ignores required_engine_version, required_plugin_versions, empty items and empty documents', () => {
    const rs = load(
      `- required_engine_version: 15\n- required_plugin_versions:\n  - name: k8saudit\n    version: 0.6.0\n-\n${rule('R', 'ka.verb=create')}\n---\n`,
    );
    expect(rs.rules).toHaveLength(1);
  });

  it('reads every document of a multi-document file', () => {
    expect(
      load(`${rule('A', 'ka.verb=create')}\n---\n${rule('B', 'ka.verb=create')}`).rules,
    ).toHaveLength(2);
  });
});

describe('exceptions', () => {
  const withExceptions = (exceptions: string) =>
    load(rule('R', 'ka.verb=create', `  exceptions:\n${exceptions}`));

  it('excludes tuples of fields (comps default to =)', () => {
    const rs = withExceptions(`    - name: known
      fields: [ka.user.name, ka.target.namespace]
      values:
        - [alice, default]
        - [carol, kube-system]
`);
    expect(fired(rs, alice)).toEqual([]);
    expect(fired(rs, baseEvent({ objectRef: { resource: 'pods', namespace: 'prod' } }))).toEqual([
      'R',
    ]);
    expect(fired(rs, bob)).toEqual(['R']);
  });

  it('uses comps per field, list values for in, and list names', () => {
    const rs = load(`
- list: trusted
  items: [alice, carol]
${rule(
  'R',
  'ka.verb=create',
  `  exceptions:
    - name: by_user
      fields: [ka.user.name, ka.uri]
      comps: [in, startswith]
      values:
        - [trusted, /api/v1/namespaces/default]
        - [[bob, dave], /apis]
`,
)}`);
    expect(fired(rs, alice)).toEqual([]);
    expect(fired(rs, bob)).toEqual(['R']);
    expect(
      fired(rs, baseEvent({ user: { username: 'dave' }, requestURI: '/apis/apps/v1' })),
    ).toEqual([]);
  });

  it('accepts a single field with a list of values (comps defaults to in)', () => {
    const rs = withExceptions(`    - name: users
      fields: ka.user.name
      values: [alice, carol]
`);
    expect(fired(rs, alice)).toEqual([]);
    expect(fired(rs, bob)).toEqual(['R']);
  });

  it('appends exception values with append: true and with override', () => {
    const base = rule(
      'R',
      'ka.verb=create',
      `  exceptions:\n    - name: users\n      fields: [ka.user.name]\n      values: [[carol]]\n`,
    );
    const legacy = load(
      base,
      '- rule: R\n  append: true\n  exceptions:\n    - name: users\n      values: [[alice]]\n',
    );
    expect(fired(legacy, alice)).toEqual([]);
    const override = load(
      base,
      '- rule: R\n  exceptions:\n    - name: users\n      values: [[alice]]\n  override:\n    exceptions: append\n',
    );
    expect(fired(override, alice)).toEqual([]);
    expect(fired(override, bob)).toEqual(['R']);
    const added = load(
      base,
      '- rule: R\n  append: true\n  exceptions:\n    - name: ns\n      fields: ka.target.namespace\n      values: [default]\n',
    );
    expect(fired(added, bob)).toEqual([]);
  });

  it('replaces exceptions with override: replace, and requires fields of the new ones', () => {
    const base = rule(
      'R',
      'ka.verb=create',
      `  exceptions:\n    - name: users\n      fields: [ka.user.name]\n      values: [[alice]]\n`,
    );
    const replaced = load(
      base,
      '- rule: R\n  exceptions:\n    - name: ns\n      fields: [ka.target.namespace]\n      values: [[prod]]\n  override:\n    exceptions: replace\n',
    );
    expect(fired(replaced, alice)).toEqual(['R']);
    const error = loadError(
      base,
      '- rule: R\n  exceptions:\n    - name: users\n      values: [[bob]]\n  override:\n    exceptions: replace\n',
    );
    expect(error.message).toMatch(/^f2\.yaml:2: rule 'R': exception 'users' needs 'fields'/);
  });

  it('follows Falco on what an exception append may change and on single-field exceptions', () => {
    const base = rule(
      'R',
      'ka.verb=create',
      `  exceptions:\n    - name: users\n      fields: [ka.user.name]\n      values: [[carol]]\n`,
    );
    expect(
      loadError(
        base,
        '- rule: R\n  append: true\n  exceptions:\n    - name: users\n      fields: [ka.user.name]\n      values: [[a]]\n',
      ).message,
    ).toMatch(/only its values can be appended, not fields or comps/);
    expect(
      loadError(
        base,
        '- rule: R\n  append: true\n  exceptions:\n    - name: more\n      fields: [ka.verb]\n',
      ).message,
    ).toMatch(/exception 'more' is new and needs 'values'/);
    const single = (comps: string, values: string) =>
      loadError(
        rule(
          'R',
          'ka.verb=create',
          `  exceptions:\n    - name: x\n      fields: ka.user.name\n      comps: ${comps}\n      values: ${values}\n`,
        ),
      ).message;
    expect(single('=', '[alice]')).toMatch(
      /comps must be one of in, pmatch, intersects \(got '='\)/,
    );
    expect(single('in', '[[alice]]')).toMatch(
      /with a single field, values must be a list of strings/,
    );
  });

  it('reports malformed exceptions at the exceptions line', () => {
    const bad = (body: string) =>
      loadError(rule('R', 'ka.verb=create', `  exceptions:\n${body}`)).message;
    expect(
      bad('    - name: x\n      fields: [ka.user.name, ka.verb]\n      values: [[alice]]\n'),
    ).toMatch(/f1\.yaml:7: rule 'R': exception 'x': value 1 must be a list of 2 item\(s\)/);
    expect(
      bad(
        '    - name: x\n      fields: [ka.user.name]\n      comps: [like]\n      values: [[a]]\n',
      ),
    ).toMatch(/unknown comparison operator 'like'/);
    expect(bad('    - name: x\n      fields: [ka.nope]\n      values: [[a]]\n')).toMatch(
      /unknown field 'ka.nope'/,
    );
    expect(bad('    - fields: [ka.user.name]\n')).toMatch(/each exception needs a name/);
    expect(bad('    - name: x\n      values: [[a]]\n')).toMatch(/exception 'x' needs 'fields'/);
    expect(bad('    - name: x\n      fields: [ka.user.name]\n      value: [[a]]\n')).toMatch(
      /unknown key 'value'/,
    );
  });
});

describe('load errors name the file, the line and what is wrong', () => {
  it.each([
    [
      '- rule: R\n  desc: d\n  condition: ka.verb=create\n  output: o\n  priority: WARNING\n  severity: high\n',
      6,
      /unknown key 'severity'/,
    ],
    ['- rule: R\n  desc: d\n  output: o\n  priority: WARNING\n', 1, /needs 'condition'/],
    [
      '- rule: R\n  desc: d\n  condition: ka.verb=create\n  output: o\n  priority: loud\n',
      5,
      /unknown priority "loud"/,
    ],
    [
      '- rule: R\n  append: true\n  condition: and x\n',
      1,
      /changes a rule that is not defined before/,
    ],
    ['- list: L\n  items: [a]\n  append: true\n', 1, /no list by that name is defined before/],
    ['- macro: M\n  condition: x\n  append: true\n', 1, /no macro by that name is defined before/],
    ['- list: L\n  items: a\n', 2, /'items' must be a list/],
    ['- lst: L\n', 1, /unknown item with keys lst/],
    ['- macro: my-macro\n  condition: ka.verb=get\n', 1, /macro names must match/],
    ['- list: "my list"\n  items: []\n', 1, /list names cannot contain spaces/],
    [
      '- rule: R\n  desc: d\n  condition: ka.verb=create\n  output: ""\n  priority: WARNING\n',
      4,
      /'output' must not be empty/,
    ],
    [
      '- rule: R\n  desc: d\n  condition: ka.verb=create\n  output: o\n  priority: WARNING\n  tags: [{a: 1}]\n',
      6,
      /tags must be strings/,
    ],
    [
      '- rule: R\n  desc: d\n  condition: ka.verb=create\n  output: o\n  priority: WARNING\n  exceptions:\n    - {name: x, fields: ka.verb, values: [a]}\n    - {name: x, fields: ka.verb, values: [b]}\n',
      6,
      /exception names must be unique/,
    ],
    ['- rule: R\n  desc: d\n  condition: [a\n', 4, /invalid YAML/],
    ['rule: R\n', 1, /must be a YAML list/],
    [
      '- rule: R\n  desc: d\n  condition: ka.verb=create\n  output: "%ka.nope here"\n  priority: WARNING\n',
      1,
      /invalid formatting token '%ka.nope here'/,
    ],
    [
      '- rule: R\n  desc: d\n  condition: ka.verb=create\n  output: "100% sure"\n  priority: WARNING\n',
      1,
      /invalid formatting token/,
    ],
    [
      '- rule: R\n  desc: d\n  condition: ka.verb=create\n  output: o\n  priority: WARNING\n  window: {by: [ka.user.name], threshold: 0, within: 10m}\n',
      6,
      /window.threshold/,
    ],
  ])('%j → line %d', (text, line, message) => {
    const error = loadError(text);
    expect(error.file).toBe('f1.yaml');
    expect(error.line).toBe(line);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`f1.yaml:${line}: `)).toBe(true);
  });

  it('refuses a redefinition with another source and an append with nothing to append', () => {
    expect(
      loadError(rule('R', 'ka.verb=create'), rule('R', 'proc.name=x', '  source: syscall')).message,
    ).toMatch(/redefines a rule of source 'k8s_audit' with source 'syscall'/);
    expect(loadError(rule('R', 'ka.verb=create'), '- rule: R\n  append: true\n').message).toMatch(
      /has nothing to append or override/,
    );
  });

  it('reports an override that is inconsistent with the item', () => {
    const base = rule('R', 'ka.verb=create');
    expect(
      loadError(base, '- rule: R\n  condition: x\n  override:\n    output: append\n').message,
    ).toMatch(/override names 'output' but the item has no 'output'/);
    expect(
      loadError(
        base,
        '- rule: R\n  condition: x\n  output: y\n  override:\n    condition: append\n',
      ).message,
    ).toMatch(/f2\.yaml:3: .*'output' is given but not named in 'override'/);
    expect(
      loadError(base, '- rule: R\n  enabled: false\n  override:\n    enabled: append\n').message,
    ).toMatch(/'enabled' cannot be overridden with append/);
    expect(loadError(base, '- rule: R\n  append: true\n  priority: ERROR\n').message).toMatch(
      /'priority' cannot be appended/,
    );
    // Falco's reader takes only condition and exceptions from a legacy append: anything else would be lost.
    expect(loadError(base, '- rule: R\n  append: true\n  output: more\n').message).toMatch(
      /'output' cannot be appended with append: true/,
    );
  });

  it('reports a bad appended exception in the file and at the line that added it', () => {
    const error = loadError(
      rule('R', 'ka.verb=create'),
      '- rule: R\n  append: true\n  exceptions:\n    - name: x\n      fields: [ka.nope]\n      values: [[a]]\n',
    );
    expect(error.message).toMatch(/^f2\.yaml:3: rule 'R': unknown field 'ka.nope'/);
  });

  it('reports a condition error at the line of the condition that was appended', () => {
    const error = loadError(
      rule('R', 'ka.verb=create'),
      '\n- rule: R\n  append: true\n  condition: and ka.nope=1\n',
    );
    expect(error.file).toBe('f2.yaml');
    expect(error.line).toBe(4);
  });
});

describe('outputs, explain and values', () => {
  it('substitutes %field and %field[arg], prints lists in parentheses and <NA> for absent values', () => {
    const [r] = load(`- rule: R
  desc: d
  condition: ka.verb=create
  output: "user=%ka.user.name ns=%ka.target.namespace/%ka.target.name sub=%ka.target.subresource images=%ka.req.pod.containers.image param=%ka.uri.param[dryRun] ip=%ka.sourceips[1]."
  priority: WARNING
`).rules;
    expect(r.output({ event: podCreate(), cluster: 'prod' })).toBe(
      'user=alice ns=default/web sub=<NA> images=(registry.example.com/team/app:1.2@sha256:abc,busybox,alpine:3,nicolaka/netshoot:latest) param=All ip=(10.0.0.2).',
    );
  });

  it('explains every field of the condition (macros expanded), its exceptions and its output', () => {
    const [r] = load(`
- macro: creating
  condition: ka.verb=create
${rule('R', 'creating and ka.user.groups intersects (dev)', '  exceptions:\n    - name: ns\n      fields: ka.target.namespace\n      values: [kube-system]\n')}`).rules;
    expect(r.explain({ event: alice, cluster: 'prod' })).toEqual([
      { field: 'ka.verb', value: 'create' },
      { field: 'ka.user.groups', value: ['dev', 'system:authenticated'] },
      { field: 'ka.target.namespace', value: 'default' },
      { field: 'ka.user.name', value: 'alice' },
    ]);
  });

  it('reads window, group and first_seen keys from an event', () => {
    const [r] = load(
      rule(
        'R',
        'ka.verb=create',
        `  window: {by: [ka.user.name, ka.cluster.name], distinct: ka.target.name, threshold: 5, within: 10m}
  first_seen: {by: [ka.user.name], learn: 7d}
  group: {by: [ka.user.name], within: 1h}
`,
      ),
    ).rules;
    expect(r.window).toEqual({
      by: ['ka.user.name', 'ka.cluster.name'],
      distinct: 'ka.target.name',
      threshold: 5,
      withinMs: 600_000,
    });
    expect(r.firstSeen).toEqual({ by: ['ka.user.name'], learnMs: 7 * 86_400_000 });
    expect(r.group).toEqual({ by: ['ka.user.name'], withinMs: 3_600_000 });
    const input = { event: alice, cluster: 'prod' };
    expect(r.values(input, r.window!.by)).toEqual(['alice', 'prod']);
    expect(
      r.values(input, ['ka.user.groups', 'ka.target.subresource', 'ka.uri.param[dryRun]']),
    ).toEqual([['dev', 'system:authenticated'], null, 'All']);
    expect(() => r.values(input, ['ka.nope'])).toThrow(/unknown field/);
  });

  it('rejects unknown fields in window keys at load', () => {
    expect(
      loadError(rule('R', 'ka.verb=create', '  group: {by: [ka.usr], within: 1h}\n')).message,
    ).toMatch(/rule 'R': unknown field 'ka.usr'/);
  });

  it('does not mix up two events evaluated one after the other', () => {
    const rs = load(rule('R', 'ka.verb=create'));
    const first = { event: alice, cluster: 'a' };
    const second = { event: bob, cluster: 'b' };
    expect(rs.evaluate(first)[0].output(first)).toBe('R by alice');
    expect(rs.evaluate(second)[0].output(second)).toBe('R by bob');
    expect(rs.rules[0].output(first)).toBe('R by alice');
  });
});
