import { parseDetectArgs } from './detect-command';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const DAY = 86_400_000;

describe('parseDetectArgs', () => {
  it('takes durations back from now and dates', () => {
    expect(parseDetectArgs(['--since', '7d'], NOW)).toEqual({
      kind: 'ok',
      args: { sinceMs: NOW - 7 * DAY, untilMs: NOW, rules: [], dryRun: false, forward: false },
    });
    const parsed = parseDetectArgs(
      [
        '--since',
        '2026-11-01',
        '--until',
        '2026-11-02T06:00:00Z',
        '--rule',
        'A',
        '--rule',
        'B',
        '--cluster',
        'prod',
        '--dry-run',
      ],
      NOW,
    );
    expect(parsed).toEqual({
      kind: 'ok',
      args: {
        sinceMs: Date.parse('2026-11-01T00:00:00Z'),
        untilMs: Date.parse('2026-11-02T06:00:00Z'),
        rules: ['A', 'B'],
        cluster: 'prod',
        dryRun: true,
        forward: false,
      },
    });
  });

  it.each([
    [[], /--since WHEN is required/],
    [['--since', 'yesterday'], /--since "yesterday" is neither a duration/],
    [['--since', '1d', '--until', '2d'], /--until must be after --since/],
    [['--since', '1d', '--cluster', 'Bad_Name'], /is not a cluster name/],
    [['--since', '1d', '--dry-run', '--forward'], /drop --forward/],
    [['--since', '1d', '--bogus'], /Unknown option/],
  ])('refuses %j', (argv, problem) => {
    const parsed = parseDetectArgs(argv as string[], NOW);
    expect(parsed.kind).toBe('error');
    expect(parsed.kind === 'error' && parsed.problem).toMatch(problem);
  });
});
