import '@eddy/backend-cpu';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Module, type Parameter, RandomStream, type Tensor, ValueError, gradients, linspace, mul, noGrad, randn, special, sum, tensor } from '@eddy/core';
import {
  ELU,
  GELU,
  Identity,
  LayerNorm,
  LeakyReLU,
  Linear,
  MLP,
  MaskedLinear,
  MaskedMLP,
  MonotonicLinear,
  MonotonicMLP,
  ReLU,
  Residual,
  SiLU,
  Sigmoid,
  Softplus,
  Tanh,
  TwoWayELU,
  activationFromName,
  defaultInitRng,
  linear,
  manualInitSeed,
  maskedMLPBlocks,
} from '@eddy/flows';
import { centralDifferences, gradcheck, hostValues, normwiseRelError, referenceDir } from '@eddy/testing';
import { describe, expect, it } from 'vitest';

// ---------------------------------------------------------------------------------------
// Reference cases (zuko 1.6.0), read at test time.

const CASES_DIR = referenceDir('cases');

type Nested = number | string | Nested[];
interface JsonTensor {
  dtype: 'float64' | 'int64' | 'bool';
  shape: number[];
  data: Nested;
  kind?: 'parameter' | 'buffer';
}
interface LayerSpec {
  type: string;
  in_features?: number;
  out_features?: number;
  stack?: number | null;
  alpha?: number;
  weight?: string;
  bias?: string | null;
  mask?: string;
  layers?: LayerSpec[];
}
interface NetSpec {
  type: 'MLP' | 'MaskedMLP' | 'MonotonicMLP';
  in_features: number;
  out_features: number;
  layers: LayerSpec[];
}
interface TransformSpec {
  type: string;
  name: string;
  features?: number;
  context?: number;
  passes?: number;
  order?: number[];
  order_buffer?: string;
  mask?: number[];
  total?: number;
  univariate?: { class: string; signal?: number; network?: NetSpec; integrand?: NetSpec };
  hyper?: NetSpec;
}
interface FlowCase {
  name: string;
  spec: {
    kwargs: {
      features: number;
      context?: number;
      hidden_features?: number[];
      residual?: boolean;
      passes?: number;
      activation?: string;
      randperm?: boolean;
      network?: { hidden_features?: number[] };
    };
    structure: { transforms: TransformSpec[] };
  };
  params: Record<string, JsonTensor>;
}

const flowCaseNames = readdirSync(CASES_DIR)
  .filter((f) => f.startsWith('flow_') && f.endsWith('.json'))
  .map((f) => f.slice(0, -5))
  .sort();

const loadCase = (name: string): FlowCase => JSON.parse(readFileSync(resolve(CASES_DIR, `${name}.json`), 'utf8')) as FlowCase;

function flat(data: Nested): number[] {
  if (!Array.isArray(data)) return [typeof data === 'string' ? Number(data.replace('inf', 'Infinity')) : data];
  const out: number[] = [];
  const walk = (v: Nested): void => {
    if (Array.isArray(v)) for (const e of v) walk(e);
    else out.push(typeof v === 'string' ? Number(v.replace('inf', 'Infinity')) : v);
  };
  walk(data);
  return out;
}

function toTensor(t: JsonTensor): Tensor {
  const values = flat(t.data);
  if (t.dtype === 'bool') return tensor(Uint8Array.from(values), { shape: t.shape, dtype: 'bool' });
  if (t.dtype === 'int64') return tensor(Int32Array.from(values), { shape: t.shape, dtype: 'int32' });
  return tensor(Float64Array.from(values), { shape: t.shape, dtype: 'float64' });
}

/** One hypernetwork of a case: where its state lives, zuko's description, and our build. */
interface Net {
  prefix: string;
  spec: NetSpec;
  build: () => Module & { call(x: Tensor): Tensor };
  /** Input shape for one sample: `[in]` or `[stack, in]`. */
  sampleShape: number[];
  /** The adjacency (autoregressive networks only), `[M, N]` row-major 0/1. */
  adjacency?: { rows: number; cols: number; data: Uint8Array };
}

/**
 * §2.2: `order` (arange / flip, alternating over the autoregressive transforms), then
 * `order // ceil(D / passes)`, `A[i, j] = order[i] > order[j]`, a `D × C` block of ones
 * for the context, rows repeated `total` times each.
 */
function autoregressiveAdjacency(order: readonly number[], context: number, total: number) {
  const d = order.length;
  const cols = d + context;
  const rows = d * total;
  const data = new Uint8Array(rows * cols);
  for (let i = 0; i < d; i++) {
    const first = i * total * cols;
    for (let j = 0; j < d; j++) data[first + j] = (order[i] as number) > (order[j] as number) ? 1 : 0;
    data.fill(1, first + d, first + cols);
    for (let t = 1; t < total; t++) data.copyWithin(first + t * cols, first, first + cols);
  }
  return { rows, cols, data };
}

function caseNets(c: FlowCase): Net[] {
  const kw = c.spec.kwargs;
  const d = kw.features;
  const context = kw.context ?? 0;
  const hidden = kw.hidden_features ?? [64, 64];
  const activation = kw.activation ?? 'ReLU';
  const nets: Net[] = [];
  let mat = 0;
  for (const t of c.spec.structure.transforms) {
    if (t.type === 'MaskedAutoregressiveTransform') {
      const passes = Math.min(Math.max(kw.passes ?? d, 1), d);
      const raw = Array.from({ length: d }, (_, i) => (mat % 2 === 0 ? i : d - 1 - i));
      mat++;
      const order = kw.randperm ? (t.order as number[]) : raw.map((o) => Math.floor(o / Math.ceil(d / passes)));
      // The derived order must be the case's `order` buffer.
      expect(order, `${c.name} ${t.name} order`).toEqual(flat((c.params[t.order_buffer as string] as JsonTensor).data));
      const adjacency = autoregressiveAdjacency(order, context, t.total as number);
      const a = tensor(adjacency.data, { shape: [adjacency.rows, adjacency.cols], dtype: 'bool' });
      nets.push({
        prefix: `${t.name}.hyper.`,
        spec: t.hyper as NetSpec,
        build: () => new MaskedMLP(a, { hiddenFeatures: hidden, activation, residual: kw.residual ?? false, dtype: 'float64' }),
        sampleShape: [d + context],
        adjacency,
      });
    } else if (t.type === 'GeneralCouplingTransform') {
      const mask = t.mask as number[];
      const na = mask.filter((v) => v === 1).length;
      const nb = d - na;
      nets.push({
        prefix: `${t.name}.hyper.`,
        spec: t.hyper as NetSpec,
        build: () => new MLP(na + context, nb * (t.total as number), { hiddenFeatures: hidden, activation, dtype: 'float64' }),
        sampleShape: [na + context],
      });
    } else if (t.hyper !== undefined) {
      nets.push({
        prefix: `${t.name}.hyper.`,
        spec: t.hyper,
        build: () => new MLP(context, d * (t.total as number), { hiddenFeatures: hidden, activation, dtype: 'float64' }),
        sampleShape: [context],
      });
    }
    const u = t.univariate;
    const signal = u?.signal ?? 16;
    const inner = kw.network?.hidden_features ?? [64, 64];
    if (u?.network !== undefined) {
      nets.push({
        prefix: `${t.name}.univariate.network.`,
        spec: u.network,
        build: () => new MonotonicMLP(1 + signal, 1, { hiddenFeatures: inner, stack: d, dtype: 'float64' }),
        sampleShape: [d, 1 + signal],
      });
    }
    if (u?.integrand !== undefined) {
      nets.push({
        prefix: `${t.name}.univariate.integrand.`,
        spec: u.integrand,
        build: () => new MLP(1 + signal, 1, { hiddenFeatures: inner, activation: 'ELU', stack: d, dtype: 'float64' }),
        sampleShape: [d, 1 + signal],
      });
    }
  }
  return nets;
}

/** The case's params under `prefix`, prefix stripped, in state_dict order. */
function subtree(c: FlowCase, prefix: string): Array<[string, JsonTensor]> {
  return Object.entries(c.params)
    .filter(([k]) => k.startsWith(prefix))
    .map(([k, v]) => [k.slice(prefix.length), v]);
}

/** Layer types of our module, nested like the case's `structure` (Residual blocks inside). */
function layerTypes(m: Module): unknown[] {
  const layers = (m as unknown as { layers: Module[] }).layers;
  return layers.map((l) => (l instanceof Residual ? { Residual: layerTypes(l) } : l.constructor.name));
}
function specTypes(layers: LayerSpec[]): unknown[] {
  return layers.map((l) => (l.type === 'Residual' ? { Residual: specTypes(l.layers ?? []) } : l.type));
}

// ---------------------------------------------------------------------------------------
// An independent plain-JS interpreter of zuko's structure description.

type Row = number[];
const at = (t: JsonTensor, s: number | undefined): Nested => (s === undefined ? t.data : ((t.data as Nested[])[s] as Nested));
const eluJs = (v: number, alpha = 1): number => (v > 0 ? v : alpha * Math.expm1(v));

function runJs(layers: LayerSpec[], params: Record<string, JsonTensor>, x: Row, s?: number): Row {
  let v = x;
  for (const l of layers) {
    switch (l.type) {
      case 'Linear':
      case 'MonotonicLinear':
      case 'MaskedLinear': {
        const w = at(params[l.weight as string] as JsonTensor, s) as number[][];
        const b = l.bias ? (at(params[l.bias] as JsonTensor, s) as number[]) : null;
        const m = l.mask ? ((params[l.mask] as JsonTensor).data as number[][]) : null;
        v = w.map((row, i) => {
          let acc = b ? (b[i] as number) : 0;
          row.forEach((wij, j) => {
            if (m && (m[i] as number[])[j] === 0) return;
            acc += (l.type === 'MonotonicLinear' ? Math.abs(wij) : wij) * (v[j] as number);
          });
          return acc;
        });
        break;
      }
      case 'ReLU':
        v = v.map((e) => Math.max(e, 0));
        break;
      case 'ELU':
        v = v.map((e) => eluJs(e, l.alpha ?? 1));
        break;
      case 'TwoWayELU': {
        const c = Math.ceil(v.length / 2);
        v = v.map((e, i) => (i < c ? eluJs(e, l.alpha ?? 1) : -eluJs(-e, l.alpha ?? 1)));
        break;
      }
      case 'Residual': {
        const r = runJs(l.layers ?? [], params, v, s);
        v = v.map((e, i) => e + (r[i] as number));
        break;
      }
      default:
        throw new Error(`unknown layer ${l.type}`);
    }
  }
  return v;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    worst = Math.max(worst, Math.abs(a - e) / (atol + rtol * Math.abs(e)));
  }
  expect(worst, `${what}: worst error / tolerance`).toBeLessThanOrEqual(1);
}

describe('reference flow cases: hypernetwork structure, masks and values', () => {
  it('finds the flow cases', () => {
    expect(flowCaseNames.length).toBeGreaterThanOrEqual(16);
  });

  for (const name of flowCaseNames) {
    it(`${name}: names, shapes, masks and forward values`, () => {
      const c = loadCase(name);
      const nets = caseNets(c);
      if (!name.startsWith('flow_GF_')) expect(nets.length).toBeGreaterThan(0);
      // Every hypernetwork parameter of the case belongs to one of the nets we rebuilt.
      const covered = new Set(nets.flatMap((n) => subtree(c, n.prefix).map(([k]) => n.prefix + k)));
      for (const k of Object.keys(c.params)) {
        if (/\.(hyper|univariate\.network|univariate\.integrand)\./.test(k)) expect(covered.has(k), `${name}: ${k} covered`).toBe(true);
      }

      for (const net of nets) {
        const what = `${name} ${net.prefix}`;
        const module = net.build();
        const ref = subtree(c, net.prefix);
        const ours = Object.entries(module.stateDict());
        // (a) exact state_dict names, order and shapes.
        expect(
          ours.map(([k, t]) => [k, t.shape]),
          what,
        ).toEqual(ref.map(([k, t]) => [k, t.shape]));
        expect(layerTypes(module), `${what} layer types`).toEqual(specTypes(net.spec.layers));
        expect((module as unknown as { inFeatures: number }).inFeatures).toBe(net.spec.in_features);
        expect((module as unknown as { outFeatures: number }).outFeatures).toBe(net.spec.out_features);

        // (a) masks rebuilt from the derived adjacency, bit-exact; and the buffer kinds.
        const state = module.stateDict();
        const params = new Set(module.namedParameters().map(([k]) => k));
        for (const [k, t] of ref) {
          expect(params.has(k), `${what}${k} is a ${t.kind}`).toBe(t.kind === 'parameter');
          if (k.endsWith('.mask')) {
            expect((state[k] as Tensor).dtype).toBe('bool');
            expect(Array.from((state[k] as Tensor).dataSync()), `${what}${k}`).toEqual(flat(t.data));
          }
        }
        // Same masks straight from the typed-array planner, from the masks' own sizes.
        if (net.adjacency !== undefined) {
          const blocks = maskedMLPBlocks(net.adjacency, c.spec.kwargs.hidden_features ?? [64, 64], c.spec.kwargs.residual ?? false);
          const refMasks = ref.filter(([k]) => k.endsWith('.mask')).map(([, t]) => flat(t.data));
          const planned = blocks.flatMap((b) => (b.type === 'residual' ? [b.mask, b.mask] : [b.mask]));
          expect(planned.map((m) => Array.from(m.data))).toEqual(refMasks);
        }

        // (b) load zuko's weights and compare one batch with the plain-JS interpreter.
        module.loadStateDict(Object.fromEntries(ref.map(([k, t]) => [k, toTensor(t)])));
        const n = 3;
        const size = net.sampleShape.reduce((a, b) => a * b, 1);
        const xs = hostValues(n * size, 17 + nets.indexOf(net), -2, 2);
        const y = noGrad(() => module.call(tensor(xs, { shape: [n, ...net.sampleShape], dtype: 'float64' })));
        const expected: number[] = [];
        for (let i = 0; i < n; i++) {
          const row = Array.from(xs.subarray(i * size, (i + 1) * size));
          if (net.sampleShape.length === 1) expected.push(...runJs(net.spec.layers, c.params, row));
          else {
            const [stack, inp] = net.sampleShape as [number, number];
            for (let s = 0; s < stack; s++) expected.push(...runJs(net.spec.layers, c.params, row.slice(s * inp, (s + 1) * inp), s));
          }
        }
        expect(y.shape).toEqual([n, ...net.sampleShape.slice(0, -1), net.spec.out_features]);
        expectClose(y.dataSync(), expected, 1e-12, 1e-13, what);
      }
    });
  }
});

// ---------------------------------------------------------------------------------------
// Layers.

const f64 = (values: Float64Array | number[], shape: number[]): Tensor => tensor(Float64Array.from(values), { shape, dtype: 'float64' });

describe('activations', () => {
  const xs = [-3, -1.5, -0.25, 0, 0.5, 2, 7];
  const x = f64(xs, [xs.length]);
  const sig = (v: number): number => 1 / (1 + Math.exp(-v));
  const table: Array<[Module & { call(x: Tensor): Tensor }, (v: number) => number]> = [
    [new ReLU(), (v) => Math.max(v, 0)],
    [new ELU(), (v) => (v > 0 ? v : Math.expm1(v))],
    [new ELU(0.5), (v) => (v > 0 ? v : 0.5 * Math.expm1(v))],
    [new Tanh(), Math.tanh],
    [new Sigmoid(), sig],
    [new SiLU(), (v) => v * sig(v)],
    [new Softplus(), (v) => Math.log1p(Math.exp(v))],
    [new LeakyReLU(), (v) => (v >= 0 ? v : 0.01 * v)],
    [new GELU(), (v) => v * 0.5 * (1 + special.erf(v / Math.SQRT2))],
    [new Identity(), (v) => v],
  ];
  for (const [layer, fn] of table) {
    it(`${layer} matches its formula and has no parameters`, () => {
      expectClose(layer.call(x).dataSync(), xs.map(fn), 1e-12, 1e-14, String(layer));
      expect(layer.stateDict()).toEqual({});
    });
  }

  it('TwoWayELU splits like torch.chunk (first half rounded up)', () => {
    for (const h of [2, 5, 6]) {
      const v = Array.from(hostValues(2 * h, h, -3, 3));
      const y = new TwoWayELU().call(f64(v, [2, h]));
      const c = Math.ceil(h / 2);
      const expected = v.map((e, i) => (i % h < c ? eluJs(e) : -eluJs(-e)));
      expectClose(y.dataSync(), expected, 1e-14, 1e-15, `TwoWayELU h=${h}`);
    }
  });

  it('activationFromName knows zuko/torch names and rejects others', () => {
    for (const n of ['ReLU', 'ELU', 'Tanh', 'Sigmoid', 'SiLU', 'Softplus', 'Identity', 'TwoWayELU', 'LeakyReLU', 'GELU']) {
      expect(activationFromName(n).constructor.name).toBe(n);
    }
    expect(activationFromName('torch.nn.ELU')).toBeInstanceOf(ELU);
    expect(activationFromName('ReLU')).not.toBe(activationFromName('ReLU'));
    expect(() => activationFromName('relu6')).toThrow(ValueError);
    expect(() => activationFromName('toString')).toThrow(ValueError);
    expect(() => new MLP(2, 2, { activation: 'Nope' })).toThrow(/unknown activation/);
  });
});

describe('Linear', () => {
  it('initialises like PyTorch: U(-1/√in, 1/√in), deterministic given the stream', () => {
    const a = new Linear(50, 40, { rng: new RandomStream(3), dtype: 'float64' });
    const b = new Linear(50, 40, { rng: new RandomStream(3), dtype: 'float64' });
    const other = new Linear(50, 40, { rng: new RandomStream(4), dtype: 'float64' });
    expect(Array.from(a.weight.dataSync())).toEqual(Array.from(b.weight.dataSync()));
    expect(Array.from(a.weight.dataSync())).not.toEqual(Array.from(other.weight.dataSync()));
    const bound = 1 / Math.sqrt(50);
    for (const p of [a.weight, a.bias as Parameter]) {
      const v = Array.from(p.dataSync());
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    }
    expect(a.weight.dtype).toBe('float64');
    expect(new Linear(2, 3).weight.dtype).toBe('float32');
  });

  it('default streams come from a module-level counter, reset by manualInitSeed', () => {
    manualInitSeed(5);
    const a = new MLP(3, 2, { hiddenFeatures: [4] });
    const a2 = new MLP(3, 2, { hiddenFeatures: [4] });
    manualInitSeed(5);
    const b = new MLP(3, 2, { hiddenFeatures: [4] });
    const w = (m: Module): number[] => m.parameters().flatMap((p) => Array.from(p.dataSync()));
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(a2));
    expect(defaultInitRng().seed).toBe(5);
    manualInitSeed(0);
  });

  it('names, shapes, bias=false', () => {
    const l = new Linear(3, 2);
    expect(Object.entries(l.stateDict()).map(([k, t]) => [k, t.shape])).toEqual([
      ['weight', [2, 3]],
      ['bias', [2]],
    ]);
    const s = new Linear(3, 2, { stack: 4, bias: false });
    expect(Object.entries(s.stateDict()).map(([k, t]) => [k, t.shape])).toEqual([['weight', [4, 2, 3]]]);
    expect(String(s)).toBe('Linear(in_features=3, out_features=2, bias=false, stack=4)');
  });

  it('computes x Wᵀ + b, stacked per member, with any leading axes', () => {
    const l = new Linear(3, 2, { stack: 4, rng: new RandomStream(1), dtype: 'float64' });
    const x = f64(hostValues(5 * 2 * 4 * 3, 2), [5, 2, 4, 3]);
    const y = l.call(x);
    expect(y.shape).toEqual([5, 2, 4, 2]);
    const w = l.weight.dataSync();
    const b = (l.bias as Parameter).dataSync();
    const xv = x.dataSync();
    const expected: number[] = [];
    for (let n = 0; n < 10; n++) {
      for (let s = 0; s < 4; s++) {
        for (let o = 0; o < 2; o++) {
          let acc = b[s * 2 + o] as number;
          for (let i = 0; i < 3; i++) acc += (w[(s * 2 + o) * 3 + i] as number) * (xv[(n * 4 + s) * 3 + i] as number);
          expected.push(acc);
        }
      }
    }
    expectClose(y.dataSync(), expected, 1e-14, 1e-15, 'stacked linear');
    // A single [S, in] sample, and an input broadcast over the stack.
    expectClose(l.call(x.slice(0, 0, 1).reshape([2, 4, 3]).slice(0, 0, 1).reshape([4, 3])).dataSync(), expected.slice(0, 8), 1e-14, 1e-15, 'one sample');
    const xb = f64([0.5, -1, 2], [3]);
    const yb = linear(xb, l.weight, l.bias);
    expect(yb.shape).toEqual([4, 2]);
  });

  it('gradcheck (float64) of a stacked Linear w.r.t. input and parameters', () => {
    const l = new Linear(3, 2, { stack: 4, rng: new RandomStream(2), dtype: 'float64' });
    const x = f64(hostValues(2 * 4 * 3, 5), [2, 4, 3]);
    expect(gradcheck((xx) => l.call(xx), [x]).maxRelError).toBeLessThan(1e-7);
    expect(gradcheck((xx, w, b) => linear(xx, w as Tensor, b), [x, l.weight.detach(), (l.bias as Parameter).detach()]).maxRelError).toBeLessThan(1e-7);
    expect(paramGradError(l, () => l.call(x))).toBeLessThan(1e-7);
  });
});

/**
 * Normwise relative error between reverse-mode parameter gradients of `Σ f()·w` and
 * central differences obtained by assigning perturbed values to each parameter.
 */
function paramGradError(m: Module, f: () => Tensor, h = 1e-6): number {
  const params = m.parameters();
  const w = randn(noGrad(f).shape, { seed: 99, dtype: 'float64' });
  const loss = (): Tensor => sum(mul(f(), w));
  const analytic = gradients(loss(), params).map((g) => Float64Array.from(g.dataSync()));
  return Math.max(
    0,
    ...params.map((p, k) => {
      const base = Float64Array.from(p.dataSync());
      const numeric = centralDifferences(
        base,
        (v) => {
          p.assign(tensor(v, { shape: p.shape }));
          return noGrad(() => loss().item());
        },
        h,
      );
      p.assign(tensor(base, { shape: p.shape }));
      return normwiseRelError(analytic[k] as Float64Array, numeric);
    }),
  );
}

/** Dense Jacobian `∂y/∂x` `[M, N]` of a network at one input `x` `[N]`. */
function jacobian(f: (x: Tensor) => Tensor, x: Tensor): number[][] {
  const leaf = x.requireGrad();
  const y = f(leaf);
  const m = y.size;
  const rows: number[][] = [];
  for (let i = 0; i < m; i++) {
    const seed = new Float64Array(m);
    seed[i] = 1;
    const [g] = gradients(y, [leaf], { gradOutput: tensor(seed, { shape: y.shape }) });
    rows.push(Array.from((g as Tensor).dataSync()));
  }
  return rows;
}

describe('MaskedLinear', () => {
  it('uses M ⊙ W with W stored unmasked; masked weights get zero gradient', () => {
    const mask = tensor([
      [true, false, true],
      [false, true, false],
    ]);
    const l = new MaskedLinear(mask, { rng: new RandomStream(0), dtype: 'float64' });
    expect(Object.entries(l.stateDict()).map(([k, t]) => [k, t.dtype, t.shape])).toEqual([
      ['weight', 'float64', [2, 3]],
      ['bias', 'float64', [2]],
      ['mask', 'bool', [2, 3]],
    ]);
    expect(l.namedBuffers().map(([k]) => k)).toEqual(['mask']);
    expect(Array.from(l.weight.dataSync()).every((v) => v !== 0)).toBe(true);
    const x = f64([1, 2, 3], [1, 3]);
    const w = l.weight.dataSync();
    const b = (l.bias as Parameter).dataSync();
    const expected = [(w[0] as number) * 1 + (w[2] as number) * 3 + (b[0] as number), (w[4] as number) * 2 + (b[1] as number)];
    expectClose(l.call(x).dataSync(), expected, 1e-14, 1e-15, 'masked linear');
    const [gw] = gradients(sum(l.call(x)), [l.weight]);
    expect(Array.from((gw as Tensor).dataSync())).toEqual([1, 0, 3, 0, 2, 0]);
  });
});

describe('MLP', () => {
  it('names layers like zuko (0, 2, 4; 0, 3, 6 with normalize)', () => {
    const net = new MLP(3, 2, { hiddenFeatures: [8, 8] });
    expect(net.namedParameters().map(([k]) => k)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
    expect(layerTypes(net)).toEqual(['Linear', 'ReLU', 'Linear', 'ReLU', 'Linear']);
    const normed = new MLP(3, 2, { hiddenFeatures: [8, 8], normalize: true, activation: 'ELU' });
    expect(normed.namedParameters().map(([k]) => k)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias', '6.weight', '6.bias']);
    expect(layerTypes(normed)).toEqual(['Linear', 'ELU', 'LayerNorm', 'Linear', 'ELU', 'LayerNorm', 'Linear']);
    expect(new MLP(3, 2, { hiddenFeatures: [] }).namedParameters().map(([k]) => k)).toEqual(['0.weight', '0.bias']);
    const def = new MLP(3, 2);
    expect(def.namedParameters().map(([k, p]) => [k, p.shape])).toEqual([
      ['0.weight', [64, 3]],
      ['0.bias', [64]],
      ['2.weight', [64, 64]],
      ['2.bias', [64]],
      ['4.weight', [2, 64]],
      ['4.bias', [2]],
    ]);
  });

  it('LayerNorm uses the unbiased variance + 1e-5, without parameters', () => {
    const v = [1, 2, 4, -3, 0.5];
    const y = new LayerNorm().call(f64(v, [1, 5]));
    const mean = v.reduce((a, b) => a + b) / 5;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
    expectClose(
      y.dataSync(),
      v.map((e) => (e - mean) / Math.sqrt(variance + 1e-5)),
      1e-14,
      1e-15,
      'LayerNorm',
    );
    expect(new LayerNorm().stateDict()).toEqual({});
  });

  it('gradcheck (float64) w.r.t. input and parameters, with normalize and stack', () => {
    const rng = new RandomStream(11);
    const net = new MLP(3, 2, { hiddenFeatures: [5, 4], activation: 'Tanh', normalize: true, rng, dtype: 'float64' });
    const x = f64(hostValues(4 * 3, 3), [4, 3]);
    expect(gradcheck((xx) => net.call(xx), [x]).maxRelError).toBeLessThan(1e-7);
    expect(paramGradError(net, () => net.call(x))).toBeLessThan(1e-7);
    const stacked = new MLP(3, 2, { hiddenFeatures: [5], activation: 'ELU', stack: 2, rng, dtype: 'float64' });
    const xs = f64(hostValues(4 * 2 * 3, 4), [4, 2, 3]);
    expect(gradcheck((xx) => stacked.call(xx), [xs]).maxRelError).toBeLessThan(1e-7);
    expect(paramGradError(stacked, () => stacked.call(xs))).toBeLessThan(1e-7);
  });
});

describe('MonotonicMLP', () => {
  it('is an MLP of MonotonicLinear and TwoWayELU layers', () => {
    const net = new MonotonicMLP(17, 1, { hiddenFeatures: [16, 16], stack: 2 });
    expect(layerTypes(net)).toEqual(['MonotonicLinear', 'TwoWayELU', 'MonotonicLinear', 'TwoWayELU', 'MonotonicLinear']);
    expect(net).toBeInstanceOf(MLP);
    expect(net.layers[0]).toBeInstanceOf(MonotonicLinear);
    expect(net.layers[0]).toBeInstanceOf(Linear);
    expect(net.call(f64(hostValues(3 * 2 * 17, 1), [3, 2, 17])).shape).toEqual([3, 2, 1]);
  });

  it('is increasing in every input', () => {
    const net = new MonotonicMLP(3, 2, { hiddenFeatures: [8, 7], rng: new RandomStream(21), dtype: 'float64' });
    const x = f64(hostValues(3, 8, -3, 3), [3]);
    const jac = jacobian((xx) => net.call(xx), x);
    for (const row of jac) for (const v of row) expect(v).toBeGreaterThan(0);
    const line = new MonotonicMLP(1, 1, { hiddenFeatures: [9, 9], rng: new RandomStream(22), dtype: 'float64' });
    const ys = Array.from(line.call(linspace(-6, 6, 241, { dtype: 'float64' }).reshape([241, 1])).dataSync());
    for (let i = 1; i < ys.length; i++) expect(ys[i] as number).toBeGreaterThan(ys[i - 1] as number);
  });

  it('gradcheck (float64) w.r.t. input and parameters', () => {
    const net = new MonotonicMLP(3, 2, { hiddenFeatures: [5, 4], stack: 2, rng: new RandomStream(23), dtype: 'float64' });
    const x = f64(hostValues(3 * 2 * 3, 9), [3, 2, 3]);
    expect(gradcheck((xx) => net.call(xx), [x]).maxRelError).toBeLessThan(1e-7);
    expect(paramGradError(net, () => net.call(x))).toBeLessThan(1e-7);
  });
});

describe('MaskedMLP', () => {
  /** Strictly lower-triangular `D × D` adjacency, rows repeated `total` times, plus context columns. */
  const arAdjacency = (d: number, total: number, context = 0): Tensor => {
    const a = autoregressiveAdjacency(
      Array.from({ length: d }, (_, i) => i),
      context,
      total,
    );
    return tensor(a.data, { shape: [a.rows, a.cols], dtype: 'bool' });
  };

  it("matches zuko's docstring example layout and Jacobian pattern", () => {
    const adjacency = tensor([
      [false, true, true],
      [false, true, true],
      [false, false, true],
      [true, true, false],
    ]);
    const net = new MaskedMLP(adjacency, { hiddenFeatures: [16, 32], activation: 'ELU', rng: new RandomStream(1), dtype: 'float64' });
    expect(layerTypes(net)).toEqual(['MaskedLinear', 'ELU', 'MaskedLinear', 'ELU', 'MaskedLinear']);
    const jac = jacobian((x) => net.call(x), f64([0.3, -0.2, 0.9], [3]));
    const a = adjacency.dataSync();
    for (const [i, row] of jac.entries()) {
      for (const [j, v] of row.entries()) {
        if (a[i * 3 + j] === 0) expect(v, `J[${i}, ${j}]`).toBe(0);
        else expect(v, `J[${i}, ${j}]`).not.toBe(0);
      }
    }
  });

  for (const residual of [false, true]) {
    it(`is autoregressive: J = 0 where the adjacency is 0 (residual=${residual}, with context)`, () => {
      const d = 4;
      const a = arAdjacency(d, 3, 2);
      const net = new MaskedMLP(a, { hiddenFeatures: [12, 12], activation: 'Tanh', residual, rng: new RandomStream(5), dtype: 'float64' });
      const jac = jacobian((x) => net.call(x), f64(hostValues(d + 2, 6), [d + 2]));
      const av = a.dataSync();
      let allowedNonzero = 0;
      for (const [i, row] of jac.entries()) {
        for (const [j, v] of row.entries()) {
          if (av[i * (d + 2) + j] === 0) expect(v, `J[${i}, ${j}]`).toBe(0);
          else if (v !== 0) allowedNonzero++;
        }
      }
      expect(allowedNonzero).toBe(Array.from(av).filter((v) => v !== 0).length);
      // Fewer hidden units than distinct rows: some dependencies are lost, none is added.
      const small = new MaskedMLP(arAdjacency(10, 1), { hiddenFeatures: [4, 4, 4], activation: 'Tanh', residual, rng: new RandomStream(6), dtype: 'float64' });
      const js = jacobian((x) => small.call(x), f64(hostValues(10, 7), [10]));
      for (const [i, row] of js.entries()) for (const [j, v] of row.entries()) if (j >= i) expect(v, `small J[${i}, ${j}]`).toBe(0);
    });
  }

  it('residual layout: [ML, Res, Res, ML] with no activation outside blocks; plain layer kept when sizes change', () => {
    const a = arAdjacency(3, 2);
    const net = new MaskedMLP(a, { hiddenFeatures: [8, 8], residual: true });
    expect(layerTypes(net)).toEqual([
      'MaskedLinear',
      { Residual: ['MaskedLinear', 'ReLU', 'MaskedLinear'] },
      { Residual: ['MaskedLinear', 'ReLU', 'MaskedLinear'] },
      'MaskedLinear',
    ]);
    expect(net.namedParameters().map(([k]) => k)).toEqual([
      '0.weight',
      '0.bias',
      '1.0.weight',
      '1.0.bias',
      '1.2.weight',
      '1.2.bias',
      '2.0.weight',
      '2.0.bias',
      '2.2.weight',
      '2.2.bias',
      '3.weight',
      '3.bias',
    ]);
    const grow = new MaskedMLP(a, { hiddenFeatures: [8, 6], residual: true });
    expect(layerTypes(grow).map((t) => (typeof t === 'string' ? t : 'Res'))).toEqual(['MaskedLinear', 'Res', 'MaskedLinear', 'Res', 'MaskedLinear']);
  });

  it('plans masks on typed arrays (docs example) and rejects a null Jacobian', () => {
    const blocks = maskedMLPBlocks({ rows: 2, cols: 2, data: new Uint8Array([0, 0, 1, 0]) }, [4]);
    expect(blocks.map((b) => [b.type, b.mask.rows, b.mask.cols])).toEqual([
      ['linear', 4, 2],
      ['linear', 2, 4],
    ]);
    expect(Array.from(blocks[0]?.mask.data ?? [])).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
    expect(Array.from(blocks[1]?.mask.data ?? [])).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(() => new MaskedMLP(tensor([[false, false]]))).toThrow(/null Jacobian/);
    // No hidden layer: the adjacency itself.
    const direct = new MaskedMLP(tensor([[true, false]]), { hiddenFeatures: [] });
    expect(Array.from((direct.stateDict()['0.mask'] as Tensor).dataSync())).toEqual([1, 0]);
  });

  it('gradcheck (float64) w.r.t. input and parameters, plain and residual', () => {
    for (const residual of [false, true]) {
      const net = new MaskedMLP(arAdjacency(3, 2, 1), {
        hiddenFeatures: [6, 6],
        activation: 'ELU',
        residual,
        rng: new RandomStream(31),
        dtype: 'float64',
      });
      const x = f64(hostValues(2 * 4, 12), [2, 4]);
      expect(gradcheck((xx) => net.call(xx), [x]).maxRelError).toBeLessThan(1e-7);
      expect(paramGradError(net, () => net.call(x))).toBeLessThan(1e-7);
    }
  });

  it('builds a 1000-feature network fast (mask algebra on typed arrays)', () => {
    const d = 1000;
    const t0 = performance.now();
    const a1 = arAdjacency(d, 1);
    const t1 = performance.now();
    const net1 = new MaskedMLP(a1, { hiddenFeatures: [64, 64] });
    const t2 = performance.now();
    const a23 = arAdjacency(d, 23);
    const t3 = performance.now();
    const net23 = new MaskedMLP(a23, { hiddenFeatures: [64, 64] });
    const t4 = performance.now();
    console.log(
      `MaskedMLP build, D=${d}, hidden [64, 64]: 1000×1000 adjacency ${(t2 - t1).toFixed(1)} ms ` +
        `(+${(t1 - t0).toFixed(1)} ms making A); 23000×1000 (total=23) ${(t4 - t3).toFixed(1)} ms (+${(t3 - t2).toFixed(1)} ms making A)`,
    );
    expect(net1.outFeatures).toBe(d);
    expect(net23.stateDict()['4.mask']?.shape).toEqual([23 * d, 64]);
    // Output row r (feature r // 23) only sees hidden units assigned to features < r // 23.
    const y = noGrad(() => net23.call(tensor(new Float32Array(2 * d), { shape: [2, d] })));
    expect(y.shape).toEqual([2, 23 * d]);
  });
});
