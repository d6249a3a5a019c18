/**
 * CLI entry: `npm run purge -- --before DATE [--cluster NAME] [--dry-run]`.
 * All logic is in src/retention/purge-command.ts (`runPurge`), which the tests call directly.
 */
import { runPurge } from '../retention/purge-command';

if (require.main === module) {
  const exit = (code: number): void => {
    process.exitCode = code;
    // Do not hang on a handle left open by a dependency (e.g. a database pool).
    setTimeout(() => process.exit(code), 2000).unref();
  };
  runPurge(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    exit,
    (e: unknown) => {
      process.stderr.write(`purge: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      exit(1);
    },
  );
}
