import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { isFloat } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { abs, add, clamp, exp, ge, log, logicalAnd, lt, square, sub, sqrt, where } from './elementwise.js';
import { fusedKernelsOf } from '../fused-kernels.js';
import { type ElementwiseImpl, runElementwise } from './fused-elementwise.js';
import { gather, searchsorted } from './indexing.js';
import { cumsum, softmax } from './reduce.js';
import { padAxis, reshape, slice } from './shape.js';

/**
 * Options of {@link rationalQuadraticSpline}.
 * @category Fused ops
 */
export interface SplineOptions {
  /** The spline's (co)domain bound `B` (default 5). */
  bound?: number;
  /** The minimum slope (default 1e-3). */
  slope?: number;
  /** Evaluate the inverse map (default false). */
  inverse?: boolean;
}

/**
 * The knots of a monotonic rational-quadratic spline, from packed raw parameters.
 *
 * @example
 * ```ts
 * import { randn, type SplineKnots, splineKnots } from '@eddy/core';
 * const phi = randn([10, 3 * 8 - 1], { seed: 0 }); // 8 bins per feature
 * const { horizontal, vertical, derivatives }: SplineKnots = splineKnots(phi, 5, 1e-3);
 * ```
 * @category Fused ops
 */
export interface SplineKnots {
  /** Knot abscissae `X` `(..., K + 1)`. */
  horizontal: Tensor;
  /** Knot ordinates `Y` `(..., K + 1)`. */
  vertical: Tensor;
  /** Knot derivatives `(..., K + 1)`, 1 at both ends. */
  derivatives: Tensor;
}

/**
 * The number of bins `K` of packed spline parameters (last axis `3K − 1`); throws a
 * `ShapeError` when the last axis has another size.
 *
 * @example
 * ```ts
 * import { splineBins, zeros } from '@eddy/core';
 * splineBins(zeros([4, 23])); // 8
 * ```
 * @category Fused ops
 */
export function splineBins(phi: Tensor): number {
  const p = phi.shape[phi.ndim - 1];
  const k = p === undefined ? Number.NaN : (p + 1) / 3;
  if (!Number.isInteger(k) || k < 1) {
    throw new ShapeError(`rationalQuadraticSpline: the last axis of phi must be 3K − 1 (widths, heights, inner derivatives), got ${fmtShape(phi.shape)}`);
  }
  return k;
}

function checkOptions(bound: number, slope: number): void {
  if (!(bound > 0)) throw new ValueError(`rationalQuadraticSpline: bound must be positive, got ${bound}`);
  if (!(slope > 0 && slope < 1)) throw new ValueError(`rationalQuadraticSpline: slope must be in (0, 1), got ${slope}`);
}

/**
 * The knots of zuko's monotonic RQS from packed raw parameters `phi` `(..., 3K − 1)`
 * (widths `K`, heights `K`, inner derivatives `K − 1`): the raw values are bounded,
 * $w \leftarrow w/(1 + |2w/\ln s|)$, $h \leftarrow h/(1 + |2h/\ln s|)$, $d \leftarrow d/(1 + |d/\ln s|)$ ($s$ the
 * minimum slope), then $X = B\big(2 \operatorname{cumsum}([0, \operatorname{softmax}(w)]) - 1\big)$, $Y$ likewise from $h$,
 * and the knot derivatives $\exp([0, d, 0])$.
 *
 * @example
 * ```ts
 * import { randn, splineKnots } from '@eddy/core';
 * const { horizontal } = splineKnots(randn([4, 23], { seed: 1 }), 5, 1e-3); // [4, 9]
 * ```
 * @category Fused ops
 */
export function splineKnots(phi: Tensor, bound = 5, slope = 1e-3): SplineKnots {
  checkOptions(bound, slope);
  const K = splineBins(phi);
  const lnS = Math.log(slope);
  let w = slice(phi, -1, 0, K);
  let h = slice(phi, -1, K, 2 * K);
  let d = slice(phi, -1, 2 * K, 3 * K - 1);
  w = w.div(abs(w.mul(2).div(lnS)).add(1));
  h = h.div(abs(h.mul(2).div(lnS)).add(1));
  d = d.div(abs(d.div(lnS)).add(1));
  const cw = padAxis(softmax(w, -1), -1, 1, 0, 0);
  const ch = padAxis(softmax(h, -1), -1, 1, 0, 0);
  return {
    horizontal: cumsum(cw, -1).mul(2).sub(1).mul(bound),
    vertical: cumsum(ch, -1).mul(2).sub(1).mul(bound),
    derivatives: exp(padAxis(d, -1, 1, 1, 0)),
  };
}

/** Reshapes `t` to `ndim` axes by adding leading size-1 axes. */
function toRank(t: Tensor, ndim: number): Tensor {
  return t.ndim >= ndim ? t : reshape(t, [...Array.from({ length: ndim - t.ndim }, () => 1), ...t.shape]);
}

interface Bin {
  mask: Tensor;
  x0: Tensor;
  x1: Tensor;
  y0: Tensor;
  y1: Tensor;
  d0: Tensor;
  d1: Tensor;
  s: Tensor;
}

/** The bin of each value of `v` among `knots` (`X` or `Y`), with clamped indices. */
function findBin(k: SplineKnots, knots: Tensor, v: Tensor): Bin {
  const K = (k.horizontal.shape[k.horizontal.ndim - 1] as number) - 1;
  const ndim = Math.max(knots.ndim, v.ndim + 1);
  const sorted = toRank(knots, ndim);
  const vv = toRank(v.unsqueeze(-1), ndim);
  // idx = #{j : knot_j < v} - 1 (searchsorted 'left' counts the knots strictly below v).
  const idx = sub(searchsorted(sorted, vv, 'left'), 1);
  const mask = logicalAnd(ge(idx, 0), lt(idx, K)).squeeze(-1);
  const k0 = clamp(idx, 0, K - 1);
  const k1 = add(k0, 1);
  const pick = (t: Tensor, i: Tensor): Tensor => gather(toRank(t, ndim), i, -1).squeeze(-1);
  const x0 = pick(k.horizontal, k0);
  const x1 = pick(k.horizontal, k1);
  const y0 = pick(k.vertical, k0);
  const y1 = pick(k.vertical, k1);
  const d0 = pick(k.derivatives, k0);
  const d1 = pick(k.derivatives, k1);
  return { mask, x0, x1, y0, y1, d0, d1, s: y1.sub(y0).div(x1.sub(x0)) };
}

/**
 * The spline and its log-derivative from precomputed knots, with core ops (every `where`
 * branch guarded so that identity inputs and infinities give finite values and
 * gradients). Inverse: the analytic root of the rational quadratic, and minus the
 * log-derivative at it.
 *
 * @example
 * ```ts
 * import { randn, splineFromKnots, splineKnots } from '@eddy/core';
 * const x = randn([10], { seed: 0 });
 * const phi = randn([10, 3 * 8 - 1], { seed: 0 }); // 8 bins per value
 * const [y, ladj] = splineFromKnots(splineKnots(phi), x, false);
 * ```
 * @category Fused ops
 */
export function splineFromKnots(k: SplineKnots, v: Tensor, inverse: boolean): [Tensor, Tensor] {
  const { mask, x0, x1, y0, y1, d0, d1, s } = findBin(k, inverse ? k.vertical : k.horizontal, v);
  let z: Tensor;
  let out: Tensor | undefined;
  if (!inverse) {
    const xs = where(mask, v, x0);
    z = xs.sub(x0).div(x1.sub(x0));
  } else {
    const ys = where(mask, v, y0);
    const yr = ys.sub(y0);
    const dy = y1.sub(y0);
    const dd = d0.add(d1).sub(s.mul(2));
    const a = dy.mul(s.sub(d0)).add(yr.mul(dd));
    const b = dy.mul(d0).sub(yr.mul(dd));
    const c = s.neg().mul(yr);
    const disc = clamp(square(b).sub(a.mul(4).mul(c)), 0);
    z = c.mul(2).div(b.neg().sub(sqrt(disc)));
    out = where(mask, x0.add(z.mul(x1.sub(x0))), v);
  }
  const omz = sub(1, z);
  const den = s.add(d0.add(d1).sub(s.mul(2)).mul(z).mul(omz));
  if (!inverse) {
    const num = s.mul(square(z)).add(d0.mul(z).mul(omz));
    out = where(mask, y0.add(y1.sub(y0).mul(num).div(den)), v);
  }
  const jac = square(s)
    .mul(
      s
        .mul(2)
        .mul(z)
        .mul(omz)
        .add(d0.mul(square(omz)))
        .add(d1.mul(square(z))),
    )
    .div(square(den));
  const l = log(jac);
  return [out as Tensor, where(mask, inverse ? l.neg() : l, 0)];
}

/**
 * The monotonic rational-quadratic spline of neural spline flows (zuko's
 * `MonotonicRQSTransform`) applied elementwise: `x` `[...]` with packed raw parameters
 * `phi` `[..., 3K − 1]` (see {@link splineKnots}; leading axes broadcast against `x`).
 * Inside `[−B, B]` the rational quadratic of the bin containing `x`; outside, the
 * identity (ladj 0). Returns `[y, ladj]` with the per-element log-derivative; with
 * `inverse`, the analytic inverse and its log-derivative.
 *
 * On a backend with a fused `rqs` kernel the whole spline (knots, bin search, the
 * rational function and its log-derivative) is one pass, and so is its gradient; else
 * core ops compose it. Durkan et al. (2019), "Neural Spline Flows".
 *
 * @example
 * ```ts
 * import { randn, rationalQuadraticSpline } from '@eddy/core';
 * const phi = randn([100, 3, 23], { seed: 1 });            // K = 8 bins per feature
 * const [y, ladj] = rationalQuadraticSpline(randn([100, 3], { seed: 2 }), phi);
 * const [x] = rationalQuadraticSpline(y, phi, { inverse: true }); // x again
 * ```
 * @category Fused ops
 */
export function rationalQuadraticSpline(x: Tensor, phi: Tensor, options: SplineOptions = {}): [Tensor, Tensor] {
  const out = splineImpl(x, phi, options, true);
  return [out[0] as Tensor, out[1] as Tensor];
}

/** Like {@link rationalQuadraticSpline} without the log-derivative. @internal */
export function rationalQuadraticSplineValue(x: Tensor, phi: Tensor, options: SplineOptions = {}): Tensor {
  return splineImpl(x, phi, options, false)[0] as Tensor;
}

function splineImpl(x: Tensor, phi: Tensor, options: SplineOptions, withLadj: boolean): Tensor[] {
  const { bound = 5, slope = 1e-3, inverse = false } = options;
  checkOptions(bound, slope);
  const bins = splineBins(phi);
  if (!isFloat(x.dtype) || !isFloat(phi.dtype)) throw new DTypeError(`rationalQuadraticSpline: x (${x.dtype}) and phi (${phi.dtype}) must be float tensors`);
  const fused = fusedKernelsOf(x.backend);
  const impl: ElementwiseImpl = {
    name: 'rationalQuadraticSpline',
    params: 3 * bins - 1,
    forward:
      fused?.rqs === undefined ? undefined : (xe, pe, inv, wl) => (fused.rqs as NonNullable<typeof fused.rqs>).call(fused, xe, pe, bins, bound, slope, inv, wl),
    vjp:
      fused?.rqsVjp === undefined
        ? undefined
        : (at, pe, inv, g, gl) => (fused.rqsVjp as NonNullable<typeof fused.rqsVjp>).call(fused, at, pe, bins, bound, slope, inv, g, gl),
    composed: (xv, p, inv) => splineFromKnots(splineKnots(p, bound, slope), xv, inv),
  };
  return runElementwise(impl, x, phi, inverse, withLadj);
}
