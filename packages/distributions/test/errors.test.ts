import '@eddy/backend-cpu';
import { NotImplementedError, ShapeError, ValueError } from '@eddy/core';
import * as D from '@eddy/distributions';
import { AffineTransform, SoftclipTransform } from '@eddy/transforms';
import { describe, expect, it } from 'vitest';
import { f64 } from './helpers.js';

/** Expects `fn` to throw an error of class `cls` whose message matches every pattern. */
function throwsWith(fn: () => unknown, cls: typeof ValueError | typeof ShapeError, ...patterns: RegExp[]): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(cls);
  for (const p of patterns) expect((err as Error).message).toMatch(p);
}

describe('invalid parameters: ValueError naming the argument', () => {
  it('non-positive scales, rates, concentrations, degrees of freedom', () => {
    throwsWith(() => new D.Exponential(f64([1, 0])), ValueError, /Exponential/, /rate must be positive/, /got 0/);
    throwsWith(() => new D.Laplace(0, f64(-1)), ValueError, /Laplace: scale must be positive/, /-1/);
    throwsWith(() => new D.Cauchy(0, f64(0)), ValueError, /Cauchy: scale must be positive/);
    throwsWith(() => new D.Gamma(f64(-2), 1), ValueError, /Gamma: concentration must be positive/);
    throwsWith(() => new D.Gamma(1, f64(0)), ValueError, /Gamma: rate must be positive/);
    throwsWith(() => new D.Beta(f64(1), f64(0)), ValueError, /Beta: concentration0 must be positive/);
    throwsWith(() => new D.StudentT(f64(0)), ValueError, /StudentT: df must be positive/);
    throwsWith(() => new D.StudentT(3, 0, f64(-2)), ValueError, /StudentT: scale must be positive/);
    throwsWith(() => new D.GeneralizedNormal(f64(Number.NaN)), ValueError, /GeneralizedNormal: beta must be positive/);
  });
  it('empty intervals', () => {
    throwsWith(() => new D.Uniform(f64([0, 1]), f64([1, 1])), ValueError, /Uniform: low must be < high/, /index 1/);
    throwsWith(() => new D.BoxUniform(f64([0, 2]), f64([1, 1])), ValueError, /low must be < high/);
    throwsWith(() => new D.Truncated(new D.Normal(0, 1), { lower: 2, upper: 1 }), ValueError, /Truncated: lower must be < upper/);
    throwsWith(() => new D.Truncated(new D.Normal(f64(0), f64(1)), { lower: 40, upper: 41 }), ValueError, /no probability/, /F\(lower\) = 1/);
    throwsWith(() => new D.TransformedUniform(new AffineTransform(0, -1), 2, 3), ValueError, /f\(lower\) must be < f\(upper\)/);
  });
  it('TopK / Sort / Minimum sizes', () => {
    throwsWith(() => new D.TopK(new D.Normal(0, 1), 5, 4), ValueError, /TopK: k must be an integer with 1 ≤ k < n = 4, got k = 5/);
    throwsWith(() => new D.TopK(new D.Normal(0, 1), 4, 4), ValueError, /k = 4/);
    throwsWith(() => new D.TopK(new D.Normal(0, 1), 0, 4), ValueError, /k = 0/);
    throwsWith(() => new D.Sort(new D.Normal(0, 1), 0), ValueError, /Sort: n must be an integer ≥ 1, got 0/);
    throwsWith(() => new D.Minimum(new D.Normal(0, 1), 1), ValueError, /Minimum: k must be/);
    throwsWith(() => new D.Maximum(new D.Normal(0, 1), 2.5), ValueError, /Maximum: n must be an integer/);
  });
  it('Categorical probabilities and logits', () => {
    throwsWith(() => new D.Categorical({ probs: f64([0.5, -0.1]) }), ValueError, /probs must be finite and non-negative/, /-0.1/);
    throwsWith(
      () =>
        new D.Categorical({
          probs: f64([
            [0, 0],
            [1, 0],
          ]),
        }),
      ValueError,
      /probs sum to 0/,
      /batch entry 0/,
    );
    throwsWith(() => new D.Categorical({ logits: f64([0, Number.NaN]) }), ValueError, /logits must not be NaN/);
    throwsWith(() => new D.Categorical({ logits: f64(1) }), ShapeError, /logits must have shape \[\.\.\., K\]/);
    throwsWith(() => new D.Categorical({ logits: f64([1]), probs: f64([1]) } as never), ValueError, /exactly one/);
  });
  it('MultivariateNormal scale factor', () => {
    throwsWith(
      () =>
        new D.MultivariateNormal(f64([0, 0]), {
          scaleTril: f64([
            [1, 0],
            [0, -1],
          ]),
        }),
      ValueError,
      /diagonal of scaleTril must be positive/,
    );
    throwsWith(
      () =>
        new D.MultivariateNormal(f64([0, 0]), {
          scaleTril: f64([
            [1, 0.5],
            [0, 1],
          ]),
        }),
      ValueError,
      /lower triangular/,
    );
  });
});

describe('shape errors: ShapeError with expected vs actual', () => {
  it('parameters that do not broadcast name both', () => {
    throwsWith(() => new D.Uniform(f64([0, 1]), f64([2, 3, 4])), ShapeError, /Uniform/, /low of shape \[2\]/, /high of shape \[3\]/);
    throwsWith(() => new D.StudentT(f64([1, 2]), f64([0, 0, 0])), ShapeError, /df of shape \[2\]/, /loc of shape \[3\]/);
    throwsWith(() => new D.Gamma(f64([1, 2]), f64([[1, 2, 3]])), ShapeError, /concentration of shape \[2\], rate of shape \[1,3\]/);
    throwsWith(
      () =>
        new D.MultivariateNormal(
          f64([
            [0, 0],
            [1, 1],
          ]),
          {
            scaleTril: f64([
              [
                [1, 0],
                [0, 1],
              ],
              [
                [1, 0],
                [0, 1],
              ],
              [
                [1, 0],
                [0, 1],
              ],
            ]),
          },
        ),
      ShapeError,
      /batch shapes of loc \[2,2\] and scaleTril \[3,2,2\] do not broadcast/,
    );
    throwsWith(() => new D.Joint(new D.Normal(f64([0, 0]), f64([1, 1])), new D.Normal(f64([0, 0, 0]), f64([1, 1, 1]))), ShapeError, /Joint/, /\[2\], \[3\]/);
    throwsWith(() => new D.Truncated(new D.Normal(f64([0, 0]), f64([1, 1])), { lower: f64([0, 0, 0]) }), ShapeError, /lower \[3\]/);
  });
  it('wrong event shapes of values', () => {
    const mvn = new D.MultivariateNormal(f64([0, 0]), {
      scaleTril: f64([
        [1, 0],
        [0, 1],
      ]),
    });
    throwsWith(() => mvn.logProb(f64([[1, 2, 3]])), ShapeError, /MultivariateNormal\.logProb/, /\[1,3\]/, /event shape \[2\]/);
    throwsWith(() => new D.Sort(new D.Normal(0, 1), 3).logProb(f64([[1, 2]])), ShapeError, /Sort\.logProb/, /event shape \[3\]/);
    throwsWith(() => new D.TopK(new D.Normal(0, 1), 2, 4).logProb(f64([[1, 2, 3]])), ShapeError, /event shape \[2\]/);
    throwsWith(() => new D.Gamma(f64([1, 2]), f64([1, 1])).logProb(f64([1, 2, 3])), ShapeError, /batch shape \[2\]/);
    const joint = new D.Joint(new D.Uniform(0, 1), new D.Normal(0, 1), new D.DiagNormal(f64([0, 0]), f64([1, 1])));
    throwsWith(() => joint.logProb(f64([[0, 0, 0]])), ShapeError, /Joint\.logProb/, /\[1,3\]/, /4 entries/, /1 \+ 1 \+ 2/);
  });
  it('structural mismatches', () => {
    throwsWith(() => new D.BoxUniform(0, 1), ShapeError, /BoxUniform: lower and upper need at least one axis/);
    throwsWith(
      () =>
        new D.MultivariateNormal(f64([0, 0]), {
          scaleTril: f64([
            [1, 0, 0],
            [0, 1, 0],
          ]),
        }),
      ShapeError,
      /\[\.\.\., D, D\]/,
      /\[2,3\]/,
    );
    throwsWith(
      () =>
        new D.MultivariateNormal(f64([0, 0, 0]), {
          scaleTril: f64([
            [1, 0],
            [0, 1],
          ]),
        }),
      ShapeError,
      /expected \[\.\.\., 3, 3\]/,
    );
    throwsWith(() => new D.MultivariateNormal(f64(0), { scaleTril: f64([[1]]) }), ShapeError, /loc must have shape \[\.\.\., D\]/);
    throwsWith(() => new D.Truncated(new D.DiagNormal(f64([0, 0]), f64([1, 1]))), ShapeError, /Truncated: base must be univariate/, /\[2\]/);
    throwsWith(() => new D.Sort(new D.DiagNormal(f64([0, 0]), f64([1, 1])), 3), ShapeError, /Sort: base must be univariate/);
    throwsWith(() => new D.Mixture(new D.Normal(f64([0, 1, 2]), f64([1, 1, 1])), f64([0, 0])), ShapeError, /logits of shape \[2\]/, /3 components/);
    throwsWith(() => new D.Mixture(new D.Normal(0, 1), f64([0])), ShapeError, /base needs a batch axis/);
  });
});

describe('methods a distribution does not define', () => {
  it('throw NotImplementedError', () => {
    expect(() => new D.Sort(new D.Normal(0, 1), 3).entropy()).toThrow(NotImplementedError);
    expect(() => new D.Mixture(new D.Normal(f64([0, 1]), f64([1, 1])), f64([0, 0])).rsample()).toThrow(NotImplementedError);
    expect(() => new D.Beta(2, 2).cdf(f64([0.5]))).toThrow(NotImplementedError);
    expect(() => new D.Categorical({ probs: f64([1, 1]) }).rsample()).toThrow(NotImplementedError);
  });
  it('Cauchy has NaN mean and infinite variance; StudentT moments follow ν', () => {
    const c = new D.Cauchy(f64([0, 1]), f64([1, 1]));
    expect(Array.from(c.mean.dataSync()).every(Number.isNaN)).toBe(true);
    expect(Array.from(c.variance.dataSync())).toEqual([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]);
    const t = new D.StudentT(f64([0.5, 1.5, 4]), f64(2), f64(1));
    const m = t.mean.dataSync();
    expect(Number.isNaN(m[0] as number)).toBe(true);
    expect(Array.from(m.slice(1))).toEqual([2, 2]);
    const v = t.variance.dataSync();
    expect(Number.isNaN(v[0] as number)).toBe(true);
    expect(v[1]).toBe(Number.POSITIVE_INFINITY);
    expect(v[2]).toBeCloseTo(2, 14);
  });
  it('Softclip-based TransformedUniform reports its pieces', () => {
    const d = new D.TransformedUniform(new SoftclipTransform(2), -3, 4);
    expect(d.eventShape).toEqual([]);
    expect(d.toString()).toMatch(/Softclip/);
  });
});
