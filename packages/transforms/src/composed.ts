import type { Tensor } from '@eddy/core';
import { ValueError } from '@eddy/core';
import { type Domain, Transform, domain } from './transform.js';
import { sumRightmost } from './utils.js';

/**
 * The composition $f = f_{n-1} \circ \dots \circ f_0$ (applied first to last), as zuko's
 * `ComposedTransform`. The event dim of the whole is the largest any part needs, so a
 * part's `ladj` is summed over the trailing axes it treats as batch: an elementwise
 * step inside a vector flow contributes $\sum_d \text{ladj}_d$. The inverse applies the inverses in
 * reverse order.
 *
 * @example
 * ```ts
 * import { AffineTransform, ComposedTransform, ExpTransform } from '@eddy/transforms';
 * const f = new ComposedTransform([new ExpTransform(), new AffineTransform(1, 2)]); // y = 1 + 2eˣ
 * ```
 * @category Basics
 */
export class ComposedTransform extends Transform {
  /** The parts, applied first to last. */
  readonly transforms: readonly Transform[];
  readonly #domain: Domain;
  readonly #codomain: Domain;

  /**
   * @param transforms the parts, in the order they are applied to `x`.
   * @param eventDim the event dim of the domain; by default the smallest that fits every part.
   */
  constructor(transforms: readonly Transform[], eventDim?: number) {
    super();
    if (transforms.length === 0) throw new ValueError('ComposedTransform: needs at least one transform');
    this.transforms = transforms;
    // Walk backwards (as torch's ComposeTransform) to find the domain event dim.
    let e = (transforms[transforms.length - 1] as Transform).codomain.eventDim;
    for (let i = transforms.length - 1; i >= 0; i--) {
      const t = transforms[i] as Transform;
      e += t.domain.eventDim - t.codomain.eventDim;
      e = Math.max(e, t.domain.eventDim);
    }
    const dom = Math.max(e, eventDim ?? 0);
    let cod = dom;
    for (const t of transforms) cod += t.codomain.eventDim - t.domain.eventDim;
    this.#domain = domain(dom, (transforms[0] as Transform).domain.description);
    this.#codomain = domain(cod, (transforms[transforms.length - 1] as Transform).codomain.description);
  }

  /** Domain of the first part, with the composed event dim. */
  get domain(): Domain {
    return this.#domain;
  }
  /** Codomain of the last part, with the composed event dim. */
  get codomain(): Domain {
    return this.#codomain;
  }
  /** Applies every part in order. */
  call(x: Tensor): Tensor {
    return this.transforms.reduce((v, t) => t.call(v), x);
  }
  /** Applies every inverse in reverse order. */
  inverse(y: Tensor): Tensor {
    return this.transforms.reduceRight((v, t) => t.inverse(v), y);
  }
  /** Sum of the parts' ladj (recomputes the intermediate values). */
  logAbsDetJacobian(x: Tensor, _y: Tensor): Tensor {
    return this.callAndLadj(x)[1];
  }
  /** One pass: `y` and $\sum_i \text{ladj}_i$, each summed over its extra event axes. */
  override callAndLadj(x: Tensor): [Tensor, Tensor] {
    let eventDim = this.#domain.eventDim;
    let v = x;
    let acc: Tensor | undefined;
    for (const t of this.transforms) {
      const [y, ladj] = t.callAndLadj(v);
      const part = sumRightmost(ladj, eventDim - t.domain.eventDim);
      acc = acc === undefined ? part : acc.add(part);
      eventDim += t.codomain.eventDim - t.domain.eventDim;
      v = y;
    }
    return [v, acc as Tensor];
  }
  /**
   * The inverses last to first, their log-determinants summed, in one pass: the
   * {@link ComposedTransform.callAndLadj} of the inverse composition (each part's
   * `inverseAndLadj` through its inverse).
   */
  override inverseAndLadj(y: Tensor): [Tensor, Tensor] {
    return this.inv.callAndLadj(y);
  }

  /**
   * The composition of the inverses in reverse order (as zuko and PyTorch), so each
   * part's inverse ladj is evaluated on the inverse path itself; this matters when an
   * inverse is approximate (bisection clamped to its bound).
   */
  protected override makeInverse(): Transform {
    return new ComposedTransform(
      [...this.transforms].reverse().map((t) => t.inv),
      this.#codomain.eventDim,
    );
  }
  /** Shape through every part. */
  override forwardShape(shape: readonly number[]): number[] {
    return this.transforms.reduce((s, t) => t.forwardShape(s), [...shape]);
  }
  /** Shape back through every part. */
  override inverseShape(shape: readonly number[]): number[] {
    return this.transforms.reduceRight((s, t) => t.inverseShape(s), [...shape]);
  }
  /** `ComposedTransform(a, b, ...)`. */
  override toString(): string {
    return `ComposedTransform(${this.transforms.map((t) => t.toString()).join(', ')})`;
  }
}
