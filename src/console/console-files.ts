import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root, found from this file: the console runs from `src/console` under
 * ts-jest and from `dist/src/console` when built, so a fixed `../..` would be wrong once.
 */
function findProjectRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

const root = findProjectRoot(__dirname);

/** Handlebars templates: `layout.hbs`, `pages/*.hbs`, `partials/*.hbs`. */
export const VIEWS_DIR = join(root, 'views');
/** Browser files served under /assets/: hand-written `js/`, generated `build/`. */
export const PUBLIC_DIR = join(root, 'public');
