import { spawnSync } from 'node:child_process';
import { heredoc, heredocDelimiter, shellQuote } from './shell';

/** What bash makes of a quoted word: the one argument it passes on. */
function bashWord(word: string): string {
  const result = spawnSync('bash', ['-c', `printf '%s' ${word}`], { encoding: 'utf8' });
  return result.stdout;
}

describe('shellQuote', () => {
  it('leaves plain tokens bare', () => {
    expect(['web-1', 'app=web', '/var/log', 'a:b,c@d%e+f'].map(shellQuote)).toEqual([
      'web-1',
      'app=web',
      '/var/log',
      'a:b,c@d%e+f',
    ]);
  });

  it.each([
    "it's",
    '$(touch /tmp/x)',
    '`id`',
    'a b\tc',
    'line1\nline2',
    "'; rm -rf / #",
    '*',
    '~root',
    '!!',
    '',
    '\\',
    'ünïcödé',
  ])('bash reads %j back unchanged', (value) => {
    expect(bashWord(shellQuote(value))).toBe(value);
  });
});

describe('heredoc', () => {
  it('chooses a delimiter absent from the body', () => {
    expect(heredocDelimiter('a: b\n')).toBe('EOF');
    expect(heredocDelimiter('EOF\nEOF_1\n')).toBe('EOF_2');
  });

  it('feeds the body to stdin unchanged, with no expansion', () => {
    const body = 'x: $(touch /tmp/never)\ny: `id`\nEOF\nz: \\$HOME\n';
    const { redirect, text } = heredoc(body);
    const result = spawnSync('bash', ['-c', `cat ${redirect}\n${text}`], { encoding: 'utf8' });
    expect(result.stdout).toBe(body);
  });
});
