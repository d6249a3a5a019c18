import { spawnSync } from 'node:child_process';

export const MARIADB = {
  host: process.env.TEST_DB_HOST ?? '127.0.0.1',
  port: Number(process.env.TEST_DB_PORT ?? 3306),
  user: process.env.TEST_DB_USER ?? 'root',
  password: process.env.TEST_DB_PASSWORD ?? '',
};

let available: boolean | undefined;

/**
 * Whether the MariaDB suites run, decided synchronously so `describe.each` can use it. In CI
 * (CI=true) or with REQUIRE_MARIADB=1 an unreachable server fails the run; elsewhere the
 * suites are skipped with a loud warning.
 */
export function mariadbAvailable(): boolean {
  if (available !== undefined) return available;
  const probe = `require('mysql2/promise').createConnection(${JSON.stringify({ ...MARIADB, connectTimeout: 3000 })})
    .then(c => c.end()).then(() => process.exit(0), e => { console.error(e.message); process.exit(1); })`;
  const result = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', timeout: 10_000 });
  available = result.status === 0;
  if (!available) {
    const message = `MariaDB at ${MARIADB.host}:${MARIADB.port} is not reachable (${result.stderr.trim()})`;
    if (process.env.CI === 'true' || process.env.REQUIRE_MARIADB === '1') {
      throw new Error(`${message}; CI requires the MariaDB suites`);
    }
    process.stderr.write(`\n!!!!! ${message}: SKIPPING the MariaDB suites !!!!!\n\n`);
  }
  return available;
}
