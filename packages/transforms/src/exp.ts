import { log } from '@eddy/core';
import { ScalarFunctionTransform } from './scalar-function.js';

/**
 * $y = e^x$, $\text{ladj} = x$; inverse $\log y$ (PyTorch's `ExpTransform`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { ExpTransform } from '@eddy/transforms';
 * new ExpTransform().inv.call(tensor([1, Math.E])); // log y: [0, 1]
 * ```
 * @category Elementwise
 */
export class ExpTransform extends ScalarFunctionTransform {
  constructor() {
    super({ codomain: 'positive', sign: 1, call: (x) => x.exp(), inverse: (y) => log(y), logAbsDetJacobian: (x) => x });
  }
}
