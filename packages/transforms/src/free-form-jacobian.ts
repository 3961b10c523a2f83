import { type FloatDType, type Rng, type Tensor, ValueError, defaultRng, enableGrad, eye, gradients, isGradEnabled, select, sum } from '@eddy/core';
import { type OdeFunction, odeint } from './odeint.js';
import { type Domain, Transform, domain } from './transform.js';

/**
 * Options of {@link FreeFormJacobianTransform}.
 *
 * @example
 * ```ts
 * import { Rng } from '@eddy/core';
 * import { type FreeFormJacobianOptions } from '@eddy/transforms';
 * const o: FreeFormJacobianOptions = { atol: 1e-6, rtol: 1e-5, exact: false, rng: new Rng(0) };
 * ```
 * @category Continuous
 */
export interface FreeFormJacobianOptions {
  /** Absolute integration tolerance (default 1e-6). */
  atol?: number;
  /** Relative integration tolerance (default 1e-5). */
  rtol?: number;
  /** Exact trace of the Jacobian (default true), else Hutchinson's unbiased estimate. */
  exact?: boolean;
  /** Where Hutchinson's probe `ε` is drawn from (default: {@link defaultRng} at each call). */
  rng?: Rng;
}

/**
 * zuko's `trace_scale`: the ladj part of the augmented state is integrated scaled by 1e-2
 * (which relaxes its share of the error control) and unscaled at the end.
 */
const TRACE_SCALE = 1e-2;

/**
 * The free-form Jacobian transformation of FFJORD (zuko's `FreeFormJacobianTransform`):
 * $y = x(t_1)$ where $x(t)$ solves the ODE
 *
 * $$
 * \frac{dx}{dt} = f_\varphi(t, x), \quad x(t_0) = x,
 * $$
 *
 * i.e. $y = x + \int_{t_0}^{t_1} f_\varphi(t, x(t))\, dt$, with the instantaneous change of variables
 *
 * $$
 * \log \left| \det \frac{\partial y}{\partial x} \right| = \int_{t_0}^{t_1} \operatorname{tr}\Big(\frac{\partial f_\varphi}{\partial x}\Big)(t, x(t))\, dt,
 * $$
 *
 * integrated together with $x$ as the augmented ODE $\frac{d}{dt} [x, \ell] = \big[f, \operatorname{tr} \frac{\partial f}{\partial x}\big]$ by
 * {@link odeint} (adaptive Dormand–Prince, adjoint gradients; $\ell$ carried scaled by 1e-2 as
 * zuko does). With `exact`, the trace is $\sum_j \big(e_j^\top \frac{\partial f}{\partial x}\big)_j$, from $D$ vector–Jacobian
 * products (recorded, so the adjoint can differentiate them); otherwise it is Hutchinson's
 * estimator $\varepsilon^\top \frac{\partial f}{\partial x} \varepsilon$ with one $\varepsilon \sim \mathcal{N}(0, I)$ of the shape of $x$ drawn per call from
 * `rng`, whose expectation is the exact trace. The inverse integrates from $t_1$ back to
 * $t_0$. Vectors (event dim 1); `f` must act row-wise (no coupling between batch rows).
 *
 * References:
 * - [Neural Ordinary Differential Equations (Chen et al., 2018)](https://arxiv.org/abs/1806.07366)
 * - [FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models (Grathwohl et al., 2018)](https://arxiv.org/abs/1810.01367)
 * - Hutchinson (1990), "A stochastic estimator of the trace of the influence matrix for Laplacian smoothing splines" (the trace estimator)
 *
 * @example
 * ```ts
 * import { matmul, randn, tanh, Tensor, transpose } from '@eddy/core';
 * import { FreeFormJacobianTransform } from '@eddy/transforms';
 * const w = randn([2, 2], { seed: 0, dtype: 'float64' }).requireGrad();
 * const f = (t: Tensor, x: Tensor) => tanh(matmul(x, transpose(w)));
 * const t = new FreeFormJacobianTransform(f, 0, 1, [w]);
 * const x = randn([8, 2], { seed: 1, dtype: 'float64' });
 * const [y, ladj] = t.callAndLadj(x); // x: [N, 2] → y: [N, 2], ladj: [N]
 * t.inv.call(y);                        // ≈ x
 * ```
 * @category Continuous
 */
export class FreeFormJacobianTransform extends Transform {
  /** The system `f_φ(t, x)`. */
  readonly f: OdeFunction;
  /** Initial time `t₀`. */
  readonly t0: number | Tensor;
  /** Final time `t₁`. */
  readonly t1: number | Tensor;
  /** The parameters `φ` of `f` that require gradients. */
  readonly phi: readonly Tensor[];
  /** Absolute integration tolerance. */
  readonly atol: number;
  /** Relative integration tolerance. */
  readonly rtol: number;
  /** Whether the trace is exact (else Hutchinson's estimate). */
  readonly exact: boolean;
  /** The probe's random source, if one was given. */
  readonly rng: Rng | undefined;

  /**
   * @param f the system `f_φ(t, x)` on `[..., D]` (`t` a scalar tensor).
   * @param t0 initial time (default 0); @param t1 final time (default 1).
   * @param phi the parameters of `f` (those requiring gradients are kept).
   * @param options `atol` (1e-6), `rtol` (1e-5), `exact` (true), `rng`.
   */
  constructor(f: OdeFunction, t0: number | Tensor = 0, t1: number | Tensor = 1, phi: Iterable<Tensor> = [], options: FreeFormJacobianOptions = {}) {
    super();
    const { atol = 1e-6, rtol = 1e-5, exact = true, rng } = options;
    if (!(atol >= 0) || !(rtol >= 0)) throw new ValueError(`FreeFormJacobianTransform: atol and rtol must be non-negative, got ${atol}, ${rtol}`);
    this.f = f;
    this.t0 = t0;
    this.t1 = t1;
    this.phi = [...phi].filter((p) => p.requiresGrad);
    this.atol = atol;
    this.rtol = rtol;
    this.exact = exact;
    this.rng = rng;
  }

  /** Real vectors. */
  get domain(): Domain {
    return domain(1, 'real vector');
  }
  /** Real vectors. */
  get codomain(): Domain {
    return domain(1, 'real vector');
  }

  /** `x(t₁)` from `x(t₀) = x`. */
  call(x: Tensor): Tensor {
    return odeint(this.f, x, this.t0, this.t1, this.phi, { atol: this.atol, rtol: this.rtol });
  }

  /** `x(t₀)` from `x(t₁) = y` (integrating backwards in time). */
  inverse(y: Tensor): Tensor {
    return odeint(this.f, y, this.t1, this.t0, this.phi, { atol: this.atol, rtol: this.rtol });
  }

  /** $\int \operatorname{tr}(\partial f/\partial x)\, dt$ along the path from `x` (`y` is not used: the path is integrated again). */
  logAbsDetJacobian(x: Tensor, _y: Tensor): Tensor {
    return this.callAndLadj(x)[1];
  }

  /** $\big[x(t_1), \int_{t_0}^{t_1} \operatorname{tr}(\partial f/\partial x)\, dt\big]$ from one integration of the augmented ODE. */
  override callAndLadj(x: Tensor): [Tensor, Tensor] {
    if (x.ndim < 1) throw new ValueError('FreeFormJacobianTransform: x must have at least one axis');
    const f = this.f;
    const d = x.shape[x.ndim - 1] as number;
    const probes = this.exact
      ? Array.from({ length: d }, (_, j) => select(eye(d, d, { dtype: x.dtype, backend: x.backend }), 0, j))
      : [(this.rng ?? defaultRng()).normal(x.shape, x.dtype as FloatDType)];
    const exact = this.exact;
    // Called with recording on only by the adjoint's backward pass, which differentiates the
    // trace again: then the vector-Jacobian products are recorded (createGraph).
    const fAug = (t: Tensor, xt: Tensor, _ladj: Tensor): Tensor[] => {
      const createGraph = isGradEnabled();
      return enableGrad(() => {
        const xs = createGraph && xt.requiresGrad ? xt : xt.detach().requireGrad();
        const dx = f(t, xs);
        let trace: Tensor;
        if (exact) {
          let acc: Tensor | undefined;
          for (let j = 0; j < d; j++) {
            const [vj] = gradients(dx, [xs], { gradOutput: (probes[j] as Tensor).expand(dx.shape), createGraph });
            const term = select(vj as Tensor, -1, j);
            acc = acc === undefined ? term : acc.add(term);
          }
          trace = acc as Tensor;
        } else {
          const eps = probes[0] as Tensor;
          const [v] = gradients(dx, [xs], { gradOutput: eps, createGraph });
          trace = sum((v as Tensor).mul(eps), -1);
        }
        const scaled = trace.mul(TRACE_SCALE);
        return createGraph ? [dx, scaled] : [dx.detach(), scaled.detach()];
      });
    };
    const ladj0 = sum(x.detach().zerosLike(), -1);
    const [y, ladj] = odeint(fAug, [x, ladj0], this.t0, this.t1, this.phi, { atol: this.atol, rtol: this.rtol }) as [Tensor, Tensor];
    return [y, ladj.mul(1 / TRACE_SCALE)];
  }

  /** The same ODE integrated from `t₁` to `t₀` (zuko's `inv`). */
  protected override makeInverse(): Transform {
    return new FreeFormJacobianTransform(this.f, this.t1, this.t0, this.phi, {
      atol: this.atol,
      rtol: this.rtol,
      exact: this.exact,
      rng: this.rng,
    });
  }

  /** e.g. `FreeFormJacobianTransform(t0=0, t1=1, exact=true)`. */
  override toString(): string {
    const time = (t: number | Tensor): string => String(typeof t === 'number' ? t : t.item());
    return `FreeFormJacobianTransform(t0=${time(this.t0)}, t1=${time(this.t1)}, exact=${this.exact})`;
  }
}
