import { BadRequestException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { toDetectionFilter } from './detections.controller';
import { DetectionsQueryDto } from './detections-query.dto';
import { priorityOf, readFields, readTags } from './sql-detection-reader.repository';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);

function dto(plain: Record<string, unknown>): DetectionsQueryDto {
  return plainToInstance(DetectionsQueryDto, plain);
}

function messages(plain: Record<string, unknown>): string[] {
  return validateSync(dto(plain), { whitelist: true, forbidNonWhitelisted: true }).flatMap(
    (error) => Object.values(error.constraints ?? {}),
  );
}

describe('DetectionsQueryDto', () => {
  it('reads priority in any case, info as informational', () => {
    expect(dto({ priority: 'warning' }).priority).toBe('WARNING');
    expect(dto({ priority: ' Critical ' }).priority).toBe('CRITICAL');
    expect(dto({ priority: 'info' }).priority).toBe('INFORMATIONAL');
    expect(messages({ priority: 'warning' })).toEqual([]);
  });

  it('names every accepted priority when one is unknown', () => {
    expect(messages({ priority: 'high' })).toEqual([
      'priority must be one of emergency, alert, critical, error, warning, notice, informational, debug',
    ]);
  });

  it('takes rule and cluster repeated, and bounds them', () => {
    expect(messages({ rule: ['A', 'B'], cluster: ['prod', 'dev'] })).toEqual([]);
    expect(messages({ rule: 'r'.repeat(201) })).toEqual(['rule must be at most 200 characters']);
    expect(messages({ rule: Array.from({ length: 21 }, (_, i) => `r${i}`) })).toEqual([
      'rule: at most 20 values',
    ]);
  });

  it('checks grouped, eventId, cursor, limit and times', () => {
    expect(messages({ grouped: 'yes' })).toEqual(['grouped must be true or false']);
    expect(messages({ eventId: '1' })).toEqual(['eventId must be an event id (a UUID)']);
    expect(messages({ cursor: '1' })).toEqual(['cursor must be the nextCursor of a previous page']);
    expect(messages({ limit: '0' })).toEqual(['limit must be at least 1']);
    expect(messages({ from: 'yesterday' })[0]).toMatch(/^from must be an RFC 3339 time/);
  });
});

describe('toDetectionFilter', () => {
  it('alerts by default; priority as the largest severity number; times as epoch ms', () => {
    expect(
      toDetectionFilter(
        dto({ priority: 'warning', from: '1h', to: 'now', rule: 'R', cluster: 'prod' }),
        NOW,
      ),
    ).toEqual({
      cluster: ['prod'],
      rule: ['R'],
      maxSeverity: 4,
      fromMs: NOW - 3_600_000,
      toMs: NOW,
      alertsOnly: true,
    });
    expect(toDetectionFilter(dto({}), NOW)).toEqual({ alertsOnly: true });
  });

  it('grouped=false lists every detection; eventId is lower-cased', () => {
    expect(
      toDetectionFilter(
        dto({ grouped: 'false', eventId: '0193A1B2-0000-7000-8000-00000000000A' }),
        NOW,
      ),
    ).toEqual({ alertsOnly: false, eventId: '0193a1b2-0000-7000-8000-00000000000a' });
  });

  it('from later than to: 400', () => {
    expect(() => toDetectionFilter(dto({ from: '1h', to: '2h' }), NOW)).toThrow(
      BadRequestException,
    );
  });
});

describe('reading stored rows', () => {
  it('priority: Falco names in any case; otherwise the numeric severity decides', () => {
    expect(priorityOf('WARNING', 4)).toBe('WARNING');
    expect(priorityOf('Critical', 2)).toBe('CRITICAL');
    expect(priorityOf('info', 6)).toBe('INFORMATIONAL');
    expect(priorityOf('bogus', 3)).toBe('ERROR');
    expect(priorityOf(undefined, '1')).toBe('ALERT');
    expect(priorityOf(null, 99)).toBe('INFORMATIONAL');
  });

  it('tags: a JSON array of strings; anything else reads as none', () => {
    expect(readTags('["k8s","T1609"]')).toEqual(['k8s', 'T1609']);
    expect(readTags('["k8s",3,null]')).toEqual(['k8s']);
    expect(readTags('{"a":1}')).toEqual([]);
    expect(readTags('not json')).toEqual([]);
    expect(readTags(null)).toEqual([]);
  });

  it('fields: { field, value } entries; malformed ones are skipped', () => {
    expect(
      readFields(
        JSON.stringify([
          { field: 'ka.user.name', value: 'bob' },
          { field: 'ka.req.pod.containers.privileged', value: [true] },
          { field: 'ka.target.name' },
          { value: 'no field' },
          'text',
          null,
        ]),
      ),
    ).toEqual([
      { field: 'ka.user.name', value: 'bob' },
      { field: 'ka.req.pod.containers.privileged', value: [true] },
      { field: 'ka.target.name', value: null },
    ]);
    expect(readFields('[')).toEqual([]);
  });
});
