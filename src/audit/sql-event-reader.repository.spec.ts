import type { DataSource } from 'typeorm';
import type { ClusterVisibility } from '../auth/identity';
import type { AppConfig } from '../config/app-config';
import { dialectFor } from '../database/sql-dialect';
import { SqlEventReader } from './sql-event-reader.repository';

const REF = { cluster: 'dev', resource: 'pods', namespace: 'default', name: 'web' };
const ID = '01890000-0000-7000-8000-000000000000';

describe('SqlEventReader for a caller who sees no cluster', () => {
  const NONE: ClusterVisibility = { all: false, clusters: [] };
  let statements = 0;
  // Any statement at all would go through createQueryBuilder.
  const dataSource = {
    createQueryBuilder: () => {
      statements++;
      throw new Error('no statement expected');
    },
  } as unknown as DataSource;
  const reader = new SqlEventReader(dataSource, dialectFor('sqlite'), {
    queryTimeoutMs: 15_000,
  } as AppConfig);

  it('answers every read empty without a statement', async () => {
    expect(await reader.list(NONE, {}, { limit: 10 })).toEqual([]);
    expect(await reader.list(NONE, { user: ['alice'], q: 'web' }, { limit: 10 })).toEqual([]);
    expect(await reader.get(NONE, ID)).toBeUndefined();
    expect(await reader.getMany(NONE, [ID])).toEqual([]);
    expect(await reader.objectEvents(NONE, REF, { limit: 10 })).toEqual([]);
    expect(await reader.lastStateChange(NONE, REF, ID)).toBeUndefined();
    expect(await reader.count(NONE, {})).toBe(0);
    expect(await reader.countBy(NONE, {}, 'cluster', 10)).toEqual([]);
    expect(await reader.histogram(NONE, {}, 60)).toEqual([]);
    expect(await reader.clusters(NONE)).toEqual([]);
    expect(statements).toBe(0);
  });

  it('does build a statement for a caller who sees a cluster', async () => {
    await expect(reader.count({ all: false, clusters: ['dev'] }, {})).rejects.toThrow(
      'no statement expected',
    );
    expect(statements).toBe(1);
  });
});
