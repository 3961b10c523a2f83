import { resolve } from 'node:path';

/**
 * A path inside zuko's reference data (`../shared/reference` beside the repository, or
 * the folder named by the environment variable `EDDY_REFERENCE`), e.g.
 * `referenceDir('cases')`. The one place the test suites learn where that data lives.
 *
 * @example
 * ```ts
 * const casesDir = referenceDir('cases');
 * ```
 */
export function referenceDir(...parts: string[]): string {
  const root = process.env.EDDY_REFERENCE ?? resolve(import.meta.dirname, '../../../../shared/reference');
  return resolve(root, ...parts);
}
