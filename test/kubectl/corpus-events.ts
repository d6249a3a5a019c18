import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { AuditEvent } from '../../src/domain/audit-event';
import { normalizeEvent } from '../../src/domain/normalize-event';
import { extractEvents } from '../../src/import/extract-events';

/**
 * The events of test/fixtures/corpus, read synchronously so a jest table can be built from them:
 * single events (pretty or not, with or without BOM), JSON lines, EventLists and Azure
 * Diagnostics `{records:[{properties:{log:"<event JSON>"}}]}` wrappers.
 */

export const CORPUS_DIR = join(__dirname, '..', 'fixtures', 'corpus');

export interface CorpusEvent {
  file: string;
  index: number;
  event: AuditEvent;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return filesUnder(path);
      return /\.(json|log)$/.test(name) ? [path] : [];
    });
}

function documents(text: string): unknown[] {
  const body = text.replace(/^\uFEFF/, '');
  try {
    return [JSON.parse(body)];
  } catch {
    return body
      .split('\n')
      .filter((l) => l.trim())
      .flatMap((l) => {
        try {
          return [JSON.parse(l)];
        } catch {
          return [];
        }
      });
  }
}

export function loadCorpusEvents(dir = CORPUS_DIR): CorpusEvent[] {
  const out: CorpusEvent[] = [];
  for (const path of filesUnder(dir)) {
    const raws = documents(readFileSync(path, 'utf8')).flatMap((doc) => extractEvents(doc).events);
    raws.forEach((raw, index) => {
      const result = normalizeEvent(raw);
      if (result.ok) out.push({ file: relative(dir, path), index, event: result.event });
    });
  }
  return out;
}
