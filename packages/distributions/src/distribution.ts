import { NotImplementedError, type Rng, ShapeError, type Tensor, broadcastShapes, fmtShape, noGrad } from '@eddy/core';

/**
 * Base class of probability distributions, with PyTorch's `torch.distributions`
 * semantics in TypeScript names. A sample has shape `sampleShape + batchShape +
 * eventShape`; `logProb(x)` returns one value per `sampleShape + batchShape` entry.
 * Random draws come from an {@link Rng} (default: the global one, see `manualSeed`), so
 * sampling is reproducible from a seed and shardable by row.
 *
 * Methods a distribution does not define throw a `NotImplementedError`.
 *
 * @example
 * ```ts
 * import { Rng } from '@eddy/core';
 * import { Distribution, Normal } from '@eddy/distributions';
 * const d: Distribution = new Normal(0, 1);
 * const x = d.sample([1000], new Rng(42));
 * d.logProb(x).mean();
 * ```
 * @category Basics
 */
export abstract class Distribution {
  /** Shape of independent, non-identical distributions batched together. */
  abstract get batchShape(): number[];
  /** Shape of one event (one draw of one distribution of the batch). */
  abstract get eventShape(): number[];
  /** Log-density (or log-mass) of `x`, shape `sampleShape + batchShape`. */
  abstract logProb(x: Tensor): Tensor;

  /** Whether {@link Distribution.rsample} is reparameterised (differentiable). */
  get hasRsample(): boolean {
    return false;
  }

  /** A reparameterised draw of shape `shape + batchShape + eventShape`. */
  rsample(_shape: readonly number[] = [], _rng?: Rng): Tensor {
    throw new NotImplementedError(`${this.constructor.name}.rsample is not implemented (hasRsample is false); use sample`);
  }

  /** A draw of shape `shape + batchShape + eventShape`, without gradient tracking. */
  sample(shape: readonly number[] = [], rng?: Rng): Tensor {
    return noGrad(() => this.rsample(shape, rng));
  }

  /** `[x, logProb(x)]` for a reparameterised draw `x` (subclasses fuse where cheaper). */
  rsampleAndLogProb(shape: readonly number[] = [], rng?: Rng): [Tensor, Tensor] {
    const x = this.rsample(shape, rng);
    return [x, this.logProb(x)];
  }

  /** The same distribution with parameters broadcast to a new batch shape. */
  expand(_batchShape: readonly number[]): Distribution {
    throw new NotImplementedError(`${this.constructor.name}.expand is not implemented`);
  }

  /** Mean, shape `batchShape + eventShape`. */
  get mean(): Tensor {
    throw new NotImplementedError(`${this.constructor.name}.mean is not implemented`);
  }
  /** Variance, shape `batchShape + eventShape`. */
  get variance(): Tensor {
    throw new NotImplementedError(`${this.constructor.name}.variance is not implemented`);
  }
  /** Entropy, shape `batchShape`. */
  entropy(): Tensor {
    throw new NotImplementedError(`${this.constructor.name}.entropy is not implemented`);
  }
  /** Cumulative distribution function (scalar events). */
  cdf(_x: Tensor): Tensor {
    throw new NotImplementedError(`${this.constructor.name}.cdf is not implemented`);
  }
  /** Inverse CDF (scalar events). */
  icdf(_p: Tensor): Tensor {
    throw new NotImplementedError(`${this.constructor.name}.icdf is not implemented`);
  }

  /** Shape of a draw with sample shape `shape`. */
  extendedShape(shape: readonly number[] = []): number[] {
    return [...shape, ...this.batchShape, ...this.eventShape];
  }

  /**
   * Checks that `x` ends with the event shape and that its leading axes broadcast with
   * the batch shape; throws a {@link ShapeError} naming the argument otherwise.
   */
  protected checkValue(x: Tensor, name = 'x'): void {
    const ev = this.eventShape;
    const ok = x.ndim >= ev.length && ev.every((d, i) => x.shape[x.ndim - ev.length + i] === d);
    if (!ok) {
      throw new ShapeError(`${this.constructor.name}.logProb: ${name} of shape ${fmtShape(x.shape)} must end with the event shape ${fmtShape(ev)}`);
    }
    const lead = x.shape.slice(0, x.ndim - ev.length);
    try {
      broadcastShapes('logProb', lead, this.batchShape);
    } catch {
      throw new ShapeError(
        `${this.constructor.name}.logProb: ${name} of shape ${fmtShape(x.shape)} does not broadcast with batch shape ${fmtShape(this.batchShape)} and event shape ${fmtShape(ev)}`,
      );
    }
  }

  /** `Name(batchShape=[…], eventShape=[…])`. */
  toString(): string {
    return `${this.constructor.name}(batchShape=${fmtShape(this.batchShape)}, eventShape=${fmtShape(this.eventShape)})`;
  }
}
