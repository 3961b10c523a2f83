import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every flow and transform that implements a paper links it in its TSDoc, as zuko's
// docstrings do (issue 15 §3): a markdown link `[Title (Authors, year)](https://...)` in a
// "References:" paragraph, which typedoc renders as a link. The list is zuko 1.6.0's
// `References:` sections (zuko/flows/*.py, zuko/transforms.py, zuko/nn.py,
// zuko/distributions.py), written out here because CI has no zuko checkout, plus the
// classes Eddy has beyond zuko (marked) and papers Eddy's docs cite besides zuko's.
const PAPERS: Record<string, readonly string[]> = {
  // @eddy/distributions
  NormalizingFlow: ['https://onlinelibrary.wiley.com/doi/abs/10.1002/cpa.21423', 'https://arxiv.org/abs/1505.05770', 'https://arxiv.org/abs/1912.02762'],
  // @eddy/flows
  MaskedAutoregressiveTransform: ['https://arxiv.org/abs/1502.03509', 'https://arxiv.org/abs/1705.07057'],
  MAF: ['https://arxiv.org/abs/1705.07057'],
  FFJTransform: ['https://arxiv.org/abs/1810.01367'],
  CNF: ['https://arxiv.org/abs/1806.07366', 'https://arxiv.org/abs/1810.01367'],
  GeneralCouplingTransform: ['https://arxiv.org/abs/1410.8516'],
  NICE: ['https://arxiv.org/abs/1410.8516', 'https://arxiv.org/abs/1605.08803'],
  RealNVP: ['https://arxiv.org/abs/1410.8516', 'https://arxiv.org/abs/1605.08803'], // not in zuko
  GF: ['https://arxiv.org/abs/2003.01941'],
  MNN: ['https://arxiv.org/abs/1804.00779'],
  NAF: ['https://arxiv.org/abs/1804.00779'],
  UMNN: ['https://arxiv.org/abs/1908.05164'],
  UNAF: ['https://arxiv.org/abs/1908.05164'],
  SOSPF: ['https://arxiv.org/abs/1905.02325'],
  BPF: ['https://arxiv.org/abs/2004.00464', 'https://arxiv.org/abs/2204.13939', 'https://arxiv.org/abs/2102.03509'],
  NSF: ['https://arxiv.org/abs/1906.04032'],
  NCSF: ['https://arxiv.org/abs/2002.02428'],
  LayerNorm: ['https://arxiv.org/abs/1607.06450'],
  BayesianModel: ['https://arxiv.org/abs/1505.05424', 'https://arxiv.org/abs/1506.02557'],
  // @eddy/transforms
  AdditiveTransform: ['https://arxiv.org/abs/1410.8516'],
  MonotonicRQSTransform: ['https://arxiv.org/abs/1906.04032'],
  CircularRQSTransform: ['https://arxiv.org/abs/2002.02428'], // not in zuko
  BernsteinTransform: ['https://arxiv.org/abs/2004.00464', 'https://arxiv.org/abs/2204.13939'],
  BoundedBernsteinTransform: ['https://arxiv.org/abs/2004.00464', 'https://arxiv.org/abs/2204.13939'], // not in zuko
  GaussianizationTransform: ['https://papers.nips.cc/paper/1856-gaussianization'],
  SOSPolynomialTransform: ['https://arxiv.org/abs/1905.02325'],
  FreeFormJacobianTransform: ['https://arxiv.org/abs/1806.07366', 'https://arxiv.org/abs/1810.01367'],
  AutoregressiveTransform: ['https://arxiv.org/abs/1705.07057', 'https://arxiv.org/abs/1606.04934'], // not in zuko
  CouplingTransform: ['https://arxiv.org/abs/1410.8516', 'https://arxiv.org/abs/1605.08803'], // not in zuko
  UnconstrainedMonotonicTransform: ['https://arxiv.org/abs/1908.05164'], // not in zuko
  MonotonicAffineTransform: ['https://arxiv.org/abs/1705.07057'], // not in zuko
  LULinearTransform: ['https://arxiv.org/abs/1801.09819'], // not in zuko
  RotationTransform: ['https://arxiv.org/abs/2003.01941'], // not in zuko
};

const repo = resolve(import.meta.dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const files = readdirSync(join(repo, 'packages')).flatMap((pkg) => {
  const src = join(repo, 'packages', pkg, 'src');
  try {
    return sources(src).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
  } catch {
    return [];
  }
});

/** The TSDoc comment right above `export class <name>` in the packages' sources. */
function classDoc(name: string): string {
  const declaration = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*export (?:abstract )?class ${name}\\b`);
  const found = files.flatMap(({ text }) => {
    const m = declaration.exec(text);
    return m === null ? [] : [m[1] as string];
  });
  if (found.length !== 1) throw new Error(`expected one documented declaration of class ${name}, found ${found.length}`);
  return found[0] as string;
}

describe('flows and transforms link the papers they implement (issue 15 §3)', () => {
  for (const [name, papers] of Object.entries(PAPERS)) {
    it(name, () => {
      const doc = classDoc(name);
      expect(doc).toContain('References:');
      const links = [...doc.matchAll(/\]\((https?:\/\/[^)\s]+)\)/g)].map((m) => m[1]);
      for (const url of papers) expect(links).toContain(url);
    });
  }
});
