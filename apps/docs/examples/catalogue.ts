// Guide 9 — Catalogue: checks that the catalogue page lists every transform, distribution
// and flow class the packages export, and round-trips a sample of the transforms.
// Run by `npm run examples`.
// #region imports
import '@eddy/backend-cpu';
import { eye, randn, tensor } from '@eddy/core';
import * as transforms from '@eddy/transforms';
// #endregion imports
import { readFileSync } from 'node:fs';
import * as distributions from '@eddy/distributions';
import { registeredFlowClasses } from '@eddy/flows';
import { check, maxAbsDiff } from './lib/output.js';

const page = readFileSync('apps/docs/guides/catalogue.md', 'utf8');
const listed = new Set([...page.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1] as string));

/** Exported classes of a module that are `base` or extend it. */
function classesOf(module: Record<string, unknown>, base: abstract new (...args: never[]) => unknown): string[] {
  return Object.entries(module)
    .filter(([, v]) => typeof v === 'function' && (v === base || (v as { prototype: unknown }).prototype instanceof base))
    .map(([name]) => name);
}

const exported = [...classesOf(transforms, transforms.Transform), ...classesOf(distributions, distributions.Distribution), ...registeredFlowClasses()];
const missing = exported.filter((name) => !listed.has(name));
const stale = [...listed].filter((name) => !exported.includes(name));
check(missing.length === 0, `every exported class is in the catalogue (missing: ${missing.join(', ') || 'none'})`);
check(stale.length === 0, `every catalogue entry is exported (unknown: ${stale.join(', ') || 'none'})`);
console.log(`${exported.length} classes listed`);

// #region roundtrip
const f64 = { dtype: 'float64' } as const;
const x = randn([256, 3], { seed: 0, dtype: 'float64' });
const samples: transforms.Transform[] = [
  new transforms.ExpTransform(),
  new transforms.AffineTransform(1, 2),
  new transforms.SigmoidTransform(),
  new transforms.TanhTransform(),
  new transforms.SoftplusTransform(),
  new transforms.SoftclipTransform(3),
  new transforms.SignedPowerTransform(tensor([0.5, -0.3, 0.1], f64)),
  new transforms.AdditiveTransform(tensor([1, 2, 3], f64)),
  new transforms.MonotonicAffineTransform(tensor([0.1, 0.2, 0.3], f64), tensor([1, -1, 0.5], f64)),
  new transforms.PermutationTransform([2, 0, 1]),
  new transforms.RotationTransform(randn([3, 3], { seed: 1, dtype: 'float64' })),
  new transforms.LULinearTransform(
    eye(3, 3, f64)
      .mul(2)
      .add(randn([3, 3], { seed: 2, dtype: 'float64' }).mul(0.3)),
  ),
  new transforms.MonotonicRQSTransform(
    randn([3, 8], { seed: 3, dtype: 'float64' }),
    randn([3, 8], { seed: 4, dtype: 'float64' }),
    randn([3, 7], { seed: 5, dtype: 'float64' }),
  ),
  new transforms.ComposedTransform([new transforms.SoftclipTransform(3), new transforms.RotationTransform(randn([3, 3], { seed: 6, dtype: 'float64' }))]),
];
for (const t of samples) {
  const [y, ladj] = t.callAndLadj(x); // y = f(x) and log |det ∂y/∂x|
  const error = t.inv.call(y).sub(x).abs().max().item(); // max |f⁻¹(f(x)) − x|
  console.log(`max |inv(call(x)) − x| = ${error.toExponential(1)}, ladj [${ladj.shape.join(', ')}]`.padEnd(50), t.toString());
}
// #endregion roundtrip
for (const t of samples) check(maxAbsDiff(t.inv.call(t.call(x)), x) < 1e-8, `${t.constructor.name} round-trips`);
