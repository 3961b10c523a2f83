import {
  type Rng,
  ShapeError,
  type Tensor,
  broadcastShapes,
  defaultRng,
  expand,
  fmtShape,
  gather,
  logSoftmax,
  logsumexp,
  noGrad,
  reshape,
  shapesEqual,
  softmax,
  square,
  squeeze,
  sum,
  unsqueeze,
} from '@eddy/core';
import { Categorical } from './categorical.js';
import { Distribution } from './distribution.js';

/**
 * A finite mixture: the last batch axis of `base` holds $K$ components $p_k$, weighted
 * by $w = \operatorname{softmax}(\mathrm{logits})$ (zuko's `Mixture`):
 * $\log p(x) = \operatorname{logsumexp}_k\big(\log w_k + \log p_k(x)\big)$, i.e. $p(x) = \sum_k w_k p_k(x)$.
 * The batch shape is `base.batchShape` without its last axis. A draw picks a component
 * with a {@link Categorical} (one uniform draw call) after drawing all components from
 * `base` (its own draw calls), so it is reproducible and shardable; it is not
 * reparameterised. McLachlan & Peel (2000), "Finite Mixture Models".
 *
 * @example
 * ```ts
 * import { Rng, tensor } from '@eddy/core';
 * import { Mixture, Normal } from '@eddy/distributions';
 * const d = new Mixture(new Normal(tensor([-2, 0, 3]), tensor([1, 0.5, 1])), tensor([0, 1, 0]));
 * d.batchShape;                    // []
 * d.sample([10], new Rng(0)).shape; // [10]
 * ```
 * @category Derived
 */
export class Mixture extends Distribution {
  /** The components: a distribution whose last batch axis has size `K`. */
  readonly base: Distribution;
  /** Unnormalised log-weights, shape `[..., K]` (broadcasting against `base.batchShape`). */
  readonly logits: Tensor;

  /** @param base the components (batch shape `[..., K]`); @param logits log-weights `[..., K]`. */
  constructor(base: Distribution, logits: Tensor) {
    super();
    const bb = base.batchShape;
    if (bb.length === 0) throw new ShapeError('Mixture: base needs a batch axis of components, got batch shape []');
    const k = bb[bb.length - 1] as number;
    if (logits.ndim === 0 || logits.shape[logits.ndim - 1] !== k) {
      throw new ShapeError(`Mixture: logits of shape ${fmtShape(logits.shape)} must end with the ${k} components of base (batch shape ${fmtShape(bb)})`);
    }
    let ok: boolean;
    try {
      ok = logits.ndim <= bb.length && shapesEqual(broadcastShapes('Mixture', logits.shape, bb), bb);
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new ShapeError(`Mixture: logits of shape ${fmtShape(logits.shape)} must broadcast to the base batch shape ${fmtShape(bb)}`);
    }
    this.base = base;
    this.logits = logits;
  }
  /** Number of components `K`. */
  get components(): number {
    const bb = this.base.batchShape;
    return bb[bb.length - 1] as number;
  }
  /** `base.batchShape` without its last (component) axis. */
  get batchShape(): number[] {
    return this.base.batchShape.slice(0, -1);
  }
  /** The components' event shape. */
  get eventShape(): number[] {
    return this.base.eventShape;
  }
  /** $\operatorname{logsumexp}_k\big(\operatorname{log\_softmax}(\mathrm{logits})_k + \log p_k(x)\big)$. */
  logProb(x: Tensor): Tensor {
    this.checkValue(x);
    const ev = this.eventShape.length;
    const lp = this.base.logProb(unsqueeze(x, x.ndim - ev));
    return logsumexp(logSoftmax(this.logits, -1).add(lp), -1);
  }
  /** The weights `w` with one trailing axis per event axis (to weigh component statistics). */
  #weights(): Tensor {
    const w = softmax(this.logits, -1);
    return reshape(w, [...w.shape, ...this.eventShape.map(() => 1)]);
  }
  /** $\sum_k w_k \mathbb{E}_k[X]$. */
  override get mean(): Tensor {
    const axis = -(this.eventShape.length + 1);
    return sum(this.#weights().mul(this.base.mean), axis);
  }
  /** $\sum_k w_k \big(\operatorname{Var}_k + \mathbb{E}_k[X]^2\big) - \mathbb{E}[X]^2$. */
  override get variance(): Tensor {
    const axis = -(this.eventShape.length + 1);
    const m = this.base.mean;
    const second = sum(this.#weights().mul(this.base.variance.add(square(m))), axis);
    return second.sub(square(this.mean));
  }
  /**
   * Draws every component from `base` (`base.sample(shape, rng)`), then picks one per
   * draw with `Categorical(logits)` (one more uniform draw call).
   */
  override sample(shape: readonly number[] = [], rng: Rng = defaultRng()): Tensor {
    return noGrad(() => {
      const x = this.base.sample(shape, rng);
      const batch = this.batchShape;
      const cat = new Categorical({ logits: expand(this.logits, [...batch, this.components]) }, { validateArgs: false });
      const i = cat.sample(shape, rng);
      const ev = this.eventShape;
      const axis = shape.length + batch.length;
      const idx = expand(reshape(i, [...i.shape, 1, ...ev.map(() => 1)]), [...i.shape, 1, ...ev]);
      return squeeze(gather(x, idx, axis), axis);
    });
  }
  /** The mixture with `base` expanded to `batchShape + [K]` (logits shared). */
  override expand(batchShape: readonly number[]): Mixture {
    return new Mixture(this.base.expand([...batchShape, this.components]), this.logits);
  }
  /** `Mixture(<base>)`. */
  override toString(): string {
    return `Mixture(${this.base.toString()})`;
  }
}
