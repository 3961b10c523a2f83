import { type FloatDType, Parameter, RandomStream } from '@eddy/core';

let initSeed = 0;
let initCounter = 0;

/**
 * The random stream a layer or network initialises its weights from when it is given no
 * `rng`: `new RandomStream(seed, k)` where `seed` is the initialisation seed (0 until
 * {@link manualInitSeed}) and `k` a module-level counter that every call increments. A
 * program that builds the same modules in the same order therefore gets the same
 * weights on every run; pass an explicit `rng` to make a module independent of that
 * order. (A network such as {@link MLP} takes one default stream and shares it between
 * its layers.)
 *
 * @example
 * ```ts
 * import { defaultInitRng, Linear } from '@eddy/flows';
 * const rng = defaultInitRng(); // RandomStream(0, 0), then (0, 1), ...
 * const layer = new Linear(3, 4, { rng });
 * ```
 * @category Networks
 */
export function defaultInitRng(): RandomStream {
  return new RandomStream(initSeed, initCounter++);
}

/**
 * Reseeds the default initialisation streams ({@link defaultInitRng}) and restarts their
 * counter, like `torch.manual_seed` for weight initialisation.
 *
 * @example
 * ```ts
 * import { manualInitSeed, MLP } from '@eddy/flows';
 * manualInitSeed(42);
 * const a = new MLP(3, 2);
 * manualInitSeed(42);
 * const b = new MLP(3, 2); // same weights as `a`
 * ```
 * @category Networks
 */
export function manualInitSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`manualInitSeed: seed must be a non-negative integer, got ${seed}`);
  initSeed = seed;
  initCounter = 0;
}

/**
 * A parameter of `shape` drawn from $\mathcal{U}(-1/\sqrt{\mathrm{fanIn}}, 1/\sqrt{\mathrm{fanIn}})$: PyTorch's default for
 * `nn.Linear` weights (Kaiming-uniform with $a = \sqrt{5}$) and biases, and zuko's
 * `Linear.reset_parameters`.
 *
 * @example
 * ```ts
 * import { RandomStream } from '@eddy/core';
 * import { kaimingUniform } from '@eddy/flows';
 * const w = kaimingUniform([4, 3], 3, new RandomStream(0), 'float64');
 * ```
 * @category Networks
 */
export function kaimingUniform(shape: readonly number[], fanIn: number, rng: RandomStream, dtype?: FloatDType): Parameter {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return new Parameter(rng.uniform(shape, -bound, bound, dtype));
}
