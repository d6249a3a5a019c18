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
      `apiVersion ${JSON.stringify(apiVersion)} is not an audit API version (expected audit.k8s.io/v1)`,
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
      : `kind ${JSON.stringify(kind)} is not an EventList or Event`,
  );
}
