import { type Tensor, concat, elu, neg, slice } from '@eddy/core';
import { ActivationLayer } from './activation-layer.js';

/**
 * zuko's `TwoWayELU` (`nn.py:344`), the activation of {@link MonotonicMLP}: the last axis
 * (size `h`) is split like `torch.chunk(x, 2, dim=-1)` into `x0 = x[..., :⌈h/2⌉]` and
 * `x1 = x[..., ⌈h/2⌉:]`, and the output is `cat(ELU(x0), −ELU(−x1))` with `α = 1`. Both
 * halves are increasing, the first convex and the second concave, so a monotonic network
 * can represent both shapes. (For `h = 1` there is no second half and the output is
 * `ELU(x)`; zuko fails on that size.)
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { TwoWayELU } from '@eddy/flows';
 * new TwoWayELU().call(tensor([-1, -1])); // [e⁻¹ − 1, −1]
 * ```
 * @category Networks
 */
export class TwoWayELU extends ActivationLayer {
  /** The ELU scale `α` (default 1). */
  readonly alpha: number;

  /** @param alpha the ELU scale `α` (default 1, zuko's default). */
  constructor(alpha = 1) {
    super((x) => twoWayElu(x, alpha), { alpha });
    this.alpha = alpha;
  }
}

/** `cat(ELU(x0), −ELU(−x1))` along the last axis (`x0` the first half, rounded up). */
function twoWayElu(x: Tensor, alpha: number): Tensor {
  const h = x.shape[x.ndim - 1] as number;
  const c = Math.ceil(h / 2);
  if (c >= h) return elu(x, alpha);
  const x0 = slice(x, -1, 0, c);
  const x1 = slice(x, -1, c, h);
  return concat([elu(x0, alpha), neg(elu(neg(x1), alpha))], -1);
}
