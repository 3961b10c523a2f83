import { type Tensor, type TensorLike, broadcastShapes, zeros } from '@eddy/core';
import { param } from './params.js';
import { ScalarFunctionTransform } from './scalar-function.js';

/**
 * $y = x + \mathrm{shift}$, $\text{ladj} = 0$ (zuko's `AdditiveTransform`; the coupling of the original
 * NICE, Dinh et al. 2014).
 *
 * References:
 * - [NICE: Non-linear Independent Components Estimation (Dinh et al., 2014)](https://arxiv.org/abs/1410.8516)
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { AdditiveTransform } from '@eddy/transforms';
 * new AdditiveTransform(tensor([1, 2])).call(tensor([0, 0])); // [1, 2]
 * ```
 * @category Elementwise
 */
export class AdditiveTransform extends ScalarFunctionTransform {
  /** The shift. */
  readonly shift: Tensor;

  /** @param shift the shift (broadcasts against `x`). */
  constructor(shift: TensorLike) {
    const s = param(shift);
    super({
      sign: 1,
      call: (x) => x.add(s),
      inverse: (y) => y.sub(s),
      logAbsDetJacobian: (x) => zeros(broadcastShapes('AdditiveTransform', x.shape, s.shape), { dtype: x.dtype, backend: x.backend }),
    });
    this.shift = s;
  }
}
