import { type Rng, ShapeError, type Tensor, fmtShape } from '@eddy/core';
import { sumRightmost } from '@eddy/transforms';
import { Distribution } from './distribution.js';
import { checkInteger } from './helpers.js';

/**
 * Reinterprets the last `reinterpreted` batch axes of a distribution as event axes:
 * $\log p(x)$ is the sum of the base log-densities over those axes (PyTorch's `Independent`).
 * A batch of `D` normals becomes one `D`-dimensional diagonal normal.
 *
 * @example
 * ```ts
 * import { ones, zeros } from '@eddy/core';
 * import { Independent, Normal } from '@eddy/distributions';
 * const d = new Independent(new Normal(zeros([3]), ones([3])), 1);
 * d.batchShape; // []
 * d.eventShape; // [3]
 * ```
 * @category Multivariate
 */
export class Independent extends Distribution {
  /** The wrapped distribution. */
  readonly base: Distribution;
  /** Number of batch axes moved to the event. */
  readonly reinterpreted: number;

  /** @param base a distribution; @param reinterpreted how many trailing batch axes become event axes. */
  constructor(base: Distribution, reinterpreted: number) {
    super();
    checkInteger('Independent', 'reinterpreted', reinterpreted, 0);
    if (reinterpreted > base.batchShape.length) {
      throw new ShapeError(`Independent: reinterpreted = ${reinterpreted} exceeds the base's batch rank (batch shape ${fmtShape(base.batchShape)})`);
    }
    this.base = base;
    this.reinterpreted = reinterpreted;
  }
  /** The base batch shape without its last `reinterpreted` axes. */
  get batchShape(): number[] {
    const b = this.base.batchShape;
    return b.slice(0, b.length - this.reinterpreted);
  }
  /** The reinterpreted axes followed by the base event shape. */
  get eventShape(): number[] {
    const b = this.base.batchShape;
    return [...b.slice(b.length - this.reinterpreted), ...this.base.eventShape];
  }
  /** The base's. */
  override get hasRsample(): boolean {
    return this.base.hasRsample;
  }
  /** Base log-densities summed over the reinterpreted axes. */
  logProb(x: Tensor): Tensor {
    this.checkValue(x);
    return sumRightmost(this.base.logProb(x), this.reinterpreted);
  }
  /** The base's reparameterised draw. */
  override rsample(shape: readonly number[] = [], rng?: Rng): Tensor {
    return this.base.rsample(shape, rng);
  }
  /** The base's draw. */
  override sample(shape: readonly number[] = [], rng?: Rng): Tensor {
    return this.base.sample(shape, rng);
  }
  /** The base's mean. */
  override get mean(): Tensor {
    return this.base.mean;
  }
  /** The base's variance. */
  override get variance(): Tensor {
    return this.base.variance;
  }
  /** Base entropies summed over the reinterpreted axes. */
  override entropy(): Tensor {
    return sumRightmost(this.base.entropy(), this.reinterpreted);
  }
  /** Expands the base to `batchShape + reinterpreted axes`. */
  override expand(batchShape: readonly number[]): Independent {
    const b = this.base.batchShape;
    return new Independent(this.base.expand([...batchShape, ...b.slice(b.length - this.reinterpreted)]), this.reinterpreted);
  }
  /** `Independent(<base>, r)`. */
  override toString(): string {
    return `Independent(${this.base.toString()}, ${this.reinterpreted})`;
  }
}
