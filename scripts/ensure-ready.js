#!/usr/bin/env node
// Makes `npm start` and `npm test` work on a fresh clone: installs dependencies when
// node_modules is missing or the lockfile or package.json's dependencies changed, (with
// --build) rebuilds dist/ when any source file is newer than the last build, and rebuilds the
// console's browser assets (public/build/, needed by the server and the browser tests) when they are stale.
// Plain Node, no dependencies.
'use strict';
const { execSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

function newest(dir) {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : mtime(path));
  }
  return latest;
}

/**
 * Install and build output goes to stderr: the commands this prepares print their results on
 * stdout (`npm run -s hash-password`, `npm run -s detect -- --dry-run > counts.txt`), which must
 * stay clean even when a build runs first.
 */
function run(command) {
  process.stderr.write(`> ${command}\n`);
  execSync(command, { cwd: root, stdio: [0, 2, 2] });
}

const installed = join(root, 'node_modules', '.package-lock.json');
// What an install depends on: the lockfile and the dependency sections of package.json (not its
// scripts, so editing a script does not reinstall everything under running tests).
const stampFile = join(root, 'node_modules', '.k8s-audit-install-stamp');
function installInputs() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const lock = existsSync(join(root, 'package-lock.json'))
    ? readFileSync(join(root, 'package-lock.json'), 'utf8')
    : '';
  const deps = ['dependencies', 'devDependencies', 'optionalDependencies', 'overrides'];
  return createHash('sha256')
    .update(JSON.stringify(deps.map((k) => pkg[k] ?? null)))
    .update(lock)
    .digest('hex');
}
// --assets-only (the browser tests): rebuild stale console assets, never reinstall mid-test.
const assetsOnly = process.argv.includes('--assets-only');
if (!assetsOnly) {
  const wanted = installInputs();
  const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : '';
  // An install made before the stamp existed counts when it is newer than the lockfile.
  const legacy =
    !stamp && existsSync(installed) && mtime(installed) >= mtime(join(root, 'package-lock.json'));
  if (!existsSync(installed) || (stamp !== wanted && !legacy)) {
    run(
      existsSync(join(root, 'package-lock.json'))
        ? 'npm ci --no-audit --no-fund'
        : 'npm install --no-audit --no-fund',
    );
  }
  if (stamp !== wanted) writeFileSync(stampFile, wanted);
}

if (!assetsOnly && process.argv.includes('--build')) {
  const built = mtime(join(root, 'dist', 'src', 'main.js'));
  const sources = Math.max(
    newest(join(root, 'src')),
    newest(join(root, 'bench')),
    mtime(join(root, 'tsconfig.json')),
    mtime(installed),
  );
  if (built < sources) run('npm run build --silent');
}

const assetsBuilt = mtime(join(root, 'public', 'build', 'console.css'));
const assetSources = Math.max(
  newest(join(root, 'views')),
  newest(join(root, 'src', 'console')),
  newest(join(root, 'public', 'js')),
  mtime(join(root, 'scripts', 'build-assets.js')),
  mtime(installed),
);
if (assetsBuilt < assetSources) run('node scripts/build-assets.js');
