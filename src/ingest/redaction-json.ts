/** Helpers shared by the redaction modules: untyped JSON as it arrives, copied on write. */

/** A decoded JSON value whose shape nobody has checked yet. */
export type JsonLike = unknown;
export type JsonObjectLike = Record<string, unknown>;

/** Replaces one secret value by its keyed marker (see src/domain/redaction-marker.ts). */
export type Marker = (value: string | Buffer) => string;

export function isJsonObject(value: unknown): value is JsonObjectLike {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A shallow copy with `key` set. Spread copies an own `__proto__` key as data, and
 * defineProperty keeps it data (plain assignment would set the prototype); a key that exists
 * keeps its place, so the re-serialized JSON keeps its field order.
 */
export function withOwn(target: JsonObjectLike, key: string, value: unknown): JsonObjectLike {
  const copy = { ...target };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}
