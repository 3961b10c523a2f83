import { expm1, log, softplus } from '@eddy/core';
import { ScalarFunctionTransform } from './scalar-function.js';

/**
 * $y = \log(1 + e^x)$, $\text{ladj} = -\operatorname{softplus}(-x)$; inverse $y + \log\big(-\operatorname{expm1}(-y)\big)$
 * (PyTorch's `SoftplusTransform`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { SoftplusTransform } from '@eddy/transforms';
 * new SoftplusTransform().call(tensor([0])); // [log 2]
 * ```
 * @category Elementwise
 */
export class SoftplusTransform extends ScalarFunctionTransform {
  constructor() {
    super({
      codomain: 'positive',
      sign: 1,
      call: (x) => softplus(x),
      inverse: (y) => y.add(log(expm1(y.neg()).neg())),
      logAbsDetJacobian: (x) => softplus(x.neg()).neg(),
    });
  }
}
