import { gradients, isGradEnabled, recordMulti, record } from '../autodiff.js';
import type { FusedElementwiseGrads, FusedElementwiseResult } from '../fused-kernels.js';
import { broadcastShapes, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { add, mul } from './elementwise.js';
import { sum } from './reduce.js';
import { expand } from './shape.js';

/**
 * How one fused elementwise transform (a spline, an affine map, ...) with packed
 * per-element parameters is computed: the backend kernels (when the backend has them)
 * and the composed fallback. Internal to core's fused ops.
 */
export interface ElementwiseImpl {
  /** Op name for errors and the autodiff graph. */
  readonly name: string;
  /** Number of packed parameters per element (the last axis of `phi`). */
  readonly params: number;
  /** The backend's forward kernel, or undefined to compose. */
  readonly forward?: (x: Tensor, phi: Tensor, inverse: boolean, withLadj: boolean) => FusedElementwiseResult;
  /** The backend's VJP kernel, or undefined to differentiate the composed form. */
  readonly vjp?: (x: Tensor, phi: Tensor, inverse: boolean, g: Tensor, gl: Tensor | null) => FusedElementwiseGrads;
  /** `[y, ladj]` (or the inverse) with broadcasting core ops. */
  readonly composed: (x: Tensor, phi: Tensor, inverse: boolean) => [Tensor, Tensor];
}

/**
 * Runs a fused elementwise transform: `x` `[...]` against `phi` `[..., P]` (leading axes
 * broadcast). Returns `[y, ladj]` with per-element ladj (or `[y]` when `withLadj` is
 * false). Differentiable in `x` and `phi`.
 */
export function runElementwise(impl: ElementwiseImpl, x0: Tensor, phi0: Tensor, inverse: boolean, withLadj: boolean): Tensor[] {
  const [x, phi] = alignDtypes(x0, phi0);
  if (impl.forward === undefined || phi.backend !== x.backend) {
    const [y, l] = impl.composed(x, phi, inverse);
    return withLadj ? [y, l] : [y];
  }
  const lead = broadcastShapes(impl.name, x.shape, phi.shape.slice(0, -1));
  const xe = sameShape(x.shape, lead) ? x : expand(x, lead);
  const pe = sameShape(phi.shape.slice(0, -1), lead) ? phi : expand(phi, [...lead, impl.params]);
  const r = impl.forward(xe, pe, inverse, withLadj);
  const be = x.backend;
  const y = new Tensor(r.y, lead, x.dtype, be);
  const outs = withLadj ? [y, new Tensor(r.ladj, lead, x.dtype, be)] : [y];
  if (sizeOf(lead) === 0) return outs;
  const backward = (gs: ReadonlyArray<Tensor | null>): Array<Tensor | null> => {
    const g = gs[0] ?? null;
    const gl = gs[1] ?? null;
    // Forward: the VJP needs the input; inverse: the inverse's output.
    const at = inverse ? y : xe;
    if (impl.vjp === undefined || isGradEnabled()) return composedVjp(impl, xe, pe, inverse, g, gl);
    const gy = g ?? y.zerosLike();
    const res = impl.vjp(at, pe, inverse, gy, gl);
    return [new Tensor(res.input, lead, x.dtype, be), new Tensor(res.phi, pe.shape, x.dtype, be)];
  };
  if (withLadj) recordMulti(impl.name, outs, [xe, pe], backward);
  else record(impl.name, y, [xe, pe], (g) => backward([g]));
  return outs;
}

/**
 * One float dtype for both, as core's binary ops would give: parameters shared by every
 * element (`phi` with only its parameter axis) do not promote `x`, as a 0-d tensor does
 * not; otherwise float64 wins.
 */
function alignDtypes(x: Tensor, phi: Tensor): [Tensor, Tensor] {
  if (x.dtype === phi.dtype) return [x, phi];
  if (phi.ndim <= 1 && x.ndim > 0) return [x, phi.cast(x.dtype)];
  return x.dtype === 'float64' ? [x, phi.cast('float64')] : [x.cast('float64'), phi];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Gradients by differentiating the composed form again (used for higher-order gradients). */
function composedVjp(impl: ElementwiseImpl, x: Tensor, phi: Tensor, inverse: boolean, g: Tensor | null, gl: Tensor | null): Array<Tensor | null> {
  const wrt = [x, phi].filter((t) => t.requiresGrad);
  if (wrt.length === 0) return [null, null];
  const [y, l] = impl.composed(x, phi, inverse);
  let s: Tensor | null = g === null ? null : sum(mul(y, g));
  if (gl !== null) s = s === null ? sum(mul(l, gl)) : add(s, sum(mul(l, gl)));
  if (s === null) return [null, null];
  const gs = gradients(s, wrt, { createGraph: isGradEnabled() });
  let k = 0;
  return [x.requiresGrad ? (gs[k++] as Tensor) : null, phi.requiresGrad ? (gs[k++] as Tensor) : null];
}
