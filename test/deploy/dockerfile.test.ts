/**
 * No Docker engine runs here, so the Dockerfile is checked by reading it and by replaying its build
 * stage: the context is assembled the way BuildKit would send it (honouring .dockerignore), the
 * build stage's COPY and RUN steps are replayed in a scratch root, and every path the final stage
 * copies out of the build stage must then exist. `npm ci` is replaced by the repo's own
 * node_modules (same lockfile) and apt-get is skipped; everything else runs for real.
 */
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import { argsOf, copies, envOf, parseDockerfile, type Stage } from './support/dockerfile';
import { loadDockerignore } from './support/dockerignore';

const repo = join(__dirname, '..', '..');
const { stages } = parseDockerfile(join(repo, 'Dockerfile'));
const ignored = loadDockerignore(join(repo, '.dockerignore'));
const buildStage = stages.find((s) => s.name === 'build') as Stage;
const finalStage = stages[stages.length - 1];

function workdir(stage: Stage): string {
  const dirs = argsOf(stage, 'WORKDIR');
  return dirs.length ? dirs[dirs.length - 1] : '/';
}

/** Files of the repo that reach the build context (git metadata never does). */
function contextFiles(dir = repo): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = relative(repo, join(dir, entry.name)).split('\\').join('/');
    if (rel === '.git' || ignored(rel)) continue;
    if (entry.isDirectory()) out.push(...contextFiles(join(dir, entry.name)));
    else out.push(rel);
  }
  return out;
}

describe('Dockerfile (static)', () => {
  it('has a node 20 build stage named "build" and a distroless nonroot final stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(buildStage).toBeDefined();
    expect(buildStage.from).toMatch(/^node:(\$\{NODE_VERSION\}|20)[-.\w]*$/);
    expect(finalStage.from).toBe('gcr.io/distroless/nodejs20-debian12:nonroot');
  });

  it('installs the toolchain better-sqlite3 needs and builds, then prunes dev dependencies', () => {
    const runs = argsOf(buildStage, 'RUN').join('\n');
    expect(runs).toMatch(/apt-get install[^\n]*\bpython3\b/);
    expect(runs).toMatch(/apt-get install[^\n]*\bmake\b/);
    expect(runs).toMatch(/apt-get install[^\n]*\bg\+\+/);
    expect(runs).toMatch(/\bnpm ci\b/);
    expect(runs).toMatch(/\bnpm run build\b/);
    expect(runs).toMatch(/\bnpm prune --omit=dev\b/);
  });

  it('runs as a non-root user with DB_PATH on the /data volume and the compiled entry point', () => {
    const users = argsOf(finalStage, 'USER');
    const user = users[users.length - 1] ?? '';
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(user).not.toBe('');
    expect(envOf(finalStage).DB_PATH).toBe('/data/audit.db');
    expect(argsOf(finalStage, 'EXPOSE')).toContain('8080');
    const cmd = argsOf(finalStage, 'CMD');
    expect(JSON.parse(cmd[cmd.length - 1])).toEqual(['dist/src/main.js']);
  });

  it('final stage takes only dist, views, public, rules, production node_modules and package.json from the build', () => {
    const allowed = ['dist', 'views', 'public', 'rules', 'node_modules', 'package.json'].map((p) =>
      posix.join(workdir(buildStage), p),
    );
    for (const copy of copies(finalStage)) {
      expect(copy.from).toBe('build');
      for (const source of copy.sources) {
        if (source === '/data') expect(copy.chown).toBe('65532:65532');
        else expect(allowed).toContain(source);
      }
    }
  });

  it('every build-stage COPY source is in the repo and not excluded by .dockerignore', () => {
    const sources = copies(buildStage).flatMap((c) => (c.from ? [] : c.sources));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(join(repo, source))).toBe(true);
      if (source !== '.') expect(ignored(source)).toBe(false);
    }
  });

  it('the final stage has what the server needs at startup: package.json (the project-root marker), rules/, views/, public/', () => {
    // src/detection/rules-loader.ts and src/console/console-files.ts find the project root by
    // package.json; the default rules must be beside dist/ or the server refuses to start.
    const destinations = copies(finalStage).map((c) =>
      posix.join(workdir(finalStage), c.destination),
    );
    for (const path of ['package.json', 'rules', 'views', 'public', 'dist']) {
      expect(destinations).toContain(posix.join(workdir(finalStage), path));
    }
    expect(workdir(finalStage)).toBe(workdir(buildStage));
    expect(ignored('rules')).toBe(false);
    expect(ignored('rules/00-allow-lists.yaml')).toBe(false);
  });

  it('.dockerignore keeps host builds, data and secrets out of the context', () => {
    for (const path of ['node_modules', 'dist', 'data', '.env', '.git', 'data/audit.db']) {
      expect(ignored(path)).toBe(true);
    }
    for (const path of ['package.json', 'package-lock.json', 'tsconfig.json', 'src/main.ts']) {
      expect(ignored(path)).toBe(false);
    }
  });
});

describe('Dockerfile build stage, replayed', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'docker-replay-'));
  const rootfs = join(scratch, 'rootfs');
  const inRoot = (p: string) => join(rootfs, p);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  beforeAll(() => {
    const context = contextFiles();
    let cwd = inRoot('/');
    mkdirSync(cwd, { recursive: true });
    for (const ins of buildStage.instructions) {
      if (ins.keyword === 'WORKDIR') {
        cwd = inRoot(ins.args);
        mkdirSync(cwd, { recursive: true });
      } else if (ins.keyword === 'COPY') {
        const [copy] = copies({ ...buildStage, instructions: [ins] });
        const dest = join(cwd, copy.destination);
        for (const source of copy.sources) copyFromContext(context, source, dest);
      } else if (ins.keyword === 'RUN') {
        for (const command of ins.args.split('&&').map((c) => c.trim())) runStep(command, cwd);
      }
    }
  }, 300_000);

  function copyFromContext(context: string[], source: string, dest: string): void {
    const prefix = source === '.' ? '' : source.replace(/\/$/, '') + '/';
    const picked = context.filter((f) => f === source || f.startsWith(prefix));
    if (picked.length === 0) throw new Error(`COPY ${source}: nothing in the build context`);
    for (const file of picked) {
      const target =
        source === '.' || file !== source
          ? join(dest, file.slice(prefix.length))
          : dest.endsWith('/')
            ? join(dest, file)
            : dest;
      mkdirSync(dirname(target), { recursive: true });
      cpSync(join(repo, file), target);
    }
  }

  function runStep(command: string, cwd: string): void {
    if (/^(apt-get|rm -rf \/var\/lib\/apt)/.test(command)) return;
    if (/^npm ci\b/.test(command)) {
      symlinkSync(join(repo, 'node_modules'), join(cwd, 'node_modules'), 'dir');
      return;
    }
    if (/^npm prune\b/.test(command)) return; // checked below against package.json instead
    const absoluteMkdir = /^mkdir -p (\/\S+)$/.exec(command);
    if (absoluteMkdir) {
      mkdirSync(inRoot(absoluteMkdir[1]), { recursive: true });
      return;
    }
    try {
      execFileSync('bash', ['-c', command], { cwd, stdio: 'pipe', timeout: 240_000 });
    } catch (err) {
      const { stdout, stderr } = err as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`Dockerfile step failed: RUN ${command}\n${stdout ?? ''}${stderr ?? ''}`);
    }
  }

  it('produces every path the final stage copies from the build stage', () => {
    for (const copy of copies(finalStage)) {
      for (const source of copy.sources) {
        expect({ source, exists: existsSync(inRoot(source)) }).toEqual({ source, exists: true });
      }
    }
  });

  /** The final stage's /app, assembled from the replayed build stage the way its COPYs would. */
  function assembleFinalImage(skip: string[] = []): string {
    const image = mkdtempSync(join(scratch, 'final-'));
    for (const copy of copies(finalStage)) {
      for (const source of copy.sources) {
        if (skip.includes(source)) continue;
        const dest = posix.isAbsolute(copy.destination)
          ? copy.destination
          : posix.join(workdir(finalStage), copy.destination);
        mkdirSync(dirname(join(image, dest)), { recursive: true });
        cpSync(inRoot(source), join(image, dest), { recursive: true });
      }
    }
    return image;
  }

  /** Runs the built rules loader inside an assembled image, from its WORKDIR. */
  function loadRulesIn(image: string): { dir: string; files: string[]; rules: number } {
    const app = join(image, workdir(finalStage));
    const script =
      "const l = require('./dist/src/detection/rules-loader.js');" +
      'const r = l.loadConfiguredRules({ defaultRules: true, rulesFiles: [] });' +
      'console.log(JSON.stringify({ dir: l.DEFAULT_RULES_DIR, files: r.files, rules: r.ruleset.rules.length }));';
    return JSON.parse(
      execFileSync(process.execPath, ['-e', script], { cwd: app, encoding: 'utf8', stdio: 'pipe' }),
    );
  }

  it('in the assembled final image, the built rules loader finds the project root by package.json and loads the default rules', () => {
    const image = assembleFinalImage();
    const app = join(image, workdir(finalStage));
    // The nearest package.json above dist/src/detection must be the project's own, at WORKDIR.
    expect(existsSync(join(app, 'package.json'))).toBe(true);
    for (const dir of ['dist', 'dist/src', 'dist/src/detection']) {
      expect({ dir, packageJson: existsSync(join(app, dir, 'package.json')) }).toEqual({
        dir,
        packageJson: false,
      });
    }
    const loaded = loadRulesIn(image);
    expect(loaded.dir).toBe(join(app, 'rules'));
    const shipped = readdirSync(join(repo, 'rules'))
      .filter((f) => /\.ya?ml$/i.test(f))
      .sort();
    expect(loaded.files.map((f) => relative(app, f))).toEqual(shipped.map((f) => `rules/${f}`));
    expect(loaded.rules).toBeGreaterThan(50);
  });

  it('the check itself: without package.json or without rules/ in the image the loader fails', () => {
    for (const missing of ['package.json', 'rules']) {
      const image = assembleFinalImage([posix.join(workdir(buildStage), missing)]);
      expect(() => loadRulesIn(image)).toThrow(
        missing === 'rules' ? /default rules folder .* is missing/ : /./,
      );
    }
  });

  it('produces the CMD entry point', () => {
    const cmd = JSON.parse(argsOf(finalStage, 'CMD').pop() as string) as string[];
    const entry = inRoot(posix.join(workdir(buildStage), cmd[0]));
    expect(existsSync(entry) && statSync(entry).isFile()).toBe(true);
  });

  it('compiled code only requires built-ins and production dependencies (npm prune --omit=dev is safe)', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const production = new Set(Object.keys(pkg.dependencies ?? {}));
    const builtins = new Set(builtinModules);
    const missing = new Set<string>();
    const seen = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.js')) {
          for (const m of readFileSync(path, 'utf8').matchAll(/require\("([^".][^"]*)"\)/g)) {
            const spec = m[1].replace(/^node:/, '');
            const name = spec.startsWith('@')
              ? spec.split('/').slice(0, 2).join('/')
              : spec.split('/')[0];
            seen.add(name);
            if (!builtins.has(spec) && !builtins.has(name) && !production.has(name)) {
              missing.add(`${name} (${relative(rootfs, path)})`);
            }
          }
        }
      }
    };
    walk(inRoot(posix.join(workdir(buildStage), 'dist')));
    expect([...seen].filter((n) => production.has(n)).length).toBeGreaterThan(3);
    expect([...missing]).toEqual([]);
  });
});
