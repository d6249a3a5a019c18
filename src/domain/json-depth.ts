/**
 * How deep a decoded JSON value nests. JSON.parse accepts any depth, but JSON.stringify, the
 * redaction, the diff and the YAML emitter recurse once per level and overflow the stack a few
 * thousand levels down. Kubernetes objects nest a few dozen levels, so an event deeper than
 * MAX_JSON_DEPTH is hostile (or broken) and is quarantined instead of stored.
 */
export const MAX_JSON_DEPTH = 512;

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** Whether `value` nests more than `max` arrays/objects deep; iterative, so any depth is safe. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (!isContainer(current)) continue;
    if (depth > max) return true;
    for (const child of Object.values(current)) {
      if (isContainer(child)) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * A copy of `value` with everything below `max` levels replaced by a note, so the rest can be
 * serialized and kept (quarantine keeps what it can of a hostile event).
 */
export function cutBelowDepth(value: unknown, max: number): unknown {
  if (!isContainer(value)) return value;
  if (max <= 0) return `(nested deeper than ${MAX_JSON_DEPTH} levels: cut)`;
  if (Array.isArray(value)) return value.map((item: unknown) => cutBelowDepth(item, max - 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, cutBelowDepth(item, max - 1)]),
  );
}
