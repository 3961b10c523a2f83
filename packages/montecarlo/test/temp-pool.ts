// The temporary directory and the worker pool that a test file shares across its tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowPool } from '@eddy/montecarlo';
import { afterAll, beforeAll } from 'vitest';

/** Set by {@link useTempPool}'s `beforeAll`: read the fields inside tests. */
export interface TempPool {
  dir: string;
  pool: FlowPool;
}

/**
 * A temporary directory (named `prefix` + random) and a `FlowPool` of `threads` workers
 * for the tests of one file: made in `beforeAll`, closed and removed in `afterAll`.
 */
export function useTempPool(prefix: string, threads = 2): TempPool {
  const fixture = {} as TempPool;
  beforeAll(() => {
    fixture.dir = mkdtempSync(join(tmpdir(), prefix));
    fixture.pool = new FlowPool({ threads });
  });
  afterAll(async () => {
    await fixture.pool.close();
    rmSync(fixture.dir, { recursive: true, force: true });
  });
  return fixture;
}
