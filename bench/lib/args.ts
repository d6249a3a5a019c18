import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** `--name value` and `--flag` options; unknown names are refused so a typo cannot go unnoticed. */
export function parseArgs<T extends Record<string, string | number | boolean>>(
  argv: string[],
  defaults: T,
): T {
  const out: Record<string, string | number | boolean> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const [name, inline] = arg.slice(2).split('=', 2);
    const key = name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (!(key in defaults))
      throw new Error(`unknown option --${name} (known: ${Object.keys(defaults).join(', ')})`);
    const kind = typeof defaults[key];
    if (kind === 'boolean') {
      out[key] = inline === undefined ? true : inline === 'true';
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    if (kind === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
      out[key] = n;
    } else out[key] = value;
  }
  return out as T;
}

/** The repository root (where package.json is), from bench/ or dist/bench/ alike. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root');
    dir = up;
  }
  return dir;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
