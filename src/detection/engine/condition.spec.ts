import { baseEvent, podCreate } from '../../../test/detection/engine/events';
import { parseCondition } from './condition-parser';
import { loadRules } from './ruleset';

/** One rule with the given condition (and lists/macros before it), evaluated on an event. */
function matches(condition: string, event: Record<string, unknown>, preamble = ''): boolean {
  const text = `${preamble}
- rule: r
  desc: d
  condition: ${JSON.stringify(condition)}
  output: o
  priority: WARNING
`;
  const [rule] = loadRules([{ path: 't.yaml', text }]).rules;
  return rule.matches({ event, cluster: 'prod' });
}

const e = baseEvent();

describe('condition parsing', () => {
  it('binds not tighter than and, and tighter than or', () => {
    expect(parseCondition('a or b and not c')).toEqual({
      kind: 'or',
      children: [
        { kind: 'macro', name: 'a' },
        {
          kind: 'and',
          children: [
            { kind: 'macro', name: 'b' },
            { kind: 'not', child: { kind: 'macro', name: 'c' } },
          ],
        },
      ],
    });
  });

  it('reads operators without spaces, quoted strings, lists and field arguments', () => {
    expect(parseCondition('ka.verb=get')).toEqual({
      kind: 'check',
      field: 'ka.verb',
      op: '=',
      values: ['get'],
    });
    expect(parseCondition("ka.uri.param[x] != 'a b'")).toEqual({
      kind: 'check',
      field: 'ka.uri.param',
      arg: 'x',
      op: '!=',
      values: ['a b'],
    });
    expect(parseCondition('ka.verb in (get, "li st",watch)')).toMatchObject({
      values: ['get', 'li st', 'watch'],
    });
    expect(parseCondition('(jevt.rawtime exists)')).toMatchObject({ op: 'exists' });
    expect(parseCondition('ka.uri startswith /healthz?')).toMatchObject({ values: ['/healthz?'] });
    expect(parseCondition('ka.verb = "say \\"hi\\""')).toMatchObject({ values: ['say "hi"'] });
  });

  it.each([
    ['ka.verb =', /missing value/],
    ['(ka.verb = get', /missing '\)'/],
    ['ka.verb in get', /needs a list in parentheses/],
    ['ka.verb = get and', /unexpected end of condition/],
    ['ka.verb = get get', /unexpected 'get'/],
    ['ka.verb bcontains x', /unsupported operator 'bcontains'/],
    ['ka.verb = "x', /unterminated string/],
    ['', /empty condition/],
  ])('rejects %j', (text, message) => {
    expect(() => parseCondition(text)).toThrow(message);
  });
});

describe('operators on scalar fields', () => {
  it.each([
    ['ka.verb = create', true],
    ['ka.verb == create', true],
    ['ka.verb = Create', false],
    ['ka.verb != create', false],
    ['ka.user.name contains lic', true],
    ['ka.user.name icontains LIC', true],
    ['ka.user.name contains LIC', false],
    ['ka.user.name startswith al', true],
    ['ka.user.name endswith ce', true],
    ['ka.user.name glob "a?i*"', true],
    ['ka.user.name glob "b*"', false],
    ['ka.user.name in (bob, alice)', true],
    ['ka.user.name in (bob)', false],
    ['ka.user.name intersects (alice)', true],
    ['ka.user.name regex "al.*"', true],
    ['ka.user.name regex "lic"', false],
    ['ka.user.name exists', true],
    ['ka.target.subresource exists', false],
    ['ka.response.code >= 200', true],
    ['ka.response.code < 300', true],
    ['ka.response.code > 3', false],
    ['ka.response.code <= 201', true],
    ['ka.uri pmatch (/api/v1)', true],
    ['ka.uri pmatch (/api/v)', false],
  ])('%s → %s', (condition, expected) => {
    expect(matches(condition, e)).toBe(expected);
  });

  it('compares with < and > as strings, like libsinsp does for string fields', () => {
    expect(matches('ka.response.code > 3', baseEvent({ responseStatus: { code: 201 } }))).toBe(
      false,
    );
    expect(
      matches('ka.req.pod.run_as_user < 1000', podCreate({ securityContext: { runAsUser: 500 } })),
    ).toBe(false);
  });

  it('makes every comparison on a missing field false, != included; not makes it true', () => {
    expect(matches('ka.target.subresource = exec', e)).toBe(false);
    expect(matches('ka.target.subresource != exec', e)).toBe(false);
    expect(matches('not ka.target.subresource = exec', e)).toBe(true);
  });

  it('compares JSON booleans with the words true and false', () => {
    expect(matches('ka.req.pod.host_network = true', podCreate({ hostNetwork: true }))).toBe(true);
    expect(
      matches('ka.req.pod.host_network intersects (true)', podCreate({ hostNetwork: false })),
    ).toBe(false);
  });

  it('matches pmatch on path components', () => {
    const mount = (path: string) =>
      podCreate({ containers: [], volumes: [{ hostPath: { path } }] });
    expect(matches('ka.req.volume.hostpath[/var/run*] = true', mount('/var/running'))).toBe(true);
    expect(
      matches(
        'jevt.value[/requestObject/spec/volumes/0/hostPath/path] pmatch (/var/run)',
        mount('/var/run/docker.sock'),
      ),
    ).toBe(true);
    expect(
      matches(
        'jevt.value[/requestObject/spec/volumes/0/hostPath/path] pmatch (/var/run)',
        mount('/var/running'),
      ),
    ).toBe(false);
    expect(
      matches('jevt.value[/requestObject/spec/volumes/0/hostPath/path] pmatch (/)', mount('/etc')),
    ).toBe(true);
  });
});

describe('operators on list fields (libsinsp compare_nocache)', () => {
  const groups = baseEvent({ user: { username: 'a', groups: ['dev', 'ops'] } });
  it('in: every value is in the set', () => {
    expect(matches('ka.user.groups in (dev, ops, qa)', groups)).toBe(true);
    expect(matches('ka.user.groups in (dev)', groups)).toBe(false);
  });
  it('intersects: at least one value is in the set', () => {
    expect(matches('ka.user.groups intersects (ops)', groups)).toBe(true);
    expect(matches('ka.user.groups intersects (qa)', groups)).toBe(false);
  });
  it('exists: at least one value', () => {
    expect(matches('ka.user.groups exists', groups)).toBe(true);
    expect(
      matches('ka.user.groups exists', baseEvent({ user: { username: 'a', groups: [] } })),
    ).toBe(false);
  });
  it('an absent or empty list passes neither in nor intersects', () => {
    const none = baseEvent({ user: { username: 'a', groups: [] } });
    expect(matches('ka.user.groups in (dev)', none)).toBe(false);
    expect(matches('ka.user.groups intersects (dev)', none)).toBe(false);
  });
  it.each(['=', '!=', 'contains', 'startswith', 'glob', 'pmatch'])(
    'rejects %s on a list field at load',
    (op) => {
      const rhs = op === 'pmatch' ? '(dev)' : 'dev';
      expect(() => matches(`ka.user.groups ${op} ${rhs}`, groups)).toThrow(
        /t\.yaml:4: rule 'r': operator '.*' cannot be used on list field 'ka.user.groups'/,
      );
    },
  );
});

describe('lists and macros', () => {
  const preamble = `
- list: admins
  items: [alice, root]
- list: people
  items: [admins, "carol"]
- macro: is_admin
  condition: ka.user.name in (people)
- macro: admin_create
  condition: is_admin and ka.verb=create
`;
  it('expands lists inside lists and macros inside macros', () => {
    expect(matches('admin_create', e, preamble)).toBe(true);
    expect(matches('admin_create', baseEvent({ user: { username: 'carol' } }), preamble)).toBe(
      true,
    );
    expect(matches('admin_create', baseEvent({ user: { username: 'dave' } }), preamble)).toBe(
      false,
    );
  });

  it('keeps a name in a value list that is no list as a literal (Falco does)', () => {
    expect(matches('ka.user.name in (alice_list, alice)', e)).toBe(true);
    expect(
      matches(
        'ka.user.name in (falco_privileged_images)',
        baseEvent({ user: { username: 'falco_privileged_images' } }),
      ),
    ).toBe(true);
  });

  it('does not expand a quoted list name (Falco replaces bare names only)', () => {
    expect(matches('ka.user.name in ("admins")', e, preamble)).toBe(false);
    expect(
      matches('ka.user.name in ("admins")', baseEvent({ user: { username: 'admins' } }), preamble),
    ).toBe(true);
    expect(matches('ka.user.name in (admins)', e, preamble)).toBe(true);
  });

  it('fails on an undefined macro, a field without operator and a macro loop', () => {
    expect(() => matches('no_such_macro', e)).toThrow(
      /t\.yaml:4: rule 'r': undefined macro 'no_such_macro'/,
    );
    expect(() => matches('ka.user.name', e)).toThrow(
      /field 'ka.user.name' is used without an operator/,
    );
    const loop = `
- macro: a
  condition: b
- macro: b
  condition: a
`;
    expect(() => matches('a', e, loop)).toThrow(/refers to itself \(a -> b -> a\)/);
  });

  it('fails on an unknown field, naming it, the rule, file and line', () => {
    expect(() => matches('ka.user.nme = x', e)).toThrow(
      "t.yaml:4: rule 'r': unknown field 'ka.user.nme'",
    );
    expect(() => matches('proc.name = x', e)).toThrow(/unknown field 'proc.name'/);
  });

  it('reports a macro syntax error at the macro even when no rule uses it', () => {
    expect(() =>
      matches('ka.verb = create', e, '\n- macro: broken\n  condition: (ka.verb = \n'),
    ).toThrow(/t\.yaml:3: macro 'broken': missing value/);
  });
});
