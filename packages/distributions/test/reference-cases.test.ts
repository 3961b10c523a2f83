import '@eddy/backend-cpu';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Tensor, tensor } from '@eddy/core';
import {
  BoxUniform,
  DiagNormal,
  type Distribution,
  GeneralizedNormal,
  Joint,
  Maximum,
  Minimum,
  Mixture,
  Normal,
  Sort,
  TopK,
  TransformedUniform,
  Truncated,
  Uniform,
} from '@eddy/distributions';
import { SoftclipTransform, type Transform } from '@eddy/transforms';
import { describe, expect, it } from 'vitest';
import { type CaseTensor, caseValues, decodeCaseNumber, isCaseTensor, referenceDir, worstToleranceRatio } from '@eddy/testing';

// zuko 1.6.0 reference cases (README §1.3, §2.7): every dist_* case except the two
// NormalizingFlow ones, checked with the case's own tolerances.

const casesDir = referenceDir('cases');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface JsonTensor {
  dtype: string;
  shape: number[];
  data: Json;
}
interface Tol {
  rtol: number;
  atol: number;
}
interface Case {
  name: string;
  spec: Json;
  inputs: Record<string, JsonTensor>;
  expected: Record<string, Json>;
  tolerance: Record<string, Tol>;
}

const toTensor = (t: CaseTensor): Tensor => tensor(caseValues(t), { shape: t.shape, dtype: 'float64' });

/** A constructor argument: a tensor, a number, or a nested spec. */
function arg(v: Json): unknown {
  if (isCaseTensor(v)) return toTensor(v);
  if (typeof v === 'number' || typeof v === 'string') return decodeCaseNumber(v);
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && 'class' in v) return build(v);
  throw new Error(`unsupported argument ${JSON.stringify(v).slice(0, 80)}`);
}

function build(spec: { [k: string]: Json }): Distribution | Transform {
  const cls = spec.class as string;
  const args = ((spec.args ?? []) as Json[]).map(arg);
  const kwargs = (spec.kwargs ?? {}) as Record<string, Json>;
  const d = (i: number): Distribution => args[i] as Distribution;
  const t = (i: number): Tensor | number => args[i] as Tensor | number;
  switch (cls) {
    case 'torch.distributions.Normal':
      return new Normal(t(0), t(1));
    case 'torch.distributions.Uniform':
      return new Uniform(t(0), t(1));
    case 'zuko.distributions.DiagNormal':
      return new DiagNormal(t(0), t(1));
    case 'zuko.distributions.BoxUniform':
      return new BoxUniform(t(0), t(1));
    case 'zuko.distributions.GeneralizedNormal':
      return new GeneralizedNormal(t(0));
    case 'zuko.distributions.Joint':
      return new Joint(...(args as Distribution[]));
    case 'zuko.distributions.Mixture':
      return new Mixture(d(0), args[1] as Tensor);
    case 'zuko.distributions.Truncated':
      return new Truncated(d(0), { lower: decodeCaseNumber(kwargs.lower ?? '-inf'), upper: decodeCaseNumber(kwargs.upper ?? 'inf') });
    case 'zuko.distributions.Sort':
      return new Sort(d(0), args[1] as number, { descending: Boolean(kwargs.descending ?? false) });
    case 'zuko.distributions.TopK':
      return new TopK(d(0), args[1] as number, args[2] as number, { descending: Boolean(kwargs.descending ?? false) });
    case 'zuko.distributions.Minimum':
      return new Minimum(d(0), args[1] as number);
    case 'zuko.distributions.Maximum':
      return new Maximum(d(0), args[1] as number);
    case 'zuko.distributions.TransformedUniform':
      return new TransformedUniform(args[0] as Transform, t(1), t(2));
    case 'zuko.transforms.SoftclipTransform':
      return new SoftclipTransform(decodeCaseNumber(kwargs.bound ?? 1));
    default:
      throw new Error(`no builder for ${cls}`);
  }
}

const files = readdirSync(casesDir).filter((f) => f.startsWith('dist_') && f.endsWith('.json') && !f.includes('NormalizingFlow'));

describe('zuko 1.6.0 reference cases (dist_*)', () => {
  it('finds the cases', () => {
    expect(files.length).toBe(11);
  });
  for (const file of files) {
    it(file.replace('.json', ''), () => {
      const c = JSON.parse(readFileSync(resolve(casesDir, file), 'utf8')) as Case;
      const dist = build(c.spec as { [k: string]: Json }) as Distribution;
      const tol = (key: string): Tol => c.tolerance[key] ?? (c.tolerance.default as Tol);
      expect(dist.batchShape).toEqual(c.expected.batch_shape);
      expect(dist.eventShape).toEqual(c.expected.event_shape);
      const x = toTensor(c.inputs.x as JsonTensor);
      const report: Record<string, number> = {};
      const check = (key: string, value: Tensor): void => {
        const e = c.expected[key] as unknown as JsonTensor;
        expect(value.shape, key).toEqual(e.shape);
        const r = worstToleranceRatio(value.dataSync(), caseValues(e), tol(key).atol, tol(key).rtol);
        report[key] = r;
        expect(r, `${key}: max error / tolerance`).toBeLessThanOrEqual(1);
      };
      check('log_prob', dist.logProb(x));
      if ('cdf' in c.expected) check('cdf', dist.cdf(x));
      if ('rsample_from_u' in c.expected) {
        check('rsample_from_u', (dist as Truncated).rsampleFromUniform(toTensor(c.inputs.u as JsonTensor)));
      }
      console.log(`${c.name}: max error/tolerance ${JSON.stringify(report)}`);
    });
  }
});
