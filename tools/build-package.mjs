#!/usr/bin/env node
// Builds the package in the current directory: esbuild bundles src/index.ts into
// dist/index.js (ESM) and dist/index.cjs (CJS), leaving dependencies external; tsc emits
// the .d.ts files against the built declarations of the workspace dependencies.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
// package.json may add `"eddy": { "entries": [...], "formats": ["esm"] }`: extra entry
// points (e.g. a worker script) and the module formats to emit (default ESM and CJS).
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const entries = ['src/index.ts', ...(pkg.eddy?.entries ?? [])];
const formats = pkg.eddy?.formats ?? ['esm', 'cjs'];
rmSync('dist', { recursive: true, force: true });
const common = {
  entryPoints: entries,
  bundle: true,
  packages: 'external',
  // The build tsconfig has no `paths`, so workspace packages stay imports (not inlined).
  tsconfig: 'tsconfig.build.json',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
};
await Promise.all(
  formats.map((format) =>
    build({
      ...common,
      format,
      outdir: 'dist',
      outExtension: { '.js': format === 'cjs' ? '.cjs' : '.js' },
      // CJS has no import.meta: import.meta.url becomes the file's own URL (createRequire).
      ...(format === 'cjs'
        ? {
            define: { 'import.meta.url': '__import_meta_url' },
            banner: { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
          }
        : {}),
    }),
  ),
);
const tsc = require.resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
