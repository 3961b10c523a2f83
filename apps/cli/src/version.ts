import { readFileSync } from 'node:fs';

/**
 * The version of the `eddy` command: its package.json's, read when asked. The file sits
 * one directory above this module both in the repository (`src/`, `dist/`) and in an
 * installed package (`node_modules/@eddy/cli/dist/`), so the two cannot disagree.
 *
 * @example
 * ```ts
 * import { version } from '@eddy/cli';
 * console.log(version()); // '0.1.0'
 * ```
 */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error('the package.json of @eddy/cli has no version');
  return pkg.version;
}
