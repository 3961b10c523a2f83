import { abs, acos, cos, log, sin } from '@eddy/core';
import { ScalarFunctionTransform } from './scalar-function.js';

/**
 * $y = -\cos x$ on $(0, \pi)$, $\text{ladj} = \log|\sin x|$; inverse $\arccos(-y)$ (zuko's `CosTransform`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { CosTransform } from '@eddy/transforms';
 * new CosTransform().call(tensor([Math.PI / 2])); // [0]
 * ```
 * @category Elementwise
 */
export class CosTransform extends ScalarFunctionTransform {
  constructor() {
    super({
      domain: '(0, π)',
      codomain: '(-1, 1)',
      sign: 1,
      call: (x) => cos(x).neg(),
      inverse: (y) => acos(y.neg()),
      logAbsDetJacobian: (x) => log(abs(sin(x))),
    });
  }
}
