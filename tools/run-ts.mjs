#!/usr/bin/env node
// Runs TypeScript programs of this repository the way a user's project would: esbuild
// bundles each entry with its relative imports, leaves every package import (the @eddy/*
// packages, resolved to their built dist/) as an import, and Node.js runs the result in
// its own process from the repository root. Used by `npm start` and `npm run examples`.
// The bundles carry inline source maps and Node.js runs them with --enable-source-maps, so
// stack traces (of errors, and of the docs' console.log recorder) name the .ts lines.
// Usage: node tools/run-ts.mjs <file.ts> [...]   (build the packages first)
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles TypeScript entries for Node.js into `outdir` (`<name>.mjs` each) the way a user's
 * project would see the packages: relative imports bundled, every package import (the
 * @eddy/* packages, resolved to their built dist/) left as an import. `options` adds
 * esbuild options.
 */
export async function bundleForNode(entryPoints, outdir, options = {}) {
  await build({
    entryPoints,
    outdir,
    bundle: true,
    packages: 'external',
    external: ['@eddy/*'],
    tsconfigRaw: {}, // not the repo's tsconfig: its paths would bundle the @eddy sources
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
    ...options,
  });
}

/**
 * Compiles `files` (paths to .ts entries) and runs them one after another with `env`
 * added to the environment and `nodeArgs` before the program (e.g. `['--import', preload]`);
 * stops at the first failure. Returns per-file seconds, or exits the process with the
 * failing program's code.
 */
export async function runTs(files, env = {}, nodeArgs = []) {
  // One folder per run (several runs may share a checkout), under node_modules so that the
  // bundles' package imports resolve; removed when the run ends.
  const outdir = join(root, 'node_modules', '.cache', `eddy-run-${process.pid}`);
  rmSync(outdir, { recursive: true, force: true });
  process.on('exit', () => rmSync(outdir, { recursive: true, force: true }));
  await bundleForNode(
    files.map((f) => resolve(f)),
    outdir,
    { keepNames: true, sourcemap: 'inline' },
  );
  const times = [];
  for (const file of files) {
    const name = basename(file, '.ts');
    if (files.length > 1) console.log(`\n=== ${name} ===`);
    const t0 = performance.now();
    const run = spawnSync(process.execPath, ['--enable-source-maps', ...nodeArgs, join(outdir, `${name}.mjs`)], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    times.push({ name, seconds: (performance.now() - t0) / 1000 });
    if (run.status !== 0) {
      console.error(`run-ts: ${file} failed (exit ${run.status ?? run.signal})`);
      process.exit(run.status || 1);
    }
  }
  return times;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: node tools/run-ts.mjs <file.ts> [...]');
    process.exit(2);
  }
  await runTs(files);
}
