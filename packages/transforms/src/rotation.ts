import { ShapeError, type Tensor, fmtShape, matmul, matrixExp, transpose, unsqueeze, squeeze } from '@eddy/core';
import { type Domain, Transform, domain } from './transform.js';

/**
 * A rotation $y = R x$ with $R = \exp(A - A^\top)$ (the matrix exponential of a
 * skew-symmetric matrix is orthogonal with determinant 1), $\text{ladj} = 0$; inverse $R^\top y$
 * (zuko's `RotationTransform`, used by Gaussianization flows).
 *
 * References:
 * - [Gaussianization Flows (Meng et al., 2020)](https://arxiv.org/abs/2003.01941)
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { RotationTransform } from '@eddy/transforms';
 * const t = new RotationTransform(randn([3, 3], { seed: 0, dtype: 'float64' }));
 * ```
 * @category Linear
 */
export class RotationTransform extends Transform {
  /** The unconstrained matrix `A` (`[D, D]` or batched `[..., D, D]`). */
  readonly a: Tensor;
  /** The rotation $R = \exp(A - A^\top)$. */
  readonly rotation: Tensor;

  /** @param a a square matrix `[..., D, D]`. */
  constructor(a: Tensor) {
    super();
    const d = a.shape[a.ndim - 1];
    if (a.ndim < 2 || a.shape[a.ndim - 2] !== d) {
      throw new ShapeError(`RotationTransform: A must be [..., D, D], got ${fmtShape(a.shape)}`);
    }
    this.a = a;
    this.rotation = matrixExp(a.sub(transpose(a)));
  }
  /** Real vectors. */
  get domain(): Domain {
    return domain(1);
  }
  /** Real vectors. */
  get codomain(): Domain {
    return domain(1);
  }
  /** `R x`. */
  call(x: Tensor): Tensor {
    return squeeze(matmul(this.rotation, unsqueeze(x, -1)), -1);
  }
  /** $R^\top y$. */
  inverse(y: Tensor): Tensor {
    return squeeze(matmul(transpose(this.rotation), unsqueeze(y, -1)), -1);
  }
  /** Zeros of the batch shape. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return x.zerosLike().sum(-1);
  }
}
