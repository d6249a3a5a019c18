import { readFileSync } from 'fs';
import { join } from 'path';
import {
  FIELD_TABLE_BEGIN,
  FIELD_TABLE_END,
  fieldTableMarkdown,
} from '../../../src/detection/engine/field-docs';

describe('docs/detection-engine.md', () => {
  it('lists exactly the fields of FIELDS (regenerate the table from fieldTableMarkdown() when this fails)', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/detection-engine.md'), 'utf8');
    const start = doc.indexOf(FIELD_TABLE_BEGIN);
    const end = doc.indexOf(FIELD_TABLE_END);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    expect(doc.slice(start, end + FIELD_TABLE_END.length)).toBe(fieldTableMarkdown());
  });
});
