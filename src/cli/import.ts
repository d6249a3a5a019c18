/**
 * CLI entry: `npm run import -- FILE|DIR... --cluster NAME [--url URL [--token T]] [--batch 400]`.
 * All logic is in src/import/import-command.ts (`runImport`), which the tests call directly.
 */
import { runImport } from '../import/import-command';

export { runImport, parseImportArgs, USAGE } from '../import/import-command';
export type { ImportIo, ImportArgs } from '../import/import-command';

if (require.main === module) {
  const exit = (code: number): void => {
    process.exitCode = code;
    // Do not hang on a handle left open by a dependency (e.g. a database pool).
    setTimeout(() => process.exit(code), 2000).unref();
  };
  runImport(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    exit,
    (e: unknown) => {
      process.stderr.write(`import: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      exit(1);
    },
  );
}
