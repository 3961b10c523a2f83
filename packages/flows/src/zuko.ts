import { type Module, ShapeError, type Tensor, ValueError, fmtShape } from '@eddy/core';
import { AdditiveTransform, MonotonicAffineTransform, MonotonicRQSTransform } from '@eddy/transforms';
import type { Univariate } from './univariate.js';

/**
 * zuko's univariate transform classes by name, as its flows accept them
 * (`univariate=AdditiveTransform`), mapped to Eddy univariates.
 *
 * @example
 * ```ts
 * import { NICE, ZUKO_UNIVARIATES } from '@eddy/flows';
 * new NICE({ features: 4, univariate: ZUKO_UNIVARIATES.AdditiveTransform, shapes: [[]] });
 * ```
 * @category Saving and loading
 */
export const ZUKO_UNIVARIATES: Readonly<Record<string, Univariate>> = {
  MonotonicAffineTransform: (shift: Tensor, scale: Tensor) => new MonotonicAffineTransform(shift, scale),
  AdditiveTransform: (shift: Tensor) => new AdditiveTransform(shift),
  MonotonicRQSTransform: (w: Tensor, h: Tensor, d: Tensor) => new MonotonicRQSTransform(w, h, d),
};

/**
 * Loads a zuko module's `state_dict` (names exactly as PyTorch prints them) into the
 * matching Eddy module: every name must exist with the same shape (int64 buffers become
 * int32, bool masks stay bool). Nothing is changed unless every entry fits; a mismatch
 * names the key and both shapes. A zuko `BayesianModel`'s state dict (`base.<name>`,
 * `means.<key>`, `logvars.<key>`) loads into a {@link BayesianModel} built around the
 * same flow with the same `includeParams`/`excludeParams`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { loadZukoStateDict, NSF, readSafetensors } from '@eddy/flows';
 * const flow = new NSF({ features: 3 });
 * loadZukoStateDict(flow, readSafetensors(readFileSync('zuko-nsf.safetensors')).tensors); // saved by zuko
 * ```
 * @category Saving and loading
 */
export function loadZukoStateDict(module: Module, stateDict: Record<string, Tensor>): void {
  const own = new Map(Object.entries(module.stateDict()));
  const missing = [...own.keys()].filter((k) => !(k in stateDict));
  const unexpected = Object.keys(stateDict).filter((k) => !own.has(k));
  if (missing.length > 0 || unexpected.length > 0) {
    // zuko's BayesianModel keys its posterior by the included parameters: a mismatch there
    // means the Eddy model was built with other include/exclude patterns.
    const posterior = [...missing, ...unexpected].some((k) => k.startsWith('means.') || k.startsWith('logvars.'));
    const hint = posterior ? ' (a BayesianModel: build it with the includeParams/excludeParams the zuko model used)' : '';
    throw new ValueError(
      `loadZukoStateDict: the zuko state dict does not match this ${module.constructor.name}: missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]${hint}`,
    );
  }
  for (const [k, v] of Object.entries(stateDict)) {
    const mine = own.get(k) as Tensor;
    if (mine.shape.length !== v.shape.length || mine.shape.some((d, i) => d !== v.shape[i])) {
      throw new ShapeError(`loadZukoStateDict: ${k} has shape ${fmtShape(v.shape)} in the zuko state dict, ${fmtShape(mine.shape)} here`);
    }
  }
  module.loadStateDict(stateDict);
}
