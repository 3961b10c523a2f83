import {
  Adam,
  type Backend,
  type FloatDType,
  type FusedActivation,
  type MlpLayer,
  Parameter,
  type Tensor,
  diagNormalLogProb,
  fusedLinear,
  fusedMLP,
  getBackend,
  gradients,
  monotonicAffineMap,
  mul,
  noGrad,
  rationalQuadraticSpline,
  setBackend,
  sum,
  tensor,
  withComposedOps,
} from '@eddy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostValues } from './host-values.js';

/**
 * Options of {@link fusedOpsSuite}.
 *
 * @example
 * ```ts
 * const o: FusedSuiteOptions = { dtypes: ['float64', 'float32'], label: 'native' };
 * ```
 */
export interface FusedSuiteOptions {
  /** Float dtypes to test. */
  dtypes: readonly FloatDType[];
  /** Shown in the suite's name (e.g. which kernels run). */
  label?: string;
  /** Relative tolerance of values per dtype (gradients get 10×). */
  rtol?: Partial<Record<FloatDType, number>>;
}

const DEFAULT_RTOL: Record<FloatDType, number> = { float64: 1e-10, float32: 2e-4 };

function values(shape: number[], seed: number, dtype: FloatDType, lo = -2, hi = 2): Tensor {
  const n = shape.reduce((p, q) => p * q, 1);
  return tensor(hostValues(n, seed, lo, hi), { shape, dtype });
}

function close(a: Tensor, b: Tensor, rtol: number, what: string): void {
  expect(a.shape, `${what}: shape`).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let scale = 0;
  for (let i = 0; i < y.length; i++) scale = Math.max(scale, Math.abs(y[i] as number));
  for (let i = 0; i < y.length; i++) {
    const tol = rtol * Math.max(1, scale);
    if (!(Math.abs((x[i] as number) - (y[i] as number)) <= tol)) {
      throw new Error(`${what}[${i}]: fused ${x[i]}, composed ${y[i]} (tolerance ${tol})`);
    }
  }
}

/**
 * Runs `f` on fresh leaves made from `inputs` (fused kernels on), and again composed from
 * primitives ({@link withComposedOps}); compares every output and the gradients of a
 * random projection of the outputs with respect to every input.
 */
function compareFusedAndComposed(what: string, inputs: Tensor[], f: (...xs: Tensor[]) => Tensor[], rtol: number, seed: number): void {
  const run = (): { outs: Tensor[]; grads: Tensor[] } => {
    const leaves = inputs.map((t) => t.requireGrad());
    const outs = f(...leaves);
    let loss: Tensor | undefined;
    for (const [i, o] of outs.entries()) {
      const term = sum(mul(o, values([...o.shape], seed + 31 * i, o.dtype as FloatDType)));
      loss = loss === undefined ? term : loss.add(term);
    }
    return { outs: outs.map((o) => o.detach()), grads: gradients(loss as Tensor, leaves) };
  };
  const fused = run();
  const composed = withComposedOps(run);
  for (const [i, o] of fused.outs.entries()) close(o, composed.outs[i] as Tensor, rtol, `${what} output ${i}`);
  for (const [i, g] of fused.grads.entries()) close(g, composed.grads[i] as Tensor, rtol * 10, `${what} gradient ${i}`);
}

/**
 * The fused ops of core ({@link fusedLinear}, {@link rationalQuadraticSpline},
 * {@link monotonicAffineMap}, {@link diagNormalLogProb}) against their composed fallback
 * on one backend: values and gradients, float32 and float64, odd shapes, several input
 * blocks, broadcast parameters, inputs outside the spline's range, both directions.
 *
 * @example
 * ```ts
 * fusedOpsSuite(cpuBackend, { dtypes: ['float64', 'float32'] });
 * ```
 */
export function fusedOpsSuite(backend: Backend, options: FusedSuiteOptions): void {
  describe(`fused ops on ${backend.name}${options.label ? ` (${options.label})` : ''}`, () => {
    let previous: string;
    beforeAll(() => {
      previous = getBackend().name;
      setBackend(backend.name);
    });
    afterAll(() => {
      setBackend(previous);
    });
    for (const dtype of options.dtypes) {
      describe(dtype, () => {
        fusedOpsTests({ dtype, rtol: options.rtol?.[dtype] ?? DEFAULT_RTOL[dtype] });
      });
    }
  });
}

/**
 * The body of {@link fusedOpsSuite} for one dtype, for {@link describeBackends} (which
 * passes the configuration's dtype; the tolerance is this suite's own, per dtype, unless
 * `rtol` is given).
 *
 * @example
 * ```ts
 * describeBackends('fused ops', (ctx) => fusedOpsTests({ dtype: ctx.dtype }));
 * ```
 */
export function fusedOpsTests(ctx: { dtype: FloatDType; rtol?: number }): void {
  const { dtype } = ctx;
  const rtol = ctx.rtol ?? DEFAULT_RTOL[dtype];
  it('fusedLinear: one block, several blocks, leading axes, bias or not, ReLU or not', () => {
    const acts: FusedActivation[] = ['none', 'relu'];
    for (const act of acts) {
      compareFusedAndComposed(
        `linear ${act}`,
        [values([7, 5], 1, dtype), values([9, 5], 2, dtype), values([9], 3, dtype)],
        (x, w, b) => [fusedLinear(x as Tensor, w as Tensor, b as Tensor, act)],
        rtol,
        4,
      );
      compareFusedAndComposed(
        `linear blocks ${act}`,
        [values([3, 4, 2], 5, dtype), values([3, 4, 1], 6, dtype), values([3, 4, 3], 7, dtype), values([6, 6], 8, dtype)],
        (a, b, c, w) => [fusedLinear([a as Tensor, b as Tensor, c as Tensor], w as Tensor, null, act)],
        rtol,
        9,
      );
    }
  });
  it('fusedLinear: second-order gradients (composed backward under createGraph)', () => {
    const run = (): Tensor => {
      const x = values([4, 3], 11, dtype).requireGrad();
      const w = values([2, 3], 12, dtype).requireGrad();
      const y = fusedLinear(x, w, null, 'none');
      const [gx] = gradients(sum(mul(y, y)), [x], { createGraph: true });
      return gradients(sum(mul(gx as Tensor, gx as Tensor)), [w])[0] as Tensor;
    };
    close(run(), withComposedOps(run), rtol * 10, 'second-order gradient');
  });
  it('fusedMLP: the one-call forward equals the layer chain bit for bit, and gradients flow through the chain', () => {
    const layers = (): MlpLayer[] => [
      { weight: values([13, 5], 61, dtype), bias: values([13], 62, dtype), activation: 'relu' },
      { weight: values([7, 13], 63, dtype), bias: null, activation: 'relu' },
      { weight: values([4, 7], 64, dtype), bias: values([4], 65, dtype), activation: 'none' },
    ];
    const ls = layers();
    const x = [values([3, 9, 2], 66, dtype), values([3, 9, 3], 67, dtype)];
    const one = noGrad(() => fusedMLP(x, ls));
    const chain = noGrad(() => ls.reduce<Tensor | Tensor[]>((v, l) => fusedLinear(v, l.weight, l.bias, l.activation), x) as Tensor);
    expect(one.shape).toEqual([3, 9, 4]);
    expect(Array.from(one.dataSync())).toEqual(Array.from(chain.dataSync()));
    close(
      one,
      withComposedOps(() => noGrad(() => fusedMLP(x, ls))),
      rtol,
      'fusedMLP vs composed',
    );
    compareFusedAndComposed(
      'fusedMLP with gradients',
      [values([6, 5], 68, dtype), values([13, 5], 61, dtype), values([7, 13], 63, dtype), values([4, 7], 64, dtype)],
      (xx, w1, w2, w3) => [
        fusedMLP(xx as Tensor, [
          { weight: w1 as Tensor, bias: null, activation: 'relu' },
          { weight: w2 as Tensor, bias: null, activation: 'relu' },
          { weight: w3 as Tensor, bias: null, activation: 'none' },
        ]),
      ],
      rtol,
      69,
    );
  });
  it('Adam: the fused step equals the composed one (L2 and decoupled weight decay)', () => {
    for (const [weightDecay, decoupled] of [
      [0, false],
      [0.01, false],
      [0.1, true],
    ] as const) {
      const run = (): Tensor => {
        const p = new Parameter(values([5, 3], 71, dtype));
        const opt = new Adam([p], { lr: 0.05, weightDecay, decoupled });
        for (let i = 0; i < 6; i++) opt.step([values([5, 3], 72 + i, dtype)]);
        return p.detach();
      };
      close(run(), withComposedOps(run), rtol, `Adam wd=${weightDecay} decoupled=${decoupled}`);
    }
  });
  for (const inverse of [false, true]) {
    it(`rationalQuadraticSpline${inverse ? ' (inverse)' : ''}: per-element and broadcast parameters, inside and outside the bound`, () => {
      const opts = { bound: 5, slope: 1e-3, inverse };
      const spline = (x: Tensor, p: Tensor): Tensor[] => rationalQuadraticSpline(x, p, opts);
      // [label, x, parameters, which outputs (both, value only, ladj only), seed]
      const cases: [string, Tensor, Tensor, (out: Tensor[]) => Tensor[], number][] = [
        ['rqs', values([13, 3], 21, dtype, -7, 7), values([13, 3, 23], 22, dtype, -3, 3), (out) => out, 23],
        ['rqs broadcast', values([6, 3], 24, dtype, -6, 6), values([3, 14], 25, dtype), (out) => out, 26],
        ['rqs value only', values([5, 2], 27, dtype, -4, 4), values([5, 2, 8], 28, dtype), (out) => [out[0] as Tensor], 29],
        ['rqs ladj only', values([5, 2], 30, dtype, -4, 4), values([5, 2, 8], 31, dtype), (out) => [out[1] as Tensor], 32],
      ];
      for (const [label, x, p, pick, seed] of cases) {
        compareFusedAndComposed(`${label} ${inverse}`, [x, p], (xx, pp) => pick(spline(xx as Tensor, pp as Tensor)), rtol, seed);
      }
    });
    it(`monotonicAffineMap${inverse ? ' (inverse)' : ''}: per-element and broadcast parameters`, () => {
      compareFusedAndComposed(
        `affine ${inverse}`,
        [values([11, 4], 41, dtype, -3, 3), values([11, 4, 2], 42, dtype, -4, 4)],
        (x, p) => monotonicAffineMap(x as Tensor, p as Tensor, { inverse }),
        rtol,
        43,
      );
      compareFusedAndComposed(
        `affine broadcast ${inverse}`,
        [values([5, 4], 44, dtype), values([4, 2], 45, dtype)],
        (x, p) => monotonicAffineMap(x as Tensor, p as Tensor, { inverse }),
        rtol,
        46,
      );
    });
  }
  it('diagNormalLogProb: fixed loc/scale (fused) and trainable ones (composed)', () => {
    const loc = values([5], 51, dtype);
    const scale = values([5], 52, dtype, 0.3, 2);
    compareFusedAndComposed('normal', [values([9, 5], 53, dtype, -3, 3)], (z) => [diagNormalLogProb(z as Tensor, loc, scale)], rtol, 54);
    compareFusedAndComposed(
      'normal trainable',
      [values([2, 3, 5], 55, dtype), values([5], 56, dtype), values([5], 57, dtype, 0.5, 2)],
      (z, l, s) => [diagNormalLogProb(z as Tensor, l as Tensor, s as Tensor)],
      rtol,
      58,
    );
  });
}
