/**
 * CLI entry: `npm run detect -- --since 7d [--until ...] [--rule NAME] [--cluster X] [--dry-run] [--forward]`.
 * All logic is in src/detection/detect-command.ts (`runDetect`), which the tests call directly.
 */
import { runDetect } from '../detection/detect-command';

if (require.main === module) {
  const exit = (code: number): void => {
    process.exitCode = code;
    // Do not hang on a handle left open by a dependency (e.g. a database pool).
    setTimeout(() => process.exit(code), 2000).unref();
  };
  runDetect(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    exit,
    (e: unknown) => {
      process.stderr.write(`detect: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      exit(1);
    },
  );
}
