import { InvalidBatchError, itemsOfBatch } from './batch-body';

function deeplyNested(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('itemsOfBatch', () => {
  const event = { auditID: 'a', verb: 'get' };

  it.each([
    [
      'an EventList',
      { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [event, event] },
      2,
    ],
    ['an EventList without kind', { items: [event] }, 1],
    [
      'a v1beta1 EventList',
      { kind: 'EventList', apiVersion: 'audit.k8s.io/v1beta1', items: [] },
      0,
    ],
    ['a single Event', { kind: 'Event', ...event }, 1],
    ['a bare event', event, 1],
    ['a JSON array', [event, event, event], 3],
  ])('reads %s', (_what, body, count) => {
    expect(itemsOfBatch(body)).toHaveLength(count);
  });

  it.each([
    [null, 'body is null; expected an audit.k8s.io/v1 EventList or Event'],
    ['text', 'body is a string; expected an audit.k8s.io/v1 EventList or Event'],
    [{ kind: 'EventList', items: 'x' }, 'EventList.items is a string; expected an array'],
    [{ kind: 'Pod' }, 'kind "Pod" is not an EventList or Event'],
    [
      { apiVersion: 'v1', items: [] },
      'apiVersion "v1" is not an audit API version (expected audit.k8s.io/v1)',
    ],
    // Found by fuzzing: String() of this apiVersion threw, and the webhook answered 500.
    [
      { kind: null, apiVersion: { toString: { polluted: 1 } }, auditID: 'a' },
      'apiVersion an object is not an audit API version (expected audit.k8s.io/v1)',
    ],
    [
      { apiVersion: ['audit.k8s.io/v1'], items: [] },
      'apiVersion an array is not an audit API version (expected audit.k8s.io/v1)',
    ],
    // Found by fuzzing: JSON.stringify of a kind nested 20,000 deep overflowed the stack (500).
    [{ kind: deeplyNested(20_000), auditID: 'a' }, 'kind an array is not an EventList or Event'],
    [{ kind: 'x'.repeat(5000) }, `kind "${'x'.repeat(100)}…" is not an EventList or Event`],
    [{ kind: 7 }, 'kind 7 is not an EventList or Event'],
    [
      { foo: 1 },
      'body has neither "kind" nor "items" nor "auditID"; expected an audit.k8s.io/v1 EventList or Event',
    ],
  ])('refuses %p with a reason', (body, message) => {
    expect(() => itemsOfBatch(body)).toThrow(new InvalidBatchError(message));
  });
});
