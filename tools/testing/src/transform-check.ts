import { type Tensor, gradients, noGrad, select, sum } from '@eddy/core';

/** The few members of a transform these checks use (kept structural, so any package's transforms fit). */
export interface CheckableTransform {
  readonly domain: { readonly eventDim: number };
  call(x: Tensor): Tensor;
  callAndLadj(x: Tensor): [Tensor, Tensor];
  logAbsDetJacobian(x: Tensor, y: Tensor): Tensor;
  readonly inv: { call(y: Tensor): Tensor; callAndLadj(y: Tensor): [Tensor, Tensor] };
}

/** Worst deviations found by {@link checkTransform}. */
export interface TransformCheck {
  /** max |inv(call(x)) - x|. */
  roundTrip: number;
  /** max |ladj - log|det J|| with J from autodiff. */
  ladjVsJacobian: number;
  /** max |callAndLadj - (call, logAbsDetJacobian)|. */
  fusedVsSeparate: number;
  /** max |inv ladj + forward ladj|. */
  inverseLadj: number;
}

/** log|det M| of a small dense row-major matrix by Gaussian elimination with pivoting. */
export function logAbsDet(m: Float64Array, n: number): number {
  const a = Float64Array.from(m);
  let acc = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k] as number) > Math.abs(a[p * n + k] as number)) p = i;
    if (p !== k) for (let j = 0; j < n; j++) [a[k * n + j], a[p * n + j]] = [a[p * n + j] as number, a[k * n + j] as number];
    const d = a[k * n + k] as number;
    acc += Math.log(Math.abs(d));
    for (let i = k + 1; i < n; i++) {
      const f = (a[i * n + k] as number) / d;
      for (let j = k; j < n; j++) a[i * n + j] = (a[i * n + j] as number) - f * (a[k * n + j] as number);
    }
  }
  return acc;
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
};

/**
 * The checks every transform must pass, on float64 `x` of shape `[N, D]`:
 * `inv(call(x)) ≈ x`; the ladj equals `log|det J|` with `J` from autodiff (the
 * diagonal derivative for event dim 0, the full `D × D` Jacobian per row for event dim 1);
 * the fused `callAndLadj` equals `call` + `logAbsDetJacobian`; the inverse's ladj is the
 * negated forward ladj. Returns the worst deviation of each.
 */
export function checkTransform(t: CheckableTransform, x: Tensor): TransformCheck {
  const [n, d] = x.shape as [number, number];
  const [y, ladj] = noGrad(() => t.callAndLadj(x));
  const back = noGrad(() => t.inv.call(y));
  const sep = noGrad(() => t.logAbsDetJacobian(x, t.call(x)));
  const [, invLadj] = noGrad(() => t.inv.callAndLadj(y));
  const ladjV = ladj.dataSync();
  const jac = new Float64Array(n);
  if (t.domain.eventDim === 0) {
    const xl = x.requireGrad();
    const [g] = gradients(sum(t.call(xl)), [xl]);
    const gv = (g as Tensor).dataSync();
    const out = Float64Array.from(gv, (v) => Math.log(Math.abs(v)));
    return {
      roundTrip: maxAbs(back.dataSync(), x.dataSync()),
      ladjVsJacobian: maxAbs(ladjV, out),
      fusedVsSeparate: maxAbs(ladjV, sep.dataSync()),
      inverseLadj: maxAbs(invLadj.neg().dataSync(), ladjV),
    };
  }
  const rows = new Float64Array(n * d * d);
  for (let j = 0; j < d; j++) {
    const xl = x.requireGrad();
    const [g] = gradients(sum(select(t.call(xl), -1, j)), [xl]);
    const gv = (g as Tensor).dataSync();
    for (let r = 0; r < n; r++) for (let k = 0; k < d; k++) rows[r * d * d + j * d + k] = gv[r * d + k] as number;
  }
  for (let r = 0; r < n; r++) jac[r] = logAbsDet(rows.subarray(r * d * d, (r + 1) * d * d), d);
  return {
    roundTrip: maxAbs(back.dataSync(), x.dataSync()),
    ladjVsJacobian: maxAbs(ladjV, jac),
    fusedVsSeparate: maxAbs(ladjV, sep.dataSync()),
    inverseLadj: maxAbs(invLadj.neg().dataSync(), ladjV),
  };
}
