import { engineName, gpuBackend } from '@eddy/backend-gpu';
import { type UnaryOp, special, tensor } from '@eddy/core';
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

/** Runs one unary kernel of the gpu backend on float32 inputs. */
function run(op: UnaryOp, xs: number[]): Float32Array {
  const x = tensor(Float32Array.from(xs), { dtype: 'float32', backend: gpuBackend });
  const y = gpuBackend.unary(op, x, 'float32') as tf.Tensor;
  const out = y.dataSync() as Float32Array;
  y.dispose();
  x.dispose();
  return out;
}

/** Worst error in float32 ulps of the reference (plus `atol` for values near zero). */
function worst(op: UnaryOp, xs: number[], ref: (v: number) => number, atol: number): { ulps: number; at: number } {
  const got = run(op, xs);
  let ulps = 0;
  let at = Number.NaN;
  xs.forEach((v, i) => {
    const x32 = Math.fround(v);
    const e = ref(x32);
    const a = got[i] as number;
    if (!Number.isFinite(e)) {
      expect(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)), `${op}(${x32}) = ${a}, expected ${e}`).toBe(true);
      return;
    }
    const ulp = Math.max(Math.abs(e) * 2 ** -23, 2 ** -149);
    const u = Math.max(0, Math.abs(a - e) - atol) / ulp;
    if (u > ulps) {
      ulps = u;
      at = x32;
    }
  });
  return { ulps, at };
}

const grid = (lo: number, hi: number, n: number): number[] => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

/**
 * Allowed ulps are measured on the pure-JS engine (each op computed in float64, rounded
 * once); native engines compute every op in float32, so their budget is 4× larger.
 */
const SLACK = engineName() === 'tfjs-cpu' ? 1 : 4;

describe(`special functions on the device (float32) match core special (float64), engine ${engineName()}`, () => {
  const cases: Array<[UnaryOp, number[], (v: number) => number, number, number]> = [
    // op, inputs, reference, atol, max ulps
    ['erf', [...grid(-6, 6, 2001), 1e-30, -1e-20, 1e-6, 0.7499, 0.75, 0.7501, Number.NaN, Infinity, -Infinity], special.erf, 0, 2],
    ['erfc', [...grid(-6, 10, 2001), 0, 0.75, Number.NaN, Infinity, -Infinity], special.erfc, 0, 6],
    ['erfinv', [...grid(-0.999999, 0.999999, 2001), 1e-30, 0.5, 1 - 2 ** -24, -1, 1, 1.5, Number.NaN], special.erfinv, 0, 4],
    ['lgamma', [...grid(0.01, 40, 1500), 1, 2, 1e-20, 1e5, 0, Infinity, Number.NaN], special.lgamma, 0, 6],
    // Next to the zeros of ln|Γ| at negative x only the absolute error is controlled (as in core).
    ['lgamma', [...grid(-9.9, -0.1, 500), -3, -Infinity], special.lgamma, 4e-6, 6],
    ['digamma', [...grid(0.01, 40, 1500), ...grid(-9.9, -0.1, 500), 1e5, -3, Infinity, -Infinity, Number.NaN], special.digamma, 2e-6, 6],
  ];
  for (const [op, xs, ref, atol, maxUlps] of cases) {
    it(`${op}: within ${maxUlps * SLACK} ulps${atol > 0 ? ` + ${atol} absolute` : ''}, special values exact`, () => {
      const { ulps, at } = worst(op, xs, ref, atol);
      console.info(`${op}: worst ${ulps.toFixed(2)} ulps at ${at}`);
      expect(ulps, `${op} worst at ${at}`).toBeLessThanOrEqual(maxUlps * SLACK);
    });
  }

  it('softplus and logsigmoid stay accurate in both tails', () => {
    const xs = [-100, -30, -20.5, -1, 0, 1, 19.9, 20.1, 50, 100];
    const sp = run('softplus', xs);
    const ls = run('logsigmoid', xs);
    xs.forEach((v0, i) => {
      const v = Math.fround(v0);
      // A few ulps, or half the float32 subnormal spacing (softplus(-100) ≈ 3.7e-44).
      const tol = (e: number): number => Math.abs(e) * 2 ** -21 + 2 ** -150;
      const e = v > 20 ? v : Math.log1p(Math.exp(v));
      expect(Math.abs((sp[i] as number) - e), `softplus(${v})`).toBeLessThanOrEqual(tol(e));
      const l = v >= 0 ? -Math.log1p(Math.exp(-v)) : v - Math.log1p(Math.exp(v));
      expect(Math.abs((ls[i] as number) - l), `logsigmoid(${v})`).toBeLessThanOrEqual(tol(l));
    });
  });
});
