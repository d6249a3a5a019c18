import { readFileSync } from 'node:fs';

/**
 * .dockerignore as BuildKit reads it, for the patterns this repo uses: paths relative to the
 * context root, `*` and `?` within one path segment, `**` across segments, and an excluded
 * directory excluding everything under it. Exceptions (`!pattern`) are refused rather than
 * half-supported.
 */
export function loadDockerignore(path: string): (relativePath: string) => boolean {
  const patterns = readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (patterns.some((p) => p.startsWith('!'))) {
    throw new Error('.dockerignore exceptions (!pattern) are not supported by this check');
  }
  const regexes = patterns.map(toRegex);
  return (relativePath) => {
    const parts = relativePath.split('/');
    for (let n = 1; n <= parts.length; n++) {
      const prefix = parts.slice(0, n).join('/');
      if (regexes.some((r) => r.test(prefix))) return true;
    }
    return false;
  };
}

function toRegex(pattern: string): RegExp {
  const clean = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
  let out = '';
  for (let i = 0; i < clean.length; i++) {
    const c = clean[i];
    if (c === '*' && clean[i + 1] === '*') {
      out += clean[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += clean[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}
