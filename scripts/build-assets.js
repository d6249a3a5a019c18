#!/usr/bin/env node
// Builds the console's browser assets into public/build/ (git-ignored): the Tailwind CSS, and
// htmx plus its SSE extension copied from node_modules, so the app serves every file itself
// (users run it air-gapped: no CDN). Run by `npm run build` and by scripts/ensure-ready.js.
'use strict';
const { execFileSync } = require('node:child_process');
const { copyFileSync, mkdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const out = join(root, 'public', 'build');
const vendor = {
  'htmx.min.js': 'node_modules/htmx.org/dist/htmx.min.js',
  'htmx-ext-sse.min.js': 'node_modules/htmx-ext-sse/dist/sse.min.js',
};

mkdirSync(out, { recursive: true });
for (const [name, source] of Object.entries(vendor)) {
  copyFileSync(join(root, source), join(out, name));
}
execFileSync(
  process.execPath,
  [
    join(root, 'node_modules', '@tailwindcss', 'cli', 'dist', 'index.mjs'),
    '--input',
    join(root, 'src', 'console', 'styles', 'console.css'),
    '--output',
    join(out, 'console.css'),
    '--minify',
  ],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
);
const sizes = ['console.css', ...Object.keys(vendor)].map(
  (name) => `${name} ${(statSync(join(out, name)).size / 1024).toFixed(1)} KiB`,
);
process.stderr.write(`console assets: ${sizes.join(', ')}\n`);
