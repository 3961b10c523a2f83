import { type Tensor, exp, square } from '@eddy/core';
import * as D from '@eddy/distributions';
import * as T from '@eddy/transforms';
import { isCaseTensor, toTensor } from './case.js';

/** A built object: a transform, a distribution, or a plain value. */
export type Built = T.Transform | D.Distribution | Tensor | number | ((x: Tensor) => Tensor);

type Args = Built[];
type Kwargs = Record<string, Built>;
type Builder = (args: Args, kwargs: Kwargs) => Built;

/** Raised for a spec this runner cannot build (reported as a failure, never silently). */
export class UnsupportedSpecError extends Error {
  override name = 'UnsupportedSpecError';
}

/** The functions that case specs name, with the formulas the cases state. */
const FUNCTIONS: Record<string, (x: Tensor) => Tensor> = {
  // f(x) = x**3 + x
  cubic_plus_linear: (x) => x.pow(3).add(x),
  // g(x) = exp(-x**2) + 0.01
  gauss_bump: (x) => exp(square(x).neg()).add(0.01),
};

const num = (v: Built | undefined, name: string): number => {
  if (typeof v === 'number') return v;
  if (v !== undefined && typeof v === 'object' && 'size' in v && (v as Tensor).size === 1) return (v as Tensor).item();
  throw new UnsupportedSpecError(`${name} must be a number`);
};
const ten = (v: Built | undefined, name: string): Tensor => {
  if (v !== undefined && typeof v === 'object' && 'shape' in v && 'dtype' in v) return v as Tensor;
  if (typeof v === 'number') return toTensor({ dtype: 'float64', shape: [], data: v });
  throw new UnsupportedSpecError(`${name} must be a tensor`);
};
const tr = (v: Built | undefined, name: string): T.Transform => {
  if (v instanceof T.Transform) return v;
  throw new UnsupportedSpecError(`${name} must be a transform`);
};
const dist = (v: Built | undefined, name: string): D.Distribution => {
  if (v instanceof D.Distribution) return v;
  throw new UnsupportedSpecError(`${name} must be a distribution`);
};
const fn = (v: Built | undefined, name: string): ((x: Tensor) => Tensor) => {
  if (typeof v === 'function') return v;
  throw new UnsupportedSpecError(`${name} must be a function`);
};
const flag = (v: Built | undefined): boolean | undefined => (v === undefined ? undefined : num(v, 'flag') !== 0);
const opt = (v: Built | undefined): number | undefined => (v === undefined ? undefined : num(v, 'option'));
const optTensor = (v: Built | undefined): Tensor | undefined =>
  v === undefined ? undefined : toTensor({ dtype: 'float64', shape: [], data: num(v, 'option') });

/**
 * zuko / PyTorch class path → Eddy constructor. Explicit, so every mapping is checked by
 * the compiler; a class missing here is reported as a failure of its case.
 */
export const BUILDERS: Record<string, Builder> = {
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
    new T.MonotonicRQSTransform(ten(a[0], 'widths'), ten(a[1], 'heights'), ten(a[2], 'derivatives'), {
      bound: opt(k.bound),
      slope: opt(k.slope),
    }),
  'zuko.flows.spline.CircularRQSTransform': (a, k) =>
    new T.CircularRQSTransform(ten(a[0], 'widths'), ten(a[1], 'heights'), ten(a[2], 'derivatives'), { slope: opt(k.slope) }),
  'zuko.transforms.MonotonicTransform': (a, k) =>
    new T.MonotonicTransform(fn(k.f ?? a[0], 'f'), { bound: opt(k.bound), eps: opt(k.eps) }),
  'zuko.transforms.BernsteinTransform': (a, k) => new T.BernsteinTransform(ten(k.theta ?? a[0], 'theta'), { bound: opt(k.bound) }),
  'zuko.transforms.BoundedBernsteinTransform': (a, k) =>
    new T.BoundedBernsteinTransform(ten(k.theta ?? a[0], 'theta'), { bound: opt(k.bound) }),
  'zuko.transforms.GaussianizationTransform': (a, k) =>
    new T.GaussianizationTransform(ten(k.shift ?? a[0], 'shift'), ten(k.scale ?? a[1], 'scale')),
  'zuko.transforms.UnconstrainedMonotonicTransform': (a, k) =>
    new T.UnconstrainedMonotonicTransform(fn(k.g ?? a[0], 'g'), { n: opt(k.n) }),
  'zuko.transforms.SOSPolynomialTransform': (a, k) => new T.SOSPolynomialTransform(ten(k.a ?? a[0], 'a'), { slope: opt(k.slope) }),
  'zuko.flows.polynomial.ShiftedSOSPTransform': (a, k) =>
    new T.ShiftedSOSPTransform(ten(k.a ?? a[0], 'a'), ten(k.constant ?? a[1], 'constant'), { slope: opt(k.slope) }),
  'torch.distributions.Normal': (a, k) => new D.Normal(ten(k.loc ?? a[0], 'loc'), ten(k.scale ?? a[1], 'scale')),
  'zuko.distributions.DiagNormal': (a, k) => new D.DiagNormal(ten(k.loc ?? a[0], 'loc'), ten(k.scale ?? a[1], 'scale')),
  'torch.distributions.Uniform': (a, k) => new D.Uniform(ten(k.low ?? a[0], 'low'), ten(k.high ?? a[1], 'high')),
  'zuko.distributions.BoxUniform': (a, k) => new D.BoxUniform(ten(k.lower ?? a[0], 'lower'), ten(k.upper ?? a[1], 'upper')),
  'zuko.distributions.GeneralizedNormal': (a, k) => new D.GeneralizedNormal(ten(k.beta ?? a[0], 'beta')),
  'zuko.distributions.Joint': (a) => new D.Joint(...a.map((m, i) => dist(m, `marginals[${i}]`))),
  'zuko.distributions.Mixture': (a, k) => new D.Mixture(dist(k.base ?? a[0], 'base'), ten(k.logits ?? a[1], 'logits')),
  // Bounds as 0-d tensors of the run's dtype (a plain number would become a float64 scalar).
  'zuko.distributions.Truncated': (a, k) =>
    new D.Truncated(dist(k.base ?? a[0], 'base'), { lower: optTensor(k.lower ?? a[1]), upper: optTensor(k.upper ?? a[2]) }),
  'zuko.distributions.Sort': (a, k) =>
    new D.Sort(dist(k.base ?? a[0], 'base'), num(k.n ?? a[1], 'n'), { descending: flag(k.descending ?? a[2]) }),
  'zuko.distributions.TopK': (a, k) =>
    new D.TopK(dist(k.base ?? a[0], 'base'), num(k.k ?? a[1], 'k'), num(k.n ?? a[2], 'n'), { descending: flag(k.descending ?? a[3]) }),
  'zuko.distributions.Minimum': (a, k) => new D.Minimum(dist(k.base ?? a[0], 'base'), num(k.n ?? a[1], 'n')),
  'zuko.distributions.Maximum': (a, k) => new D.Maximum(dist(k.base ?? a[0], 'base'), num(k.n ?? a[1], 'n')),
  'zuko.distributions.TransformedUniform': (a, k) =>
    new D.TransformedUniform(tr(k.f ?? a[0], 'f'), ten(k.lower ?? a[1], 'lower'), ten(k.upper ?? a[2], 'upper')),
  'zuko.distributions.NormalizingFlow': (a, k) => new D.NormalizingFlow(tr(k.transform ?? a[0], 'transform'), dist(k.base ?? a[1], 'base')),
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
