import { type Tensor, ValueError } from '@eddy/core';
import { type Domain, Transform, domain } from './transform.js';

/**
 * An autoregressive transform $y = f_{\varphi(x)}(x)$ whose parameters depend on $x$ only
 * through features that come earlier in the autoregressive order (zuko's
 * `AutoregressiveTransform`). `meta(x)` returns the vector transform to apply given `x`.
 * The inverse is the fixed point of $x \leftarrow f_{\varphi(x)}^{-1}(y)$ reached in exactly `passes`
 * passes from $x = 0$ (one pass per autoregressive group); its ladj is the negated
 * forward ladj at the final `x`.
 *
 * References:
 * - [Masked Autoregressive Flow for Density Estimation (Papamakarios et al., 2017)](https://arxiv.org/abs/1705.07057)
 * - [Improved Variational Inference with Inverse Autoregressive Flow (Kingma et al., 2016)](https://arxiv.org/abs/1606.04934)
 *
 * @example
 * ```ts
 * import { matmul, tensor } from '@eddy/core';
 * import { AdditiveTransform, AutoregressiveTransform } from '@eddy/transforms';
 * // y₁ = x₁, y₂ = x₂ + x₁: the shift of feature 2 depends on feature 1 only (2 passes invert it)
 * const order = tensor([[0, 1], [0, 0]]);
 * const t = new AutoregressiveTransform((x) => new AdditiveTransform(matmul(x, order)), 2);
 * t.inv.call(t.call(tensor([[1, 2]]))); // [[1, 2]]
 * ```
 * @category Autoregressive and coupling
 */
export class AutoregressiveTransform extends Transform {
  /** `x ↦` the transform to apply at `x`. */
  readonly meta: (x: Tensor) => Transform;
  /** Number of fixed-point passes of the inverse. */
  readonly passes: number;
  /**
   * A faster exact inverse supplied by the builder of `meta` (e.g. the incremental inverse
   * of a masked network), returning `[x, ladj]` (ladj `null` when not requested), or
   * `undefined` to keep the fixed-point passes.
   */
  readonly invert: ((y: Tensor, withLadj: boolean) => [Tensor, Tensor | null] | undefined) | undefined;

  /**
   * @param meta `x ↦ f_{φ(x)}` (a vector transform); @param passes inverse passes (≥ 1);
   * @param invert optional exact inverse used instead of the passes where it applies.
   */
  constructor(meta: (x: Tensor) => Transform, passes: number, invert?: (y: Tensor, withLadj: boolean) => [Tensor, Tensor | null] | undefined) {
    super();
    if (!Number.isInteger(passes) || passes < 1) throw new ValueError(`AutoregressiveTransform: passes must be a positive integer, got ${passes}`);
    this.meta = meta;
    this.passes = passes;
    this.invert = invert;
  }
  /** Real vectors. */
  get domain(): Domain {
    return domain(1);
  }
  /** Real vectors. */
  get codomain(): Domain {
    return domain(1);
  }
  /** $f_{\varphi(x)}(x)$. */
  call(x: Tensor): Tensor {
    return this.meta(x).call(x);
  }
  /** The supplied exact inverse, else `passes` fixed-point passes $x \leftarrow f_{\varphi(x)}^{-1}(y)$ from $x = 0$. */
  inverse(y: Tensor): Tensor {
    const fast = this.invert?.(y, false);
    if (fast !== undefined) return fast[0];
    return this.fixedPointInverse(y);
  }

  /** The inverse by `passes` fixed-point passes (the reference the faster inverse is tested against). */
  fixedPointInverse(y: Tensor): Tensor {
    let x = y.zerosLike();
    for (let i = 0; i < this.passes; i++) x = this.meta(x).inverse(y);
    return x;
  }

  /** `[x, ladj]` from the supplied inverse in one pass where there is one. */
  override inverseAndLadj(y: Tensor): [Tensor, Tensor] {
    const fast = this.invert?.(y, true);
    if (fast !== undefined) return [fast[0], fast[1] as Tensor];
    return super.inverseAndLadj(y);
  }
  /** The ladj of `f_{φ(x)}` at `x`. */
  logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    return this.meta(x).logAbsDetJacobian(x, y);
  }
  /** One evaluation of `φ(x)` for both `y` and the ladj. */
  override callAndLadj(x: Tensor): [Tensor, Tensor] {
    return this.meta(x).callAndLadj(x);
  }
  /** `AutoregressiveTransform(passes=…)`. */
  override toString(): string {
    return `AutoregressiveTransform(passes=${this.passes})`;
  }
}
