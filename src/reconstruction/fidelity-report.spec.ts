import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runFidelity } from '../cli/fidelity';
import { makeEvent } from './core/testing/make-event';
import { fidelityReport, FidelityInput, formatFidelityReport } from './fidelity-report';

async function* items(list: FidelityInput[]): AsyncGenerator<FidelityInput> {
  yield* list;
}

describe('fidelityReport', () => {
  it('counts per fidelity and recognizer, skips non-events and lists what fell through', async () => {
    const report = await fidelityReport(
      items([
        { kind: 'event', raw: makeEvent('get', '/healthz'), file: 'a.log', line: 1 },
        {
          kind: 'event',
          raw: makeEvent('get', '/api/v1/namespaces/d/pods/p/portforward'),
          file: 'a.log',
          line: 2,
        },
        { kind: 'event', raw: makeEvent('options', '/version'), file: 'a.log', line: 3 },
        { kind: 'event', raw: { kind: 0 }, file: 'b.json', line: 1 },
        { kind: 'error', reason: 'not JSON', file: 'b.json', line: 2 },
      ]),
    );
    expect(report.events).toBe(3);
    expect(report.skipped).toBe(2);
    expect(report.byFidelity).toEqual({ exact: 1, equivalent: 0, partial: 1, none: 1 });
    expect(report.byRecognizer.get('port-forward')).toEqual({
      exact: 0,
      equivalent: 0,
      partial: 1,
      none: 0,
    });
    expect(report.unrecognized).toEqual([
      { file: 'a.log', line: 3, verb: 'options', requestURI: '/version', fidelity: 'none' },
    ]);
    const text = formatFidelityReport(report);
    expect(text).toContain('| exact | 1 | 33.3% |');
    expect(text).toContain('- a.log:3 options "/version" (none)');
  });
});

describe('npm run fidelity', () => {
  it('reports on the corpus folder', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const code = await runFidelity([join(__dirname, '../../test/fixtures/corpus')], out);
    expect(code).toBe(0);
    expect(text).toMatch(/^150 events reconstructed, 1 items skipped/);
    expect(text).toContain('| get-raw | 55 |');
    expect(text).toContain('Every event was claimed by a named recognizer.');
  });

  it('prints usage without arguments', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    expect(await runFidelity([], out)).toBe(2);
    expect(text).toContain('usage');
  });
});
