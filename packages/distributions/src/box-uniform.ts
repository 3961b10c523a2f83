import type { TensorLike } from '@eddy/core';
import { withEventAxis } from './helpers.js';
import { Independent } from './independent.js';
import { Uniform } from './uniform.js';

/**
 * The uniform distribution over the box $\prod_d [l_d, u_d)$, `Independent(Uniform(lower,
 * upper), 1)` (zuko's `BoxUniform`):
 * $\log p(x) = -\sum_d \log(u_d - l_d)$ inside the box and $-\infty$ outside.
 * The base of zuko's NCSF flows (`BoxUniform(-π - 1e-5, π + 1e-5)`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { BoxUniform } from '@eddy/distributions';
 * const d = new BoxUniform(tensor([-1, 0]), tensor([1, 3]));
 * d.eventShape;                    // [2]
 * d.logProb(tensor([0, 1])).item(); // -log 6
 * ```
 * @category Multivariate
 */
export class BoxUniform extends Independent {
  /**
   * @param lower lower bounds `[..., D]` (inclusive); @param upper upper bounds
   * `[..., D]` (exclusive); @param options `validateArgs` (default true) checks `lower < upper`;
   * `ndims` (default 1, zuko's `ndims`) how many trailing axes form the event.
   */
  constructor(lower: TensorLike, upper: TensorLike, options: { validateArgs?: boolean; ndims?: number } = {}) {
    super(withEventAxis('BoxUniform', 'lower and upper', new Uniform(lower, upper, options)), options.ndims ?? 1);
  }
}
