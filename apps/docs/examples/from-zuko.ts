// Guide 7 — Coming from zuko: the same names in camelCase, and zuko weights loaded from a
// safetensors file. Run by `npm run examples`.
// #region imports
import '@eddy/backend-cpu';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Rng, randn } from '@eddy/core';
import { NSF, loadZukoFlow, writeSafetensors } from '@eddy/flows';
// #endregion imports
import { check, maxAbsDiff } from './lib/output.js';

// #region file
// In Python the file would come from
//   flow = zuko.flows.NSF(3, context=2, hidden_features=[32, 32])
//   safetensors.torch.save_file(flow.state_dict(), "nsf.safetensors")
// Here we write such a file from an Eddy flow: its state dict has zuko's names
// (transform.transforms.0.hyper.0.weight, ...).
const trained = new NSF({ features: 3, context: 2, hiddenFeatures: [32, 32], seed: 42 });
mkdirSync('out', { recursive: true });
writeFileSync('out/nsf.safetensors', writeSafetensors(trained.stateDict()));
// #endregion file

// #region load
// zuko: flow = zuko.flows.NSF(3, context=2, hidden_features=[32, 32])
const flow = loadZukoFlow(new NSF({ features: 3, context: 2, hiddenFeatures: [32, 32] }), 'out/nsf.safetensors');
// zuko: x = flow(c).sample((100,)); flow(c).log_prob(x)
const c = randn([2], { seed: 1 });
const x = flow.call(c).sample([100], new Rng(0));
const lp = flow.call(c).logProb(x);
// #endregion load
check(Object.keys(trained.stateDict()).includes('transform.transforms.0.hyper.0.weight'), "parameter names are zuko's");
check(maxAbsDiff(lp, trained.call(c).logProb(x)) === 0, 'the loaded flow computes exactly what the saved one did');

// #region mismatch
try {
  loadZukoFlow(new NSF({ features: 3, context: 2, hiddenFeatures: [64, 64] }), 'out/nsf.safetensors');
} catch (e) {
  console.log(`${(e as Error).name}: ${(e as Error).message}`); // names the parameter and both shapes
}
// #endregion mismatch
{
  let message = '';
  try {
    loadZukoFlow(new NSF({ features: 3, context: 2, hiddenFeatures: [64, 64] }), 'out/nsf.safetensors');
  } catch (e) {
    message = (e as Error).message;
  }
  check(
    /hyper\.0\.(weight|bias)/.test(message) && /64/.test(message) && /32/.test(message),
    'a mismatched architecture is refused with the parameter name and both shapes',
  );
}
