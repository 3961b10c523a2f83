#!/usr/bin/env node
// Packs every public package of the workspace with `npm pack` (build them first), the
// tarballs a user installs before the packages are on the npm registry:
//   node tools/pack-packages.mjs [dest]        (default out/packages; `npm run pack`)
// then, in the user's project: npm install /path/to/out/packages/*.tgz
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The public packages, in dependency order (folders relative to the repository root). */
export const PUBLIC_PACKAGES = [
  'packages/core',
  'packages/cpu-native',
  'packages/backend-cpu',
  'packages/backend-gpu',
  'packages/transforms',
  'packages/distributions',
  'packages/flows',
  'packages/montecarlo',
  'packages/cluster',
  'apps/cli',
];

/**
 * Packs each public package into `dest`; returns, per package, its name, the tarball's
 * path and the files in it.
 */
export function packPackages(dest) {
  mkdirSync(dest, { recursive: true });
  return PUBLIC_PACKAGES.map((folder) => {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', resolve(dest)], {
      cwd: join(root, folder),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    const [info] = JSON.parse(out);
    if (info === undefined) throw new Error(`npm pack printed nothing for ${folder}`);
    return { folder, name: info.name, tarball: join(resolve(dest), info.filename), files: info.files.map((f) => f.path) };
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dest = process.argv[2] ?? join(root, 'out', 'packages');
  for (const p of packPackages(dest)) console.log(`${p.name.padEnd(20)} ${p.tarball}`);
  console.log(`\nIn your project: npm install ${join(dest, '*.tgz')}`);
}
