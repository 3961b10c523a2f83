// The conformance runner builds what zuko's specs name the way zuko accepts it: every
// exported Eddy transform, distribution and flow class is reachable from a spec (or listed
// with the reason it cannot be), and tensor-valued arguments stay tensors. Expected values
// are closed forms written here, not values computed by the code under test.
import { type Tensor, randn, tensor } from '@eddy/core';
import {
  BUILDERS,
  type Case,
  FLOWS_NOT_BUILT,
  FLOW_CLASSES,
  NOT_BUILT_FROM_SPECS,
  UnsupportedSpecError,
  buildFlow,
  buildSpec,
  withCaseDType,
} from '@eddy/conformance';
import * as D from '@eddy/distributions';
import * as F from '@eddy/flows';
import * as T from '@eddy/transforms';
import { describe, expect, it } from 'vitest';

const f64 = (data: number[], shape = [data.length]) => ({ dtype: 'float64', shape, data });
const values = (t: Tensor) => Array.from(t.dataSync());
/** Exported classes of a module that extend `base` (aliases counted once, by class name). */
const classesOf = (mod: Record<string, unknown>, base: abstract new (...a: never[]) => unknown): string[] => [
  ...new Set(
    Object.values(mod)
      .filter((v): v is { name: string; prototype: object } => typeof v === 'function' && (v === base || v.prototype instanceof base))
      .map((v) => v.name),
  ),
];
const lastSegment = (path: string) => path.slice(path.lastIndexOf('.') + 1);

describe('every exported class is built from specs, or says why not', () => {
  const built = new Set(Object.keys(BUILDERS).map(lastSegment));
  it.each([
    ['@eddy/transforms', classesOf(T, T.Transform)],
    ['@eddy/distributions', classesOf(D, D.Distribution)],
  ])('%s', (_, names) => {
    expect(names.length).toBeGreaterThan(10);
    const missing = names.filter((n) => !built.has(n) && NOT_BUILT_FROM_SPECS[n] === undefined);
    expect(missing).toEqual([]);
  });
  it('the lists name real exports, and a class is either built or excused, not both', () => {
    const all = new Set([...classesOf(T, T.Transform), ...classesOf(D, D.Distribution)]);
    expect(Object.keys(NOT_BUILT_FROM_SPECS).filter((n) => !all.has(n))).toEqual([]);
    expect(Object.keys(NOT_BUILT_FROM_SPECS).filter((n) => built.has(n))).toEqual([]);
    const aliases = new Set(['_InverseTransform', 'IndependentTransform']);
    expect([...built].filter((n) => !all.has(n) && !aliases.has(n))).toEqual([]);
  });
  it('@eddy/flows: every flow and mixture class, CNF included', () => {
    const mapped = new Set(Object.values(FLOW_CLASSES).map((c) => c.name));
    const names = classesOf(F, F.LazyDistribution);
    expect(names).toContain('CNF');
    expect(names.filter((n) => !mapped.has(n) && FLOWS_NOT_BUILT[n] === undefined)).toEqual([]);
    expect(Object.keys(FLOWS_NOT_BUILT).filter((n) => mapped.has(n) || !names.includes(n))).toEqual([]);
    expect(FLOW_CLASSES['zuko.flows.CNF']).toBe(F.CNF);
  });
});

describe("zuko's tensor-valued arguments are read as tensors", () => {
  const uniform01 = { class: 'torch.distributions.Uniform', args: [0, 1] };
  it('Truncated: lower and upper tensors broadcast into the batch shape (zuko: Tensor bounds)', () => {
    const d = buildSpec({
      class: 'zuko.distributions.Truncated',
      args: [uniform01],
      kwargs: { lower: f64([0.2, 0.5]), upper: f64([0.6, 0.9]) },
    }) as D.Distribution;
    expect(d.batchShape).toEqual([2]);
    const lp = values(d.logProb(tensor([0.3, 0.7], { dtype: 'float64' })));
    expect(lp[0]).toBeCloseTo(-Math.log(0.4), 12);
    expect(lp[1]).toBeCloseTo(-Math.log(0.4), 12);
  });
  it('Truncated: number bounds still work and take the run dtype', () => {
    const d = withCaseDType('float32', () =>
      buildSpec({ class: 'zuko.distributions.Truncated', args: [uniform01], kwargs: { lower: 0.25, upper: 0.75 } }),
    ) as D.Truncated;
    expect(d.lower.dtype).toBe('float32');
    expect(values(d.logProb(tensor([0.5], { dtype: 'float32' })))[0]).toBeCloseTo(Math.log(2), 6);
  });
  it('DiagNormal and BoxUniform honour ndims (zuko: Independent(base, ndims))', () => {
    const n = buildSpec({
      class: 'zuko.distributions.DiagNormal',
      args: [f64([0, 0, 0, 0, 0, 0], [2, 3]), f64([1, 1, 1, 1, 1, 1], [2, 3])],
      kwargs: { ndims: 2 },
    }) as D.Distribution;
    expect(n.eventShape).toEqual([2, 3]);
    expect(n.batchShape).toEqual([]);
    expect(values(n.logProb(tensor(new Float64Array(6), { shape: [2, 3], dtype: 'float64' })))[0]).toBeCloseTo(-3 * Math.log(2 * Math.PI), 12);
    const b = buildSpec({ class: 'zuko.distributions.BoxUniform', args: [f64([0, 0], [1, 2]), f64([2, 4], [1, 2]), 2] }) as D.Distribution;
    expect(b.eventShape).toEqual([1, 2]);
    expect(values(b.logProb(tensor([[1, 1]], { dtype: 'float64' })))[0]).toBeCloseTo(-Math.log(8), 12);
  });
  it('a non-tensor where a tensor is needed is an error naming the argument', () => {
    expect(() => buildSpec({ class: 'zuko.transforms.AdditiveTransform', args: [{ class: 'zuko.transforms.SinTransform' }] })).toThrow(
      /shift must be a tensor or a number/,
    );
    expect(() => buildSpec({ class: 'zuko.transforms.AdditiveTransform', args: [{ class: 'zuko.transforms.SinTransform' }] })).toThrow(UnsupportedSpecError);
  });
});

describe('torch distributions and transforms zuko builds on', () => {
  const logProbAt = (spec: unknown, x: number[] | number) => values((buildSpec(spec) as D.Distribution).logProb(tensor(x, { dtype: 'float64' })))[0] as number;
  it('closed-form log-densities', () => {
    expect(logProbAt({ class: 'torch.distributions.Exponential', args: [2] }, 0.5)).toBeCloseTo(Math.log(2) - 1, 12);
    // Beta(2, 3) density 12 x (1 − x)²
    expect(logProbAt({ class: 'torch.distributions.Beta', args: [2, 3] }, 0.5)).toBeCloseTo(Math.log(12 * 0.5 * 0.25), 12);
    // Gamma(2, 1) density x e^{-x}
    expect(logProbAt({ class: 'torch.distributions.Gamma', kwargs: { concentration: 2, rate: 1 } }, 1.5)).toBeCloseTo(Math.log(1.5) - 1.5, 12);
    // StudentT(1) is Cauchy(0, 1): 1/π at 0
    expect(logProbAt({ class: 'torch.distributions.StudentT', args: [1] }, 0)).toBeCloseTo(-Math.log(Math.PI), 12);
    expect(logProbAt({ class: 'torch.distributions.Laplace', args: [1, 2] }, 3)).toBeCloseTo(-Math.log(4) - 1, 12);
    expect(logProbAt({ class: 'torch.distributions.Cauchy', args: [0, 1] }, 1)).toBeCloseTo(-Math.log(2 * Math.PI), 12);
    expect(logProbAt({ class: 'torch.distributions.Categorical', kwargs: { probs: f64([0.2, 0.8]) } }, 1)).toBeCloseTo(Math.log(0.8), 12);
    const eye = f64([1, 0, 0, 1], [2, 2]);
    expect(logProbAt({ class: 'torch.distributions.MultivariateNormal', args: [f64([0, 0])], kwargs: { scale_tril: eye } }, [0, 0])).toBeCloseTo(
      -Math.log(2 * Math.PI),
      12,
    );
    const ind = { class: 'torch.distributions.Independent', args: [{ class: 'torch.distributions.Normal', args: [f64([0, 0]), f64([1, 1])] }, 1] };
    expect(logProbAt(ind, [0, 0])).toBeCloseTo(-Math.log(2 * Math.PI), 12);
  });
  it('MultivariateNormal from a covariance matrix is refused by name, not misread', () => {
    expect(() =>
      buildSpec({ class: 'torch.distributions.MultivariateNormal', args: [f64([0, 0])], kwargs: { covariance_matrix: f64([1, 0, 0, 1], [2, 2]) } }),
    ).toThrow(/scale_tril, not covariance_matrix/);
  });
  it('transforms: affine, power, exp and an inverse', () => {
    const at = (spec: unknown, x: number) => {
      const [y, ladj] = (buildSpec(spec) as T.Transform).callAndLadj(tensor([x], { dtype: 'float64' }));
      return [values(y)[0], values(ladj)[0]];
    };
    const [ya, la] = at({ class: 'torch.distributions.transforms.AffineTransform', args: [1, 2] }, 3) as [number, number];
    expect(ya).toBeCloseTo(7, 12);
    expect(la).toBeCloseTo(Math.log(2), 12);
    const [yp, lp] = at({ class: 'torch.distributions.transforms.PowerTransform', args: [2] }, 3) as [number, number];
    expect(yp).toBeCloseTo(9, 12);
    expect(lp).toBeCloseTo(Math.log(6), 12);
    const inv = { class: 'torch.distributions.transforms._InverseTransform', args: [{ class: 'torch.distributions.transforms.ExpTransform' }] };
    const [yi, li] = at(inv, 2) as [number, number];
    expect(yi).toBeCloseTo(Math.log(2), 12);
    expect(li).toBeCloseTo(-Math.log(2), 12);
  });
});

describe('FreeFormJacobianTransform and CNF', () => {
  it('FFJ of dx/dt = t·x on [0, 1]: y = x·e^{1/2}, ladj = D/2 (exact trace)', () => {
    const t = buildSpec({
      class: 'zuko.transforms.FreeFormJacobianTransform',
      kwargs: { f: { function: 'time_linear' }, t0: 0, t1: 1, atol: 1e-9, rtol: 1e-9 },
    }) as T.Transform;
    const x = tensor([[0.5, -1, 2]], { dtype: 'float64' });
    const [y, ladj] = t.callAndLadj(x);
    const e = Math.exp(0.5);
    const ys = values(y);
    expect(ys.length).toBe(3);
    for (const [i, x0] of [0.5, -1, 2].entries()) expect(ys[i]).toBeCloseTo(x0 * e, 6);
    expect(values(ladj)[0]).toBeCloseTo(1.5, 6);
  });
  it('an f(x) where an ODE f(t, x) is needed is refused', () => {
    expect(() => buildSpec({ class: 'zuko.transforms.FreeFormJacobianTransform', args: [{ function: 'gauss_bump' }] })).toThrow(/ODE system f\(t, x\)/);
  });
  it("CNF builds from zuko's keyword arguments and loads a state dict by zuko's names", () => {
    // zuko 1.6.0 FFJTransform: ode = MLP(features + context + 2·freqs → features), ELU,
    // buffers times = (0, 1) and freqs = π·(1..freqs); CNF adds the DiagNormal base buffers.
    const [features, hidden, freqs] = [2, 8, 3];
    const params: Record<string, { dtype: 'float64'; shape: number[]; data: unknown; kind: 'parameter' | 'buffer' }> = {};
    const add = (name: string, t: Tensor, kind: 'parameter' | 'buffer' = 'parameter') => {
      params[name] = { dtype: 'float64', shape: t.shape.slice(), data: values(t), kind };
    };
    add('transform.ode.0.weight', randn([hidden, features + 2 * freqs], { seed: 1, dtype: 'float64' }).mul(0.3));
    add('transform.ode.0.bias', randn([hidden], { seed: 2, dtype: 'float64' }).mul(0.3));
    add('transform.ode.2.weight', randn([features, hidden], { seed: 3, dtype: 'float64' }).mul(0.3));
    add('transform.ode.2.bias', randn([features], { seed: 4, dtype: 'float64' }).mul(0.3));
    add('transform.times', tensor([0, 1], { dtype: 'float64' }), 'buffer');
    add(
      'transform.freqs',
      tensor(
        [1, 2, 3].map((k) => k * Math.PI),
        { dtype: 'float64' },
      ),
      'buffer',
    );
    add('base.loc', tensor([0, 0], { dtype: 'float64' }), 'buffer');
    add('base.scale', tensor([1, 1], { dtype: 'float64' }), 'buffer');
    const c = {
      name: 'cnf',
      kind: 'flow',
      spec: { class: 'zuko.flows.CNF', kwargs: { features, context: 0, freqs, hidden_features: [hidden], atol: 1e-8, rtol: 1e-8 } },
      params,
      inputs: {},
      expected: {},
      tolerance: { default: { rtol: 0, atol: 0 } },
    } as unknown as Case;
    const flow = buildFlow(c);
    expect(flow).toBeInstanceOf(F.CNF);
    expect(Object.keys(flow.stateDict()).sort()).toEqual(Object.keys(params).sort());
    expect(values(flow.stateDict()['transform.ode.2.bias'] as Tensor)).toEqual(params['transform.ode.2.bias']?.data);
    // The loaded weights are the ones used: a zero ODE would make log p the base's.
    const x = tensor([[0.3, -0.4]], { dtype: 'float64' });
    const base = -Math.log(2 * Math.PI) - (0.3 ** 2 + 0.4 ** 2) / 2;
    expect(Math.abs((values(flow.call().logProb(x))[0] as number) - base)).toBeGreaterThan(1e-3);
  });
});
