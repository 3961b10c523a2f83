import '@eddy/backend-cpu';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { type FloatDType, RandomStream, Rng, ShapeError, type Tensor, cast, concat, log, matmul, mean, noGrad, sum, tensor } from '@eddy/core';
import { NormalizingFlow } from '@eddy/distributions';
import {
  BPF,
  GMM,
  type LazyDistribution,
  MAF,
  MaskedAutoregressiveTransform,
  NSF,
  Standardized,
  cosineSchedule,
  fit,
  loadFlow,
  readSafetensors,
  saveFlow,
  saveFlowToFile,
  standardization,
  writeSafetensors,
} from '@eddy/flows';
import { afterAll, describe, expect, it, vi } from 'vitest';

const bits = (t: Tensor): string => {
  const a = t.dataSync();
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
};

const TMP = mkdtempSync(join(tmpdir(), 'eddy-standardized-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** `(x - loc) / scale`, as a user would write it. */
const standardize = (x: Tensor, loc: Tensor, scale: Tensor): Tensor => x.sub(loc).div(scale);

describe('standardization', () => {
  it('per-feature mean and population standard deviation, zero spread → scale 1', () => {
    const s = standardization(
      tensor(
        [
          [0, 10, 1],
          [2, 10, 5],
          [4, 10, 3],
        ],
        { dtype: 'float64' },
      ),
    );
    expect(s.loc).toEqual([2, 10, 3]);
    expect(s.scale[0]).toBeCloseTo(Math.sqrt(8 / 3), 14);
    expect(s.scale[1]).toBe(1);
    expect(s.scale[2]).toBeCloseTo(Math.sqrt(8 / 3), 14);
    expect(standardization(tensor([[7, -2]])).scale).toEqual([1, 1]); // one row
  });

  it('rejects non-finite data, no rows and data that is not [N, D]', () => {
    expect(() =>
      standardization(
        tensor([
          [0, 1],
          [Number.NaN, 2],
        ]),
      ),
    ).toThrow(/non-finite value \(NaN\) in row 1, feature 0/);
    expect(() => standardization(tensor([[0, Number.POSITIVE_INFINITY]]))).toThrow(/Infinity\) in row 0, feature 1/);
    expect(() => standardization(tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => standardization(tensor(new Float32Array(0), { shape: [0, 2] }))).toThrow(/no rows/);
  });
});

describe('Standardized: the affine map is part of the flow', () => {
  const loc = [20, -3, 0.5];
  const scale = [40, 0.25, 2];
  const cases: Array<{ name: string; make: (dtype: FloatDType) => LazyDistribution; context: number }> = [
    { name: 'NSF', make: (dtype) => new NSF({ features: 3, hiddenFeatures: [16, 16], bins: 5, dtype, seed: 3 }), context: 0 },
    { name: 'NSF conditional', make: (dtype) => new NSF({ features: 3, context: 2, hiddenFeatures: [16, 16], dtype, seed: 4 }), context: 2 },
    { name: 'MAF', make: (dtype) => new MAF({ features: 3, hiddenFeatures: [16], transforms: 2, dtype, seed: 5 }), context: 0 },
    { name: 'GMM (not a NormalizingFlow)', make: (dtype) => new GMM({ features: 3, components: 3, dtype, seed: 6 }), context: 0 },
  ];
  for (const { name, make, context } of cases) {
    for (const dtype of ['float64', 'float32'] as const) {
      it(`${name}, ${dtype}: logProb, sample and rsampleAndLogProb equal the manual change of variables`, () => {
        const inner = make(dtype);
        const flow = new Standardized({ flow: inner, loc, scale });
        const L = tensor(loc, { dtype });
        const S = tensor(scale, { dtype });
        const logScale = sum(log(S)).item();
        const rng = new RandomStream(11);
        const x = rng.normal([64, 3], 0, 1, dtype).mul(S).add(L);
        const c = context > 0 ? rng.normal([64, context], 0, 1, dtype) : undefined;
        const tol = dtype === 'float64' ? 1e-12 : 2e-4;
        noGrad(() => {
          const d = flow.call(c);
          expect(d).toBeInstanceOf(NormalizingFlow);
          expect(d.eventShape).toEqual([3]);
          const expected = inner
            .call(c)
            .logProb(standardize(x, L, S))
            .sub(logScale)
            .dataSync();
          const got = d.logProb(x).dataSync();
          for (let i = 0; i < got.length; i++)
            expect(Math.abs((got[i] as number) - (expected[i] as number))).toBeLessThan(tol * (1 + Math.abs(expected[i] as number)));
          // Draws: loc + scale · (a draw of the inner flow with the same Rng), bit for bit.
          const shape = c === undefined ? [64] : [];
          const y = inner.call(c).sample(shape, new Rng(9));
          expect(bits(d.sample(shape, new Rng(9)))).toBe(bits(y.mul(S).add(L)));
          const [xs, lp] = d.rsampleAndLogProb(shape, new Rng(9));
          expect(bits(xs)).toBe(bits(y.mul(S).add(L)));
          const lpv = lp.dataSync();
          const lpe = inner.call(c).logProb(y).sub(logScale).dataSync();
          for (let i = 0; i < lpv.length; i++) expect(Math.abs((lpv[i] as number) - (lpe[i] as number))).toBeLessThan(tol * (1 + Math.abs(lpe[i] as number)));
        });
      });
    }
  }

  it("the one-pass sampler and zuko's fixed-point passes give the same wrapped draws", () => {
    const inner = new NSF({ features: 4, hiddenFeatures: [16, 16], dtype: 'float64', seed: 8 });
    const flow = new Standardized({ flow: inner, loc: [1, 2, 3, 4], scale: [10, 20, 30, 40] });
    const fast = flow.call().sample([200], new Rng(2));
    for (const [, m] of inner.namedModules()) if (m instanceof MaskedAutoregressiveTransform) m.incremental = false;
    const slow = flow.call().sample([200], new Rng(2));
    const a = fast.dataSync();
    const b = slow.dataSync();
    for (let i = 0; i < a.length; i++) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(1e-8 * (1 + Math.abs(b[i] as number)));
  });

  it('loc and scale are buffers: in the state dict, not trained by fit', () => {
    const flow = Standardized.fromData(new NSF({ features: 2, hiddenFeatures: [8], seed: 1 }), new RandomStream(1).normal([100, 2], 50, 10, 'float32'));
    const names = Object.keys(flow.stateDict());
    expect(names.slice(0, 2)).toEqual(['loc', 'scale']);
    expect(names.slice(2).every((n) => n.startsWith('flow.'))).toBe(true);
    expect(flow.parameters().length).toBe(new NSF({ features: 2, hiddenFeatures: [8], seed: 1 }).parameters().length);
    const before = [bits(flow.loc), bits(flow.scale)];
    fit(flow, new RandomStream(2).normal([64, 2], 50, 10, 'float32'), { epochs: 2, batchSize: 32 });
    expect([bits(flow.loc), bits(flow.scale)]).toEqual(before);
    expect(String(flow)).toMatch(/^Standardized\(features=2\n {2}\(flow\): NSF/);
  });

  it("fromData: loc and scale are the data's mean and standard deviation, in the flow's dtype", () => {
    const x = new RandomStream(3)
      .normal([500, 3], 0, 1, 'float64')
      .mul(tensor([1, 20, 300], { dtype: 'float64' }))
      .add(tensor([5, -5, 50], { dtype: 'float64' }));
    const flow = Standardized.fromData(new NSF({ features: 3, dtype: 'float32' }), x);
    const s = standardization(x);
    expect(flow.loc.dtype).toBe('float32');
    expect(Array.from(flow.loc.dataSync())).toEqual(Array.from(Float32Array.from(s.loc)));
    expect(Array.from(flow.scale.dataSync())).toEqual(Array.from(Float32Array.from(s.scale)));
    // the standardised data has zero mean and unit variance
    const z = cast(standardize(x, tensor(s.loc, { dtype: 'float64' }), tensor(s.scale, { dtype: 'float64' })), 'float64');
    for (const v of mean(z, 0).dataSync()) expect(Math.abs(v)).toBeLessThan(1e-12);
    for (const v of mean(z.square(), 0).dataSync()) expect(v).toBeCloseTo(1, 12);
  });

  it('the constructor checks its arguments', () => {
    const inner = () => new NSF({ features: 2, hiddenFeatures: [4] });
    expect(() => new Standardized({ flow: inner(), loc: [0, 0], scale: [1, 0] })).toThrow(/scale\[1\] is 0; every scale must be positive/);
    expect(() => new Standardized({ flow: inner(), loc: [0, Number.NaN] })).toThrow(/loc\[1\] is NaN; every loc must be finite/);
    expect(() => new Standardized({ flow: inner(), loc: [0, 0, 0] })).toThrow(/3 features, but the inner NSF has 2/);
    expect(() => new Standardized({ flow: inner(), loc: [0, 0], scale: [1, 1, 1] })).toThrow(ShapeError);
    expect(() => new Standardized({ flow: {} as LazyDistribution })).toThrow(/must be a LazyDistribution/);
    expect(() => Standardized.fromData(inner(), tensor([[1, 2, 3]]))).toThrow(/3 features, but the inner NSF has 2/);
    expect(new Standardized({ flow: inner() }).features).toBe(2); // from the inner flow's options
  });

  it('loadStateDict refuses bad loc/scale and changes nothing', () => {
    const flow = new Standardized({ flow: new NSF({ features: 2, hiddenFeatures: [4] }), loc: [1, 2], scale: [3, 4] });
    const good = flow.stateDict();
    for (const [k, v, re] of [
      ['scale', [1, -1], /scale\[1\] is -1/],
      ['scale', [0, 1], /scale\[0\] is 0/],
      ['loc', [Number.POSITIVE_INFINITY, 0], /loc\[0\] is Infinity/],
      ['scale', [1e300, 1], /scale\[0\] is Infinity/], // finite in float64, not once cast to float32
    ] as const) {
      expect(() => flow.loadStateDict({ ...good, [k]: tensor([...v], { dtype: 'float64' }) })).toThrow(re);
      expect(bits(flow.loc)).toBe(bits(good.loc as Tensor));
      expect(bits(flow.scale)).toBe(bits(good.scale as Tensor));
    }
  });
});

/** Re-signs a saved flow after changing its tensors or metadata (a crafted file). */
function edit(bytes: Uint8Array, change: (meta: Record<string, string>, tensors: Record<string, Tensor>) => void): Uint8Array {
  const { tensors, metadata } = readSafetensors(bytes);
  change(metadata, tensors);
  const out = writeSafetensors(tensors, metadata);
  const data = out.subarray(8 + Number(new DataView(out.buffer, out.byteOffset, 8).getBigUint64(0, true)));
  metadata.crc32 = crc32(data, crc32(new TextEncoder().encode(`${metadata.class}\n${metadata.options}\n`)))
    .toString(16)
    .padStart(8, '0');
  return writeSafetensors(tensors, metadata);
}

describe('Standardized: saveFlow / loadFlow', () => {
  const inner = new NSF({ features: 3, context: 2, hiddenFeatures: [8, 8], bins: 4, bound: 4, dtype: 'float64', seed: 2 });
  const flow = new Standardized({ flow: inner, loc: [100, -7, 0], scale: [25, 0.125, 3] });
  const saved = saveFlow(flow);

  it('round trip: class, inner flow, loc/scale and every weight; logProb and sample bit for bit', () => {
    const { metadata } = readSafetensors(saved);
    expect(metadata.class).toBe('Standardized');
    expect(JSON.parse(metadata.options as string)).toEqual({
      flow: { $flow: 'NSF', options: { features: 3, context: 2, hiddenFeatures: [8, 8], bins: 4, bound: 4, dtype: 'float64' } },
      features: 3,
    });
    const path = join(TMP, 'standardized.safetensors');
    saveFlowToFile(flow, path);
    for (const loaded of [loadFlow(saved), loadFlow(path)]) {
      expect(loaded).toBeInstanceOf(Standardized);
      const s = loaded as Standardized;
      expect(s.flow).toBeInstanceOf(NSF);
      expect((s.flow as NSF).options).toEqual({ features: 3, context: 2, hiddenFeatures: [8, 8], bins: 4, bound: 4, dtype: 'float64' });
      expect(Object.fromEntries(Object.entries(s.stateDict()).map(([k, t]) => [k, bits(t)]))).toEqual(
        Object.fromEntries(Object.entries(flow.stateDict()).map(([k, t]) => [k, bits(t)])),
      );
      const rng = new RandomStream(5);
      const x = rng
        .normal([32, 3], 0, 1, 'float64')
        .mul(tensor([25, 0.125, 3], { dtype: 'float64' }))
        .add(tensor([100, -7, 0], { dtype: 'float64' }));
      const c = rng.normal([32, 2], 0, 1, 'float64');
      expect(bits(s.call(c).logProb(x))).toBe(bits(flow.call(c).logProb(x)));
      expect(bits(s.call(c).sample([], new Rng(4)))).toBe(bits(flow.call(c).sample([], new Rng(4))));
    }
  });

  it('nested several deep, with a float32 GMM inside', () => {
    const gmm = new GMM({ features: 2, components: 2, dtype: 'float32', seed: 1 });
    const twice = new Standardized({ flow: new Standardized({ flow: gmm, loc: [1, 2], scale: [3, 4] }), loc: [-1, 0], scale: [0.5, 8] });
    const loaded = loadFlow(saveFlow(twice)) as Standardized;
    expect((loaded.flow as Standardized).flow).toBeInstanceOf(GMM);
    const x = new RandomStream(1).normal([8, 2], 0, 5, 'float32');
    expect(bits(loaded.call().logProb(x))).toBe(bits(twice.call().logProb(x)));
  });

  it('rejects bad loc/scale (finite, scale > 0, length = features) as untrusted input', () => {
    const withTensor = (k: string, v: number[]) => edit(saved, (_m, t) => (t[k] = tensor(v, { dtype: 'float64' })));
    expect(() => loadFlow(withTensor('scale', [1, 0, 1]))).toThrow(
      /loadFlow: the file's weights are not valid for a Standardized: .*scale\[1\] is 0; every scale must be positive/,
    );
    expect(() => loadFlow(withTensor('scale', [1, 1, -2]))).toThrow(/scale\[2\] is -2/);
    expect(() => loadFlow(withTensor('scale', [Number.NaN, 1, 1]))).toThrow(/scale\[0\] is NaN; every scale must be finite/);
    expect(() => loadFlow(withTensor('loc', [0, Number.NEGATIVE_INFINITY, 0]))).toThrow(/loc\[1\] is -Infinity; every loc must be finite/);
    expect(() => loadFlow(withTensor('loc', [0, 0]))).toThrow(/loc has shape \[2\] in the file, but a Standardized built from its options has \[3\]/);
    expect(() => loadFlow(withTensor('scale', [1, 1, 1, 1]))).toThrow(ShapeError);
    expect(() => loadFlow(edit(saved, (_m, t) => delete t.scale))).toThrow(/missing \[scale\]/);
  });

  it('rejects crafted options: features, nested class, nesting, sizes', () => {
    const opt = (o: unknown) => edit(saved, (m) => (m.options = JSON.stringify(o)));
    const nsf = { $flow: 'NSF', options: { features: 3, context: 2, hiddenFeatures: [8, 8], bins: 4, bound: 4, dtype: 'float64' } };
    expect(() => loadFlow(opt({ flow: nsf, features: 4 }))).toThrow(/4 features, but the inner NSF has 3/);
    expect(() => loadFlow(opt({ flow: { ...nsf, $flow: 'Glow' }, features: 3 }))).toThrow(/unknown nested flow class "Glow"/);
    expect(() => loadFlow(opt({ flow: { ...nsf, extra: 1 }, features: 3 }))).toThrow(/must be \{"\$flow": class, "options": \{\.\.\.\}\}/);
    expect(() => loadFlow(opt({ flow: { $flow: 'NSF', options: [3] }, features: 3 }))).toThrow(/nested NSF are not a JSON object/);
    expect(() => loadFlow(opt({ flow: { $flow: 'NSF', options: { ...nsf.options, univariate: 'Spline' } }, features: 3 }))).toThrow(
      /unknown univariate "Spline"/,
    );
    expect(() => loadFlow(opt({ features: 3 }))).toThrow(/cannot rebuild Standardized .*options\.flow must be a LazyDistribution/);
    expect(() => loadFlow(opt({ flow: { $flow: 'NSF', options: { ...nsf.options, hiddenFeatures: [40000, 40000] } }, features: 3 }))).toThrow(
      /Standardized\.options\.flow\.options\.hiddenFeatures\[0\] = 40000 is larger than anything the file stores/,
    );
    let deep: unknown = nsf;
    for (let i = 0; i < 12; i++) deep = { $flow: 'Standardized', options: { flow: deep, features: 3 } };
    expect(() => loadFlow(opt({ flow: deep, features: 3 }))).toThrow(/nested more than 8 deep/);
  });

  it('saveFlow refuses an inner flow of an unregistered class', () => {
    class Mine extends NSF {}
    expect(() => saveFlow(new Standardized({ flow: new Mine({ features: 2 }) }))).toThrow(/Standardized\.options\.flow is a Mine, which cannot be saved/);
  });
});

describe('fit: a warning when data leaves the spline bound', () => {
  const wide = new RandomStream(4).normal([64, 2], 0, 20, 'float32');
  const narrow = new RandomStream(4).uniform([64, 2], -4.9, 4.9, 'float32');

  it('once per call through onWarning, naming the bound, the value and the fix', () => {
    const messages: string[] = [];
    fit(new NSF({ features: 2, hiddenFeatures: [4] }), wide, { epochs: 2, batchSize: 16, onWarning: (m) => messages.push(m) });
    expect(messages.length).toBe(1);
    expect(messages[0]).toMatch(
      /^fit: the training data reaches -?\d.* \(row \d+, feature \d\), outside \[-5, 5\], the interval NSF's transforms act on .*Standardized\.fromData\(flow, data\)/,
    );
    messages.length = 0;
    fit(new NSF({ features: 2, hiddenFeatures: [4], bound: 100 }), wide, { epochs: 1, onWarning: (m) => messages.push(m) });
    expect(messages).toEqual([]); // inside its own bound
    fit(new NSF({ features: 2, hiddenFeatures: [4] }), narrow, { epochs: 1, onWarning: (m) => messages.push(m) });
    expect(messages).toEqual([]);
    fit(Standardized.fromData(new NSF({ features: 2, hiddenFeatures: [4] }), wide), wide, { epochs: 1, onWarning: (m) => messages.push(m) });
    expect(messages).toEqual([]); // standardised
    fit(new MAF({ features: 2, hiddenFeatures: [4] }), wide, { epochs: 1, onWarning: (m) => messages.push(m) });
    expect(messages).toEqual([]); // no bounded transforms
  });

  it('BPF warns too; the default goes to console.warn, once', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      fit(new NSF({ features: 2, hiddenFeatures: [4] }), wide, { epochs: 3, batchSize: 16 });
      expect(warn).toHaveBeenCalledTimes(1);
      fit(new BPF({ features: 2, hiddenFeatures: [4], degree: 4 }), wide, { epochs: 1 });
      expect(warn).toHaveBeenCalledTimes(2);
      expect(String(warn.mock.calls[1]?.[0])).toMatch(/\[-5, 5\], the interval BPF's transforms act on/);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('acceptance: 5-D data at scale 20', () => {
  /** A two-component correlated Gaussian mixture in 5-D (unit scale), rows `[n, 5]`. */
  function mixture(n: number, seed: number): Tensor {
    const rng = new RandomStream(seed);
    const L = tensor(
      [
        [1, 0, 0, 0, 0],
        [0.8, 0.6, 0, 0, 0],
        [-0.5, 0.3, 0.8, 0, 0],
        [0.2, -0.4, 0.3, 0.7, 0],
        [0, 0.5, -0.5, 0.2, 0.6],
      ],
      { dtype: 'float64' },
    );
    const half = n / 2;
    const a = matmul(rng.normal([half, 5], 0, 1, 'float64'), L.transpose()).add(tensor([1.5, 1, -1, 0.5, 0], { dtype: 'float64' }));
    const b = matmul(rng.normal([n - half, 5], 0, 1, 'float64'), L.transpose())
      .mul(0.6)
      .add(tensor([-1.5, -1, 1, -0.5, 0.8], { dtype: 'float64' }));
    return cast(concat([a, b], 0), 'float32');
  }
  const model = () => new NSF({ features: 5, transforms: 3, hiddenFeatures: [32, 32], bins: 8, dtype: 'float32', seed: 0 });
  const recipe = { epochs: 20, batchSize: 128, lr: 3e-3, schedule: cosineSchedule(0.1), seed: 0, onWarning: () => {} };
  const heldOut = (flow: LazyDistribution, x: Tensor): number => noGrad(() => mean(flow.call().logProb(x)).item());

  it('Standardized reaches, within 0.05 nats, the flow trained on data divided by 20 by hand (plus the Jacobian −5·log 20)', () => {
    const train = mixture(3000, 1).mul(20);
    const test = mixture(2000, 2).mul(20);
    const t0 = performance.now();
    const standardized = Standardized.fromData(model(), train);
    fit(standardized, train, recipe);
    const byHand = model();
    fit(byHand, train.div(20), recipe);
    const raw = model();
    fit(raw, train, recipe);
    const llStandardized = heldOut(standardized, test);
    const llByHand = heldOut(byHand, test.div(20)) - 5 * Math.log(20);
    const llRaw = heldOut(raw, test);
    console.log(
      `scale 20, held-out log-likelihood: Standardized ${llStandardized.toFixed(4)}, by hand ${llByHand.toFixed(4)}, unstandardised ${llRaw.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    expect(Math.abs(llStandardized - llByHand)).toBeLessThan(0.05);
    expect(llStandardized).toBeGreaterThan(llRaw + 1); // what standardising is for
    // The saved model gives the same numbers in the data's units.
    expect(heldOut(loadFlow(saveFlow(standardized)), test)).toBe(llStandardized);
  }, 120_000);
});
