/** Thrown for a body that is not an Event or EventList; the message goes back to the sender. */
export class InvalidBatchError extends Error {}

const KNOWN_VERSIONS = new Set([
  'audit.k8s.io/v1',
  'audit.k8s.io/v1beta1',
  'audit.k8s.io/v1alpha1',
]);

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * A field's value in a message: strings and numbers as sent (cut to 100 characters), anything
 * else by its type. Never JSON.stringify of a container: a sender picks its depth, and 10,000
 * levels overflow the stack (found by fuzzing: a 500 instead of a 400).
 */
function shownValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
  }
  return typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : describeJson(value);
}

/**
 * The decoded webhook body -> the raw items to store. Accepts an EventList (items with or without
 * their own kind/apiVersion), a single Event, and a plain JSON array of events (what some
 * forwarders send). Items are not validated here: one odd event must not cost the batch.
 */
export function itemsOfBatch(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (typeof body !== 'object' || body === null) {
    throw new InvalidBatchError(
      `body is ${describeJson(body)}; expected an audit.k8s.io/v1 EventList or Event`,
    );
  }
  const doc = body as Record<string, unknown>;
  const { kind, apiVersion } = doc;
  // Not String(apiVersion): an object whose toString is not a function ({"toString": 1}) throws.
  if (
    apiVersion !== undefined &&
    !(typeof apiVersion === 'string' && KNOWN_VERSIONS.has(apiVersion))
  ) {
    throw new InvalidBatchError(
      `apiVersion ${shownValue(apiVersion)} is not an audit API version (expected audit.k8s.io/v1)`,
    );
  }
  if (kind === 'EventList' || (kind === undefined && 'items' in doc)) {
    if (!Array.isArray(doc.items)) {
      throw new InvalidBatchError(
        `EventList.items is ${describeJson(doc.items)}; expected an array`,
      );
    }
    return doc.items;
  }
  if (kind === 'Event' || (kind === undefined && 'auditID' in doc)) return [doc];
  throw new InvalidBatchError(
    kind === undefined
      ? 'body has neither "kind" nor "items" nor "auditID"; expected an audit.k8s.io/v1 EventList or Event'
      : `kind ${shownValue(kind)} is not an EventList or Event`,
  );
}
