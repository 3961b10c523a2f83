import {
  ShapeError,
  type Tensor,
  abs,
  diagonal,
  eye,
  fmtShape,
  log,
  matmul,
  squeeze,
  sum,
  transpose,
  triangularSolve,
  tril,
  triu,
  unsqueeze,
} from '@eddy/core';
import { type Domain, Transform, domain } from './transform.js';

/**
 * A linear map $y = L U x$ parameterised by its LU factors packed in one matrix:
 * `L = tril(LU)` (free diagonal) and `U = triu(LU, 1) + I`; $\text{ladj} = \sum_i \log|L_{ii}|$;
 * inverse by two triangular solves (zuko's `LULinearTransform`).
 *
 * References:
 * - [Transformation Autoregressive Networks (Oliva et al., 2018)](https://arxiv.org/abs/1801.09819)
 *
 * @example
 * ```ts
 * import { eye, tensor } from '@eddy/core';
 * import { LULinearTransform } from '@eddy/transforms';
 * new LULinearTransform(eye(3, 3, { dtype: 'float64' })).call(tensor([1, 2, 3], { dtype: 'float64' })); // [1, 2, 3]
 * ```
 * @category Linear
 */
export class LULinearTransform extends Transform {
  /** Lower factor, with its diagonal. */
  readonly lower: Tensor;
  /** Unit upper factor. */
  readonly upper: Tensor;

  /** @param lu packed factors `[..., D, D]`. */
  constructor(lu: Tensor) {
    super();
    const d = lu.shape[lu.ndim - 1] as number;
    if (lu.ndim < 2 || lu.shape[lu.ndim - 2] !== d) {
      throw new ShapeError(`LULinearTransform: LU must be [..., D, D], got ${fmtShape(lu.shape)}`);
    }
    this.lower = tril(lu);
    this.upper = triu(lu, 1).add(eye(d, d, { dtype: lu.dtype, backend: lu.backend }));
  }
  /** Real vectors. */
  get domain(): Domain {
    return domain(1);
  }
  /** Real vectors. */
  get codomain(): Domain {
    return domain(1);
  }
  /** `L U x`. */
  call(x: Tensor): Tensor {
    return squeeze(matmul(matmul(this.lower, this.upper), unsqueeze(x, -1)), -1);
  }
  /** $U^{-1} L^{-1} y$ by forward then backward substitution. */
  inverse(y: Tensor): Tensor {
    const solveBoth = (b: Tensor): Tensor => triangularSolve(this.upper, triangularSolve(this.lower, b), { upper: true, unitDiagonal: true });
    if (this.lower.ndim > 2) return squeeze(solveBoth(unsqueeze(y, -1)), -1);
    // One factor for the whole batch: solve for all rows at once as the columns of Yᵀ.
    const d = y.shape[y.ndim - 1] as number;
    return transpose(solveBoth(transpose(y.reshape([-1, d])))).reshape(y.shape);
  }
  /** $\sum_i \log|L_{ii}|$, broadcast to the batch shape of `x`. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return sum(log(abs(diagonal(this.lower))), -1).add(x.zerosLike().sum(-1));
  }
}
