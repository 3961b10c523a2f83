import { type Tensor, exp, square } from '@eddy/core';
import * as D from '@eddy/distributions';
import * as T from '@eddy/transforms';
import { isCaseTensor, toTensor } from './case.js';

/** A function a case names: `f(x)` (monotonic transforms) or an ODE system `f(t, x)`. */
export type CaseFunction = ((x: Tensor) => Tensor) | T.OdeFunction;

/** A built object: a transform, a distribution, or a plain value. */
export type Built = T.Transform | D.Distribution | Tensor | number | CaseFunction;

type Args = Built[];
type Kwargs = Record<string, Built>;
type Builder = (args: Args, kwargs: Kwargs) => Built;

/** Raised for a spec this runner cannot build (reported as a failure, never silently). */
export class UnsupportedSpecError extends Error {
  override name = 'UnsupportedSpecError';
}

/** The functions that case specs name (`{"function": name}`), with their formulas. */
const FUNCTIONS: Record<string, CaseFunction> = {
  // f(x) = x**3 + x
  cubic_plus_linear: (x: Tensor) => x.pow(3).add(x),
  // g(x) = exp(-x**2) + 0.01
  gauss_bump: (x: Tensor) => exp(square(x).neg()).add(0.01),
  // dx/dt = t·x (an ODE system for FreeFormJacobianTransform: x(t1) = x(t0)·exp((t1² − t0²)/2))
  time_linear: (t: Tensor, x: Tensor) => x.mul(t),
};

const num = (v: Built | undefined, name: string): number => {
  if (typeof v === 'number') return v;
  if (v !== undefined && typeof v === 'object' && 'size' in v && (v as Tensor).size === 1) return (v as Tensor).item();
  throw new UnsupportedSpecError(`${name} must be a number`);
};
// zuko's tensor arguments also take Python numbers (torch.as_tensor): a number becomes a
// 0-d tensor of the run's float dtype (toTensor decodes case floats to it).
const ten = (v: Built | undefined, name: string): Tensor => {
  if (v !== undefined && typeof v === 'object' && 'shape' in v && 'dtype' in v) return v as Tensor;
  if (typeof v === 'number') return toTensor({ dtype: 'float64', shape: [], data: v });
  throw new UnsupportedSpecError(`${name} must be a tensor or a number`);
};
const optTen = (v: Built | undefined, name: string): Tensor | undefined => (v === undefined ? undefined : ten(v, name));
const tr = (v: Built | undefined, name: string): T.Transform => {
  if (v instanceof T.Transform) return v;
  throw new UnsupportedSpecError(`${name} must be a transform`);
};
const dist = (v: Built | undefined, name: string): D.Distribution => {
  if (v instanceof D.Distribution) return v;
  throw new UnsupportedSpecError(`${name} must be a distribution`);
};
const fn = (v: Built | undefined, name: string): ((x: Tensor) => Tensor) => {
  if (typeof v === 'function' && v.length === 1) return v as (x: Tensor) => Tensor;
  throw new UnsupportedSpecError(`${name} must be a function of x`);
};
const ode = (v: Built | undefined, name: string): T.OdeFunction => {
  if (typeof v === 'function' && v.length === 2) return v as T.OdeFunction;
  throw new UnsupportedSpecError(`${name} must be an ODE system f(t, x)`);
};
/** A time bound: a number stays a number, a tensor stays a tensor (zuko: `float | Tensor`). */
const time = (v: Built | undefined, name: string): number | Tensor | undefined => (v === undefined || typeof v === 'number' ? v : ten(v, name));
const flag = (v: Built | undefined): boolean | undefined => (v === undefined ? undefined : num(v, 'flag') !== 0);
const opt = (v: Built | undefined): number | undefined => (v === undefined ? undefined : num(v, 'option'));

/**
 * zuko / PyTorch class path → Eddy constructor. Explicit, so every mapping is checked by
 * the compiler; a class missing here is reported as a failure of its case.
 */
export const BUILDERS: Record<string, Builder> = {
  // zuko.transforms
  'zuko.transforms.IdentityTransform': () => new T.IdentityTransform(),
  'zuko.transforms.CosTransform': () => new T.CosTransform(),
  'zuko.transforms.SinTransform': () => new T.SinTransform(),
  'zuko.transforms.SoftclipTransform': (a, k) => new T.SoftclipTransform(opt(k.bound ?? a[0])),
  'zuko.transforms.CircularShiftTransform': (a, k) => new T.CircularShiftTransform(opt(k.bound ?? a[0])),
  'zuko.transforms.SignedPowerTransform': (a, k) => new T.SignedPowerTransform(ten(k.alpha ?? a[0], 'alpha')),
  'zuko.transforms.AdditiveTransform': (a, k) => new T.AdditiveTransform(ten(k.shift ?? a[0], 'shift')),
  'zuko.transforms.MonotonicAffineTransform': (a, k) =>
    new T.MonotonicAffineTransform(ten(k.shift ?? a[0], 'shift'), ten(k.scale ?? a[1], 'scale'), opt(k.slope ?? a[2])),
  'zuko.transforms.PermutationTransform': (a, k) => new T.PermutationTransform(ten(k.order ?? a[0], 'order')),
  'zuko.transforms.RotationTransform': (a, k) => new T.RotationTransform(ten(k.A ?? a[0], 'A')),
  'zuko.transforms.LULinearTransform': (a, k) => new T.LULinearTransform(ten(k.LU ?? a[0], 'LU')),
  'zuko.transforms.DependentTransform': (a, k) => new T.DependentTransform(tr(k.base ?? a[0], 'base'), num(k.reinterpreted ?? a[1], 'reinterpreted')),
  'zuko.transforms.ComposedTransform': (a) => new T.ComposedTransform(a.map((t, i) => tr(t, `transforms[${i}]`))),
  'zuko.transforms.MonotonicRQSTransform': (a, k) =>
    new T.MonotonicRQSTransform(ten(k.widths ?? a[0], 'widths'), ten(k.heights ?? a[1], 'heights'), ten(k.derivatives ?? a[2], 'derivatives'), {
      bound: opt(k.bound ?? a[3]),
      slope: opt(k.slope ?? a[4]),
    }),
  'zuko.flows.spline.CircularRQSTransform': (a, k) =>
    new T.CircularRQSTransform(ten(k.widths ?? a[0], 'widths'), ten(k.heights ?? a[1], 'heights'), ten(k.derivatives ?? a[2], 'derivatives'), {
      slope: opt(k.slope ?? a[3]),
    }),
  'zuko.transforms.MonotonicTransform': (a, k) => new T.MonotonicTransform(fn(k.f ?? a[0], 'f'), { bound: opt(k.bound ?? a[2]), eps: opt(k.eps ?? a[3]) }),
  'zuko.transforms.BernsteinTransform': (a, k) => new T.BernsteinTransform(ten(k.theta ?? a[0], 'theta'), { bound: opt(k.bound ?? a[1]) }),
  'zuko.transforms.BoundedBernsteinTransform': (a, k) => new T.BoundedBernsteinTransform(ten(k.theta ?? a[0], 'theta'), { bound: opt(k.bound ?? a[1]) }),
  'zuko.transforms.GaussianizationTransform': (a, k) => new T.GaussianizationTransform(ten(k.shift ?? a[0], 'shift'), ten(k.scale ?? a[1], 'scale')),
  'zuko.transforms.UnconstrainedMonotonicTransform': (a, k) => new T.UnconstrainedMonotonicTransform(fn(k.g ?? a[0], 'g'), { n: opt(k.n ?? a[2]) }),
  'zuko.transforms.SOSPolynomialTransform': (a, k) => new T.SOSPolynomialTransform(ten(k.a ?? a[0], 'a'), { slope: opt(k.slope ?? a[1]) }),
  'zuko.flows.polynomial.ShiftedSOSPTransform': (a, k) =>
    new T.ShiftedSOSPTransform(ten(k.a ?? a[0], 'a'), ten(k.constant ?? a[1], 'constant'), { slope: opt(k.slope ?? a[2]) }),
  // t0, t1: `float | Tensor` in zuko; phi (the parameters of f) has no meaning for a named function.
  'zuko.transforms.FreeFormJacobianTransform': (a, k) =>
    new T.FreeFormJacobianTransform(ode(k.f ?? a[0], 'f'), time(k.t0 ?? a[1], 't0'), time(k.t1 ?? a[2], 't1'), [], {
      atol: opt(k.atol ?? a[4]),
      rtol: opt(k.rtol ?? a[5]),
      exact: flag(k.exact ?? a[6]),
    }),
  // torch.distributions.transforms (zuko builds on them)
  'torch.distributions.transforms.ExpTransform': () => new T.ExpTransform(),
  'torch.distributions.transforms.SigmoidTransform': () => new T.SigmoidTransform(),
  'torch.distributions.transforms.TanhTransform': () => new T.TanhTransform(),
  'torch.distributions.transforms.SoftplusTransform': () => new T.SoftplusTransform(),
  'torch.distributions.transforms.PowerTransform': (a, k) => new T.PowerTransform(ten(k.exponent ?? a[0], 'exponent')),
  'torch.distributions.transforms.AffineTransform': (a, k) =>
    new T.AffineTransform(ten(k.loc ?? a[0], 'loc'), ten(k.scale ?? a[1], 'scale'), opt(k.event_dim ?? a[2])),
  'torch.distributions.transforms.IndependentTransform': (a, k) =>
    new T.IndependentTransform(tr(k.base_transform ?? a[0], 'base_transform'), num(k.reinterpreted_batch_ndims ?? a[1], 'reinterpreted_batch_ndims')),
  'torch.distributions.transforms._InverseTransform': (a, k) => tr(k.transform ?? a[0], 'transform').inv,
  // torch.distributions
  'torch.distributions.Normal': (a, k) => new D.Normal(ten(k.loc ?? a[0], 'loc'), ten(k.scale ?? a[1], 'scale')),
  'torch.distributions.Uniform': (a, k) => new D.Uniform(ten(k.low ?? a[0], 'low'), ten(k.high ?? a[1], 'high')),
  'torch.distributions.Laplace': (a, k) => new D.Laplace(ten(k.loc ?? a[0], 'loc'), ten(k.scale ?? a[1], 'scale')),
  'torch.distributions.Cauchy': (a, k) => new D.Cauchy(ten(k.loc ?? a[0], 'loc'), ten(k.scale ?? a[1], 'scale')),
  'torch.distributions.Exponential': (a, k) => new D.Exponential(ten(k.rate ?? a[0], 'rate')),
  'torch.distributions.Gamma': (a, k) => new D.Gamma(ten(k.concentration ?? a[0], 'concentration'), ten(k.rate ?? a[1], 'rate')),
  'torch.distributions.Beta': (a, k) => new D.Beta(ten(k.concentration1 ?? a[0], 'concentration1'), ten(k.concentration0 ?? a[1], 'concentration0')),
  'torch.distributions.StudentT': (a, k) => new D.StudentT(ten(k.df ?? a[0], 'df'), optTen(k.loc ?? a[1], 'loc'), optTen(k.scale ?? a[2], 'scale')),
  'torch.distributions.Categorical': (a, k) => {
    const probs = optTen(k.probs ?? a[0], 'probs');
    const logits = optTen(k.logits ?? a[1], 'logits');
    if ((probs === undefined) === (logits === undefined)) throw new UnsupportedSpecError('Categorical needs exactly one of probs and logits');
    return new D.Categorical(probs !== undefined ? { probs } : { logits: logits as Tensor });
  },
  // Eddy takes the Cholesky factor; covariance_matrix / precision_matrix are not accepted.
  'torch.distributions.MultivariateNormal': (a, k) => {
    for (const other of ['covariance_matrix', 'precision_matrix'])
      if (k[other] !== undefined) throw new UnsupportedSpecError(`MultivariateNormal: Eddy takes scale_tril, not ${other}`);
    return new D.MultivariateNormal(ten(k.loc ?? a[0], 'loc'), { scaleTril: ten(k.scale_tril ?? a[3], 'scale_tril') });
  },
  'torch.distributions.Independent': (a, k) =>
    new D.Independent(dist(k.base_distribution ?? a[0], 'base_distribution'), num(k.reinterpreted_batch_ndims ?? a[1], 'reinterpreted_batch_ndims')),
  // zuko.distributions
  'zuko.distributions.DiagNormal': (a, k) => new D.DiagNormal(ten(k.loc ?? a[0], 'loc'), ten(k.scale ?? a[1], 'scale'), { ndims: opt(k.ndims ?? a[2]) }),
  'zuko.distributions.BoxUniform': (a, k) => new D.BoxUniform(ten(k.lower ?? a[0], 'lower'), ten(k.upper ?? a[1], 'upper'), { ndims: opt(k.ndims ?? a[2]) }),
  'zuko.distributions.GeneralizedNormal': (a, k) => new D.GeneralizedNormal(ten(k.beta ?? a[0], 'beta')),
  'zuko.distributions.Joint': (a) => new D.Joint(...a.map((m, i) => dist(m, `marginals[${i}]`))),
  'zuko.distributions.Mixture': (a, k) => new D.Mixture(dist(k.base ?? a[0], 'base'), ten(k.logits ?? a[1], 'logits')),
  // lower, upper: `Tensor` in zuko (a number or a tensor broadcasting with the base's batch shape).
  'zuko.distributions.Truncated': (a, k) =>
    new D.Truncated(dist(k.base ?? a[0], 'base'), { lower: optTen(k.lower ?? a[1], 'lower'), upper: optTen(k.upper ?? a[2], 'upper') }),
  'zuko.distributions.Sort': (a, k) => new D.Sort(dist(k.base ?? a[0], 'base'), num(k.n ?? a[1], 'n'), { descending: flag(k.descending ?? a[2]) }),
  'zuko.distributions.TopK': (a, k) =>
    new D.TopK(dist(k.base ?? a[0], 'base'), num(k.k ?? a[1], 'k'), num(k.n ?? a[2], 'n'), { descending: flag(k.descending ?? a[3]) }),
  'zuko.distributions.Minimum': (a, k) => new D.Minimum(dist(k.base ?? a[0], 'base'), num(k.n ?? a[1], 'n')),
  'zuko.distributions.Maximum': (a, k) => new D.Maximum(dist(k.base ?? a[0], 'base'), num(k.n ?? a[1], 'n')),
  'zuko.distributions.TransformedUniform': (a, k) =>
    new D.TransformedUniform(tr(k.f ?? a[0], 'f'), ten(k.lower ?? a[1], 'lower'), ten(k.upper ?? a[2], 'upper')),
  'zuko.distributions.NormalizingFlow': (a, k) => new D.NormalizingFlow(tr(k.transform ?? a[0], 'transform'), dist(k.base ?? a[1], 'base')),
};

/**
 * The exported Eddy transform and distribution classes that no case spec can build, each
 * with the reason; every other exported class must have a {@link BUILDERS} entry (a test
 * checks both lists against the packages' exports).
 */
export const NOT_BUILT_FROM_SPECS: Readonly<Record<string, string>> = {
  Transform: 'abstract base class',
  ScalarTransform: 'abstract base class (Eddy-only)',
  ScalarFunctionTransform: 'Eddy-only: a scalar transform given by its functions (callables); the scalar transforms built on it have builders',
  Distribution: 'abstract base class',
  ScalarDistribution: 'abstract base class (Eddy-only)',
  LocationScale: 'abstract base class (Eddy-only)',
  InverseTransform: 'built as `.inv` of a transform (torch.distributions.transforms._InverseTransform)',
  AutoregressiveTransform: 'takes a callable meta(x) → transform, which a JSON spec cannot carry; the flow cases (MAF, NSF, NAF, ...) build it',
  CouplingTransform: 'takes a callable meta(x_a) → transform; the flow cases (NICE, RealNVP) build it',
};

/** Builds an object (or value) from a case spec, recursively. */
export function buildSpec(spec: unknown): Built {
  if (typeof spec === 'number') return spec;
  if (typeof spec === 'boolean') return spec ? 1 : 0;
  if (isCaseTensor(spec)) return toTensor(spec);
  if (typeof spec !== 'object' || spec === null) throw new UnsupportedSpecError(`cannot build ${JSON.stringify(spec)}`);
  const s = spec as Record<string, unknown>;
  if ('function' in s) {
    const f = FUNCTIONS[s.function as string];
    if (f === undefined) throw new UnsupportedSpecError(`unknown function ${String(s.function)}`);
    return f;
  }
  if ('expand' in s) {
    const inner = buildSpec(s.of);
    if (!(inner instanceof D.Distribution)) throw new UnsupportedSpecError('expand needs a distribution');
    return inner.expand(s.expand as number[]);
  }
  const cls = s.class as string;
  const builder = BUILDERS[cls];
  if (builder === undefined) throw new UnsupportedSpecError(`no Eddy class for ${cls}`);
  const args = ((s.args as unknown[]) ?? []).map(buildSpec);
  const kwargs: Kwargs = {};
  for (const [key, v] of Object.entries((s.kwargs as Record<string, unknown>) ?? {})) kwargs[key] = buildSpec(v);
  return builder(args, kwargs);
}
