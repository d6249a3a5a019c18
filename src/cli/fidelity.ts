/**
 * CLI entry: `npm run fidelity -- DIR_OR_FILE...`. Reconstructs every audit event in the files
 * under the given paths and prints, as Markdown, how many got which fidelity from which
 * recognizer, and which events no named recognizer claimed.
 */
import { promises as fsp } from 'node:fs';
import { join, relative } from 'node:path';
import { readAuditFiles } from '../import/audit-file-reader';
import { fidelityReport, formatFidelityReport } from '../reconstruction/fidelity-report';

// Documentation beside the data (SOURCES.md, READMEs) is not audit input.
const NOT_AUDIT = /\.(md|txt|yaml|yml)$/i;

async function filesUnder(path: string): Promise<string[]> {
  const stat = await fsp.stat(path);
  if (!stat.isDirectory()) return [path];
  const entries = await fsp.readdir(path, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((e) => e.isDirectory() || (e.isFile() && !NOT_AUDIT.test(e.name)))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((e) => filesUnder(join(path, e.name))),
  );
  return nested.flat();
}

export async function runFidelity(args: string[], out: NodeJS.WritableStream): Promise<number> {
  if (args.length === 0 || args.includes('--help')) {
    out.write('usage: npm run fidelity -- DIR_OR_FILE...\n');
    return args.length === 0 ? 2 : 0;
  }
  const files = (await Promise.all(args.map(filesUnder))).flat();
  const base = process.cwd();
  async function* items() {
    for await (const item of readAuditFiles(files))
      yield { ...item, file: relative(base, item.file) };
  }
  out.write(formatFidelityReport(await fidelityReport(items())));
  return 0;
}

if (require.main === module) {
  runFidelity(process.argv.slice(2), process.stdout).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`fidelity: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
