import { getBackend } from './backend.js';
import { type FloatDType, arrayType, getDefaultDType } from './dtype.js';
import { ValueError } from './errors.js';
import { fusedKernelsOf } from './fused-kernels.js';
import { checkDrawArgs, fillNormal, fillUniform } from './philox.js';
import { checkShape, sizeOf } from './shape.js';
import { Tensor, type TensorOptions } from './tensor.js';

/**
 * Where a random draw comes from. Element `k` (row-major) of the result is the draw with
 * global index `offset + k` of the stream `(seed, stream)`, so rows `[a, b)` of a
 * `[n, d]` draw equal a separate draw with `offset = a·d` — shards on any number of
 * threads reproduce one big draw exactly.
 * @category Random numbers
 */
export interface RandomOptions {
  /** Key of the generator: a non-negative safe integer. */
  seed: number;
  /** Independent sub-stream (e.g. one per purpose), default 0. */
  stream?: number;
  /** Global index of the first element, default 0. */
  offset?: number;
  /** Output dtype (default: the default float dtype). float32 draws are float64 draws rounded. */
  dtype?: FloatDType;
  /** Backend to create on (default: active). */
  backend?: TensorOptions['backend'];
}

function draw(kind: 'normal' | 'uniform', shape: readonly number[], o: RandomOptions): Tensor {
  checkShape(kind === 'normal' ? 'randn' : 'rand', shape);
  if (o === undefined || typeof o.seed !== 'number') {
    throw new ValueError(`${kind === 'normal' ? 'randn' : 'rand'}: options.seed (a non-negative integer) is required`);
  }
  const dtype = o.dtype ?? getDefaultDType();
  const backend = o.backend ?? getBackend();
  const n = sizeOf(shape);
  const kernel = fusedKernelsOf(backend)?.random;
  if (kernel !== undefined) {
    checkDrawArgs(n, o.seed, o.stream ?? 0, o.offset ?? 0);
    return new Tensor(kernel.call(backend.fused, kind, n, o.seed, o.stream ?? 0, o.offset ?? 0, dtype), shape, dtype, backend);
  }
  const arr = new (arrayType(dtype))(n) as Float32Array | Float64Array;
  (kind === 'normal' ? fillNormal : fillUniform)(arr, o.seed, o.stream ?? 0, o.offset ?? 0);
  return new Tensor(backend.upload(arr, shape, dtype), shape, dtype, backend);
}

/**
 * Standard normal draws, addressed by `(seed, stream, offset + index)` (Philox4x32-10,
 * Box–Muller in float64).
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * const z = randn([1000, 2], { seed: 0 });
 * ```
 * @category Random numbers
 */
export function randn(shape: readonly number[], options: RandomOptions): Tensor {
  return draw('normal', shape, options);
}

/**
 * Uniform draws in `[0, 1)`, addressed by `(seed, stream, offset + index)`.
 *
 * @example
 * ```ts
 * import { rand } from '@eddy/core';
 * const u = rand([3], { seed: 7, stream: 1 });
 * ```
 * @category Random numbers
 */
export function rand(shape: readonly number[], options: RandomOptions): Tensor {
  return draw('uniform', shape, options);
}

/**
 * A convenience cursor over one random stream: each call continues where the previous
 * one stopped (its `offset` advances by the number of values drawn). Handy for
 * initialising weights from a seed.
 *
 * @example
 * ```ts
 * import { RandomStream } from '@eddy/core';
 * const rng = new RandomStream(42);
 * const w = rng.uniform([64, 8], -0.35, 0.35);
 * const z = rng.normal([10]);
 * ```
 * @category Random numbers
 */
export class RandomStream {
  /** Generator key. */
  readonly seed: number;
  /** Sub-stream. */
  readonly stream: number;
  /** Global index of the next value. */
  offset: number;

  /** Starts at `offset` (default 0) of stream `stream` (default 0) under `seed`. */
  constructor(seed: number, stream = 0, offset = 0) {
    this.seed = seed;
    this.stream = stream;
    this.offset = offset;
  }

  /** Normal draws with mean `loc` and standard deviation `scale`. */
  normal(shape: readonly number[], loc = 0, scale = 1, dtype?: FloatDType): Tensor {
    const z = randn(shape, { seed: this.seed, stream: this.stream, offset: this.offset, dtype });
    this.offset += z.size;
    return loc === 0 && scale === 1 ? z : z.mul(scale).add(loc);
  }

  /** Uniform draws in `[low, high)`. */
  uniform(shape: readonly number[], low = 0, high = 1, dtype?: FloatDType): Tensor {
    const u = rand(shape, { seed: this.seed, stream: this.stream, offset: this.offset, dtype });
    this.offset += u.size;
    return low === 0 && high === 1 ? u : u.mul(high - low).add(low);
  }
}

/** Sub-streams per {@link Rng}: each draw call gets its own. */
const CALLS_PER_STREAM = 4096;

/**
 * The random source of sampling code (`Distribution.sample(shape, rng)`): reproducible
 * from a seed and shardable by row. Each draw call `k` of an `Rng` reads its own
 * sub-stream (`stream · 4096 + k`), and a draw of shape `[n, ...rest]` starts at row
 * `row`, i.e. at index `row · size(rest)` of that sub-stream. So sampling rows `[a, b)`
 * with `new Rng(seed, { row: a })` gives exactly rows `[a, b)` of one big draw with
 * `new Rng(seed)`, however many draw calls the sampler makes, as long as it makes the
 * same calls in the same order (which deterministic sampling code does).
 *
 * @example
 * ```ts
 * import { Rng } from '@eddy/core';
 * const all = new Rng(7).normal([1000, 2]);
 * const part = new Rng(7, { row: 600 }).normal([400, 2]); // rows 600..999 of `all`
 * ```
 * @category Random numbers
 */
export class Rng {
  /** Generator key. */
  readonly seed: number;
  /** Base stream (< 2^40). */
  readonly stream: number;
  /** Index of the first row drawn by every call. */
  readonly row: number;
  #calls = 0;

  /** @param seed key; @param options base `stream` (default 0) and first `row` (default 0). */
  constructor(seed: number, options: { stream?: number; row?: number } = {}) {
    const { stream = 0, row = 0 } = options;
    if (!Number.isSafeInteger(stream) || stream < 0 || stream >= 2 ** 40) {
      throw new ValueError(`Rng: stream must be an integer in [0, 2^40), got ${stream}`);
    }
    if (!Number.isSafeInteger(row) || row < 0) throw new ValueError(`Rng: row must be a non-negative integer, got ${row}`);
    this.seed = seed;
    this.stream = stream;
    this.row = row;
  }

  /** Number of draw calls made so far. */
  get calls(): number {
    return this.#calls;
  }

  #next(shape: readonly number[]): RandomOptions {
    if (this.#calls >= CALLS_PER_STREAM) throw new ValueError(`Rng: more than ${CALLS_PER_STREAM} draw calls on one Rng`);
    const rest = sizeOf(shape.slice(1));
    return { seed: this.seed, stream: this.stream * CALLS_PER_STREAM + this.#calls++, offset: this.row * rest };
  }

  /** Standard normals of `shape` (rows along axis 0). */
  normal(shape: readonly number[], dtype?: FloatDType): Tensor {
    return randn(shape, { ...this.#next(shape), dtype });
  }

  /** Uniforms in `[0, 1)` of `shape` (rows along axis 0). */
  uniform(shape: readonly number[], dtype?: FloatDType): Tensor {
    return rand(shape, { ...this.#next(shape), dtype });
  }
}

let globalRng = new Rng(0);

/**
 * Reseeds the global {@link Rng} used when sampling code is given none (like
 * `torch.manual_seed`).
 *
 * @example
 * ```ts
 * import { manualSeed } from '@eddy/core';
 * import { Normal } from '@eddy/distributions';
 * const normal = new Normal(0, 1);
 * manualSeed(42);
 * const x = normal.sample([10]); // the same on every run
 * ```
 * @category Random numbers
 */
export function manualSeed(seed: number): void {
  globalRng = new Rng(seed);
}

/**
 * The global {@link Rng} (seed 0 until {@link manualSeed}); each draw call advances it.
 *
 * @example
 * ```ts
 * import { defaultRng } from '@eddy/core';
 * const z = defaultRng().normal([3]);
 * ```
 * @category Random numbers
 */
export function defaultRng(): Rng {
  // Roll over to the next base stream once this one's draw calls are used up.
  if (globalRng.calls >= CALLS_PER_STREAM) globalRng = new Rng(globalRng.seed, { stream: globalRng.stream + 1 });
  return globalRng;
}
