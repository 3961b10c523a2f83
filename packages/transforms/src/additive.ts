import { type Tensor, type TensorLike, broadcastShapes, zeros } from '@eddy/core';
import { param } from './params.js';
import { ScalarTransform } from './transform.js';

/**
 * `y = x + shift`, `ladj = 0` (zuko's `AdditiveTransform`; the coupling of the original
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
export class AdditiveTransform extends ScalarTransform {
  /** The shift. */
  readonly shift: Tensor;

  /** @param shift the shift (broadcasts against `x`). */
  constructor(shift: TensorLike) {
    super();
    this.shift = param(shift);
  }
  /** Increasing. */
  override get sign(): 1 {
    return 1;
  }
  /** `x + shift`. */
  call(x: Tensor): Tensor {
    return x.add(this.shift);
  }
  /** `y - shift`. */
  inverse(y: Tensor): Tensor {
    return y.sub(this.shift);
  }
  /** Zeros of the broadcast shape. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return zeros(broadcastShapes('AdditiveTransform', x.shape, this.shift.shape), { dtype: x.dtype, backend: x.backend });
  }
}
