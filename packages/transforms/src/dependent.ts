import type { Tensor } from '@eddy/core';
import { ValueError } from '@eddy/core';
import { type Domain, Transform, domain } from './transform.js';
import { sumRightmost } from './utils.js';

/**
 * Reinterprets `reinterpreted` trailing batch axes of a transform as event axes: the
 * values are unchanged and the `ladj` is summed over those axes (zuko's
 * `DependentTransform`, PyTorch's `IndependentTransform`). Hypernetworks wrap univariate
 * transforms in it with `reinterpreted = 1`, so an elementwise spline acts on vectors.
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { DependentTransform, MonotonicRQSTransform } from '@eddy/transforms';
 * const x = randn([4, 3], { seed: 0 });
 * const [w, h, d] = [randn([4, 3, 8], { seed: 1 }), randn([4, 3, 8], { seed: 2 }), randn([4, 3, 7], { seed: 3 })];
 * const t = new DependentTransform(new MonotonicRQSTransform(w, h, d), 1);
 * const [y, ladj] = t.callAndLadj(x); // x [N, D] → ladj [N]
 * ```
 * @category Basics
 */
export class DependentTransform extends Transform {
  /** The wrapped transform. */
  readonly base: Transform;
  /** Number of batch axes read as event axes. */
  readonly reinterpreted: number;

  /** @param base the transform; @param reinterpreted how many axes to add to its events. */
  constructor(base: Transform, reinterpreted: number) {
    super();
    if (!Number.isInteger(reinterpreted) || reinterpreted < 0) {
      throw new ValueError(`DependentTransform: reinterpreted must be a non-negative integer, got ${reinterpreted}`);
    }
    this.base = base;
    this.reinterpreted = reinterpreted;
  }
  /** Base domain with `reinterpreted` more event axes. */
  get domain(): Domain {
    return domain(this.base.domain.eventDim + this.reinterpreted, this.base.domain.description);
  }
  /** Base codomain with `reinterpreted` more event axes. */
  get codomain(): Domain {
    return domain(this.base.codomain.eventDim + this.reinterpreted, this.base.codomain.description);
  }
  /** The base's sign. */
  override get sign(): 1 | -1 | undefined {
    return this.base.sign;
  }
  /** `base.call(x)`. */
  call(x: Tensor): Tensor {
    return this.base.call(x);
  }
  /** `base.inverse(y)`. */
  inverse(y: Tensor): Tensor {
    return this.base.inverse(y);
  }
  /** The base ladj summed over the reinterpreted axes. */
  logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    return sumRightmost(this.base.logAbsDetJacobian(x, y), this.reinterpreted);
  }
  /** The base's fused pass, with the ladj summed over the reinterpreted axes. */
  override callAndLadj(x: Tensor): [Tensor, Tensor] {
    const [y, ladj] = this.base.callAndLadj(x);
    return [y, sumRightmost(ladj, this.reinterpreted)];
  }
  /** The base's inverse and log-determinant, summed over the reinterpreted axes. */
  override inverseAndLadj(y: Tensor): [Tensor, Tensor] {
    const [x, ladj] = this.base.inverseAndLadj(y);
    return [x, sumRightmost(ladj, this.reinterpreted)];
  }
  /** The base's forward shape. */
  override forwardShape(shape: readonly number[]): number[] {
    return this.base.forwardShape(shape);
  }
  /** The base's inverse shape. */
  override inverseShape(shape: readonly number[]): number[] {
    return this.base.inverseShape(shape);
  }
  /** `DependentTransform(<base>, r)`. */
  override toString(): string {
    return `DependentTransform(${this.base.toString()}, ${this.reinterpreted})`;
  }
}

/**
 * PyTorch's name for {@link DependentTransform}.
 *
 * @example
 * ```ts
 * import { ExpTransform, IndependentTransform } from '@eddy/transforms';
 * new IndependentTransform(new ExpTransform(), 1);
 * ```
 * @category Basics
 */
export const IndependentTransform = DependentTransform;
