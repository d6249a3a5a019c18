import { MAX_SEARCH_WORDS, matchesSearch, searchWords } from './text-search';

describe('searchWords', () => {
  it('splits on punctuation and spaces', () => {
    expect(searchWords('nginx-7d9 default/web.api:8080')).toEqual([
      'nginx',
      '7d9',
      'default',
      'web',
      'api',
      '8080',
    ]);
  });

  it('keeps the underscore inside a word', () => {
    expect(searchWords('my_app-v2')).toEqual(['my_app', 'v2']);
  });

  it('keeps letters of any script and lower-cases them', () => {
    expect(searchWords('Größe ÜBER Привет 東京')).toEqual(['größe', 'über', 'привет', '東京']);
  });

  it('lower-cases and removes duplicates, keeping first-seen order', () => {
    expect(searchWords('Alice alice ALICE bob Alice')).toEqual(['alice', 'bob']);
  });

  it('has no words for text without letters or digits', () => {
    expect(searchWords('')).toEqual([]);
    expect(searchWords('  -- ./:" * ')).toEqual([]);
  });

  it(`keeps at most ${MAX_SEARCH_WORDS} words`, () => {
    expect(MAX_SEARCH_WORDS).toBe(16);
    const text = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');
    expect(searchWords(text)).toEqual(Array.from({ length: 16 }, (_, i) => `w${i}`));
  });

  it('counts the cap after removing duplicates', () => {
    const text = `${'same '.repeat(40)}${Array.from({ length: 20 }, (_, i) => `u${i}`).join(' ')}`;
    const words = searchWords(text);
    expect(words).toHaveLength(16);
    expect(words[0]).toBe('same');
    expect(words[1]).toBe('u0');
  });

  it('drops SQL / FTS operators: only word characters get through', () => {
    const words = searchWords('nginx* +admin -"drop" (x) OR NEAR(a b)');
    for (const word of words) expect(word).toMatch(/^[\p{L}\p{N}_]+$/u);
    expect(words).toEqual(['nginx', 'admin', 'drop', 'x', 'or', 'near', 'a', 'b']);
  });
});

describe('matchesSearch', () => {
  it('matches a word prefix: `ngi` finds nginx-7d9, `gin` does not', () => {
    expect(matchesSearch(['ngi'], ['nginx-7d9'])).toBe(true);
    expect(matchesSearch(['gin'], ['nginx-7d9'])).toBe(false);
  });

  it('matches a word after punctuation', () => {
    expect(matchesSearch(['7d'], ['nginx-7d9'])).toBe(true);
    expect(matchesSearch(['pods'], ['/api/v1/namespaces/prod/pods/web'])).toBe(true);
  });

  it('is case-insensitive on the texts (words come lower-cased)', () => {
    expect(matchesSearch(searchWords('NGINX'), ['Nginx-Deploy'])).toBe(true);
  });

  it('needs every word, each in any of the texts', () => {
    expect(matchesSearch(['alice', 'nginx'], ['nginx-7d9', 'prod', 'alice@example.com'])).toBe(
      true,
    );
    expect(matchesSearch(['alice', 'redis'], ['nginx-7d9', 'prod', 'alice@example.com'])).toBe(
      false,
    );
  });

  it('does not match across a word boundary', () => {
    expect(matchesSearch(['nginx7d9'], ['nginx-7d9'])).toBe(false);
    expect(matchesSearch(['my_app'], ['my_app-v2'])).toBe(true);
    expect(matchesSearch(['app'], ['my_app-v2'])).toBe(false);
  });

  it('no words: no condition', () => {
    expect(matchesSearch([], [])).toBe(true);
    expect(matchesSearch([], ['anything'])).toBe(true);
  });

  it('nothing to search in: no match', () => {
    expect(matchesSearch(['a'], [])).toBe(false);
    expect(matchesSearch(['a'], ['', '--'])).toBe(false);
  });
});
