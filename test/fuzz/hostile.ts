import fc from 'fast-check';

/**
 * Generators of hostile input shared by the fuzz suites: strings a parser or a database may
 * choke on, JSON values of every type, keys that poison prototypes, and nesting deep enough to
 * overflow a recursive walker.
 */

/** Characters that break things: NUL and other controls, lone surrogates, BOMs, RTL marks. */
const NASTY_UNITS = [
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\ud800',
  '\udfff',
  '\ufeff',
  '\ufffd',
  '\u202e',
  '\u2028',
  '%',
  '%00',
  '%zz',
  '\\',
  '"',
  "'",
  '<',
  '>',
  '&',
  '/',
  '..',
  '*',
  '?',
  '#',
  '\r\n',
  '\t',
  '😀',
  '𝕏',
  'ǅ',
  'İ',
  '__proto__',
  '${x}',
  '{{x}}',
  "' OR 1=1 --",
] as const;

/** A string from every corner: ASCII, any code point, nasty units, or the empty string. */
export const hostileString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'binary-ascii', maxLength }),
    fc.string({
      unit: fc.constantFrom(...NASTY_UNITS),
      maxLength: Math.max(1, Math.floor(maxLength / 4)),
    }),
    fc.constant(''),
  );

/** 0.5 to 1.5 MB of one character: a "name" no index can hold. */
export const hugeString = fc
  .record({
    unit: fc.constantFrom('a', 'é', '😀', '\u0000', ' '),
    kib: fc.integer({ min: 512, max: 1536 }),
  })
  .map(({ unit, kib }) => unit.repeat(Math.floor((kib * 1024) / Buffer.byteLength(unit))));

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

/** Any JSON value, with prototype-poisoning keys, odd numbers and hostile strings. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -0, 1, -1, 1e308, -1e308, 2 ** 53 + 1, 0.1, 2 ** 31),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    hostileString(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString(12), fc.constantFrom(...PROTO_KEYS)), tie('value'), {
      maxKeys: 4,
    }),
  ),
})).value;

/**
 * JSON text of `depth` nested arrays or objects around a leaf: around the product's depth limit
 * (512), or 10,000 to 120,000 deep.
 */
export const deepJsonText = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 400, max: 600 }), fc.integer({ min: 10_000, max: 120_000 })),
    shape: fc.constantFrom('array', 'object', 'mixed'),
  })
  .map(({ depth, shape }) => {
    if (shape === 'array') return '['.repeat(depth) + '1' + ']'.repeat(depth);
    if (shape === 'object') return '{"a":'.repeat(depth) + 'null' + '}'.repeat(depth);
    return '[{"k":'.repeat(depth / 2) + '0' + '}]'.repeat(depth / 2);
  });

/**
 * A JSON value as text, so that it may also be one no `JSON.stringify` would write: duplicate
 * and prototype keys, deep nesting, megabyte strings.
 */
export const hostileJsonText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: hostileJson.map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: deepJsonText },
  { weight: 1, arbitrary: hugeString.map((s) => JSON.stringify(s)) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...PROTO_KEYS), hostileJson)
      .map(
        ([key, value]) =>
          `{"${key}":${JSON.stringify(value) ?? 'null'},"${key}":{"polluted":true}}`,
      ),
  },
);

/** Bytes that are not valid UTF-8 (lone continuation bytes, overlong forms, surrogates). */
export const invalidUtf8 = fc.constantFrom(
  Buffer.from([0x80]),
  Buffer.from([0xc3]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0x00]),
);

/** A string with hostile units for a URL query or path: every character percent-encoded. */
export const hostileParam = fc.oneof(
  { weight: 5, arbitrary: hostileString(30) },
  { weight: 1, arbitrary: fc.string({ minLength: 300, maxLength: 5000 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'now',
      '15m',
      '999999w',
      '0s',
      '-1h',
      '2026-02-30T00:00:00Z',
      '2026-11-30T24:00:00Z',
      '9999-12-31T23:59:59.999999999Z',
      '0000-01-01T00:00:00Z',
      '1970-01-01T00:00:00+99:99',
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      '0',
      '-1',
      '501',
      '1e3',
      '0x10',
      '1.5',
      'NaN',
      'Infinity',
      'true',
      '[]',
      '{}',
      '4xx',
      '6xx',
      '999',
      'pods/exec',
      'a.b/c/d',
      'ndjson',
      'csv',
      'allow',
      'Panic',
    ),
  },
);

/** `value` printed for a person: long strings clipped, so a counterexample stays readable. */
export function summarize(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'string' && v.length > 120) {
      return `${v.slice(0, 60)}...(${v.length} chars)...${v.slice(-20)}`;
    }
    if (typeof v === 'function') return '(function)';
    return v;
  });
}

/** Gives generated values a compact fast-check printout (the seed and path reproduce them). */
export function printable<T extends object>(arb: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return arb.map((value) =>
    Object.defineProperty(value, fc.toStringMethod, { value: () => summarize(value) }),
  );
}

/**
 * Percent-encodes the UTF-8 bytes of `text` (what a browser sends). Unlike encodeURIComponent
 * it never throws: a lone surrogate goes out as the replacement character.
 */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(char)
      ? char
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
