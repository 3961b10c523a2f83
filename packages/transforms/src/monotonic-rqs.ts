import {
  type SplineKnots,
  type Tensor,
  type TensorLike,
  ValueError,
  broadcastShapes,
  concat,
  expand,
  rationalQuadraticSpline,
  rationalQuadraticSplineValue,
  splineBins,
  splineKnots,
} from '@eddy/core';
import { CircularShiftTransform } from './circular-shift.js';
import { ComposedTransform } from './composed.js';
import { param } from './params.js';
import { ScalarTransform } from './transform.js';

/**
 * Options of {@link MonotonicRQSTransform}.
 * @category Splines and polynomials
 */
export interface RQSOptions {
  /** The spline's (co)domain bound `B` (default 5). */
  bound?: number;
  /** The minimum slope of the transformation (default 1e-3). */
  slope?: number;
}

/** Marks packed raw parameters passed through the constructor by `fromPacked`. */
class Packed {
  constructor(readonly phi: Tensor) {}
}

/** Widths, heights and inner derivatives broadcast to one leading shape and packed. */
function pack(widths: TensorLike, heights: TensorLike, derivatives: TensorLike): Tensor {
  const w = param(widths);
  const h = param(heights);
  const d = param(derivatives);
  const K = w.shape[w.ndim - 1];
  if (K === undefined || h.shape[h.ndim - 1] !== K || d.shape[d.ndim - 1] !== K - 1) {
    throw new ValueError(
      `MonotonicRQSTransform: widths (..., K), heights (..., K) and derivatives (..., K-1) expected, got [${w.shape}], [${h.shape}], [${d.shape}]`,
    );
  }
  const lead = broadcastShapes('MonotonicRQSTransform', w.shape.slice(0, -1), h.shape.slice(0, -1), d.shape.slice(0, -1));
  const to = (t: Tensor, n: number): Tensor =>
    t.ndim - 1 === lead.length && t.shape.slice(0, -1).every((v, i) => v === lead[i]) ? t : expand(t, [...lead, n]);
  return concat([to(w, K), to(h, K), to(d, K - 1)], -1);
}

/**
 * The monotonic rational-quadratic spline (RQS) of neural spline flows (zuko's
 * `MonotonicRQSTransform`), with `K` bins on `[-B, B]` and the identity outside.
 *
 * The unconstrained parameters are first bounded,
 * $w \leftarrow w/(1 + |2w/\ln s|)$, $h \leftarrow h/(1 + |2h/\ln s|)$, $d \leftarrow d/(1 + |d/\ln s|)$ ($s$ the minimum
 * slope), then the knots are $X = B\big(2 \operatorname{cumsum}([0, \operatorname{softmax}(w)]) - 1\big)$,
 * $Y = B\big(2 \operatorname{cumsum}([0, \operatorname{softmax}(h)]) - 1\big)$ and the knot derivatives $\exp([0, d, 0])$ (1 at
 * both ends). With $k = \#\lbrace j : X_j < x \rbrace - 1$ (strict $<$, so $x = -B$ is outside), inputs
 * with $0 \le k < K$ get, with $z = (x - x_k)/(x_{k+1} - x_k)$ and $s_k$ the bin slope,
 *
 * $$
 * y = y_k + \frac{(y_{k+1} - y_k)\big(s_k z^2 + d_k z(1 - z)\big)}{s_k + (d_k + d_{k+1} - 2 s_k) z(1 - z)}
 * $$
 *
 * and the log-derivative of that; the others $y = x$, $\text{ladj} = 0$. The inverse solves the
 * quadratic in $z$ analytically.
 *
 * The parameters are kept packed (`phi`, `(..., 3K − 1)`) and every evaluation goes
 * through core's {@link rationalQuadraticSpline}: one fused pass (and one for its
 * gradient) on the CPU backend, composed ops elsewhere. Inputs outside `[-B, B]`,
 * infinite inputs and knots give finite values and gradients.
 *
 * References:
 * - [Neural Spline Flows (Durkan et al., 2019)](https://arxiv.org/abs/1906.04032)
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { MonotonicRQSTransform } from '@eddy/transforms';
 * const t = new MonotonicRQSTransform(randn([4, 8], { seed: 1, dtype: 'float64' }), randn([4, 8], { seed: 2, dtype: 'float64' }), randn([4, 7], { seed: 3, dtype: 'float64' }));
 * const [y, ladj] = t.callAndLadj(randn([4], { seed: 9, dtype: 'float64' }));
 * t.inv.call(y); // x again
 * ```
 * @category Splines and polynomials
 */
export class MonotonicRQSTransform extends ScalarTransform {
  /** The raw parameters packed along the last axis: widths `K`, heights `K`, inner derivatives `K − 1`. */
  readonly phi: Tensor;
  /** The bound `B`. */
  readonly bound: number;
  /** The minimum slope. */
  readonly slope: number;
  #knots: SplineKnots | undefined;

  /**
   * @param widths unconstrained bin widths `(..., K)`.
   * @param heights unconstrained bin heights `(..., K)`.
   * @param derivatives unconstrained interior knot derivatives `(..., K - 1)`.
   * @param options `bound` (5), `slope` (1e-3).
   */
  constructor(widths: TensorLike, heights: TensorLike, derivatives: TensorLike, options: RQSOptions = {}) {
    super();
    const { bound = 5, slope = 1e-3 } = options;
    if (!(bound > 0)) throw new ValueError(`MonotonicRQSTransform: bound must be positive, got ${bound}`);
    if (!(slope > 0 && slope < 1)) throw new ValueError(`MonotonicRQSTransform: slope must be in (0, 1), got ${slope}`);
    this.phi = widths instanceof Packed ? widths.phi : pack(widths, heights, derivatives);
    splineBins(this.phi);
    this.bound = bound;
    this.slope = slope;
  }

  /**
   * The spline from packed raw parameters `phi` `(..., 3K − 1)` (widths, heights, inner
   * derivatives along the last axis, as a hypernetwork outputs them), without splitting
   * them.
   *
   * @example
   * ```ts
   * import { randn } from '@eddy/core';
   * import { MonotonicRQSTransform } from '@eddy/transforms';
   * const t = MonotonicRQSTransform.fromPacked(randn([4, 23], { seed: 1 })); // K = 8
   * ```
   */
  static fromPacked(phi: Tensor, options: RQSOptions = {}): MonotonicRQSTransform {
    return new MonotonicRQSTransform(new Packed(phi) as unknown as TensorLike, 0, 0, options);
  }

  #k(): SplineKnots {
    this.#knots ??= splineKnots(this.phi, this.bound, this.slope);
    return this.#knots;
  }

  /** The knot abscissae `X` `(..., K + 1)`. */
  get horizontal(): Tensor {
    return this.#k().horizontal;
  }
  /** The knot ordinates `Y` `(..., K + 1)`. */
  get vertical(): Tensor {
    return this.#k().vertical;
  }
  /** The knot derivatives `(..., K + 1)` (the first and last are 1). */
  get derivatives(): Tensor {
    return this.#k().derivatives;
  }

  /** The number of bins `K`. */
  get bins(): number {
    return splineBins(this.phi);
  }

  /** Increasing. */
  override get sign(): 1 {
    return 1;
  }

  /** The spline; the identity outside `[-B, B]`. */
  call(x: Tensor): Tensor {
    return rationalQuadraticSplineValue(x, this.phi, { bound: this.bound, slope: this.slope });
  }

  /** The analytic inverse (root of the rational quadratic); the identity outside `[-B, B]`. */
  inverse(y: Tensor): Tensor {
    return rationalQuadraticSplineValue(y, this.phi, { bound: this.bound, slope: this.slope, inverse: true });
  }

  /** The log-derivative of the spline (0 outside `[-B, B]`). */
  logAbsDetJacobian(x: Tensor, _y?: Tensor): Tensor {
    return rationalQuadraticSpline(x, this.phi, { bound: this.bound, slope: this.slope })[1];
  }

  /** `[y, ladj]` in one pass. */
  override callAndLadj(x: Tensor): [Tensor, Tensor] {
    return rationalQuadraticSpline(x, this.phi, { bound: this.bound, slope: this.slope });
  }

  /** `[x, ladj]` of the inverse in one pass. */
  override inverseAndLadj(y: Tensor): [Tensor, Tensor] {
    return rationalQuadraticSpline(y, this.phi, { bound: this.bound, slope: this.slope, inverse: true });
  }

  /** `MonotonicRQSTransform(bins=K)`. */
  override toString(): string {
    return `MonotonicRQSTransform(bins=${this.bins})`;
  }
}

/**
 * Options of {@link CircularRQSTransform}.
 * @category Splines and polynomials
 */
export interface CircularRQSOptions {
  /** The minimum slope of the spline (default 1e-3). */
  slope?: number;
}

/**
 * The circular rational-quadratic spline of neural circular spline flows (zuko's
 * `zuko.flows.spline.CircularRQSTransform`, the univariate transform of NCSF): the
 * circular shift $x \mapsto \operatorname{rem}(x, 2\pi) - \pi$ followed by a {@link MonotonicRQSTransform} with
 * bound `π`, i.e. `ComposedTransform(CircularShift(π), MonotonicRQS(w, h, d, bound=π))`.
 * Features live on `[-π, π)`; `ladj` is the spline's. The inverse undoes the spline,
 * then shifts back.
 *
 * References:
 * - [Normalizing Flows on Tori and Spheres (Rezende et al., 2020)](https://arxiv.org/abs/2002.02428)
 *
 * @example
 * ```ts
 * import { randn, tensor } from '@eddy/core';
 * import { CircularRQSTransform } from '@eddy/transforms';
 * const t = new CircularRQSTransform(randn([4, 8], { seed: 1, dtype: 'float64' }), randn([4, 8], { seed: 2, dtype: 'float64' }), randn([4, 7], { seed: 3, dtype: 'float64' }));
 * const [y, ladj] = t.callAndLadj(tensor([0, 1, -3, 3], { dtype: 'float64' }));
 * ```
 * @category Splines and polynomials
 */
export class CircularRQSTransform extends ComposedTransform {
  /** The spline part (bound π). */
  readonly spline: MonotonicRQSTransform;

  /**
   * @param widths unconstrained bin widths `(..., K)`.
   * @param heights unconstrained bin heights `(..., K)`.
   * @param derivatives unconstrained interior knot derivatives `(..., K - 1)`.
   * @param options `slope` (1e-3).
   */
  constructor(widths: TensorLike, heights: TensorLike, derivatives: TensorLike, options: CircularRQSOptions = {}) {
    const spline =
      widths instanceof Packed
        ? MonotonicRQSTransform.fromPacked(widths.phi, { bound: Math.PI, slope: options.slope ?? 1e-3 })
        : new MonotonicRQSTransform(widths, heights, derivatives, { bound: Math.PI, slope: options.slope ?? 1e-3 });
    super([new CircularShiftTransform(Math.PI), spline]);
    this.spline = spline;
  }

  /**
   * The circular spline from packed raw parameters `phi` `(..., 3K − 1)`.
   *
   * @example
   * ```ts
   * import { randn } from '@eddy/core';
   * import { CircularRQSTransform } from '@eddy/transforms';
   * const t = CircularRQSTransform.fromPacked(randn([4, 23], { seed: 1 }));
   * ```
   */
  static fromPacked(phi: Tensor, options: CircularRQSOptions = {}): CircularRQSTransform {
    return new CircularRQSTransform(new Packed(phi) as unknown as TensorLike, 0, 0, options);
  }
}
