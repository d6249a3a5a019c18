/**
 * Words of a full-text search, split the way both full-text indexes split text: runs of
 * letters, digits and underscore (InnoDB's parser; the FTS5 table adds `_` to its word
 * characters). Lower-cased; at most 16 words. Nothing else of the user's text reaches SQL.
 */
const WORD = /[\p{L}\p{N}_]+/gu;
export const MAX_SEARCH_WORDS = 16;

export function searchWords(text: string): string[] {
  return [...new Set(text.toLowerCase().match(WORD) ?? [])].slice(0, MAX_SEARCH_WORDS);
}

/** Whether every search word starts a word of one of the texts (what the indexes answer). */
export function matchesSearch(words: readonly string[], texts: readonly string[]): boolean {
  const tokens = texts.flatMap((text) => text.toLowerCase().match(WORD) ?? []);
  return words.every((word) => tokens.some((token) => token.startsWith(word)));
}
