import '@eddy/backend-cpu';
import type { Tensor } from '@eddy/core';
import * as T from '@eddy/transforms';
import { describe, expect, it } from 'vitest';
import { type CaseTensor, type TransformCase, arg, loadCase, toTensor, tolOf, toleranceRatio } from './zuko-cases.js';

type Fn = (x: Tensor) => Tensor;
const num = (v: unknown): number | undefined => (v === undefined ? undefined : (v as number));

/** zuko class path → Eddy constructor, from the case's positional and keyword arguments. */
const BUILD: Record<string, (a: unknown[], k: Record<string, unknown>) => T.Transform> = {
  'zuko.transforms.MonotonicRQSTransform': (a, k) =>
    new T.MonotonicRQSTransform(a[0] as Tensor, a[1] as Tensor, a[2] as Tensor, { bound: num(k.bound), slope: num(k.slope) }),
  'zuko.flows.spline.CircularRQSTransform': (a, k) => new T.CircularRQSTransform(a[0] as Tensor, a[1] as Tensor, a[2] as Tensor, { slope: num(k.slope) }),
  'zuko.transforms.MonotonicTransform': (a, k) => {
    const f = a[0] as Fn;
    return new T.MonotonicTransform((x) => f(x), { bound: num(k.bound), eps: num(k.eps) });
  },
  'zuko.transforms.BernsteinTransform': (a, k) => new T.BernsteinTransform(a[0] as Tensor, { bound: num(k.bound) }),
  'zuko.transforms.BoundedBernsteinTransform': (a, k) => new T.BoundedBernsteinTransform(a[0] as Tensor, { bound: num(k.bound) }),
  'zuko.transforms.GaussianizationTransform': (a) => new T.GaussianizationTransform(a[0] as Tensor, a[1] as Tensor),
  'zuko.transforms.UnconstrainedMonotonicTransform': (a, k) => {
    const g = a[0] as Fn;
    return new T.UnconstrainedMonotonicTransform((u) => g(u), { n: num(k.n), bound: num(k.bound), eps: num(k.eps) });
  },
  'zuko.transforms.SOSPolynomialTransform': (a, k) => new T.SOSPolynomialTransform(a[0] as Tensor, { slope: num(k.slope) }),
  'zuko.flows.polynomial.ShiftedSOSPTransform': (a, k) => new T.ShiftedSOSPTransform(a[0] as Tensor, a[1] as Tensor, { slope: num(k.slope) }),
};

const CASES = [
  'transform_MonotonicRQS_K8',
  'transform_CircularRQS_K8',
  'transform_Monotonic_cubic',
  'transform_Bernstein_M11',
  'transform_BoundedBernstein_17',
  'transform_Gaussianization_K8',
  'transform_UnconstrainedMonotonic_gauss_bump',
  'transform_SOSPolynomial_K3_L4',
  'transform_ShiftedSOSP',
];

function build(c: TransformCase): T.Transform {
  const make = BUILD[c.spec.class];
  if (make === undefined) throw new Error(`no builder for ${c.spec.class}`);
  const kwargs: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(c.spec.kwargs ?? {})) kwargs[key] = arg(v);
  return make((c.spec.args ?? []).map(arg), kwargs);
}

describe("zuko 1.6.0 reference cases (each case's own tolerance)", () => {
  for (const name of CASES) {
    it(name, () => {
      const c = loadCase(name);
      const t = build(c);
      const ex = c.expected;
      expect(t.domain.eventDim).toBe(ex.event_dim);
      const ratios: Record<string, number> = {};
      const check = (key: string, actual: Tensor): void => {
        ratios[key] = toleranceRatio(actual, ex[key] as CaseTensor, tolOf(c, key));
      };
      const x = toTensor(c.inputs.x as CaseTensor);
      const [y, ladj] = t.callAndLadj(x);
      check('y', y);
      check('ladj', ladj);
      const yExp = toTensor(ex.y as CaseTensor);
      const xRec = t.inv.call(yExp);
      check('x_rec', xRec);
      check('inv_ladj', t.inv.logAbsDetJacobian(yExp, xRec));
      if (ex.x_extra !== undefined) check('x_extra', t.inv.call(toTensor(c.inputs.y_extra as CaseTensor)));
      for (const [key, v] of Object.entries((ex.derived as Record<string, CaseTensor>) ?? {})) {
        const mine = (t as unknown as Record<string, unknown>)[key];
        if (mine !== undefined && typeof mine === 'object' && mine !== null && 'dataSync' in mine) {
          ratios[`derived.${key}`] = toleranceRatio(mine as Tensor, v, tolOf(c, key));
        }
      }
      console.log(
        `${name}: ${Object.entries(ratios)
          .map(([k, r]) => `${k} ${r.toExponential(2)}`)
          .join(', ')}`,
      );
      for (const [key, r] of Object.entries(ratios)) expect(r, key).toBeLessThanOrEqual(1);
    });
  }
});
