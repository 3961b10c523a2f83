import { type FloatDType, full, getDefaultDType, ones, zeros } from '@eddy/core';
import { DiagNormal } from '@eddy/distributions';
import { UnconditionalDistribution } from './lazy.js';

/**
 * The standard normal base of zuko's flows: `DiagNormal(0, 1)` over `features`, with
 * `loc` and `scale` stored as buffers (state dict `base.loc`, `base.scale`).
 *
 * @example
 * ```ts
 * import { standardNormalBase } from '@eddy/flows';
 * const base = standardNormalBase(3);
 * ```
 * @category Lazy modules
 */
export function standardNormalBase(features: number, dtype: FloatDType = getDefaultDType()): UnconditionalDistribution {
  return new UnconditionalDistribution(
    (loc, scale) => new DiagNormal(loc, scale),
    { loc: zeros([features], { dtype }), scale: ones([features], { dtype }) },
    { buffer: true },
  );
}

/**
 * A box-uniform base `BoxUniform(lower, upper)` with buffers `base.lower`, `base.upper`
 * (NCSF uses `±(π + 1e-5)`). The distribution class is passed in so this module does not
 * depend on it at load time.
 *
 * @example
 * ```ts
 * import { BoxUniform } from '@eddy/distributions';
 * import { boxUniformBase } from '@eddy/flows';
 * const base = boxUniformBase(2, -Math.PI - 1e-5, Math.PI + 1e-5, (l, u) => new BoxUniform(l, u));
 * ```
 * @category Lazy modules
 */
export function boxUniformBase(
  features: number,
  lower: number,
  upper: number,
  make: ConstructorParameters<typeof UnconditionalDistribution>[0],
  dtype: FloatDType = getDefaultDType(),
): UnconditionalDistribution {
  return new UnconditionalDistribution(make, { lower: full([features], lower, { dtype }), upper: full([features], upper, { dtype }) }, { buffer: true });
}
