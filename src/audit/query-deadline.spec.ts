import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { QueryTimeoutError, ReadDeadline } from './query-deadline';

type Builder = SelectQueryBuilder<Record<string, unknown>>;

/** A DataSource of the given type that records each statement and answers with `answer`. */
function fakeDataSource(type: 'mysql' | 'mariadb', answer: () => unknown) {
  const statements: string[] = [];
  const dataSource = {
    options: { type },
    query: async (sql: string) => {
      statements.push(sql);
      return answer();
    },
  } as unknown as DataSource;
  return { dataSource, statements };
}

const builder = {
  getQueryAndParameters: () => ['SELECT `e`.`id` AS `id` FROM `audit_events` `e` LIMIT 5', []],
} as unknown as Builder;

describe('ReadDeadline on MySQL-family servers', () => {
  it('MariaDB: bounds the statement with SET STATEMENT max_statement_time, in seconds', async () => {
    const { dataSource, statements } = fakeDataSource('mariadb', () => [{ id: 1 }]);
    expect(await new ReadDeadline(dataSource, 2500).rawMany(builder)).toEqual([{ id: 1 }]);
    expect(statements).toEqual([
      'SET STATEMENT max_statement_time=2.500 FOR SELECT `e`.`id` AS `id` FROM `audit_events` `e` LIMIT 5',
    ]);
  });

  it('MySQL 8: bounds the SELECT with the MAX_EXECUTION_TIME optimizer hint, in milliseconds', async () => {
    const { dataSource, statements } = fakeDataSource('mysql', () => []);
    await new ReadDeadline(dataSource, 2500).rawMany(builder);
    expect(statements).toEqual([
      'SELECT /*+ MAX_EXECUTION_TIME(2500) */ `e`.`id` AS `id` FROM `audit_events` `e` LIMIT 5',
    ]);
  });

  it.each([
    ['MariaDB ER_STATEMENT_TIMEOUT', 'mariadb', 1969],
    ['MySQL ER_QUERY_TIMEOUT', 'mysql', 3024],
  ] as const)(
    'turns %s (also wrapped by TypeORM) into a 503 that says what to do',
    async (_name, type, errno) => {
      const { dataSource } = fakeDataSource(type, () => {
        throw { message: 'QueryFailedError', driverError: { errno } };
      });
      const error = await new ReadDeadline(dataSource, 15_000).rawMany(builder).catch((e) => e);
      expect(error).toBeInstanceOf(QueryTimeoutError);
      expect((error as QueryTimeoutError).getStatus()).toBe(503);
      expect((error as QueryTimeoutError).message).toBe(
        'the query took longer than 15 s (QUERY_TIMEOUT_MS) and was stopped; narrow it: add filters ' +
          '(cluster, user, resource, namespace) or shorten the time range (from/to)',
      );
    },
  );

  it('passes other failures through unchanged', async () => {
    const failure = Object.assign(new Error('connection lost'), { errno: 2013 });
    const { dataSource } = fakeDataSource('mariadb', () => {
      throw failure;
    });
    await expect(new ReadDeadline(dataSource, 100).rawMany(builder)).rejects.toBe(failure);
  });
});
