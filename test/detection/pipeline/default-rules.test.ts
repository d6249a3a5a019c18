import { loadConfiguredRules } from '../../../src/detection/rules-loader';
import { storableCorpus } from '../../support/apiserver-sender';
import { startTestApp, type TestApp } from '../../support/test-app';
import { dataSourceOf, detections, detectorStarted, eventually, post } from './helpers';

jest.setTimeout(120_000);

describe('the default ruleset on the corpus (SQLite)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp('sqlite', { RETENTION_DAYS: '0', DETECTIONS: 'true' });
    await detectorStarted(dataSourceOf(app));
  });
  afterAll(async () => app?.close());

  it('loads rules/ and stores detections of loaded rules for real cluster events', async () => {
    const { ruleset } = loadConfiguredRules({ defaultRules: true, rulesFiles: [] });
    const names = new Set(ruleset.rules.map((r) => r.name));
    expect(names.size).toBeGreaterThan(10);
    const corpus = await storableCorpus();
    for (let i = 0; i < corpus.length; i += 200) {
      await post(app.url, 'corpus', corpus.slice(i, i + 200));
    }
    // The demo clusters' events include anonymous and unusual requests: some rule fires.
    const found = await eventually(async () => {
      const rows = await detections(dataSourceOf(app));
      expect(rows.length).toBeGreaterThan(0);
      return rows;
    }, 30_000);
    for (const row of found) expect(names.has(row.rule)).toBe(true);
    const text = await (await fetch(`${app.url}/metrics`)).text();
    const evaluated = /^audit_detection_events_evaluated_total (\d+)/m.exec(text);
    expect(Number(evaluated?.[1])).toBe(corpus.length);
  });
});
