import { type FloatDType, RandomStream } from '@eddy/core';
import type { ActivationName } from './nn/activation-from-name.js';
import type { Univariate } from './univariate.js';

/**
 * Options every trainable flow component accepts: where its initial weights come from
 * and their dtype.
 * @category Lazy modules
 */
export interface NetworkOptions {
  /** Seed of the weight initialisation (default 0): the same seed gives the same weights. */
  seed?: number;
  /** A random stream to draw initial weights from (overrides `seed`; shared across parts). */
  rng?: RandomStream;
  /** dtype of weights and buffers (default: the default float dtype). */
  dtype?: FloatDType;
}

/**
 * Options of the lazy transforms whose network outputs the parameters of an elementwise
 * transform ({@link MaskedAutoregressiveTransform}, {@link GeneralCouplingTransform},
 * {@link ElementWiseTransform}): the univariate, its parameter shapes and the network.
 *
 * @category Flows
 */
export interface HyperNetworkOptions extends NetworkOptions {
  /** The elementwise transform built from the network's outputs (default monotonic affine). */
  univariate?: Univariate;
  /** Shapes of the univariate's parameters per transformed feature (default `[[], []]`). */
  shapes?: ReadonlyArray<readonly number[]>;
  /** Hidden layer sizes of the network (default `[64, 64]`). */
  hiddenFeatures?: readonly number[];
  /** Activation of the network (default `ReLU`). */
  activation?: ActivationName;
}

/**
 * The random stream for initial weights: `options.rng`, else a stream seeded by
 * `options.seed` (default 0).
 *
 * @example
 * ```ts
 * import { networkRng } from '@eddy/flows';
 * const rng = networkRng({ seed: 1 });
 * ```
 * @category Lazy modules
 */
export function networkRng(options: NetworkOptions): RandomStream {
  return options.rng ?? new RandomStream(options.seed ?? 0);
}

/**
 * A uniformly random permutation of `0…n-1` (Fisher–Yates) drawn from `rng`.
 *
 * @example
 * ```ts
 * import { RandomStream } from '@eddy/core';
 * import { randperm } from '@eddy/flows';
 * randperm(4, new RandomStream(0)); // e.g. [2, 0, 3, 1]
 * ```
 * @category Lazy modules
 */
export function randperm(n: number, rng: RandomStream): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  if (n < 2) return p;
  const u = rng.uniform([n], 0, 1, 'float64').dataSync();
  for (let k = n - 1; k > 0; k--) {
    const j = Math.floor((u[k] as number) * (k + 1));
    [p[k], p[j]] = [p[j] as number, p[k] as number];
  }
  return p;
}
