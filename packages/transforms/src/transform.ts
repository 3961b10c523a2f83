import type { Tensor } from '@eddy/core';

/**
 * Where a transform is defined: how many trailing axes form one event (0 = elementwise,
 * 1 = vectors, ...) and a short human description of the set (`real`, `(0, π)`, ...).
 * @category Basics
 */
export interface Domain {
  /** Number of trailing axes that form one event. */
  readonly eventDim: number;
  /** Human-readable description of the set. */
  readonly description: string;
}

/**
 * Builds a {@link Domain}.
 *
 * @example
 * ```ts
 * import { domain } from '@eddy/transforms';
 * domain(0, '(0, π)');
 * ```
 * @category Basics
 */
export function domain(eventDim: number, description = 'real'): Domain {
  return { eventDim, description };
}

/**
 * Base class of invertible transformations $y = f(x)$ with a tractable log-absolute
 * determinant of the Jacobian, $\text{ladj} = \log \left| \det \frac{\partial f(x)}{\partial x} \right|$ (`ladj`), as `torch.distributions.Transform` and zuko's
 * additions (`call_and_ladj`). In a normalizing flow the transform maps data `x` to the
 * base space. Subclasses implement {@link Transform.call}, {@link Transform.inverse} and
 * {@link Transform.logAbsDetJacobian}, and override {@link Transform.callAndLadj} where
 * computing both together is cheaper.
 *
 * `ladj` has the shape of `x` without its `domain.eventDim` trailing axes.
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { ExpTransform } from '@eddy/transforms';
 * const x = tensor([0, 1]);
 * const t = new ExpTransform();
 * const [y, ladj] = t.callAndLadj(x); // y = eˣ, ladj = x
 * t.inv.call(y);                        // x again
 * ```
 * @category Basics
 */
export abstract class Transform {
  #inv: Transform | undefined;

  /** The set `x` lives in. */
  abstract get domain(): Domain;
  /** The set `y` lives in. */
  abstract get codomain(): Domain;
  /** `y = f(x)`. */
  abstract call(x: Tensor): Tensor;
  /** $x = f^{-1}(y)$ (what `inv.call(y)` runs). */
  abstract inverse(y: Tensor): Tensor;
  /** $\log \left| \det \frac{\partial f(x)}{\partial x} \right|$ given $x$ and $y = f(x)$. */
  abstract logAbsDetJacobian(x: Tensor, y: Tensor): Tensor;

  /** `[f(x), log |det J_f(x)|]`, fused where a subclass can do better. */
  callAndLadj(x: Tensor): [Tensor, Tensor] {
    const y = this.call(x);
    return [y, this.logAbsDetJacobian(x, y)];
  }

  /**
   * $\big[f^{-1}(y), \log |\det J_{f^{-1}}(y)|\big]$ (what `inv.callAndLadj(y)` runs): by default the
   * inverse, then minus the forward log-determinant at it; transforms whose inverse
   * yields its log-determinant directly (splines, affine maps, autoregressive transforms)
   * do it in one pass.
   */
  inverseAndLadj(y: Tensor): [Tensor, Tensor] {
    const x = this.inverse(y);
    return [x, this.logAbsDetJacobian(x, y).neg()];
  }

  /** The inverse transform $f^{-1}$ (cached; `t.inv.inv === t`). */
  get inv(): Transform {
    if (this.#inv === undefined) {
      const inv = this.makeInverse();
      this.#inv = inv;
      if (inv.#inv === undefined) inv.#inv = this;
    }
    return this.#inv;
  }

  /** Builds the inverse (an {@link InverseTransform} unless a subclass knows better). */
  protected makeInverse(): Transform {
    return new InverseTransform(this);
  }

  /** `+1` if increasing, `-1` if decreasing (elementwise monotone transforms); else undefined. */
  get sign(): 1 | -1 | undefined {
    return undefined;
  }

  /** Shape of `y` for an `x` of `shape` (unchanged unless the transform reshapes). */
  forwardShape(shape: readonly number[]): number[] {
    return [...shape];
  }

  /** Shape of `x` for a `y` of `shape`. */
  inverseShape(shape: readonly number[]): number[] {
    return [...shape];
  }

  /** A readable description, e.g. `ExpTransform()`. */
  toString(): string {
    return `${this.constructor.name}()`;
  }
}

/**
 * The inverse $f^{-1}$ of a transform, as returned by {@link Transform.inv}:
 * `call = f.inverse`, `ladj(y, x) = -f.ladj(x, y)`.
 *
 * @example
 * ```ts
 * import { ExpTransform } from '@eddy/transforms';
 * const g = new ExpTransform().inv; // log
 * ```
 * @category Basics
 */
export class InverseTransform extends Transform {
  /** The transform this inverts. */
  readonly base: Transform;

  /** Inverts `base`. */
  constructor(base: Transform) {
    super();
    this.base = base;
  }
  /** The base's codomain. */
  get domain(): Domain {
    return this.base.codomain;
  }
  /** The base's domain. */
  get codomain(): Domain {
    return this.base.domain;
  }
  /** The base's inverse. */
  override get inv(): Transform {
    return this.base;
  }
  /** The base's sign. */
  override get sign(): 1 | -1 | undefined {
    return this.base.sign;
  }
  /** $f^{-1}(y)$. */
  call(y: Tensor): Tensor {
    return this.base.inverse(y);
  }
  /** `f(x)`. */
  inverse(x: Tensor): Tensor {
    return this.base.call(x);
  }
  /** $-\log |\det J_f(x)|$ at $x = f^{-1}(y)$. */
  logAbsDetJacobian(y: Tensor, x: Tensor): Tensor {
    return this.base.logAbsDetJacobian(x, y).neg();
  }
  /** $\big[f^{-1}(y), -\log |\det J_f(f^{-1}(y))|\big]$. */
  override callAndLadj(y: Tensor): [Tensor, Tensor] {
    return this.base.inverseAndLadj(y);
  }
  /** The base's `callAndLadj`. */
  override inverseAndLadj(x: Tensor): [Tensor, Tensor] {
    return this.base.callAndLadj(x);
  }
  /** Shape of $f^{-1}(y)$. */
  override forwardShape(shape: readonly number[]): number[] {
    return this.base.inverseShape(shape);
  }
  /** Shape of `f(x)`. */
  override inverseShape(shape: readonly number[]): number[] {
    return this.base.forwardShape(shape);
  }
  /** `Inverse(<base>)`. */
  override toString(): string {
    return `Inverse(${this.base.toString()})`;
  }
}

/**
 * Base of scalar transforms: bijections applied to each element on its own (event dim 0)
 * on the reals; subclasses only implement the math. (Called `ElementwiseTransform` before
 * 0.1.0; renamed so that it is not confused with the lazy `ElementWiseTransform` of
 * `@eddy/flows`, zuko's name, which builds such transforms from parameters.)
 *
 * @example
 * ```ts
 * import { sign, Tensor } from '@eddy/core';
 * import { ScalarTransform } from '@eddy/transforms';
 * class Cube extends ScalarTransform {
 *   call(x: Tensor) { return x.pow(3); }
 *   inverse(y: Tensor) { return sign(y).mul(y.abs().pow(1 / 3)); }
 *   logAbsDetJacobian(x: Tensor) { return x.square().mul(3).log(); }
 * }
 * ```
 * @category Basics
 */
export abstract class ScalarTransform extends Transform {
  /** The reals, elementwise. */
  get domain(): Domain {
    return REAL;
  }
  /** The reals, elementwise. */
  get codomain(): Domain {
    return REAL;
  }
}

const REAL = domain(0, 'real');
