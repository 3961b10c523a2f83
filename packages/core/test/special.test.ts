import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { digamma, erf, erfc, erfcinv, erfinv, lgamma, ndtri } from '../src/special';

/**
 * Reference values from tools/gen/special_fixture.py: 50-digit evaluations with
 * Python's `decimal`, independent of the code under test, rounded once to float64.
 */
type Table = [x: number, expected: number][];
const fixture = JSON.parse(readFileSync(new URL('./fixtures/special.json', import.meta.url), 'utf8')) as Record<
  'erf' | 'erfc' | 'erfinv' | 'erfcinv' | 'ndtri' | 'lgamma' | 'lgammaAbs' | 'digamma',
  Table
>;

const REL = 1e-14;
const TINY = 1e-300;

/** The rows of `table` where |f(x) - expected| > rel·|expected| + abs, with the observed values. */
function mismatches(f: (x: number) => number, table: Table, rel = REL, abs = TINY) {
  return table
    .map(([x, expected]) => ({ x, expected, actual: f(x) }))
    .filter(({ expected, actual }) => !(Math.abs(actual - expected) <= rel * Math.abs(expected) + abs));
}

/** -1, -0.99, …, 1 without the endpoints, plus tails approaching ±1. */
const Y_GRID = [
  ...Array.from({ length: 199 }, (_, i) => (i - 99) / 100),
  ...[1e-3, 1e-6, 1e-9, 1e-12, 1e-15].flatMap((d) => [1 - d, -(1 - d)]),
  1e-300,
  -1e-300,
];

describe('erf', () => {
  it('matches high-precision references', () => {
    expect(mismatches(erf, fixture.erf)).toEqual([]);
  });

  it('is odd and bounded', () => {
    for (const x of [1e-8, 0.3, 0.5, 1.7, 4, 7, 30]) {
      expect(erf(-x)).toBe(-erf(x));
      expect(Math.abs(erf(x))).toBeLessThanOrEqual(1);
    }
    expect(Object.is(erf(-0), -0)).toBe(true);
  });

  it('handles NaN and infinities', () => {
    expect(erf(Number.NaN)).toBeNaN();
    expect(erf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(erf(Number.NEGATIVE_INFINITY)).toBe(-1);
  });
});

describe('erfc', () => {
  it('matches high-precision references, including the far tail (x = 26, 27)', () => {
    expect(mismatches(erfc, fixture.erfc)).toEqual([]);
  });

  it('complements erf', () => {
    for (const x of [-2, -0.6, -0.1, 0, 0.1, 0.6, 2]) {
      expect(erf(x) + erfc(x)).toBeCloseTo(1, 15);
    }
  });

  it('underflows to 0 and saturates at 2', () => {
    expect(erfc(27.5)).toBe(0);
    expect(erfc(1e300)).toBe(0);
    expect(erfc(-30)).toBe(2);
  });

  it('handles NaN and infinities', () => {
    expect(erfc(Number.NaN)).toBeNaN();
    expect(erfc(Number.POSITIVE_INFINITY)).toBe(0);
    expect(erfc(Number.NEGATIVE_INFINITY)).toBe(2);
  });
});

describe('erfinv', () => {
  it('matches high-precision references', () => {
    expect(mismatches(erfinv, fixture.erfinv)).toEqual([]);
  });

  it('matches the literature value erfinv(1/2) = 0.4769362762044699', () => {
    expect(Math.abs(erfinv(0.5) - 0.4769362762044699)).toBeLessThanOrEqual(1e-15 * 0.4769362762044699);
  });

  it('inverts erf: erf(erfinv(y)) = y to 1e-15 relative', () => {
    expect(
      mismatches(
        (y) => erf(erfinv(y)),
        Y_GRID.map((y) => [y, y]),
        1e-15,
      ),
    ).toEqual([]);
    expect(
      mismatches(
        (y) => erf(erfinv(y)),
        [
          [1 - 1e-12, 1 - 1e-12],
          [-(1 - 1e-12), -(1 - 1e-12)],
        ],
        1e-15,
      ),
    ).toEqual([]);
  });

  it('is odd and increasing', () => {
    let prev = Number.NEGATIVE_INFINITY;
    for (const y of [...Y_GRID].sort((a, b) => a - b)) {
      const x = erfinv(y);
      expect(erfinv(-y)).toBe(-x);
      expect(x).toBeGreaterThan(prev);
      prev = x;
    }
  });

  it('handles ±1, out-of-range arguments, NaN and signed zero', () => {
    expect(erfinv(1)).toBe(Number.POSITIVE_INFINITY);
    expect(erfinv(-1)).toBe(Number.NEGATIVE_INFINITY);
    expect(erfinv(1 + 2 ** -52)).toBeNaN();
    expect(erfinv(-2)).toBeNaN();
    expect(erfinv(Number.POSITIVE_INFINITY)).toBeNaN();
    expect(erfinv(Number.NaN)).toBeNaN();
    expect(Object.is(erfinv(0), 0)).toBe(true);
    expect(Object.is(erfinv(-0), -0)).toBe(true);
  });
});

describe('erfcinv', () => {
  it('matches high-precision references, down to q = 1e-300', () => {
    expect(mismatches(erfcinv, fixture.erfcinv)).toEqual([]);
  });

  it('inverts erfc up to the conditioning of erfc', () => {
    // d ln erfc / d ln x ≈ -2x², so a correctly rounded x moves erfc by up to ~2x²·ε.
    for (const q of [1e-300, 1e-200, 1e-100, 1e-30, 1e-10, 1e-3, 0.2, 0.7, 1.3, 1.9]) {
      const x = erfcinv(q);
      const tol = 4 * Number.EPSILON * (1 + 2 * x * x);
      expect(Math.abs(erfc(x) - q)).toBeLessThanOrEqual(tol * q);
    }
  });

  it('agrees with erfinv(1 - q) where 1 - q is exact', () => {
    for (const q of [0.5, 0.75, 1.25, 1.5]) expect(erfcinv(q)).toBe(erfinv(1 - q));
  });

  it('handles the endpoints, out-of-range arguments and NaN', () => {
    expect(erfcinv(0)).toBe(Number.POSITIVE_INFINITY);
    expect(erfcinv(2)).toBe(Number.NEGATIVE_INFINITY);
    expect(erfcinv(1)).toBe(0);
    expect(erfcinv(-1e-300)).toBeNaN();
    expect(erfcinv(2.5)).toBeNaN();
    expect(erfcinv(Number.NaN)).toBeNaN();
    expect(Number.isFinite(erfcinv(Number.MIN_VALUE))).toBe(true);
  });
});

describe('ndtri', () => {
  it('matches high-precision references, including p = 1e-300', () => {
    expect(mismatches(ndtri, fixture.ndtri)).toEqual([]);
  });

  it('is antisymmetric about 1/2', () => {
    for (const p of [2 ** -50, 0.001953125, 0.125, 0.25, 0.375]) expect(ndtri(1 - p)).toBe(-ndtri(p));
  });

  it('handles the endpoints, out-of-range arguments and NaN', () => {
    expect(Object.is(ndtri(0.5), 0)).toBe(true);
    expect(ndtri(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(ndtri(1)).toBe(Number.POSITIVE_INFINITY);
    expect(ndtri(-0.1)).toBeNaN();
    expect(ndtri(1.1)).toBeNaN();
    expect(ndtri(Number.NaN)).toBeNaN();
  });
});

describe('lgamma', () => {
  it('matches high-precision references (tiny, near 1 and 2, large, negative)', () => {
    expect(mismatches(lgamma, fixture.lgamma)).toEqual([]);
  });

  it('has a small absolute error next to its zeros at negative x', () => {
    expect(mismatches(lgamma, fixture.lgammaAbs, 0, 1e-15)).toEqual([]);
  });

  it('gives exact zeros at 1 and 2 and ln n! at integers', () => {
    expect(lgamma(1)).toBe(0);
    expect(lgamma(2)).toBe(0);
    let logFactorial = 0;
    for (let n = 2; n <= 30; n++) {
      logFactorial += Math.log(n);
      expect(Math.abs(lgamma(n + 1) - logFactorial)).toBeLessThanOrEqual(1e-14 * logFactorial);
    }
  });

  it('is +Infinity at the poles and at ±Infinity', () => {
    for (const x of [0, -0, -1, -2, -3, -100, -(2 ** 53), -1e300]) {
      expect(lgamma(x)).toBe(Number.POSITIVE_INFINITY);
    }
    expect(lgamma(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(lgamma(Number.NEGATIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(lgamma(1e306)).toBe(Number.POSITIVE_INFINITY); // overflows like ln Γ itself
    expect(lgamma(Number.NaN)).toBeNaN();
  });
});

describe('digamma', () => {
  it('matches high-precision references (including at its zero 1.4616…)', () => {
    expect(mismatches(digamma, fixture.digamma)).toEqual([]);
  });

  it('reproduces ψ(1) = -γ, ψ(1/2) = -γ - 2 ln 2 and ψ(n + 1) = ψ(n) + 1/n', () => {
    const gamma = 0.5772156649015329;
    expect(digamma(1)).toBe(-gamma);
    expect(Math.abs(digamma(0.5) - (-gamma - 2 * Math.LN2))).toBeLessThanOrEqual(REL * 2);
    let psi = -gamma;
    for (let n = 1; n <= 40; n++) {
      psi += 1 / n;
      expect(Math.abs(digamma(n + 1) - psi)).toBeLessThanOrEqual(REL * Math.abs(psi));
    }
  });

  it('satisfies the reflection ψ(1 - x) - ψ(x) = π cot(πx)', () => {
    for (const x of [0.1, 0.3, 0.7, 2.25, 5.9]) {
      const lhs = digamma(1 - x) - digamma(x);
      const rhs = Math.PI / Math.tan(Math.PI * x);
      expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-13 * Math.abs(rhs));
    }
  });

  it('handles poles, signed zeros, infinities and NaN', () => {
    for (const x of [-1, -2, -50, -1e300]) expect(digamma(x)).toBeNaN();
    expect(digamma(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(digamma(-0)).toBe(Number.POSITIVE_INFINITY);
    expect(digamma(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(digamma(Number.NEGATIVE_INFINITY)).toBeNaN();
    expect(digamma(Number.NaN)).toBeNaN();
  });
});
