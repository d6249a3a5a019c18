import { parse } from 'yaml';
import type { JsonValue } from '../../domain/audit-event';
import { toYaml } from './yaml';

/** kubectl reads manifests with go-yaml (YAML 1.1): the emitted text must mean the same there. */
function readBack(text: string): unknown {
  return parse(text, { version: '1.1' });
}

const samples: JsonValue[] = [
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', labels: { app: 'web', 'app.kubernetes.io/name': 'x' } },
  },
  {
    spec: {
      containers: [
        {
          name: 'app',
          image: 'nginx:1.25',
          args: ['-c', 'echo hi'],
          ports: [{ containerPort: 80 }],
        },
      ],
    },
  },
  { words: ['yes', 'no', 'on', 'off', 'y', 'N', 'true', 'False', 'null', '~', ''] },
  {
    numbers: ['1', '1.5', '0x1F', '012', '1e3', '.inf', '2026-11-25', '12:30', '1_000', '-1', '+1'],
  },
  {
    tricky: [
      'a: b',
      'a #b',
      '#c',
      '- x',
      '? y',
      '*ref',
      '&anchor',
      '!tag',
      '%x',
      '@x',
      '`x',
      '{a}',
      '[b]',
      'x:',
      ' lead',
      'trail ',
    ],
  },
  {
    multi: [
      'line1\nline2',
      'ends\n',
      'two\n\n',
      '\nlead',
      ' indented\nx',
      'tab\tin\nline',
      'cr\r\nlf',
      'EOF\nrm -rf /\nEOF',
    ],
  },
  { unicode: ['ünï', 'emoji 🎉', '\u2028sep', 'nul\u0000x', 'bell\u0007'] },
  {
    empty: {},
    list: [],
    nested: [[1, 2], [], [{}], { a: [] }],
    n: null,
    t: true,
    f: 1.25,
    neg: -3,
  },
  { 'key with space': 1, 'key: colon': 2, '': 3, '123': 4, yes: 5, 'a\nb': 6 },
  [{ op: 'replace', path: '/spec/replicas', value: 3 }],
  'just a string\nwith two lines',
  42,
];

describe('toYaml', () => {
  it.each(samples.map((s) => [JSON.stringify(s).slice(0, 60), s]))(
    'round-trips %s',
    (_name, sample) => {
      expect(readBack(toYaml(sample as JsonValue))).toEqual(sample);
    },
  );

  it('writes the familiar block style', () => {
    expect(
      toYaml({
        metadata: { name: 'web' },
        spec: { containers: [{ name: 'app', image: 'nginx' }], text: 'a\nb\n' },
      }),
    ).toBe(
      'metadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: nginx\n  text: |\n    a\n    b\n',
    );
  });
});
