import { type Tensor, type TensorLike, ValueError, mean, select, square } from '@eddy/core';
import { AdditiveTransform } from './additive.js';
import { ComposedTransform } from './composed.js';
import { UnconstrainedMonotonicTransform } from './unconstrained-monotonic.js';

/**
 * Options of {@link SOSPolynomialTransform}.
 * @category Splines and polynomials
 */
export interface SOSPolynomialOptions {
  /** The minimum slope added to the integrand (default 1e-3). */
  slope?: number;
  /** The polynomial scale and bisection bound (default 10): `u = x/bound` in the polynomials. */
  bound?: number;
  /** The bisection tolerance of the inverse (default 1e-6). */
  eps?: number;
}

/**
 * The sum-of-squares polynomial transformation (zuko's `SOSPolynomialTransform`): the
 * integral of a mean of `K` squared polynomials of degree `L`,
 *
 * $$
 * f(x) = \int_0^x g(u)\, du, \quad g(u) = \frac{1}{K} \sum_k \Big(1 + \sum_{j=0}^{L} a_{k,j} (u/10)^j\Big)^2 + \mathrm{slope},
 * $$
 *
 * as an {@link UnconstrainedMonotonicTransform} with `n = L + 1` Gauss–Legendre nodes
 * (exact for this polynomial of degree `2L`) and a bisection inverse on `[-10, 10]`.
 * The polynomials are evaluated by Horner's scheme (finite gradients at `u = 0`).
 *
 * References:
 * - [Sum-of-Squares Polynomial Flow (Jaini et al., 2019)](https://arxiv.org/abs/1905.02325)
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { SOSPolynomialTransform } from '@eddy/transforms';
 * const t = new SOSPolynomialTransform(randn([4, 3, 5], { seed: 1, dtype: 'float64' }));
 * const [y, ladj] = t.callAndLadj(randn([4], { seed: 9, dtype: 'float64' }));
 * ```
 * @category Splines and polynomials
 */
export class SOSPolynomialTransform extends UnconstrainedMonotonicTransform {
  /** The polynomial coefficients `a` `(..., K, L + 1)`. */
  readonly a: Tensor;
  /** The minimum slope. */
  readonly slope: number;

  /**
   * @param a the coefficients `(..., K, L + 1)`.
   * @param options `slope` (1e-3), `bound` (10), `eps` (1e-6).
   */
  constructor(a: Tensor, options: SOSPolynomialOptions = {}) {
    if (a.ndim < 2) throw new ValueError(`SOSPolynomialTransform: a must be (..., K, L + 1), got [${a.shape}]`);
    super(undefined, {
      phi: [a],
      n: a.shape[a.ndim - 1] as number,
      bound: options.bound ?? 10,
      eps: options.eps ?? 1e-6,
      explicit: true,
    });
    this.a = a;
    this.slope = options.slope ?? 1e-3;
  }

  /** $\frac{1}{K} \sum_k \big(1 + \sum_j a_{k,j} (u/\mathrm{bound})^j\big)^2 + \mathrm{slope}$ at the coefficients `[a]`. */
  override gWith(u: Tensor, phi: readonly Tensor[]): Tensor {
    const [a] = phi as [Tensor];
    const L = (a.shape[a.ndim - 1] as number) - 1;
    const v = u.div(this.bound).unsqueeze(-1);
    let p = select(a, -1, L);
    for (let j = L - 1; j >= 0; j--) p = p.mul(v).add(select(a, -1, j));
    return mean(square(p.add(1)), -1).add(this.slope);
  }

  /** `SOSPolynomialTransform(K=…, L=…)`. */
  override toString(): string {
    const s = this.a.shape;
    return `SOSPolynomialTransform(K=${s[s.length - 2]}, L=${(s[s.length - 1] as number) - 1})`;
  }
}

/**
 * Options of {@link ShiftedSOSPTransform}.
 * @category Splines and polynomials
 */
export interface ShiftedSOSPOptions {
  /** The minimum slope of the SOS polynomial (default 1e-3). */
  slope?: number;
}

/**
 * The univariate transform of SOSPF (zuko's `zuko.flows.polynomial.ShiftedSOSPTransform`):
 * a {@link SOSPolynomialTransform} followed by a shift,
 * `ComposedTransform(SOSPolynomial(a, slope), Additive(constant))`, i.e.
 * $y = \int_0^x g(u)\, du + \mathrm{constant}$ (the SOS integral is 0 at 0, the shift frees the origin).
 *
 * Jaini et al. (2019), "Sum-of-Squares Polynomial Flow" (https://arxiv.org/abs/1905.02325).
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { ShiftedSOSPTransform } from '@eddy/transforms';
 * const t = new ShiftedSOSPTransform(randn([4, 3, 5], { seed: 1, dtype: 'float64' }), randn([4], { seed: 2, dtype: 'float64' }));
 * const [y, ladj] = t.callAndLadj(randn([4], { seed: 9, dtype: 'float64' }));
 * ```
 * @category Splines and polynomials
 */
export class ShiftedSOSPTransform extends ComposedTransform {
  /** The SOS polynomial part. */
  readonly polynomial: SOSPolynomialTransform;
  /** The shift part. */
  readonly shift: AdditiveTransform;

  /**
   * @param a the SOS coefficients `(..., K, L + 1)`.
   * @param constant the shift `(...)`.
   * @param options `slope` (1e-3).
   */
  constructor(a: Tensor, constant: TensorLike, options: ShiftedSOSPOptions = {}) {
    const polynomial = new SOSPolynomialTransform(a, { slope: options.slope ?? 1e-3 });
    const shift = new AdditiveTransform(constant);
    super([polynomial, shift]);
    this.polynomial = polynomial;
    this.shift = shift;
  }

  /** Increasing. */
  override get sign(): 1 {
    return 1;
  }
}
