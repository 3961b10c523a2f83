import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * The Eddy version of this package: its package.json's `version`, read once. The file is
 * one directory above this module both in the repository (`src/`, `dist/`) and in an
 * installed package, so the two cannot disagree. Every shard records the coordinator's
 * version, and a worker of another version refuses it.
 *
 * @example
 * ```ts
 * import { eddyVersion } from '@eddy/cluster';
 * console.log(eddyVersion()); // '0.1.0'
 * ```
 * @category Cluster
 */
export function eddyVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    if (typeof pkg.version !== 'string') throw new Error('the package.json of @eddy/cluster has no version');
    cached = pkg.version;
  }
  return cached;
}
