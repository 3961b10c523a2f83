import { describe, expect, it } from 'vitest';
import { fillNormal, fillUniform, philox4x32 } from '../src/philox';

// Expected values in this file come from Random123's kat_vectors and from an
// independent Python implementation of Philox4x32-10 and of the documented
// (seed, stream, index) layout (arbitrary-precision integers, no shared code).

type FloatArrayCtor = Float64ArrayConstructor | Float32ArrayConstructor;
const CTORS: [string, FloatArrayCtor][] = [
  ['float64', Float64Array],
  ['float32', Float32Array],
];
const FILLS = [
  ['fillUniform', fillUniform],
  ['fillNormal', fillNormal],
] as const;

// ---------------------------------------------------------------------------
// Test-local erfc (the library's erf lives in another module)
// ---------------------------------------------------------------------------

/**
 * Complementary error function, accurate to ~1e-14 relative for the range used
 * here. For |x| < 2.5 a positive-term series
 *   erf(x) = 2/sqrt(pi) e^{-x^2} sum_n (2x^2)^n x / (1 * 3 * ... * (2n+1))
 * (no cancellation); beyond, the Laplace continued fraction
 *   erfc(x) = e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))).
 */
function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  const x2 = x * x;
  if (x < 2.5) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
  }
  let f = x;
  for (let n = 120; n >= 1; n--) f = x + n / 2 / f;
  return Math.exp(-x2) / Math.sqrt(Math.PI) / f;
}

const normalCdf = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);

/** Two-sided Kolmogorov-Smirnov statistic of `sample` against `cdf`. */
function ksStatistic(sample: Float64Array, cdf: (x: number) => number): number {
  const xs = Float64Array.from(sample).sort();
  const n = xs.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(xs[i] as number);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

describe('test helpers', () => {
  it('erfc matches reference values (Python math.erfc)', () => {
    const ref: [number, number][] = [
      [0, 1.0],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [-1, 1.842700792949715],
      [2, 0.004677734981047265],
      [3, 2.2090496998585438e-5],
      [-3, 1.9999779095030015],
      [5, 1.5374597944280351e-12],
      [8, 1.1224297172982928e-29],
    ];
    for (const [x, want] of ref) {
      expect(Math.abs(erfc(x) - want)).toBeLessThanOrEqual(1e-13 * want);
    }
  });
});

// ---------------------------------------------------------------------------
// Philox4x32-10 block function
// ---------------------------------------------------------------------------

describe('philox4x32 known-answer vectors (Random123 kat_vectors)', () => {
  type Ctr = [number, number, number, number];
  const kats: [string, Ctr, [number, number], Ctr][] = [
    ['zero counter, zero key', [0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
    ['all-ones counter and key', [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
    ['pi digits', [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
  ];
  for (const [name, ctr, key, expected] of kats) {
    it(name, () => {
      const out = new Uint32Array(4);
      philox4x32(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out);
      expect(Array.from(out)).toEqual(expected);
    });
  }
});

// ---------------------------------------------------------------------------
// Layout: reference values from the independent Python implementation
// ---------------------------------------------------------------------------

describe('layout of (seed, stream, index) matches the reference', () => {
  // [seed, stream, global index, uniform, normal]
  const ref: [number, number, number, number, number][] = [
    [0, 0, 0, 0.39904647231489565, -0.09047304870320473],
    [0, 0, 1, 0.7357127860596914, -1.0051318183691345],
    [42, 7, 12345, 0.9235428745184874, -0.6250894075258856],
    [2 ** 53 - 1, 2 ** 53 - 1, 2 ** 53 - 2, 0.9286765298707205, -2.284700211521199],
    [123456789012345, 3, 999, 0.048033422223056066, 0.11444269494671075],
    // Block counter crosses 2^32 between these two indices (carry into word 1).
    [5, 2 ** 40 + 3, 2 ** 33 - 1, 0.1761741724447219, 0.4178181458836588],
    [5, 2 ** 40 + 3, 2 ** 33, 0.9058660492030918, 0.938792727946485],
  ];
  for (const [seed, stream, index, u, z] of ref) {
    it(`seed ${seed}, stream ${stream}, index ${index}`, () => {
      const a = new Float64Array(1);
      fillUniform(a, seed, stream, index);
      expect(a[0]).toBe(u); // uniforms are exact
      fillNormal(a, seed, stream, index);
      // Normals go through log/sin/cos, whose last bit may differ between libms.
      expect(Math.abs((a[0] as number) - z)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(z)));
    });
  }

  it('fillUniform carries the block counter across 2^32 inside one draw', () => {
    const all = new Float64Array(10);
    fillUniform(all, 5, 2 ** 40 + 3, 2 ** 33 - 5);
    expect(all[4]).toBe(0.1761741724447219);
    expect(all[5]).toBe(0.9058660492030918);
  });

  for (const [fname, fill] of FILLS) {
    // Single-element draws compute their block directly; multi-element draws
    // increment a 64-bit counter. Starts cover both block halves right before
    // the 2^32 boundary (block 2^32 - 1 holds indices 2^33 - 2 and 2^33 - 1).
    for (const start of [2 ** 33 - 5, 2 ** 33 - 4, 2 ** 33 - 2, 2 ** 33 - 1]) {
      it(`${fname} from index ${start} matches single-element draws across 2^32 blocks`, () => {
        const all = new Float64Array(6);
        fill(all, 5, 2 ** 40 + 3, start);
        const one = new Float64Array(1);
        for (let k = 0; k < all.length; k++) {
          fill(one, 5, 2 ** 40 + 3, start + k);
          expect(one[0]).toBe(all[k]);
        }
      });
    }
  }
});

// ---------------------------------------------------------------------------
// Sharding invariance
// ---------------------------------------------------------------------------

describe('sharding: a split draw equals one big draw', () => {
  const seeds = [0, 1, 2 ** 32 + 5, 2 ** 53 - 1];
  const streams = [0, 1, 2 ** 40 + 3];
  const n = 1001;
  const shards: [number, number][] = [
    [0, 1],
    [1, 400],
    [400, 1001],
  ];

  for (const [fname, fill] of FILLS) {
    for (const [tname, Ctor] of CTORS) {
      it(`${fname} ${tname}: shards [0,1) [1,400) [400,1001)`, () => {
        for (const seed of seeds) {
          for (const stream of streams) {
            const whole = new Ctor(n);
            fill(whole, seed, stream, 0);
            const joined = new Ctor(n);
            for (const [a, b] of shards) {
              const part = new Ctor(b - a);
              fill(part, seed, stream, a);
              joined.set(part, a);
            }
            // Exact, element-for-element equality.
            for (let k = 0; k < n; k++) {
              if (joined[k] !== whole[k]) {
                throw new Error(`mismatch at ${k}: ${joined[k]} !== ${whole[k]} (seed ${seed}, stream ${stream})`);
              }
            }
          }
        }
      });

      it(`${fname} ${tname}: element-by-element and a shifted window match`, () => {
        const base = 1_000_003; // odd, so windows start on both block halves
        const whole = new Ctor(37);
        fill(whole, 9, 4, base);
        const one = new Ctor(1);
        for (let k = 0; k < whole.length; k++) {
          fill(one, 9, 4, base + k);
          expect(one[0]).toBe(whole[k]);
        }
        const window = new Ctor(20);
        fill(window, 9, 4, base + 6);
        expect(Array.from(window)).toEqual(Array.from(whole.subarray(6, 26)));
      });
    }

    it(`${fname}: float32 output is the float64 value rounded`, () => {
      const f64 = new Float64Array(1001);
      const f32 = new Float32Array(1001);
      fill(f64, 3, 2, 17);
      fill(f32, 3, 2, 17);
      f64.forEach((v, k) => {
        expect(f32[k]).toBe(Math.fround(v));
      });
    });

    it(`${fname}: different streams and seeds give different sequences`, () => {
      const draw = (seed: number, stream: number) => {
        const a = new Float64Array(1000);
        fill(a, seed, stream, 0);
        return a;
      };
      const base = draw(1, 0);
      const others = [draw(1, 1), draw(1, 2 ** 32), draw(2, 0), draw(2 ** 32 + 1, 0)];
      for (const other of others) {
        let same = 0;
        for (let k = 0; k < base.length; k++) if (other[k] === base[k]) same++;
        expect(same).toBe(0);
      }
    });

    it(`${fname}: empty output is a no-op`, () => {
      expect(() => fill(new Float64Array(0), 0, 0, 2 ** 53 - 1)).not.toThrow();
    });
  }
});

// ---------------------------------------------------------------------------
// Distribution
// ---------------------------------------------------------------------------

describe('distribution', () => {
  const n = 200_000;
  const ksCritical = 1.95 / Math.sqrt(n); // 0.1% two-sided

  it('normals: mean, variance and KS against N(0,1)', () => {
    const z = new Float64Array(n);
    fillNormal(z, 20240607, 11, 0);
    const mean = z.reduce((acc, v) => acc + v, 0) / n;
    const variance = z.reduce((acc, v) => acc + (v - mean) ** 2, 0) / (n - 1);
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    // sd of the sample variance of normals is sqrt(2 / n).
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(ksStatistic(z, normalCdf)).toBeLessThan(ksCritical);
  });

  it('normals: even and odd indices (cos and sin halves) are each N(0,1)', () => {
    const z = new Float64Array(n);
    fillNormal(z, 77, 3, 1);
    // out[k] holds global index k + 1: odd k are even indices (cosine half).
    const even = z.filter((_, k) => k % 2 === 1);
    const odd = z.filter((_, k) => k % 2 === 0);
    const crit = 1.95 / Math.sqrt(n / 2);
    expect(ksStatistic(even, normalCdf)).toBeLessThan(crit);
    expect(ksStatistic(odd, normalCdf)).toBeLessThan(crit);
  });

  for (const [tname, Ctor] of CTORS) {
    it(`uniforms (${tname}): in [0, 1) and KS against U(0,1)`, () => {
      const u = new Ctor(n);
      fillUniform(u, 12345, 6, 0);
      u.forEach((v, k) => {
        if (!(v >= 0 && v < 1)) throw new Error(`u[${k}] = ${v} outside [0, 1)`);
      });
      expect(ksStatistic(Float64Array.from(u), (x) => x)).toBeLessThan(ksCritical);
    });
  }

  it('float32 uniforms that would round to 1.0 are clamped to 1 - 2^-24', () => {
    // Found by search and confirmed with the Python reference: the float64
    // uniform at (seed 1, stream 0, index 54784238) is 0.999999994107351,
    // which rounds to 1.0 in float32.
    const index = 54_784_238;
    const f64 = new Float64Array(3);
    const f32 = new Float32Array(3);
    fillUniform(f64, 1, 0, index - 1);
    fillUniform(f32, 1, 0, index - 1);
    const [before = Number.NaN, hit = Number.NaN, after = Number.NaN] = f64;
    expect(hit).toBe(0.999999994107351);
    expect(Math.fround(hit)).toBe(1);
    expect(Array.from(f32)).toEqual([Math.fround(before), 1 - 2 ** -24, Math.fround(after)]);
  });
});

// ---------------------------------------------------------------------------
// Argument validation
// ---------------------------------------------------------------------------

describe('bad arguments throw RangeError naming the argument', () => {
  const bad = [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53];
  for (const [fname, fill] of FILLS) {
    for (const arg of ['seed', 'stream', 'offset'] as const) {
      for (const value of bad) {
        it(`${fname}: ${arg} = ${value}`, () => {
          const args = { seed: 1, stream: 2, offset: 3, [arg]: value };
          const call = () => fill(new Float64Array(4), args.seed, args.stream, args.offset);
          expect(call).toThrow(RangeError);
          expect(call).toThrow(new RegExp(`${arg}.*${String(value)}`));
        });
      }
    }

    it(`${fname}: offset + length beyond 2^53 - 1`, () => {
      const call = () => fill(new Float64Array(2), 0, 0, 2 ** 53 - 1);
      expect(call).toThrow(RangeError);
      expect(call).toThrow(/offset/);
      // The last representable index itself is fine.
      expect(() => fill(new Float64Array(1), 0, 0, 2 ** 53 - 1)).not.toThrow();
    });
  }
});
