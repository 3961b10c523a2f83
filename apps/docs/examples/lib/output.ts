// Where the guides write their pictures, and the checks that make a guide fail loudly
// when its result is wrong (the examples run in CI).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '@eddy/core';

/** The folder for generated pictures: `$EDDY_DOCS_MEDIA` (set by `npm run examples`), else `out/docs-media`. */
export function mediaDir(): string {
  const dir = process.env.EDDY_DOCS_MEDIA ?? join('out', 'docs-media');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes an SVG picture into {@link mediaDir} and says so. */
export function writeFigure(name: string, svg: string): void {
  const path = join(mediaDir(), name);
  writeFileSync(path, svg);
  console.log(`wrote ${path}`);
}

/** Throws when a guide's claim does not hold, so that `npm run examples` fails. */
export function check(condition: boolean, claim: string): void {
  if (!condition) throw new Error(`guide check failed: ${claim}`);
  console.log(`ok: ${claim}`);
}

/** The largest `|a − b|` over two tensors' (or arrays') values; throws if the sizes differ. */
export function maxAbsDiff(a: Tensor | ArrayLike<number>, b: Tensor | ArrayLike<number>): number {
  const values = (t: Tensor | ArrayLike<number>) => ('dataSync' in t ? t.dataSync() : t);
  const x = values(a);
  const y = values(b);
  if (x.length !== y.length) throw new Error(`maxAbsDiff: sizes differ (${x.length} vs ${y.length})`);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs((x[i] as number) - (y[i] as number)));
  return m;
}
