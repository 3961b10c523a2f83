import { DTypeError, ShapeError, type Tensor, concat, fmtShape, take } from '@eddy/core';
import { type Domain, Transform, domain } from './transform.js';

/**
 * A coupling transform (zuko's `CouplingTransform`): the features where `mask` is true
 * (`a`) pass through unchanged and parameterise a transform of the others (`b`):
 * $y_a = x_a$, $y_b = f_{\varphi(x_a)}(x_b)$, $\text{ladj} = \text{ladj}(f)$. The inverse uses the same
 * $\varphi(y_a)$, so both directions cost one evaluation.
 *
 * References:
 * - [NICE: Non-linear Independent Components Estimation (Dinh et al., 2014)](https://arxiv.org/abs/1410.8516)
 * - [Density estimation using Real NVP (Dinh et al., 2016)](https://arxiv.org/abs/1605.08803)
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { AdditiveTransform, CouplingTransform, DependentTransform } from '@eddy/transforms';
 * import { MLP } from '@eddy/flows';
 * const net = new MLP(1, 1); // x_a ↦ the shift of x_b
 * const t = new CouplingTransform((xa) => new DependentTransform(new AdditiveTransform(net.call(xa)), 1), [true, false]);
 * const [y, ladj] = t.callAndLadj(randn([8, 2], { seed: 0 })); // ladj = 0 (a shift)
 * ```
 * @category Autoregressive and coupling
 */
export class CouplingTransform extends Transform {
  /** `x_a ↦` the vector transform of `x_b`. */
  readonly meta: (xa: Tensor) => Transform;
  /** Indices of the constant part `a` (ascending). */
  readonly idxA: readonly number[];
  /** Indices of the transformed part `b` (ascending). */
  readonly idxB: readonly number[];
  readonly #restore: number[];

  /** @param meta `x_a ↦ f_{φ(x_a)}`; @param mask per feature, true = constant part. */
  constructor(meta: (xa: Tensor) => Transform, mask: Tensor | readonly boolean[]) {
    super();
    const m: boolean[] = Array.isArray(mask)
      ? [...(mask as readonly boolean[])]
      : (() => {
          const t = mask as Tensor;
          if (t.dtype !== 'bool') throw new DTypeError(`CouplingTransform: mask must be bool, got ${t.dtype}`);
          if (t.ndim !== 1) throw new ShapeError(`CouplingTransform: mask must be 1-D, got ${fmtShape(t.shape)}`);
          return Array.from(t.dataSync(), (v) => v !== 0);
        })();
    this.meta = meta;
    this.idxA = m.flatMap((v, i) => (v ? [i] : []));
    this.idxB = m.flatMap((v, i) => (v ? [] : [i]));
    // Position of feature i in cat(x_a, x_b).
    this.#restore = new Array<number>(m.length);
    [...this.idxA, ...this.idxB].forEach((f, pos) => {
      this.#restore[f] = pos;
    });
  }
  /** Real vectors. */
  get domain(): Domain {
    return domain(1);
  }
  /** Real vectors. */
  get codomain(): Domain {
    return domain(1);
  }
  #join(a: Tensor, b: Tensor): Tensor {
    return take(concat([a, b], -1), this.#restore, -1);
  }
  /** $\big[x_a, f_{\varphi(x_a)}(x_b)\big]$ in the original feature order. */
  call(x: Tensor): Tensor {
    return this.callAndLadj(x)[0];
  }
  /** $\big[y_a, f_{\varphi(y_a)}^{-1}(y_b)\big]$. */
  inverse(y: Tensor): Tensor {
    const ya = take(y, this.idxA, -1);
    return this.#join(ya, this.meta(ya).inverse(take(y, this.idxB, -1)));
  }
  /** The ladj of `f_{φ(x_a)}` at `x_b`. */
  logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    return this.meta(take(x, this.idxA, -1)).logAbsDetJacobian(take(x, this.idxB, -1), take(y, this.idxB, -1));
  }
  /** `y` and the ladj from one evaluation of `φ(x_a)`. */
  override callAndLadj(x: Tensor): [Tensor, Tensor] {
    const xa = take(x, this.idxA, -1);
    const [yb, ladj] = this.meta(xa).callAndLadj(take(x, this.idxB, -1));
    return [this.#join(xa, yb), ladj];
  }
  /** `CouplingTransform(a=[…], b=[…])`. */
  override toString(): string {
    return `CouplingTransform(a=${JSON.stringify(this.idxA)}, b=${JSON.stringify(this.idxB)})`;
  }
}
