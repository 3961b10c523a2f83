import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { isFloat } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { abs, exp } from './elementwise.js';
import { fusedKernelsOf } from '../fused-kernels.js';
import { type ElementwiseImpl, runElementwise } from './fused-elementwise.js';
import { expand, select } from './shape.js';
import { broadcastShapes } from '../shape.js';

/**
 * Options of {@link monotonicAffineMap}.
 * @category Fused ops
 */
export interface MonotonicAffineOptions {
  /** The minimum slope `s` (default 1e-3). */
  slope?: number;
  /** Evaluate the inverse map (default false). */
  inverse?: boolean;
}

/**
 * The bounded affine map of MAF (zuko's `MonotonicAffineTransform`) elementwise, with
 * packed parameters `phi` `[..., 2]` = `(shift, scale)`: $l = \frac{\mathrm{scale}}{1 + |\mathrm{scale} / \ln s|}$,
 * $y = x e^l + \mathrm{shift}$, ladj $l$; the inverse $(y - \mathrm{shift}) e^{-l}$ with ladj $-l$. Returns
 * `[y, ladj]` per element. One pass (and one for the gradient) on a backend with a fused
 * `affine` kernel; composed core ops elsewhere.
 *
 * @example
 * ```ts
 * import { monotonicAffineMap, tensor } from '@eddy/core';
 * const [y, ladj] = monotonicAffineMap(tensor([2]), tensor([[1, 0]])); // y = 3, ladj = 0
 * ```
 * @category Fused ops
 */
export function monotonicAffineMap(x: Tensor, phi: Tensor, options: MonotonicAffineOptions = {}): [Tensor, Tensor] {
  const { slope = 1e-3, inverse = false } = options;
  if (!(slope > 0 && slope < 1)) throw new ValueError(`monotonicAffineMap: slope must be in (0, 1), got ${slope}`);
  if (phi.shape[phi.ndim - 1] !== 2) throw new ShapeError(`monotonicAffineMap: the last axis of phi must be 2 (shift, scale), got ${fmtShape(phi.shape)}`);
  if (!isFloat(x.dtype) || !isFloat(phi.dtype)) throw new DTypeError(`monotonicAffineMap: x (${x.dtype}) and phi (${phi.dtype}) must be float tensors`);
  const fused = fusedKernelsOf(x.backend);
  const lnS = Math.log(slope);
  const impl: ElementwiseImpl = {
    name: 'monotonicAffineMap',
    params: 2,
    forward:
      fused?.affine === undefined ? undefined : (xe, pe, inv, wl) => (fused.affine as NonNullable<typeof fused.affine>).call(fused, xe, pe, slope, inv, wl),
    vjp:
      fused?.affineVjp === undefined
        ? undefined
        : (at, pe, inv, g, gl) => (fused.affineVjp as NonNullable<typeof fused.affineVjp>).call(fused, at, pe, slope, inv, g, gl),
    composed: (v, p, inv) => {
      const shift = select(p, -1, 0);
      const scale = select(p, -1, 1);
      const l = scale.div(abs(scale.div(lnS)).add(1));
      const y = inv ? v.sub(shift).mul(exp(l.neg())) : v.mul(exp(l)).add(shift);
      const lead = broadcastShapes('monotonicAffineMap', v.shape, l.shape);
      const ladj = expand(inv ? l.neg() : l, lead);
      return [y, ladj];
    },
  };
  const out = runElementwise(impl, x, phi, inverse, true);
  return [out[0] as Tensor, out[1] as Tensor];
}
