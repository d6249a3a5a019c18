import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readAuditFile } from '../../src/import/audit-file-reader';

export const CORPUS_DIR = join(__dirname, '..', 'fixtures', 'corpus');

export interface CorpusEvent {
  file: string;
  line: number;
  raw: Record<string, unknown>;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return name.endsWith('.json') || name.endsWith('.log') ? [path] : [];
  });
}

/** Every decodable event of the real-cluster corpus (test/fixtures/corpus, see its SOURCES.md). */
export async function loadCorpus(): Promise<CorpusEvent[]> {
  const events: CorpusEvent[] = [];
  for (const path of filesUnder(CORPUS_DIR).sort()) {
    for await (const item of readAuditFile(path)) {
      if (item.kind === 'event' && typeof item.raw === 'object' && item.raw !== null) {
        events.push({
          file: relative(CORPUS_DIR, path),
          line: item.line,
          raw: item.raw as Record<string, unknown>,
        });
      }
    }
  }
  return events;
}
