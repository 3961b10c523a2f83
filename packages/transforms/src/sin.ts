import { abs, asin, cos, log, sin } from '@eddy/core';
import { ScalarFunctionTransform } from './scalar-function.js';

/**
 * $y = \sin x$ on $(-\pi/2, \pi/2)$, $\text{ladj} = \log|\cos x|$; inverse $\arcsin y$ (zuko's `SinTransform`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { SinTransform } from '@eddy/transforms';
 * new SinTransform().call(tensor([0])); // [0]
 * ```
 * @category Elementwise
 */
export class SinTransform extends ScalarFunctionTransform {
  constructor() {
    super({
      domain: '(-π/2, π/2)',
      codomain: '(-1, 1)',
      sign: 1,
      call: (x) => sin(x),
      inverse: (y) => asin(y),
      logAbsDetJacobian: (x) => log(abs(cos(x))),
    });
  }
}
