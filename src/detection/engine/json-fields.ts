import { falcoString, walk } from './event-view';
import { define } from './field-builders';

/** The json plugin's fields (plugins/json/pkg/json/json.go) and the jevt.* aliases the k8saudit rules use. */
export function declareJsonFields(): void {
  function jsonPointer(arg: string | undefined): string[] {
    if (arg === undefined || arg === '')
      throw new Error('requires a JSON pointer argument, e.g. [/objectRef/name]');
    const pointer = arg.startsWith('/') ? arg.slice(1) : arg;
    return pointer.split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  for (const prefix of ['json', 'jevt']) {
    const alias =
      prefix === 'jevt' ? ' (alias of the json.* field, kept for backwards compatibility)' : '';
    define(
      `${prefix}.value`,
      false,
      ['<json pointer> (RFC 6901)'],
      `Extracts a value from the event with a JSON pointer: ${prefix}.value[/objectRef/name]${alias}`,
      (arg) => {
        const keys = jsonPointer(arg);
        return (view) => falcoString(walk(view.event, keys));
      },
      { arg: 'key', argRequired: true, origin: 'json' },
    );
    define(
      `${prefix}.obj`,
      false,
      ['(the whole event)'],
      `The full event as indented JSON text${alias}`,
      () => (view) => JSON.stringify(view.event, null, 2),
      {
        origin: 'json',
      },
    );
    define(
      `${prefix}.rawtime`,
      false,
      ['stageTimestamp (else requestReceivedTimestamp, timestamp)'],
      `The time of the event in nanoseconds since the epoch${alias}`,
      () => (view) => view.rawTime(),
      { origin: 'json' },
    );
  }
  define(
    'jevt.time',
    false,
    ['stageTimestamp (else requestReceivedTimestamp, timestamp)'],
    'The time of the event as an ISO 8601 UTC string with nanoseconds',
    () => (view) => view.isoTime(),
    { origin: 'json' },
  );
  define(
    'jevt.time.iso8601',
    false,
    ['stageTimestamp (else requestReceivedTimestamp, timestamp)'],
    'The time of the event as an ISO 8601 UTC string with nanoseconds',
    () => (view) => view.isoTime(),
    { origin: 'json' },
  );
}
