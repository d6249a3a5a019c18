import { formatValue, parseOutput } from './output-format';
import { globToRegExp, pathPrefixTest } from './operators';

describe('parseOutput', () => {
  it('splits text and fields, taking the longest known field name and bracket arguments where allowed', () => {
    expect(
      parseOutput(
        'user=%ka.user.name. ns=%ka.target.namespace/%ka.target.name cmd=%ka.uri.param[command]',
      ),
    ).toEqual([
      { text: 'user=' },
      { field: 'ka.user.name', arg: undefined },
      { text: '. ns=' },
      { field: 'ka.target.namespace', arg: undefined },
      { text: '/' },
      { field: 'ka.target.name', arg: undefined },
      { text: ' cmd=' },
      { field: 'ka.uri.param', arg: 'command' },
    ]);
  });

  it('keeps a bracket after a field that takes no argument as text', () => {
    expect(parseOutput('%ka.verb[x]')).toEqual([
      { field: 'ka.verb', arg: undefined },
      { text: '[x]' },
    ]);
  });

  it('rejects a % that starts no field, as libsinsp does', () => {
    expect(() => parseOutput('50% done')).toThrow(/invalid formatting token '% done'/);
    expect(() => parseOutput('%%ka.verb')).toThrow(/invalid formatting token/);
    expect(() => parseOutput('%ka.nothing')).toThrow(/invalid formatting token/);
  });
});

describe('formatValue', () => {
  it('prints strings, lists in parentheses and <NA>', () => {
    expect(formatValue('x')).toBe('x');
    expect(formatValue(['a', 'b'])).toBe('(a,b)');
    expect(formatValue(undefined)).toBe('<NA>');
  });
});

describe('glob and pmatch', () => {
  it('globs like fnmatch without FNM_PATHNAME', () => {
    expect(globToRegExp('/var/*').test('/var/run/docker.sock')).toBe(true);
    expect(globToRegExp('a?c').test('abc')).toBe(true);
    expect(globToRegExp('[ab]x').test('bx')).toBe(true);
    expect(globToRegExp('[!ab]x').test('bx')).toBe(false);
    expect(globToRegExp('a.c').test('abc')).toBe(false);
  });

  it('matches path prefixes by component', () => {
    const test = pathPrefixTest(['/var/run/', '/etc']);
    expect(test('/var/run')).toBe(true);
    expect(test('/var/run/docker.sock')).toBe(true);
    expect(test('/etc/passwd')).toBe(true);
    expect(test('/etcetera')).toBe(false);
  });
});
