#!/usr/bin/env node
// Makes `npm start` and `npm test` work on a fresh clone: installs dependencies when
// node_modules is missing or older than package-lock.json, (with --build) rebuilds dist/
// when any source file is newer than the last build, and rebuilds the console's browser
// assets (public/build/, needed by the server and the browser tests) when they are stale.
// Plain Node, no dependencies.
'use strict';
const { execSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
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

function run(command) {
  process.stderr.write(`> ${command}\n`);
  execSync(command, { cwd: root, stdio: 'inherit' });
}

const installed = join(root, 'node_modules', '.package-lock.json');
// --assets-only (the browser tests): rebuild stale console assets, never reinstall mid-test.
const assetsOnly = process.argv.includes('--assets-only');
if (
  !assetsOnly &&
  mtime(installed) <
    Math.max(mtime(join(root, 'package-lock.json')), mtime(join(root, 'package.json')))
) {
  run(
    existsSync(join(root, 'package-lock.json'))
      ? 'npm ci --no-audit --no-fund'
      : 'npm install --no-audit --no-fund',
  );
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
