/**
 * Counter-based random numbers built on Philox4x32-10.
 *
 * Philox (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as
 * 1, 2, 3", SC'11) is a keyed bijection on 128-bit counters. Because every
 * output is a pure function of `(key, counter)`, a draw here is a pure
 * function of `(seed, stream, index)`: a job split into shards (on threads,
 * workers or machines) reproduces exactly the numbers of one big draw, as long
 * as each shard passes its global starting index as `offset`.
 *
 * ## Key / counter layout
 *
 * - `seed` is a non-negative safe integer (`0 <= seed < 2^53`):
 *   key = `(k0, k1)` = `(seed mod 2^32, floor(seed / 2^32))` (the high word
 *   holds at most 21 bits).
 * - `stream` is a non-negative safe integer selecting an independent sequence
 *   for the same seed.
 * - Global element index `i` (a non-negative safe integer) uses block
 *   `b = floor(i / 2)` and half `i mod 2` of that block:
 *   counter = `(c0, c1, c2, c3)` =
 *   `(b mod 2^32, floor(b / 2^32), stream mod 2^32, floor(stream / 2^32))`.
 *
 * One block yields four 32-bit words `w0..w3`, i.e. two 53-bit uniforms:
 * half 0 from `(w0, w1)` and half 1 from `(w2, w3)`, each computed as
 * `((hi >>> 5) * 2^26 + (lo >>> 6)) * 2^-53`, which lies in `[0, 1)`.
 *
 * {@link fillUniform} and {@link fillNormal} read the same blocks for the same
 * `(seed, stream)`, so use distinct streams for uniforms and normals that must
 * be independent of each other.
 *
 * @module
 */

// ---------------------------------------------------------------------------
// Philox4x32-10 core
// ---------------------------------------------------------------------------

/** Philox4x32 round multipliers, pre-split into 16-bit halves for `mulhi32`. */
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;

/** Weyl-sequence key increments (golden ratio and sqrt(3) - 1). */
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** Number of Philox rounds (the standard, crush-resistant choice). */
const ROUNDS = 10;

const TWO_POW_32 = 4294967296;

/** 2^-32. */
const TWO_POW_M32 = 1 / 4294967296;

/**
 * High 32 bits of the exact 64-bit product `a * b` of two uint32 values, given the exact
 * low word `lo = (a * b) mod 2^32` (from `Math.imul`). The float64 product `a * b` is
 * within 2^11 of the exact one, so `(a * b - lo) / 2^32` is within 2^-20 of the integer
 * high word, and rounding recovers it exactly.
 */
function mulhi32(a: number, b: number, lo: number): number {
  return Math.round((a * b - lo) * TWO_POW_M32);
}

/**
 * Philox4x32-10 block function: encrypts the 128-bit counter `(c0, c1, c2, c3)`
 * under the 64-bit key `(k0, k1)` and writes the four resulting uint32 words to
 * `out[0..3]`.
 *
 * Inputs are interpreted as uint32 (coerced with `>>> 0`). Matches the
 * Random123 reference `philox4x32_R(10, ctr, key)`, including its known-answer
 * vectors. See the module documentation for how {@link fillUniform} and
 * {@link fillNormal} map `(seed, stream, index)` onto key and counter.
 *
 * @param c0 - Counter word 0 (least significant).
 * @param c1 - Counter word 1.
 * @param c2 - Counter word 2.
 * @param c3 - Counter word 3 (most significant).
 * @param k0 - Key word 0.
 * @param k1 - Key word 1.
 * @param out - Receives the 4 output words; must have length >= 4.
 *
 * @example
 * ```ts
 * import { philox4x32 } from '@eddy/core';
 * const out = new Uint32Array(4);
 * philox4x32(0, 0, 0, 0, 0, 0, out);
 * // out = [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
 * ```
 * @category Random numbers
 */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array): void {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let r = 0; r < ROUNDS; r++) {
    if (r > 0) {
      // Bump the key between rounds (not before the first one).
      key0 = (key0 + W0) >>> 0;
      key1 = (key1 + W1) >>> 0;
    }
    // Exact 32 x 32 -> 64 products: Math.imul gives the low word exactly.
    const lo0 = Math.imul(x0, M0) >>> 0;
    const hi0 = mulhi32(x0, M0, lo0);
    const lo1 = Math.imul(x2, M1) >>> 0;
    const hi1 = mulhi32(x2, M1, lo1);
    // Philox S-box / permutation step.
    const y0 = (hi1 ^ x1 ^ key0) >>> 0;
    const y2 = (hi0 ^ x3 ^ key1) >>> 0;
    x0 = y0;
    x1 = lo1;
    x2 = y2;
    x3 = lo0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}

// ---------------------------------------------------------------------------
// Argument validation
// ---------------------------------------------------------------------------

function checkNonNegativeSafeInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer (0 <= ${name} <= 2^53 - 1), got ${String(value)}`);
  }
}

/**
 * Checks the arguments of a draw of `n` numbers from `(seed, stream)` at `offset` (the
 * same rules as {@link fillUniform}); throws a `RangeError` naming the argument.
 *
 * @example
 * ```ts
 * import { checkDrawArgs } from '@eddy/core';
 * checkDrawArgs(1024, 42, 0, 0);
 * ```
 * @category Random numbers
 */
export function checkDrawArgs(n: number, seed: number, stream: number, offset: number): void {
  checkNonNegativeSafeInteger('seed', seed);
  checkNonNegativeSafeInteger('stream', stream);
  checkNonNegativeSafeInteger('offset', offset);
  if (n > 0 && offset > Number.MAX_SAFE_INTEGER - (n - 1)) {
    throw new RangeError(`offset + n - 1 must be <= 2^53 - 1, got offset ${offset} with n ${n}`);
  }
}

/** Validates all arguments of the fill functions. */
function checkFillArgs(fn: string, out: Float64Array | Float32Array, seed: number, stream: number, offset: number): void {
  if (!(out instanceof Float64Array || out instanceof Float32Array)) {
    throw new TypeError(`${fn}: out must be a Float64Array or Float32Array`);
  }
  checkNonNegativeSafeInteger('seed', seed);
  checkNonNegativeSafeInteger('stream', stream);
  checkNonNegativeSafeInteger('offset', offset);
  // The last global index, offset + length - 1, must itself be a safe integer
  // so that every index (and hence every block counter) is exact.
  if (out.length > 0 && offset > Number.MAX_SAFE_INTEGER - (out.length - 1)) {
    throw new RangeError(`offset + out.length - 1 must be <= 2^53 - 1, got offset ${offset} with out.length ${out.length}`);
  }
}

// ---------------------------------------------------------------------------
// Shared block generator for the fill functions
// ---------------------------------------------------------------------------

/**
 * Scratch space for one Philox block, reused so no call allocates. A typed
 * array keeps the uint32 words unboxed (measurably faster than object fields
 * or module-level variables).
 */
const block = new Uint32Array(4);

/** 2^-53, the spacing of the 53-bit uniforms. */
const TWO_POW_M53 = 1 / 9007199254740992;

/** Largest float32 below 1, i.e. 1 - 2^-24 (exactly representable in float32). */
const F32_BELOW_ONE = 1 - 2 ** -24;

const TWO_PI = 2 * Math.PI;

/** High word of a non-negative safe integer: floor(x / 2^32), exact. */
function highWord(x: number): number {
  return (x - (x >>> 0)) / TWO_POW_32; // x >>> 0 is x mod 2^32, exact for integers
}

/**
 * 53-bit uniform in [0, 1) from words `(hi, lo)` = `(block[i], block[i + 1])`
 * of the scratch block: `((hi >>> 5) * 2^26 + (lo >>> 6)) * 2^-53`. `i` is 0
 * for half 0 and 2 for half 1, so both reads are in bounds.
 */
function blockUniform(i: 0 | 2): number {
  const hi = block[i] as number;
  const lo = block[i + 1] as number;
  return ((hi >>> 5) * 67108864 + (lo >>> 6)) * TWO_POW_M53;
}

// ---------------------------------------------------------------------------
// Public fill functions
// ---------------------------------------------------------------------------

/** Which halves of a block a {@link walkBlocks} visit writes. */
const BOTH = 0;
const FIRST = 1;
const SECOND = 2;

/**
 * Walks the Philox blocks behind global indices `[offset, offset + n)` and hands each
 * block's two float64 uniforms to `visit` with the output position `k` and which halves
 * land there: both (`k`, `k + 1`), only the first (a shard ending on an even index) or
 * only the second (a shard starting on an odd index). The one place that knows the
 * counter layout and the odd/even edges, shared by every distribution.
 */
function walkBlocks(
  n: number,
  seed: number,
  stream: number,
  offset: number,
  visit: (k: number, u0: number, u1: number, halves: typeof BOTH | typeof FIRST | typeof SECOND) => void,
): void {
  if (n === 0) return;
  // Key and the constant half of the counter (see module docs for the layout).
  const k0 = seed >>> 0;
  const k1 = highWord(seed);
  const s0 = stream >>> 0;
  const s1 = highWord(stream);
  // 64-bit block counter (b0 low, b1 high), incremented with carry.
  const firstBlock = Math.floor(offset / 2);
  let b0 = firstBlock >>> 0;
  let b1 = highWord(firstBlock);
  let k = 0;
  const next = (): void => {
    philox4x32(b0, b1, s0, s1, k0, k1, block);
    b0 = (b0 + 1) >>> 0;
    if (b0 === 0) b1++;
  };
  if (offset % 2 === 1) {
    next();
    visit(0, blockUniform(0), blockUniform(2), SECOND);
    k = 1;
  }
  for (; k + 1 < n; k += 2) {
    next();
    visit(k, blockUniform(0), blockUniform(2), BOTH);
  }
  if (k < n) {
    next();
    visit(k, blockUniform(0), blockUniform(2), FIRST);
  }
}

/**
 * Fills `out` with uniform random numbers in `[0, 1)`: element `k` receives
 * the uniform with global index `offset + k` of the sequence `(seed, stream)`.
 *
 * Global index `i` uses Philox block `floor(i / 2)` and half `i mod 2` (see
 * the module documentation for the key/counter layout), so the result does
 * not depend on how a draw is split into shards: filling `[0, n)` at once
 * equals filling any partition of it with matching offsets, bit for bit.
 *
 * Float64 output has 53 random bits (multiples of 2^-53). For a
 * `Float32Array`, each value is the float64 uniform rounded to float32, except
 * that values which would round up to exactly `1.0` are clamped to the largest
 * float32 below 1 (`1 - 2^-24`), so float32 uniforms also lie in `[0, 1)`.
 *
 * @param out - Destination; its whole length is filled.
 * @param seed - Non-negative safe integer (`< 2^53`), used as the Philox key.
 * @param stream - Non-negative safe integer selecting an independent sequence.
 * @param offset - Global index of `out[0]`; non-negative safe integer, and
 *   `offset + out.length - 1` must also be a safe integer.
 * @throws RangeError if `seed`, `stream` or `offset` is out of range.
 * @throws TypeError if `out` is not a Float64Array or Float32Array.
 *
 * @example
 * ```ts
 * import { fillUniform } from '@eddy/core';
 * const all = new Float64Array(10);
 * fillUniform(all, 42, 0, 0);
 * // Two shards reproduce the same numbers:
 * const a = new Float64Array(3);
 * const b = new Float64Array(7);
 * fillUniform(a, 42, 0, 0);
 * fillUniform(b, 42, 0, 3); // b[j] === all[3 + j]
 * ```
 * @category Random numbers
 */
export function fillUniform(out: Float64Array | Float32Array, seed: number, stream: number, offset: number): void {
  checkFillArgs('fillUniform', out, seed, stream, offset);
  // Upper bound applied to each value: a no-op for float64 (every uniform is
  // <= 1 - 2^-53), and for float32 it maps exactly the values that would round
  // to 1.0 onto 1 - 2^-24 while leaving all other roundings unchanged.
  const cap = out instanceof Float32Array ? F32_BELOW_ONE : 1;
  walkBlocks(out.length, seed, stream, offset, (k, u0, u1, halves) => {
    if (halves === BOTH) {
      out[k] = Math.min(u0, cap);
      out[k + 1] = Math.min(u1, cap);
    } else out[k] = Math.min(halves === FIRST ? u0 : u1, cap);
  });
}

/**
 * Fills `out` with standard normal random numbers: element `k` receives the
 * normal with global index `offset + k` of the sequence `(seed, stream)`.
 *
 * Global index `i` uses Philox block `floor(i / 2)`: its two uniforms `u1`
 * (half 0) and `u2` (half 1) feed the Box-Muller transform with `1 - u1` in
 * `(0, 1]`, so the logarithm never sees 0:
 * `r = sqrt(-2 log(1 - u1))`; even `i` gives `r cos(2 pi u2)`, odd `i` gives
 * `r sin(2 pi u2)`. Results are independent of sharding, exactly as for
 * {@link fillUniform}. For a `Float32Array` each value is the float64 normal
 * rounded to float32. Magnitudes are bounded by `sqrt(2 * 53 * ln 2) ~ 8.57`.
 *
 * @param out - Destination; its whole length is filled.
 * @param seed - Non-negative safe integer (`< 2^53`), used as the Philox key.
 * @param stream - Non-negative safe integer selecting an independent sequence.
 * @param offset - Global index of `out[0]`; non-negative safe integer, and
 *   `offset + out.length - 1` must also be a safe integer.
 * @throws RangeError if `seed`, `stream` or `offset` is out of range.
 * @throws TypeError if `out` is not a Float64Array or Float32Array.
 *
 * @example
 * ```ts
 * import { fillNormal } from '@eddy/core';
 * const z = new Float32Array(1024);
 * fillNormal(z, 7, 1, 0);
 * // Continue the same sequence in another worker:
 * const next = new Float32Array(1024);
 * fillNormal(next, 7, 1, 1024);
 * ```
 * @category Random numbers
 */
export function fillNormal(out: Float64Array | Float32Array, seed: number, stream: number, offset: number): void {
  checkFillArgs('fillNormal', out, seed, stream, offset);
  // One logarithm per pair of normals: even index → cosine half, odd → sine half.
  walkBlocks(out.length, seed, stream, offset, (k, u0, u1, halves) => {
    const r = Math.sqrt(-2 * Math.log(1 - u0));
    const theta = TWO_PI * u1;
    if (halves === BOTH) {
      out[k] = r * Math.cos(theta);
      out[k + 1] = r * Math.sin(theta);
    } else out[k] = r * (halves === FIRST ? Math.cos(theta) : Math.sin(theta));
  });
}
