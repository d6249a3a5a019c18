/**
 * Bearer tokens in command lines and container specs, replaced by a keyed marker before an
 * event is stored (see redaction.ts for the event-level rules and docs/redaction.md).
 * Pure functions, copy-on-write: a value with nothing to hide comes back as the same object.
 */
import { isRedactionMarker } from '../domain/redaction-marker';
import { isJsonObject, JsonLike, JsonObjectLike, Marker, withOwn } from './redaction-json';

/** The cheap test every string passes first: no candidate word, nothing to do. */
const CANDIDATE = /bearer|token|eyJ/i;
/** A JWT: base64url header and claims that both start with `{"` (`eyJ`), then a signature. */
const JWT = /eyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
/** RFC 6750 b64token after `Bearer`. A marker starts with `<`, so it never matches again. */
const BEARER = /\b(bearer\s+)([A-Za-z0-9\-._~+/]+=*)/gi;
/** `--token=x`, `--token x`, `--bearer-token=x`, ... (not a following flag, not a marker). */
const TOKEN_OPTION = /(?<![\w-])(--?(?:[A-Za-z0-9]+[-_])*token)(=|\s+)(?!-)([^\s"'`;&|<>()]+)/gi;
/** An argument that says the next argument is a token. */
const TOKEN_FLAG = /^--?(?:[A-Za-z0-9]+[-_])*token$/i;
const BEARER_WORD = /(?:^|\s)bearer$/i;

/** Keys of a pod spec whose items are containers. */
const CONTAINER_KEYS = ['containers', 'initContainers', 'ephemeralContainers'] as const;
/** Where a pod spec sits: Pod, workload templates (Deployment, Job, ...), CronJob, PodTemplate. */
const POD_SPEC_PATHS: readonly (readonly string[])[] = [
  ['spec'],
  ['spec', 'template', 'spec'],
  ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  ['template', 'spec'],
];
/** Deeper than any real container spec; beyond it a subtree is judged as a whole. */
const MAX_DEPTH = 64;

/** Tokens inside one string: JWTs, `Bearer <tok>`, `--token=<tok>` and `--token <tok>`. */
export function redactTokensInText(text: string, marker: Marker): string {
  if (!CANDIDATE.test(text)) return text;
  return text
    .replace(JWT, (jwt) => marker(jwt))
    .replace(BEARER, (_m, keep: string, token: string) => keep + marker(token))
    .replace(TOKEN_OPTION, (_m, flag: string, sep: string, token: string) =>
      isRedactionMarker(token) ? _m : flag + sep + marker(token),
    );
}

/** A command line as separate arguments: also `--token <tok>` split over two of them. */
export function redactTokensInArgs(args: readonly string[], marker: Marker): string[] {
  let copy: string[] | undefined;
  args.forEach((arg, i) => {
    const previous = i > 0 ? args[i - 1] : '';
    let next: string;
    if (isRedactionMarker(arg)) next = arg;
    else if ((TOKEN_FLAG.test(previous) || BEARER_WORD.test(previous)) && !arg.startsWith('-')) {
      next = marker(arg);
    } else next = redactTokensInText(arg, marker);
    if (next !== arg) (copy ??= args.slice())[i] = next;
  });
  return copy ?? (args as string[]);
}

/**
 * Every string of a container (args, command, env values, probe commands and headers, ...):
 * only token-shaped text is replaced, so an image name or a plain env value stays as it is.
 */
function redactTokensDeep(value: JsonLike, marker: Marker, depth: number): JsonLike {
  if (typeof value === 'string') return redactTokensInText(value, marker);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) {
    const strings = stringsUnder(value);
    return strings.some((text) => CANDIDATE.test(text)) ? marker(strings.join('\n')) : value;
  }
  if (Array.isArray(value)) {
    if (value.every((item) => typeof item === 'string')) {
      return redactTokensInArgs(value as string[], marker);
    }
    let copy: JsonLike[] | undefined;
    value.forEach((item: JsonLike, i) => {
      const next = redactTokensDeep(item, marker, depth + 1);
      if (next !== item) (copy ??= value.slice())[i] = next;
    });
    return copy ?? value;
  }
  let out: JsonObjectLike = value as JsonObjectLike;
  for (const key of Object.keys(out)) {
    const child = out[key];
    const next = redactTokensDeep(child, marker, depth + 1);
    if (next !== child) out = withOwn(out, key, next);
  }
  return out;
}

/** Every string (keys too) of a subtree, without recursion: it may be deeper than the stack. */
function stringsUnder(root: object): string[] {
  const strings: string[] = [];
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') strings.push(value);
    else if (Array.isArray(value)) pending.push(...value);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) pending.push(key, child);
    }
  }
  return strings;
}

/**
 * Containers as a pod spec lists them, or keyed by index as a JSON-patch value grafted onto
 * its path gives them (`/spec/containers/0/args/1`).
 */
function redactPodSpec(spec: JsonObjectLike, marker: Marker): JsonObjectLike {
  let out = spec;
  for (const key of CONTAINER_KEYS) {
    const containers = out[key];
    if (typeof containers !== 'object' || containers === null) continue;
    const next = redactTokensDeep(containers, marker, 0);
    if (next !== containers) out = withOwn(out, key, next);
  }
  return out;
}

function redactAt(
  doc: JsonObjectLike,
  path: readonly string[],
  marker: Marker,
  at = 0,
): JsonObjectLike {
  if (at === path.length) return redactPodSpec(doc, marker);
  const child = doc[path[at]];
  if (!isJsonObject(child)) return doc;
  const next = redactAt(child, path, marker, at + 1);
  return next === child ? doc : withOwn(doc, path[at], next);
}

/**
 * Pod specs and pod templates of one object (a Pod, a workload, a CronJob, a PodTemplate, a
 * patch of any of them), of the items of a list and of the objects of a Table. Found by shape,
 * so custom resources that embed a standard pod template are covered too.
 */
export function redactPodSpecs(
  doc: JsonObjectLike,
  marker: Marker,
  nested = false,
): JsonObjectLike {
  let out = doc;
  for (const path of POD_SPEC_PATHS) out = redactAt(out, path, marker);
  if (nested) return out;
  for (const listKey of ['items', 'rows'] as const) {
    const items = out[listKey];
    if (!Array.isArray(items)) continue;
    let copy: JsonLike[] | undefined;
    items.forEach((item: JsonLike, i) => {
      const target = listKey === 'rows' && isJsonObject(item) ? item.object : item;
      if (!isJsonObject(target)) return;
      const next = redactPodSpecs(target, marker, true);
      if (next === target) return;
      (copy ??= items.slice())[i] =
        listKey === 'rows' ? withOwn(item as JsonObjectLike, 'object', next) : next;
    });
    if (copy) out = withOwn(out, listKey, copy);
  }
  return out;
}

/**
 * The `command=` values of an exec or attach request URI (one per argument, in order). Only
 * the values that change are re-encoded; the rest of the URI is kept byte for byte.
 */
export function redactCommandQuery(uri: string, marker: Marker): string {
  const q = uri.indexOf('?');
  if (q < 0 || !/\/(?:exec|attach)$/.test(uri.slice(0, q))) return uri;
  const parts = uri.slice(q + 1).split('&');
  const positions: number[] = [];
  const values: string[] = [];
  parts.forEach((part, i) => {
    // URLSearchParams decodes as the reconstruction reads it (`+` is a space, bad % kept).
    const entry = new URLSearchParams(part).entries().next();
    if (entry.done || entry.value[0] !== 'command') return;
    positions.push(i);
    values.push(entry.value[1]);
  });
  if (values.length === 0) return uri;
  const redacted = redactTokensInArgs(values, marker);
  if (redacted === values) return uri;
  redacted.forEach((value, j) => {
    if (value !== values[j]) {
      parts[positions[j]] = new URLSearchParams([['command', value]]).toString();
    }
  });
  return `${uri.slice(0, q)}?${parts.join('&')}`;
}
