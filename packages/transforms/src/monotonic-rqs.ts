import {
  type Tensor,
  type TensorLike,
  abs,
  add,
  clamp,
  cumsum,
  exp,
  gather,
  ge,
  log,
  logicalAnd,
  lt,
  padAxis,
  reshape,
  searchsorted,
  softmax,
  sqrt,
  square,
  sub,
  ValueError,
  where,
} from '@eddy/core';
import { CircularShiftTransform } from './circular-shift.js';
import { ComposedTransform } from './composed.js';
import { param } from './params.js';
import { ElementwiseTransform } from './transform.js';

/**
 * Options of {@link MonotonicRQSTransform}.
 *
 * @example
 * ```ts
 * const o: RQSOptions = { bound: 5, slope: 1e-3 };
 * ```
 * @category Splines and polynomials
 */
export interface RQSOptions {
  /** The spline's (co)domain bound `B` (default 5). */
  bound?: number;
  /** The minimum slope of the transformation (default 1e-3). */
  slope?: number;
}

/** Reshapes `t` to `ndim` axes by adding leading size-1 axes. */
function toRank(t: Tensor, ndim: number): Tensor {
  return t.ndim >= ndim ? t : reshape(t, [...Array.from({ length: ndim - t.ndim }, () => 1), ...t.shape]);
}

/** The values of one bin of the spline at each input. */
interface Bin {
  /** Whether the input lies strictly inside the spline's range (else identity). */
  mask: Tensor;
  x0: Tensor;
  x1: Tensor;
  y0: Tensor;
  y1: Tensor;
  d0: Tensor;
  d1: Tensor;
  /** `(y1 - y0)/(x1 - x0)`. */
  s: Tensor;
}

/**
 * The monotonic rational-quadratic spline (RQS) of neural spline flows (zuko's
 * `MonotonicRQSTransform`), with `K` bins on `[-B, B]` and the identity outside.
 *
 * The unconstrained parameters are first bounded,
 * `w ← w/(1 + |2w/ln s|)`, `h ← h/(1 + |2h/ln s|)`, `d ← d/(1 + |d/ln s|)` (`s` the minimum
 * slope), then the knots are `X = B(2·cumsum([0, softmax(w)]) - 1)`,
 * `Y = B(2·cumsum([0, softmax(h)]) - 1)` and the knot derivatives `exp([0, d, 0])` (1 at
 * both ends). With `k = #{j : X_j < x} - 1` (strict `<`, so `x = -B` is outside), inputs
 * with `0 ≤ k < K` get, with `z = (x - x_k)/(x_{k+1} - x_k)` and `s_k` the bin slope,
 * `y = y_k + (y_{k+1} - y_k)(s_k z² + d_k z(1-z)) / (s_k + (d_k + d_{k+1} - 2s_k) z(1-z))`
 * and the log-derivative of that; the others `y = x`, `ladj = 0`. The inverse solves the
 * quadratic in `z` analytically.
 *
 * Every `where` branch is guarded (clamped bin indices, the spline evaluated at the
 * bin's left knot for identity inputs), so inputs outside `[-B, B]`, infinite inputs and
 * knots give finite values and gradients.
 *
 * Durkan et al. (2019), "Neural Spline Flows" (https://arxiv.org/abs/1906.04032).
 *
 * @example
 * ```ts
 * const t = new MonotonicRQSTransform(randn([4, 8], { seed: 1, dtype: 'float64' }), randn([4, 8], { seed: 2, dtype: 'float64' }), randn([4, 7], { seed: 3, dtype: 'float64' }));
 * const [y, ladj] = t.callAndLadj(randn([4], { seed: 9, dtype: 'float64' }));
 * t.inv.call(y); // x again
 * ```
 * @category Splines and polynomials
 */
export class MonotonicRQSTransform extends ElementwiseTransform {
  /** The knot abscissae `X` `(..., K + 1)`. */
  readonly horizontal: Tensor;
  /** The knot ordinates `Y` `(..., K + 1)`. */
  readonly vertical: Tensor;
  /** The knot derivatives `(..., K + 1)` (the first and last are 1). */
  readonly derivatives: Tensor;
  /** The bound `B`. */
  readonly bound: number;
  /** The minimum slope. */
  readonly slope: number;

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
    let w = param(widths);
    let h = param(heights);
    let d = param(derivatives);
    const K = w.shape[w.ndim - 1];
    if (K === undefined || h.shape[h.ndim - 1] !== K || d.shape[d.ndim - 1] !== K - 1) {
      throw new ValueError(
        `MonotonicRQSTransform: widths (..., K), heights (..., K) and derivatives (..., K-1) expected, got [${w.shape}], [${h.shape}], [${d.shape}]`,
      );
    }
    const lnS = Math.log(slope);
    w = w.div(abs(w.mul(2).div(lnS)).add(1));
    h = h.div(abs(h.mul(2).div(lnS)).add(1));
    d = d.div(abs(d.div(lnS)).add(1));
    const cw = padAxis(softmax(w, -1), -1, 1, 0, 0);
    const ch = padAxis(softmax(h, -1), -1, 1, 0, 0);
    this.horizontal = cumsum(cw, -1).mul(2).sub(1).mul(bound);
    this.vertical = cumsum(ch, -1).mul(2).sub(1).mul(bound);
    this.derivatives = exp(padAxis(d, -1, 1, 1, 0));
    this.bound = bound;
    this.slope = slope;
  }

  /** The number of bins `K`. */
  get bins(): number {
    return (this.horizontal.shape[this.horizontal.ndim - 1] as number) - 1;
  }

  /** Increasing. */
  override get sign(): 1 {
    return 1;
  }

  /** The bin of each value of `v` among the knots `knots` (`X` or `Y`). */
  #bin(knots: Tensor, v: Tensor): Bin {
    const K = this.bins;
    const ndim = Math.max(knots.ndim, v.ndim + 1);
    const sorted = toRank(knots, ndim);
    const vv = toRank(v.unsqueeze(-1), ndim);
    // k = #{j : knot_j < v} - 1 (searchsorted 'left' counts the knots strictly below v).
    const k = sub(searchsorted(sorted, vv, 'left'), 1);
    const mask = logicalAnd(ge(k, 0), lt(k, K)).squeeze(-1);
    // Clamped indices: the bin is valid (finite values) even where mask is false.
    const k0 = clamp(k, 0, K - 1);
    const k1 = add(k0, 1);
    const pick = (t: Tensor, i: Tensor): Tensor => gather(toRank(t, ndim), i, -1).squeeze(-1);
    const x0 = pick(this.horizontal, k0);
    const x1 = pick(this.horizontal, k1);
    const y0 = pick(this.vertical, k0);
    const y1 = pick(this.vertical, k1);
    const d0 = pick(this.derivatives, k0);
    const d1 = pick(this.derivatives, k1);
    const s = y1.sub(y0).div(x1.sub(x0));
    return { mask, x0, x1, y0, y1, d0, d1, s };
  }

  /** `[y, ladj]` of the spline part (masked to the identity outside). */
  #forward(x: Tensor, withLadj: boolean): [Tensor, Tensor | undefined] {
    const { mask, x0, x1, y0, y1, d0, d1, s } = this.#bin(this.horizontal, x);
    // Identity inputs are moved onto the left knot (z = 0): no NaN/Inf in the unused branch.
    const xs = where(mask, x, x0);
    const z = xs.sub(x0).div(x1.sub(x0));
    const omz = sub(1, z);
    const den = s.add(d0.add(d1).sub(s.mul(2)).mul(z).mul(omz));
    const num = s.mul(square(z)).add(d0.mul(z).mul(omz));
    const y = where(mask, y0.add(y1.sub(y0).mul(num).div(den)), x);
    if (!withLadj) return [y, undefined];
    const jac = square(s)
      .mul(s.mul(2).mul(z).mul(omz).add(d0.mul(square(omz))).add(d1.mul(square(z))))
      .div(square(den));
    return [y, where(mask, log(jac), 0)];
  }

  /** The spline; the identity outside `[-B, B]`. */
  call(x: Tensor): Tensor {
    return this.#forward(x, false)[0];
  }

  /** The analytic inverse (root of the rational quadratic); the identity outside `[-B, B]`. */
  inverse(y: Tensor): Tensor {
    const { mask, x0, x1, y0, y1, d0, d1, s } = this.#bin(this.vertical, y);
    const ys = where(mask, y, y0);
    const yr = ys.sub(y0);
    const dy = y1.sub(y0);
    const dd = d0.add(d1).sub(s.mul(2));
    const a = dy.mul(s.sub(d0)).add(yr.mul(dd));
    const b = dy.mul(d0).sub(yr.mul(dd));
    const c = s.neg().mul(yr);
    const disc = clamp(square(b).sub(a.mul(4).mul(c)), 0);
    const z = c.mul(2).div(b.neg().sub(sqrt(disc)));
    const x = x0.add(z.mul(x1.sub(x0)));
    return where(mask, x, y);
  }

  /** The log-derivative of the spline (0 outside `[-B, B]`). */
  logAbsDetJacobian(x: Tensor, _y?: Tensor): Tensor {
    return this.#forward(x, true)[1] as Tensor;
  }

  /** `[y, ladj]` in one pass. */
  override callAndLadj(x: Tensor): [Tensor, Tensor] {
    const [y, ladj] = this.#forward(x, true);
    return [y, ladj as Tensor];
  }

  /** `MonotonicRQSTransform(bins=K)`. */
  override toString(): string {
    return `MonotonicRQSTransform(bins=${this.bins})`;
  }
}

/**
 * Options of {@link CircularRQSTransform}.
 *
 * @example
 * ```ts
 * const o: CircularRQSOptions = { slope: 1e-3 };
 * ```
 * @category Splines and polynomials
 */
export interface CircularRQSOptions {
  /** The minimum slope of the spline (default 1e-3). */
  slope?: number;
}

/**
 * The circular rational-quadratic spline of neural circular spline flows (zuko's
 * `zuko.flows.spline.CircularRQSTransform`, the univariate transform of NCSF): the
 * circular shift `x ↦ rem(x, 2π) - π` followed by a {@link MonotonicRQSTransform} with
 * bound `π`, i.e. `ComposedTransform(CircularShift(π), MonotonicRQS(w, h, d, bound=π))`.
 * Features live on `[-π, π)`; `ladj` is the spline's. The inverse undoes the spline,
 * then shifts back.
 *
 * Rezende et al. (2020), "Normalizing Flows on Tori and Spheres"
 * (https://arxiv.org/abs/2002.02428).
 *
 * @example
 * ```ts
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
    const spline = new MonotonicRQSTransform(widths, heights, derivatives, { bound: Math.PI, slope: options.slope ?? 1e-3 });
    super([new CircularShiftTransform(Math.PI), spline]);
    this.spline = spline;
  }
}
