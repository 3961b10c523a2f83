import type { Module } from '@eddy/core';
import { readSafetensors } from './io/safetensors-read.js';
import { sourceBytes } from './io/source-bytes.js';
import { loadZukoStateDict } from './zuko.js';

/**
 * Loads zuko weights saved in Python with
 * `safetensors.torch.save_file(flow.state_dict(), path)` (the file's bytes, in any runtime
 * a browser included, or on Node.js its path)
 * into the matching Eddy flow, built with the same arguments: int64 `order` buffers
 * become int32, bool masks stay bool, float32/float64 weights are cast to the flow's
 * dtype. The file is fully validated and every name and shape checked before any weight
 * changes, so on any error (a `SafetensorsError` for a broken file, a `ValueError` /
 * `ShapeError` for a mismatch) the flow keeps its weights. Returns the flow.
 *
 * A zuko `BayesianModel` saved the same way
 * (`save_file(BayesianModel(flow, ...).state_dict(), path)`) loads into a
 * {@link BayesianModel} around the same flow, built with the same `includeParams` /
 * `excludeParams` (its `means.<key>` / `logvars.<key>` names must match).
 *
 * @example
 * ```ts
 * import { BayesianModel, NSF, loadZukoFlow } from '@eddy/flows';
 * // Python: safetensors.torch.save_file(zuko.flows.NSF(3, hidden_features=[32, 32]).state_dict(), 'nsf.safetensors')
 * const flow = loadZukoFlow(new NSF({ features: 3, hiddenFeatures: [32, 32] }), 'nsf.safetensors');
 * // Python: save_file(BayesianModel(NSF(3), include_params=["**.hyper.4"]).state_dict(), 'bnsf.safetensors')
 * const bayes = loadZukoFlow(new BayesianModel(new NSF({ features: 3 }), { includeParams: ['**.hyper.4'] }), 'bnsf.safetensors');
 * ```
 * @category Saving and loading
 */
export function loadZukoFlow<M extends Module>(flow: M, source: string | Uint8Array): M {
  loadZukoStateDict(flow, readSafetensors(sourceBytes(source, 'loadZukoFlow')).tensors);
  return flow;
}
