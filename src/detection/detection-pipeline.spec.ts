import { DETECTION_LIMITS } from './detection';
import { detectionId, fieldsJson, hashOf, idTimeMs, tagsJson } from './detection-pipeline';
import { falcoPriority, rfc3339Nano } from './falco-output';

describe('detection rows', () => {
  it('a detection id keeps the event id time part (ms and microseconds) and is a UUIDv7', () => {
    const eventId = Buffer.from('019ad3c2a8007abc8123456789abcdef', 'hex');
    const id = detectionId(eventId);
    expect(id.subarray(0, 8)).toEqual(eventId.subarray(0, 8));
    expect(idTimeMs(id)).toBe(idTimeMs(eventId));
    expect(id[8] >> 6).toBe(0b10);
    expect(detectionId(eventId)).not.toEqual(id);
  });

  it('cuts field values and drops trailing fields to stay within the limits, as valid JSON', () => {
    const long = 'x'.repeat(5000);
    const fields = Array.from({ length: 100 }, (_, i) => ({ field: `f${i}`, value: long }));
    const json = fieldsJson(fields);
    expect(json.length).toBeLessThanOrEqual(DETECTION_LIMITS.fields);
    const parsed = JSON.parse(json) as { field: string; value: string }[];
    expect(parsed.length).toBeGreaterThan(10);
    expect(parsed[0].value.length).toBe(DETECTION_LIMITS.fieldValue);
    const list = JSON.parse(fieldsJson([{ field: 'l', value: Array(1000).fill('abc') }])) as {
      value: string[];
    }[];
    expect(list[0].value.at(-1)).toMatch(/^… \d+ more$/);
    expect(JSON.parse(tagsJson(Array(1000).fill('tag-name'))).length).toBeLessThan(1000);
  });

  it('hashes group values by content', () => {
    expect(hashOf('r', ['a', null])).toEqual(hashOf('r', ['a', null]));
    expect(hashOf('r', ['a', null])).not.toEqual(hashOf('r', ['a', '']));
    expect(hashOf('r', ['a'])).toHaveLength(16);
  });
});

describe("Falco's JSON output", () => {
  it('prints the stage time with nanoseconds and capitalised priorities', () => {
    expect(rfc3339Nano('2026-11-30T08:00:00.123456Z', 0)).toBe('2026-11-30T08:00:00.123456000Z');
    expect(rfc3339Nano('2026-11-30T08:00:00Z', 0)).toBe('2026-11-30T08:00:00.000000000Z');
    expect(rfc3339Nano(undefined, Date.parse('2026-11-30T08:00:00.5Z'))).toBe(
      '2026-11-30T08:00:00.500000000Z',
    );
    expect(falcoPriority('WARNING')).toBe('Warning');
    expect(falcoPriority('INFORMATIONAL')).toBe('Informational');
  });
});
