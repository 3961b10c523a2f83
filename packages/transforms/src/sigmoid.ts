import { log, log1p, sigmoid, softplus } from '@eddy/core';
import { ScalarFunctionTransform } from './scalar-function.js';

/**
 * $y = \sigma(x) = 1/(1 + e^{-x})$, $\text{ladj} = -\operatorname{softplus}(-x) - \operatorname{softplus}(x)$; inverse $\operatorname{logit}(y)$
 * (PyTorch's `SigmoidTransform`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { SigmoidTransform } from '@eddy/transforms';
 * new SigmoidTransform().call(tensor([0])); // [0.5]
 * ```
 * @category Elementwise
 */
export class SigmoidTransform extends ScalarFunctionTransform {
  constructor() {
    super({
      codomain: '(0, 1)',
      sign: 1,
      call: (x) => sigmoid(x),
      inverse: (y) => log(y).sub(log1p(y.neg())),
      logAbsDetJacobian: (x) => softplus(x.neg()).add(softplus(x)).neg(),
    });
  }
}
