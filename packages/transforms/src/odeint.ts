import {
  EddyError,
  ShapeError,
  type Tensor,
  ValueError,
  concat,
  customGrad,
  enableGrad,
  fmtShape,
  gradients,
  isGradEnabled,
  noGrad,
  reshape,
  split,
  sum,
  tensor,
} from '@eddy/core';

/**
 * A system of first-order ODEs `dx/dt = f(t, x)` on one tensor state: `t` is a scalar
 * tensor (shape `[]`, the state's dtype) and the result has the shape of `x`.
 *
 * @example
 * ```ts
 * import { cos } from '@eddy/core';
 * import { type OdeFunction } from '@eddy/transforms';
 * const f: OdeFunction = (t, x) => x.mul(cos(t)); // dx/dt = cos(t) x
 * ```
 * @category Numerics
 */
export type OdeFunction = (t: Tensor, x: Tensor) => Tensor;

/**
 * A system of first-order ODEs on a state made of several tensors (an augmented state such
 * as `(x, ladj)`): `f(t, x₁, …, xₖ)` returns `[dx₁/dt, …, dxₖ/dt]`, each with the shape of
 * its part.
 *
 * @example
 * ```ts
 * import { type OdeSystem } from '@eddy/transforms';
 * const oscillator: OdeSystem = (_t, q, p) => [p, q.neg()]; // q'' = -q
 * ```
 * @category Numerics
 */
export type OdeSystem = (t: Tensor, ...x: Tensor[]) => readonly Tensor[];

/**
 * What {@link OdeintOptions.onStep} is told after each attempted step.
 * @category Numerics
 */
export interface OdeStepInfo {
  /** Time at the start of the step. */
  t: number;
  /** The signed step size tried. */
  dt: number;
  /** The scaled error `max |x₅ − x₄| / (atol + rtol·max(|x|, |y|))`, at least 1e-9. */
  error: number;
  /** Whether the step was accepted (`error < 1`). */
  accepted: boolean;
}

/**
 * Options of {@link odeint}.
 * @category Numerics
 */
export interface OdeintOptions {
  /** Absolute tolerance (default 1e-6, as zuko). */
  atol?: number;
  /** Relative tolerance (default 1e-5, as zuko). */
  rtol?: number;
  /** Give up (with an error) after this many attempted steps, accepted or rejected (default: no limit, as zuko). */
  maxSteps?: number;
  /** Called after every attempted step of the forward integration (diagnostics, step counts). */
  onStep?: (info: OdeStepInfo) => void;
}

/** A state: the parts of a (possibly augmented) ODE state. @internal */
type State = readonly Tensor[];
/** The system on states, with the time as a number. @internal */
type System = (t: number, x: State) => State;

/** `x + Σ cᵢ kᵢ`, part by part, summed left to right as zuko writes it. */
function combine(x: State, terms: ReadonlyArray<readonly [number, State]>): Tensor[] {
  return x.map((xi, i) => {
    let acc = xi;
    for (const [c, k] of terms) acc = acc.add((k[i] as Tensor).mul(c));
    return acc;
  });
}

const scale = (k: State, dt: number): Tensor[] => k.map((v) => v.mul(dt));

// The Dormand–Prince tableau (Dormand & Prince, 1980): stage nodes c, stage weights a (as
// [weight, stage] pairs, zero weights omitted), the 5th-order weights b and the embedded
// 4th-order weights b* (whose seventh stage is f at the new point).
type TableauRow = ReadonlyArray<readonly [weight: number, stage: number]>;
// biome-ignore format: the tableau reads as a table, one stage per line
const DOPRI: { c: readonly number[]; a: readonly TableauRow[]; b: TableauRow; bStar: TableauRow } = {
  c: [1 / 5, 3 / 10, 4 / 5, 8 / 9, 1],
  a: [
    [[1 / 5, 0]],
    [[3 / 40, 0], [9 / 40, 1]],
    [[44 / 45, 0], [-56 / 15, 1], [32 / 9, 2]],
    [[19372 / 6561, 0], [-25360 / 2187, 1], [64448 / 6561, 2], [-212 / 729, 3]],
    [[9017 / 3168, 0], [-355 / 33, 1], [46732 / 5247, 2], [49 / 176, 3], [-5103 / 18656, 4]],
  ],
  b: [[35 / 384, 0], [500 / 1113, 2], [125 / 192, 3], [-2187 / 6784, 4], [11 / 84, 5]],
  bStar: [[5179 / 57600, 0], [7571 / 16695, 2], [393 / 640, 3], [-92097 / 339200, 4], [187 / 2100, 5], [1 / 40, 6]],
};

/** `x + Σ weight · k[stage]` over the `[weight, stage]` pairs of one tableau row. */
const stage = (x: State, k: readonly Tensor[][], row: TableauRow): Tensor[] =>
  combine(
    x,
    row.map(([w, s]) => [w, k[s] as Tensor[]] as const),
  );

/**
 * One Dormand–Prince step from `(t, x)` with step `dt`, given `f1 = f(t, x)` (first same as
 * last: the seventh stage of an accepted step is the first of the next one). Returns the
 * fifth-order solution and, with `error`, `|x₅ − x₄|` and `f(t + dt, x₅)`. The stages are
 * zuko's `dopri45` (`zuko/utils.py`): `kᵢ = dt·f(…)`, the embedded fourth-order solution
 * formed explicitly from `k₁ … k₇`.
 */
function dopri45(f: System, x: State, t: number, dt: number, f1: State, error: boolean): { y: Tensor[]; err?: Tensor[]; fy?: State } {
  const k: Tensor[][] = [scale(f1, dt)];
  for (const [i, row] of DOPRI.a.entries()) k.push(scale(f(t + (DOPRI.c[i] as number) * dt, stage(x, k, row)), dt));
  const y = stage(x, k, DOPRI.b);
  if (!error) return { y };
  const fy = f(t + dt, y);
  k.push(scale(fy, dt));
  const star = stage(x, k, DOPRI.bStar);
  return { y, err: y.map((yi, i) => yi.sub(star[i] as Tensor).abs()), fy };
}

/** `max over all elements of err / (atol + rtol·max(|x|, |y|))`. */
function errorRatio(err: State, x: State, y: State, atol: number, rtol: number): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < err.length; i++) {
    const e = err[i] as Tensor;
    if (e.size === 0) continue;
    const tol = (x[i] as Tensor)
      .abs()
      .maximum((y[i] as Tensor).abs())
      .mul(rtol)
      .add(atol);
    const r = e.div(tol).max().item();
    if (Number.isNaN(r)) return Number.NaN;
    m = Math.max(m, r);
  }
  return m;
}

/** An accepted step: the state at its end, the time `t` at its end and its signed size. */
interface Checkpoint {
  x: Tensor[];
  t: number;
  dt: number;
}

interface Settings {
  atol: number;
  rtol: number;
  maxSteps: number;
  onStep?: (info: OdeStepInfo) => void;
}

/**
 * The adaptive forward integration of zuko's `AdaptiveCheckpointAdjoint.forward`: first
 * step `dt = t₁ − t₀`; each try is clipped to end at `t₁`; a try is accepted when the
 * scaled error `e = max(|x₅ − x₄| / (atol + rtol·max(|x|, |y|)))` (clipped below at 1e-9)
 * is below 1; after every try `dt ← dt · min(10, max(0.1, 0.9 e^(−1/5)))`.
 */
function integrate(f: System, x0: State, t0: number, t1: number, s: Settings, keep: boolean): { x: State; steps: Checkpoint[] } {
  const steps: Checkpoint[] = [];
  let x = x0;
  let t = t0;
  let dt = t1 - t0;
  const sign = Math.sign(dt);
  let fx = sign === 0 ? x : f(t, x);
  let tries = 0;
  while (sign * (t1 - t) > 0) {
    dt = sign * Math.min(Math.abs(dt), Math.abs(t1 - t));
    for (;;) {
      if (++tries > s.maxSteps) throw new EddyError(`odeint: more than ${s.maxSteps} steps (t = ${t}, dt = ${dt})`);
      if (t + dt === t) throw new EddyError(`odeint: the step size underflowed at t = ${t} (dt = ${dt}); the system may be stiff or non-finite`);
      const { y, err, fy } = dopri45(f, x, t, dt, fx, true);
      let error = errorRatio(err as Tensor[], x, y, s.atol, s.rtol);
      if (Number.isNaN(error)) throw new EddyError(`odeint: the state or its derivative is not finite at t = ${t} (dt = ${dt})`);
      error = Math.max(error, 1e-9);
      const accepted = error < 1;
      s.onStep?.({ t, dt, error, accepted });
      if (accepted) {
        x = y;
        // A step clipped to end at t₁ lands exactly there (no sliver step from rounding).
        t = Math.abs(dt) === Math.abs(t1 - t) ? t1 : t + dt;
        fx = fy as State;
        if (keep) steps.push({ x: y, t, dt });
      }
      dt = dt * Math.min(10, Math.max(0.1, 0.9 / error ** (1 / 5)));
      if (accepted) break;
    }
  }
  return { x, steps };
}

const timeValue = (t: number | Tensor, name: string): number => {
  if (typeof t === 'number') {
    if (!Number.isFinite(t)) throw new ValueError(`odeint: ${name} must be finite, got ${t}`);
    return t;
  }
  if (t.size !== 1 || t.ndim !== 0) throw new ShapeError(`odeint: ${name} must be a scalar, got shape ${fmtShape(t.shape)}`);
  return t.item();
};

/**
 * The vector–Jacobian products of one evaluation: `dx = f(t, x)` at fresh leaves `x`, then
 * `(−aᵀ ∂f/∂x, −aᵀ ∂f/∂φ)`. Returns `[dx, −aᵀ∂f/∂x, −aᵀ∂f/∂φ]` (no graph kept).
 */
function adjointDynamics(f: System, t: number, x: State, a: State, phi: readonly Tensor[]): { dx: Tensor[]; gx: Tensor[]; gphi: Tensor[] } {
  return enableGrad(() => {
    const xs = x.map((v) => v.detach().requireGrad());
    const dx = f(t, xs);
    let out: Tensor;
    let seed: Tensor;
    if (dx.length === 1) {
      out = dx[0] as Tensor;
      seed = (a[0] as Tensor).neg();
    } else {
      out = sum((dx[0] as Tensor).mul(a[0] as Tensor));
      for (let i = 1; i < dx.length; i++) out = out.add(sum((dx[i] as Tensor).mul(a[i] as Tensor)));
      seed = tensor(-1, { dtype: out.dtype, backend: out.backend });
    }
    const grads = gradients(out, [...xs, ...phi], { gradOutput: seed });
    return {
      dx: dx.map((v) => v.detach()),
      gx: grads.slice(0, xs.length),
      gphi: grads.slice(xs.length),
    };
  });
}

/** `Σᵢ sum(f(t, x)ᵢ · aᵢ)` as a scalar tensor (time gradients). */
function dotDynamics(f: System, t: number, x: State, a: State): Tensor {
  const fx = f(t, x);
  let s = sum((fx[0] as Tensor).mul(a[0] as Tensor));
  for (let i = 1; i < fx.length; i++) s = s.add(sum((fx[i] as Tensor).mul(a[i] as Tensor)));
  return s;
}

/**
 * Integrates the system of first-order ordinary differential equations
 *
 * $$
 * \frac{dx}{dt} = f_\varphi(t, x), \quad x(t_0) = x_0,
 * $$
 *
 * from $t_0$ to $t_1$ (either direction) with the adaptive Dormand–Prince 4(5) method, as
 * zuko's `odeint` (`zuko/utils.py`), and returns $x(t_1) = x_0 + \int_{t_0}^{t_1} f_\varphi(t, x(t))\, dt$.
 * The state is a tensor or a list of tensors (an augmented state; `f` then takes and returns
 * the parts). Step-size control is zuko's: the first try is the whole interval
 * $dt = t_1 - t_0$; a try is accepted when the scaled error
 * $e = \max \frac{|x_5 - x_4|}{\mathrm{atol} + \mathrm{rtol} \cdot \max(|x|, |y|)}$ over every element of every part (one
 * step size for the whole batch) is below 1, and after each try
 * $dt \leftarrow dt \cdot \min\big(10, \max(0.1, 0.9\, e^{-1/5})\big)$. The first stage of a step reuses the last
 * evaluation of the previous one (first same as last), which gives zuko's numbers with six
 * evaluations of `f` per try instead of seven.
 *
 * The integration runs without recording. Gradients with respect to `x₀`, `t₀`, `t₁`
 * (tensors) and the parameters `φ` (the tensors of `phi` that require gradients; `f` closes
 * over them) come from the adjoint method with adaptive checkpoints (ACA): the accepted
 * states are kept, and for each step, last to first, the augmented system
 *
 * $$
 * \frac{d}{dt} [x, a, g_\varphi] = \Big[f, -a^\top \frac{\partial f}{\partial x}, -a^\top \frac{\partial f}{\partial \varphi}\Big]
 * $$
 *
 * is integrated backwards over that step with one Dormand–Prince step from the checkpoint,
 * so $a(t_0) = \partial L/\partial x_0$ and $g_\varphi(t_0) = \int_{t_0}^{t_1} a^\top \frac{\partial f}{\partial \varphi}\, dt = \partial L/\partial \varphi$; the time gradients
 * are $\partial L/\partial t_1 = a(t_1)^\top f(t_1, x_1)$ and $\partial L/\partial t_0 = -a(t_0)^\top f(t_0, x_0)$. Like zuko's, the
 * backward pass is first-order only (`createGraph` through `odeint` is an error).
 *
 * Chen et al. (2018), "Neural Ordinary Differential Equations";
 * Zhuang et al. (2020), "Adaptive Checkpoint Adjoint Method for Gradient Estimation in
 * Neural ODE"; Dormand & Prince (1980), "A family of embedded Runge-Kutta formulae".
 *
 * @param f the system `f(t, x)` (or `f(t, x₁, …, xₖ) → [..]` for a list state).
 * @param x the initial state `x₀` (a tensor, or a list of tensors of one dtype).
 * @param t0 the initial time; @param t1 the final time (numbers or scalar tensors).
 * @param phi the parameters `φ` of `f`, for the gradients (default none).
 * @param options `atol` (1e-6), `rtol` (1e-5), `maxSteps`, `onStep`.
 * @returns the final state `x(t₁)` (a list for a list state).
 *
 * @example
 * ```ts
 * import { matmul, tensor, transpose } from '@eddy/core';
 * import { odeint } from '@eddy/transforms';
 * const a = tensor([[0, 1], [-1, 0]], { dtype: 'float64' });
 * const x1 = odeint((t, x) => matmul(x, transpose(a)), tensor([1, 0], { dtype: 'float64' }), 0, Math.PI / 2);
 * // ≈ [0, -1]: a quarter turn
 * const [q0, p0] = [tensor([1], { dtype: 'float64' }), tensor([0], { dtype: 'float64' })];
 * const [q, p] = odeint((_t, q, p) => [p, q.neg()], [q0, p0], 0, 1, [], { atol: 1e-8, rtol: 1e-8 });
 * ```
 * @category Numerics
 */
export function odeint(f: OdeFunction, x: Tensor, t0: number | Tensor, t1: number | Tensor, phi?: Iterable<Tensor>, options?: OdeintOptions): Tensor;
export function odeint(f: OdeSystem, x: readonly Tensor[], t0: number | Tensor, t1: number | Tensor, phi?: Iterable<Tensor>, options?: OdeintOptions): Tensor[];
export function odeint(
  f: OdeFunction | OdeSystem,
  x: Tensor | readonly Tensor[],
  t0: number | Tensor,
  t1: number | Tensor,
  phi: Iterable<Tensor> = [],
  options: OdeintOptions = {},
): Tensor | Tensor[] {
  const { atol = 1e-6, rtol = 1e-5, maxSteps = Number.POSITIVE_INFINITY, onStep } = options;
  if (!(atol >= 0) || !(rtol >= 0) || atol + rtol === 0) {
    throw new ValueError(`odeint: atol and rtol must be non-negative and not both zero, got ${atol}, ${rtol}`);
  }
  const single = !Array.isArray(x);
  const x0: Tensor[] = single ? [x as Tensor] : [...(x as readonly Tensor[])];
  if (x0.length === 0) throw new ValueError('odeint: the state needs at least one tensor');
  const first = x0[0] as Tensor;
  const { dtype, backend } = first;
  if (dtype !== 'float32' && dtype !== 'float64') throw new ValueError(`odeint: the state must be float32 or float64, got ${dtype}`);
  for (const [i, v] of x0.entries()) {
    if (v.dtype !== dtype) throw new ValueError(`odeint: state part ${i} is ${v.dtype}, part 0 is ${dtype}`);
  }
  const shapes = x0.map((v) => v.shape);
  const sizes = x0.map((v) => v.size);
  const ta = timeValue(t0, 't0');
  const tb = timeValue(t1, 't1');
  const system: System = (t, xs) => {
    const tt = tensor(t, { dtype, backend });
    const out = single ? [(f as OdeFunction)(tt, xs[0] as Tensor)] : (f as OdeSystem)(tt, ...xs);
    if (out.length !== xs.length) throw new ShapeError(`odeint: f returned ${out.length} tensors for a state of ${xs.length}`);
    for (let i = 0; i < out.length; i++) {
      const o = out[i] as Tensor;
      const s = (xs[i] as Tensor).shape;
      if (o.ndim !== s.length || o.shape.some((d, j) => d !== s[j])) {
        throw new ShapeError(`odeint: f returned shape ${fmtShape(o.shape)} for state part ${i} of shape ${fmtShape(s)}`);
      }
    }
    return out;
  };
  const settings: Settings = { atol, rtol, maxSteps, onStep };
  const params = [...phi].filter((p) => p.requiresGrad);
  const timeT0 = typeof t0 === 'number' ? tensor(t0, { dtype, backend }) : t0;
  const timeT1 = typeof t1 === 'number' ? tensor(t1, { dtype, backend }) : t1;
  const inputs = [...x0, timeT0, timeT1, ...params];
  const needGrad = isGradEnabled() && inputs.some((v) => v.requiresGrad);
  const k = x0.length;
  const pack = (parts: State): Tensor =>
    single
      ? (parts[0] as Tensor)
      : concat(
          parts.map((v) => reshape(v, [-1])),
          0,
        );
  const unpack = (flat: Tensor): Tensor[] => (single ? [flat] : split(flat, sizes, 0).map((v, i) => reshape(v, shapes[i] as number[])));

  const op = customGrad((...ins: Tensor[]) => {
    const start = ins.slice(0, k);
    const { x: end, steps } = integrate(system, start, ta, tb, settings, needGrad);
    return {
      value: pack(end),
      backward: (g: Tensor) => {
        if (isGradEnabled()) throw new EddyError('odeint: its gradient is first-order only (createGraph through odeint is not supported)');
        let a: Tensor[] = unpack(g);
        let gphi: Tensor[] = params.map((p) => p.zerosLike());
        const last = steps.length > 0 ? (steps[steps.length - 1] as Checkpoint).x : start;
        const gradT1 = timeT1.requiresGrad ? dotDynamics(system, tb, last, a).reshape(timeT1.shape) : null;
        const augmented: System = (t, s) => {
          const { dx, gx, gphi: gp } = adjointDynamics(system, t, s.slice(0, k), s.slice(k, 2 * k), params);
          return [...dx, ...gx, ...gp];
        };
        for (let i = steps.length - 1; i >= 0; i--) {
          const { x: xi, t, dt } = steps[i] as Checkpoint;
          const aug = [...xi, ...a, ...gphi];
          const { y } = dopri45(augmented, aug, t, -dt, augmented(t, aug), false);
          a = y.slice(k, 2 * k);
          gphi = y.slice(2 * k);
        }
        const gradT0 = timeT0.requiresGrad ? dotDynamics(system, ta, start, a).neg().reshape(timeT0.shape) : null;
        return [...a.map((v, i) => ((start[i] as Tensor).requiresGrad ? v : null)), gradT0, gradT1, ...gphi];
      },
    };
  }, 'odeint');

  if (!needGrad) {
    const out = noGrad(() => integrate(system, x0, ta, tb, settings, false).x);
    return single ? (out[0] as Tensor) : [...out];
  }
  const packed = op(...inputs);
  return single ? packed : unpack(packed);
}
