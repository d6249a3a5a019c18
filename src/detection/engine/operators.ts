import { Operator } from './condition-parser';
import { CompileError } from './errors';

/** A comparison against one scalar field value (a present string). */
export type ScalarTest = (value: string) => boolean;

/** `*`, `?` and `[...]` as fnmatch(3) without FNM_PATHNAME, which libsinsp's `glob` uses. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) source += '\\[';
      else {
        let body = pattern.slice(i + 1, close);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        source += `[${body.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/**
 * `pmatch`: the value is one of the paths or lies under one of them, component-wise
 * (libsinsp path_prefix_search: `/var/run` matches `/var/run/docker.sock`, not `/var/running`).
 */
export function pathPrefixTest(paths: readonly string[]): ScalarTest {
  const prefixes = paths.map((p) => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p));
  return (value) =>
    prefixes.some(
      (p) => value === p || (p === '/' ? value.startsWith('/') : value.startsWith(`${p}/`)),
    );
}

/** The test a scalar field's value must pass; `values` are the (list-expanded) right-hand side. */
export function scalarTest(op: Operator, values: readonly string[]): ScalarTest {
  const r = values[0] ?? '';
  switch (op) {
    case '=':
    case '==':
      return (v) => v === r;
    case '!=':
      return (v) => v !== r;
    // k8saudit fields are all strings: libsinsp compares them with strcmp, not as numbers.
    case '<':
      return (v) => v < r;
    case '<=':
      return (v) => v <= r;
    case '>':
      return (v) => v > r;
    case '>=':
      return (v) => v >= r;
    case 'contains':
      return (v) => v.includes(r);
    case 'icontains': {
      const lower = r.toLowerCase();
      return (v) => v.toLowerCase().includes(lower);
    }
    case 'startswith':
      return (v) => v.startsWith(r);
    case 'endswith':
      return (v) => v.endsWith(r);
    case 'glob': {
      const re = globToRegExp(r);
      return (v) => re.test(v);
    }
    case 'regex': {
      let re: RegExp;
      try {
        // libsinsp uses RE2 full matching; JavaScript's syntax is close for the common subset.
        re = new RegExp(`^(?:${r})$`, 's');
      } catch (e) {
        throw new CompileError(`invalid regex '${r}': ${(e as Error).message}`);
      }
      return (v) => re.test(v);
    }
    case 'pmatch':
      return pathPrefixTest(values);
    case 'in':
    case 'intersects': {
      if (values.length === 1) return (v) => v === r;
      const set = new Set(values);
      return (v) => set.has(v);
    }
    case 'exists':
      return () => true;
  }
}

/** Operators libsinsp accepts on list fields (sinsp_filter_check::compare_nocache): anything else throws there. */
export const LIST_FIELD_OPERATORS: ReadonlySet<Operator> = new Set<Operator>([
  'in',
  'intersects',
  'exists',
]);

/**
 * A list field against a set: `in` holds when every extracted value is in the set,
 * `intersects` when at least one is (libsinsp sinsp_filtercheck.cpp, compare_nocache).
 */
export function listTest(
  op: Operator,
  values: readonly string[],
): (list: readonly string[]) => boolean {
  const set = new Set(values);
  if (op === 'in') return (list) => list.every((v) => set.has(v));
  if (op === 'intersects') return (list) => list.some((v) => set.has(v));
  return () => true;
}
