import { ShapeError, type Tensor, fmtShape, reshape, slice } from '@eddy/core';

/**
 * Splits the last axis of `x` into consecutive chunks of sizes `∏ shapes[k]` and reshapes
 * chunk `k` to `[..., ...shapes[k]]` (zuko's `unpack`). A `[]` shape gives `[...]`.
 *
 * @example
 * ```ts
 * import { zeros } from '@eddy/core';
 * import { unpack } from '@eddy/flows';
 * unpack(zeros([4, 3, 23]), [[8], [8], [7]]); // shapes [4,3,8], [4,3,8], [4,3,7]
 * ```
 * @category Lazy modules
 */
export function unpack(x: Tensor, shapes: ReadonlyArray<readonly number[]>): Tensor[] {
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  const last = x.shape[x.ndim - 1] as number;
  if (last !== total) {
    throw new ShapeError(`unpack: last axis of ${fmtShape(x.shape)} must be ${total} (shapes ${JSON.stringify(shapes)})`);
  }
  const lead = x.shape.slice(0, -1);
  let off = 0;
  return shapes.map((s, k) => {
    const n = sizes[k] as number;
    const part = slice(x, -1, off, off + n);
    off += n;
    return reshape(part, [...lead, ...s]);
  });
}

/**
 * Total size of a list of shapes: `Σ_k ∏ shapes[k]`.
 *
 * @example
 * ```ts
 * import { totalSize } from '@eddy/flows';
 * totalSize([[8], [8], [7]]); // 23
 * ```
 * @category Lazy modules
 */
export function totalSize(shapes: ReadonlyArray<readonly number[]>): number {
  return shapes.reduce((acc, s) => acc + s.reduce((a, b) => a * b, 1), 0);
}
