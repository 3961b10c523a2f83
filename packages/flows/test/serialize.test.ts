import '@eddy/backend-cpu';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import {
  DTypeError,
  EddyError,
  type FloatDType,
  type Module,
  RandomStream,
  ShapeError,
  type Tensor,
  ValueError,
  getDefaultDType,
  setDefaultDType,
  tensor,
  withAllocationLimit,
} from '@eddy/core';
import {
  BPF,
  FLOW_FORMAT,
  Flow,
  GF,
  GMM,
  type LazyDistribution,
  MAF,
  NAF,
  NCSF,
  NICE,
  NSF,
  RealNVP,
  SOSPF,
  SafetensorsError,
  UNAF,
  ZUKO_UNIVARIATES,
  loadFlow,
  loadZukoFlow,
  readSafetensors,
  registerFlowClass,
  registeredFlowClasses,
  saveFlow,
  saveFlowToFile,
  standardNormalBase,
  writeSafetensors,
} from '@eddy/flows';
import { AdditiveTransform } from '@eddy/transforms';
import { afterAll, describe, expect, it } from 'vitest';
import { referenceDir } from '@eddy/testing';
import { type JsonTensor, flat, torchSaveFile } from './torch-save-file.js';

type Ctor = new (options: never) => LazyDistribution;
const build = (Cls: Ctor, options: object): LazyDistribution => new Cls(options as never);
const optionsOf = (flow: LazyDistribution): Record<string, unknown> => (flow as unknown as { options: Record<string, unknown> }).options;

const bits = (t: Tensor): Uint8Array => {
  const a = t.dataSync();
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
};

/** Module tree: dotted names, classes and each module's string form. */
const structure = (m: Module): string[] => [String(m), ...m.namedModules().map(([n, s]) => `${n}: ${s.constructor.name} ${String(s)}`)];

/** The weights as name → dtype, shape and bits (base64, quick to compare). */
const weights = (m: Module) =>
  Object.fromEntries(
    Object.entries(m.stateDict()).map(([k, t]) => [k, { dtype: t.dtype, shape: [...t.shape], bits: Buffer.from(bits(t)).toString('base64') }]),
  );

const TMP = mkdtempSync(join(tmpdir(), 'eddy-serialize-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------
// Every family, with and without context: save → load is exact.

interface Family {
  name: string;
  Cls: Ctor;
  options: Record<string, unknown>;
  /** Inputs on the circle for NCSF. */
  circular?: boolean;
}

const small = { hiddenFeatures: [16, 16] };
const FAMILIES: Family[] = [];
for (const context of [0, 2]) {
  const c = { context };
  FAMILIES.push(
    { name: 'MAF', Cls: MAF, options: { features: 3, ...c, ...small, transforms: 2 } },
    { name: 'MAF residual passes', Cls: MAF, options: { features: 4, ...c, ...small, residual: true, passes: 2, randperm: true } },
    { name: 'MAF additive', Cls: MAF, options: { features: 3, ...c, ...small, univariate: ZUKO_UNIVARIATES.AdditiveTransform, shapes: [[]] } },
    { name: 'NSF', Cls: NSF, options: { features: 2, ...c, ...small, bins: 5, bound: 4, slope: 2e-3 } },
    { name: 'NCSF', Cls: NCSF, options: { features: 2, ...c, ...small, bins: 4 }, circular: true },
    { name: 'NICE', Cls: NICE, options: { features: 4, ...c, ...small, activation: 'ELU' } },
    { name: 'NICE randmask', Cls: NICE, options: { features: 5, ...c, ...small, randmask: true, transforms: 2 } },
    { name: 'RealNVP additive', Cls: RealNVP, options: { features: 4, ...c, ...small, univariate: ZUKO_UNIVARIATES.AdditiveTransform, shapes: [[]] } },
    { name: 'RealNVP', Cls: RealNVP, options: { features: 3, ...c, ...small } },
    { name: 'NAF', Cls: NAF, options: { features: 2, ...c, hiddenFeatures: [8, 8], signal: 4, transforms: 2, network: { hiddenFeatures: [8, 8] } } },
    {
      name: 'UNAF',
      Cls: UNAF,
      options: { features: 2, ...c, hiddenFeatures: [8, 8], signal: 4, transforms: 2, network: { hiddenFeatures: [8], activation: 'ELU' } },
    },
    { name: 'SOSPF', Cls: SOSPF, options: { features: 3, ...c, ...small, degree: 3, polynomials: 2 } },
    { name: 'BPF', Cls: BPF, options: { features: 3, ...c, ...small, degree: 6 } },
    { name: 'GF', Cls: GF, options: { features: 3, ...c, ...small, components: 4 } },
    { name: 'GMM full', Cls: GMM, options: { features: 3, ...c, ...small, components: 3 } },
    { name: 'GMM diagonal', Cls: GMM, options: { features: 3, ...c, ...small, components: 2, covarianceType: 'diagonal' } },
    { name: 'GMM spherical', Cls: GMM, options: { features: 2, ...c, ...small, components: 4, covarianceType: 'spherical', epsilon: 1e-4 } },
    { name: 'GMM full tied', Cls: GMM, options: { features: 3, ...c, ...small, components: 3, tied: true } },
    { name: 'GMM diagonal tied', Cls: GMM, options: { features: 4, ...c, ...small, components: 2, covarianceType: 'diagonal', tied: true } },
  );
}

function inputs(f: Family, features: number, context: number, dtype: FloatDType): { x: Tensor; c?: Tensor } {
  const rng = new RandomStream(123);
  const x = f.circular ? rng.uniform([16, features], -3, 3, dtype) : rng.normal([16, features], 0, 1.5, dtype);
  return context > 0 ? { x, c: rng.normal([16, context], 0, 1, dtype) } : { x };
}

const logProb = (flow: LazyDistribution, x: Tensor, c?: Tensor): Tensor => flow.call(c).logProb(x);

describe('saveFlow / loadFlow: every flow family', () => {
  it('registers every family', () => {
    expect(registeredFlowClasses()).toEqual(expect.arrayContaining(['BPF', 'GF', 'GMM', 'MAF', 'NAF', 'NCSF', 'NICE', 'NSF', 'RealNVP', 'SOSPF', 'UNAF']));
  });

  for (const f of FAMILIES) {
    for (const dtype of ['float64', 'float32'] as const) {
      const context = f.options.context as number;
      it(`${f.name}, context ${context}, ${dtype}`, () => {
        // seed 7 ≠ the default 0 a reloaded flow is built with: the weights must come from the file
        const flow = build(f.Cls, { ...f.options, dtype, seed: 7 });
        const bytes = saveFlow(flow);
        const meta = readSafetensors(bytes).metadata;
        expect(meta.format).toBe(FLOW_FORMAT);
        expect(meta.class).toBe(f.name.split(' ')[0]);
        expect(JSON.parse(meta.options as string)).not.toHaveProperty('seed');
        if (f.options.univariate !== undefined) expect(JSON.parse(meta.options as string).univariate).toBe('AdditiveTransform');

        const loaded = loadFlow(bytes);
        expect(loaded.constructor).toBe(f.Cls);
        expect(optionsOf(loaded)).toEqual({ ...f.options, dtype });
        expect(structure(loaded)).toEqual(structure(flow));
        expect(weights(loaded)).toEqual(weights(flow));

        const { x, c } = inputs(f, f.options.features as number, context, dtype);
        const expected = logProb(flow, x, c);
        const got = logProb(loaded, x, c);
        expect(got.dtype).toBe(dtype);
        expect(Number.isFinite(expected.sum().item())).toBe(true);
        expect(bits(got)).toEqual(bits(expected));
        // sanity: a fresh flow with the default seed gives different values
        expect(bits(logProb(build(f.Cls, { ...f.options, dtype }), x, c))).not.toEqual(bits(expected));
        // saving the loaded flow gives the same file
        expect(saveFlow(loaded)).toEqual(bytes);
      });
    }
  }
});

describe('saveFlow / loadFlow: options and files', () => {
  it('saves and loads through a file path', () => {
    const flow = new NSF({ features: 3, context: 1, hiddenFeatures: [8, 8], dtype: 'float64', seed: 2 });
    const path = join(TMP, 'nsf.safetensors');
    saveFlowToFile(flow, path);
    expect(readdirSync(TMP).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(new Uint8Array(readFileSync(path))).toEqual(saveFlow(flow));
    const loaded = loadFlow(path);
    expect(loaded).toBeInstanceOf(NSF);
    expect(weights(loaded)).toEqual(weights(flow));
    expect(() => loadFlow(join(TMP, 'missing.safetensors'))).toThrow(/ENOENT/);
    expect(() => loadFlow(42 as unknown as string)).toThrow(ValueError);
  });

  it('drops rng and seed, keeps every other option', () => {
    const flow = new MAF({ features: 3, rng: new RandomStream(5), seed: 9, transforms: 2, hiddenFeatures: [4], activation: 'Tanh', dtype: 'float64' });
    const loaded = loadFlow(saveFlow(flow)) as MAF;
    expect(loaded.options).toEqual({ features: 3, transforms: 2, hiddenFeatures: [4], activation: 'Tanh', dtype: 'float64' });
    expect(weights(loaded)).toEqual(weights(flow));
  });

  it('rebuilds a flow saved without a dtype option with the dtype of its weights', () => {
    const previous = getDefaultDType();
    try {
      setDefaultDType('float64');
      const flow = new NSF({ features: 2, hiddenFeatures: [8], seed: 3 });
      setDefaultDType('float32');
      const loaded = loadFlow(saveFlow(flow));
      expect(getDefaultDType()).toBe('float32');
      expect(optionsOf(loaded)).toEqual({ features: 2, hiddenFeatures: [8] });
      expect(weights(loaded)).toEqual(weights(flow));
      expect(loaded.stateDict()['base.loc']?.dtype).toBe('float64');
    } finally {
      setDefaultDType(previous);
    }
  });

  it('refuses what cannot be saved', () => {
    class MyNSF extends NSF {}
    expect(() => saveFlow(new MyNSF({ features: 2, hiddenFeatures: [4] }))).toThrow(/MyNSF is not a registered flow class/);
    const custom = (shift: Tensor) => new AdditiveTransform(shift);
    expect(() => saveFlow(new NICE({ features: 2, hiddenFeatures: [4], univariate: custom, shapes: [[]] }))).toThrow(
      /NICE\.options\.univariate is not one of ZUKO_UNIVARIATES \(MonotonicAffineTransform, AdditiveTransform, MonotonicRQSTransform\)/,
    );
    expect(() => saveFlow(new NSF({ features: 2, hiddenFeatures: [4], bound: Number.POSITIVE_INFINITY }))).toThrow(/NSF\.options\.bound is Infinity/);
    expect(() => saveFlow(new NSF({ features: 2, hiddenFeatures: Int32Array.from([4]) as unknown as number[] }))).toThrow(
      /NSF\.options\.hiddenFeatures is a Int32Array/,
    );
  });

  it('lets users register their own flow classes', () => {
    class TwoStep extends Flow {
      readonly options: { features: number; hidden: number[]; seed?: number };
      constructor(options: { features: number; hidden: number[]; seed?: number }) {
        const maf = new MAF({ features: options.features, hiddenFeatures: options.hidden, transforms: 1, seed: options.seed, dtype: 'float64' });
        super([...(maf.transform as unknown as { transforms: never[] }).transforms], standardNormalBase(options.features, 'float64'));
        this.options = options;
      }
    }
    expect(() => saveFlow(new TwoStep({ features: 2, hidden: [4] }))).toThrow(/not a registered flow class/);
    registerFlowClass('TwoStep', TwoStep as Ctor);
    registerFlowClass('TwoStep', TwoStep as Ctor); // same registration: no-op
    expect(() => registerFlowClass('TwoStep', MAF as Ctor)).toThrow(/already registered for TwoStep/);
    expect(() => registerFlowClass('OtherName', TwoStep as Ctor)).toThrow(/already registered as "TwoStep"/);
    expect(() => registerFlowClass('', TwoStep as Ctor)).toThrow(ValueError);
    const flow = new TwoStep({ features: 2, hidden: [4], seed: 4 });
    const loaded = loadFlow(saveFlow(flow));
    expect(loaded).toBeInstanceOf(TwoStep);
    expect(optionsOf(loaded)).toEqual({ features: 2, hidden: [4] });
    const x = new RandomStream(1).normal([5, 2], 0, 1, 'float64');
    expect(bits(logProb(loaded, x))).toEqual(bits(logProb(flow, x)));
  });
});

// ---------------------------------------------------------------------------------------
// Corrupt and mismatched files.

/**
 * The file with its metadata and tensors changed, kept a valid safetensors file whose
 * checksum matches (as a crafted file would: the CRC is no secret) unless `sign` is false.
 */
function edit(bytes: Uint8Array, change: (meta: Record<string, string>, tensors: Record<string, Tensor>) => void, sign = true): Uint8Array {
  const { tensors, metadata } = readSafetensors(bytes);
  change(metadata, tensors);
  const out = writeSafetensors(tensors, metadata);
  if (!sign || metadata.crc32 === undefined) return out;
  const data = out.subarray(8 + Number(new DataView(out.buffer, out.byteOffset, 8).getBigUint64(0, true)));
  const head = new TextEncoder().encode(`${metadata.class}\n${metadata.options}\n`);
  metadata.crc32 = crc32(data, crc32(head)).toString(16).padStart(8, '0');
  return writeSafetensors(tensors, metadata);
}

const throwsEddy = (f: () => unknown): EddyError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EddyError);
    return e as EddyError;
  }
  throw new Error('expected an error');
};

describe('loadFlow: corrupt and mismatched files', () => {
  const nsf = new NSF({ features: 2, context: 1, hiddenFeatures: [8, 8], bins: 4, dtype: 'float64', seed: 1 });
  const saved = saveFlow(nsf);

  it('detects every single-bit flip and every truncation of small files', () => {
    for (const flow of [
      new GMM({ features: 2, components: 2, covarianceType: 'spherical', dtype: 'float32', seed: 1 }),
      new MAF({ features: 2, hiddenFeatures: [2], transforms: 1, seed: 1 }),
    ]) {
      const bytes = saveFlow(flow);
      const names = new Set<string>();
      for (let i = 0; i < bytes.length; i++) {
        for (const bit of [0x01, 0x80]) {
          const b = bytes.slice();
          b[i] = (b[i] as number) ^ bit;
          names.add(throwsEddy(() => loadFlow(b)).name);
        }
      }
      expect([...names].sort()).toEqual(expect.arrayContaining(['SafetensorsError', 'ValueError']));
      for (let len = 0; len < bytes.length; len++) expect(() => loadFlow(bytes.slice(0, len))).toThrow(SafetensorsError);
      expect(weights(loadFlow(bytes))).toEqual(weights(flow));
    }
  });

  it('flipped weight bytes fail the checksum', () => {
    const b = saved.slice();
    const dataStart = 8 + Number(new DataView(b.buffer).getBigUint64(0, true));
    b[dataStart + 100] = (b[dataStart + 100] as number) ^ 0x10; // inside the F64 weights
    expect(() => loadFlow(b)).toThrow(/checksum mismatch \(file says [0-9a-f]{8}, contents give [0-9a-f]{8}\): the file is corrupt or was edited after saving/);
  });

  it('rejects edited class names and options', () => {
    expect(() => loadFlow(edit(saved, (m) => (m.class = 'Glow')))).toThrow(/unknown flow class "Glow" \(registered: BPF, CNF, GF, GMM, MAF/);
    // another registered class: its tensors differ
    expect(() => loadFlow(edit(saved, (m) => (m.class = 'MAF')))).toThrow(ShapeError);
    expect(() => loadFlow(edit(saved, (m) => (m.class = 'GMM')))).toThrow(
      /do not match a GMM built from its options: missing \[hyper\.0\.weight.*unexpected \[base\.loc, base\.scale, transform\./,
    );
    const opt = (patch: Record<string, unknown>) => edit(saved, (m) => (m.options = JSON.stringify({ ...JSON.parse(m.options as string), ...patch })));
    expect(() => loadFlow(opt({ hiddenFeatures: [8, 9] }))).toThrow(
      /transform\.transforms\.0\.hyper\.2\.weight has shape \[8,8\] in the file, but a NSF built from its options has \[9,8\]/,
    );
    expect(() => loadFlow(opt({ bins: 5 }))).toThrow(ShapeError);
    expect(() => loadFlow(opt({ transforms: 4 }))).toThrow(/missing \[transform\.transforms\.3\./);
    expect(() => loadFlow(opt({ dtype: 'float32' }))).toThrow(DTypeError);
    // an option that does not change any shape: the checksum catches it
    expect(() => loadFlow(edit(saved, (m) => (m.options = JSON.stringify({ ...JSON.parse(m.options as string), bound: 6 })), false))).toThrow(
      /checksum mismatch/,
    );
    expect(() => loadFlow(opt({ features: 0 }))).toThrow(/cannot rebuild NSF from the saved options .*features must be a positive integer, got 0/);
    expect(() => loadFlow(opt({ univariate: 'Spline' }))).toThrow(/unknown univariate "Spline"/);
    expect(() => loadFlow(edit(saved, (m) => (m.options = '{"features": 2,')))).toThrow(/saved options of NSF are not valid JSON/);
    expect(() => loadFlow(edit(saved, (m) => (m.options = '[2]')))).toThrow(/not a JSON object/);
    expect(() => loadFlow(edit(saved, (m) => (m.format = 'eddy-flow/2')))).toThrow(/unsupported format "eddy-flow\/2"/);
    expect(() => loadFlow(edit(saved, (m) => delete m.crc32))).toThrow(/metadata lacks crc32/);
    expect(() => loadFlow(writeSafetensors(nsf.stateDict()))).toThrow(/not an Eddy flow file .*use loadZukoFlow/);
  });

  it('crafted size options are rejected before anything is built (within 100 MB)', () => {
    const opt = (patch: Record<string, unknown>) => edit(saved, (m) => (m.options = JSON.stringify({ ...JSON.parse(m.options as string), ...patch })));
    const bombs: Array<[Record<string, unknown>, RegExp]> = [
      [{ hiddenFeatures: [40000, 40000] }, /saved option NSF\.options\.hiddenFeatures\[0\] = 40000 is larger than anything the file stores/],
      [{ bins: 1e8 }, /NSF\.options\.bins = 100000000 is larger/],
      [{ transforms: 1e7 }, /NSF\.options\.transforms = 10000000 is larger/],
      [{ features: 1e9 }, /NSF\.options\.features = 1000000000 is larger/],
      [{ passes: 1e300 }, /NSF\.options\.passes = 1e\+300 is larger/],
      [{ network: { hiddenFeatures: [1e6] } }, /NSF\.options\.network\.hiddenFeatures\[0\] = 1000000 is larger/],
      // Within the per-option bound, but together far more than the file stores: the
      // allocation limit stops the build at the first tensor over it.
      [
        { hiddenFeatures: [64, 64, 64, 64, 64, 64, 64, 64], transforms: 40 },
        /cannot rebuild NSF .*more than the \d+ allowed for a NSF rebuilt from a file that stores \d+ values/,
      ],
    ];
    for (const [patch, message] of bombs) {
      const bytes = opt(patch);
      const t0 = performance.now();
      // Everything loadFlow creates counts against this outer limit (25e6 float32 = 100 MB):
      // it would throw its own message if the bomb got anywhere near.
      const e = throwsEddy(() => withAllocationLimit(25e6, 'this test', () => loadFlow(bytes)));
      expect(e.message).toMatch(message);
      console.log(`${JSON.stringify(patch)}: rejected in ${(performance.now() - t0).toFixed(1)} ms`);
    }
  });

  it('a header listing a million empty tensors is rejected while it is read', () => {
    const entries = Array.from({ length: 1_000_000 }, (_, i) => `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`);
    const header = new TextEncoder().encode(`{"__metadata__":{"format":"eddy-flow/1"},${entries.join(',')}}`);
    const bytes = new Uint8Array(8 + header.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    expect(() => loadFlow(bytes)).toThrow(/lists more than 100001 entries, more than the 100000 tensors a safetensors file may hold/);
  });

  it('rejects missing, extra and retyped tensors', () => {
    expect(() => loadFlow(edit(saved, (_, t) => delete t['base.scale']))).toThrow(/missing \[base\.scale\], unexpected \[\]/);
    expect(() => loadFlow(edit(saved, (_, t) => (t.extra = tensor([1], { dtype: 'float64' }))))).toThrow(/missing \[\], unexpected \[extra\]/);
    expect(() => loadFlow(edit(saved, (_, t) => (t['base.loc'] = tensor([0, 0, 0], { dtype: 'float64' }))))).toThrow(/base\.loc has shape \[3\] in the file/);
    expect(() => loadFlow(edit(saved, (_, t) => (t['base.loc'] = tensor([0, 0], { dtype: 'float32' }))))).toThrow(DTypeError);
    expect(() => loadFlow(edit(saved, (_, t) => (t['transform.transforms.0.order'] = tensor([0, 1], { dtype: 'float64' }))))).toThrow(DTypeError);
  });
});

// ---------------------------------------------------------------------------------------
// zuko import: the reference cases' weights written as torch's save_file would.

const CASES_DIR = referenceDir('cases');

interface Case {
  name: string;
  spec: { class: string; kwargs: Record<string, unknown> };
  params: Record<string, JsonTensor>;
  inputs: Record<string, JsonTensor>;
  expected: Record<string, JsonTensor>;
  tolerance: Record<string, { rtol: number; atol: number }>;
}

const ZUKO_CLASSES: Record<string, Ctor> = {
  'zuko.flows.MAF': MAF,
  'zuko.flows.NSF': NSF,
  'zuko.flows.NCSF': NCSF,
  'zuko.flows.NICE': NICE,
  'zuko.flows.RealNVP': RealNVP,
  'zuko.flows.NAF': NAF,
  'zuko.flows.UNAF': UNAF,
  'zuko.flows.SOSPF': SOSPF,
  'zuko.flows.BPF': BPF,
  'zuko.flows.GF': GF,
  'zuko.mixtures.GMM': GMM,
};

const camel = (k: string): string => k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
function eddyOptions(kwargs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) {
    if (k === 'univariate') out.univariate = ZUKO_UNIVARIATES[v as string];
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) out[camel(k)] = eddyOptions(v as Record<string, unknown>);
    else out[camel(k)] = v;
  }
  return out;
}

const toTensor = (t: JsonTensor): Tensor => tensor(Float64Array.from(flat(t)), { shape: t.shape, dtype: 'float64' });

const CASE_FILES = readdirSync(CASES_DIR)
  .filter((n) => /^(flow|gmm)_.*\.json$/.test(n))
  .sort();

describe('loadZukoFlow: zuko reference weights via safetensors', () => {
  it('finds the reference cases', () => {
    expect(CASE_FILES.length).toBeGreaterThanOrEqual(20);
  });

  for (const file of CASE_FILES) {
    it(file.replace(/\.json$/, ''), () => {
      const c = JSON.parse(readFileSync(join(CASES_DIR, file), 'utf8')) as Case;
      const Cls = ZUKO_CLASSES[c.spec.class];
      expect(Cls, c.spec.class).toBeDefined();
      const flow = build(Cls as Ctor, { ...eddyOptions(c.spec.kwargs), dtype: 'float64' });
      const bytes = torchSaveFile(c.params);
      expect(loadZukoFlow(flow, bytes)).toBe(flow);
      const state = flow.stateDict();
      for (const [k, t] of Object.entries(c.params)) {
        expect(state[k]?.dtype, k).toBe(t.dtype === 'int64' ? 'int32' : t.dtype);
        expect(Array.from(state[k]?.dataSync() ?? []), k).toEqual(flat(t));
      }
      const x = toTensor(c.inputs.x as JsonTensor);
      const ctx = c.inputs.c ? toTensor(c.inputs.c) : undefined;
      const got = Array.from(logProb(flow, x, ctx).dataSync());
      const expected = flat(c.expected.log_prob as JsonTensor);
      const { rtol, atol } = c.tolerance.log_prob ?? (c.tolerance.default as { rtol: number; atol: number });
      expect(got.length).toBe(expected.length);
      for (const [i, g] of got.entries()) {
        const e = expected[i] as number;
        expect(Math.abs(g - e), `log_prob[${i}]`).toBeLessThanOrEqual(atol + rtol * Math.abs(e));
      }
      // and an imported flow saves and reloads exactly
      const again = loadFlow(saveFlow(flow));
      expect(bits(logProb(again, x, ctx))).toEqual(bits(logProb(flow, x, ctx)));
    });
  }

  it('loads from a path and from float32 weights', () => {
    const c = JSON.parse(readFileSync(join(CASES_DIR, 'flow_NSF_f2_c3.json'), 'utf8')) as Case;
    const path = join(TMP, 'zuko_nsf.safetensors');
    writeFileSync(path, torchSaveFile(c.params));
    const flow = loadZukoFlow(new NSF({ features: 2, context: 3, hiddenFeatures: [32, 32], dtype: 'float64' }), path);
    const x = toTensor(c.inputs.x as JsonTensor);
    const ctx = toTensor(c.inputs.c as JsonTensor);
    const expected = flat(c.expected.log_prob as JsonTensor);
    for (const [i, g] of logProb(flow, x, ctx).dataSync().entries()) expect(g).toBeCloseTo(expected[i] as number, 8);
    // zuko's default dtype is float32: such a file loads into a float64 flow (cast)
    const f32 = writeSafetensors(
      Object.fromEntries(Object.entries(readSafetensors(readFileSync(path)).tensors).map(([k, t]) => [k, t.dtype === 'float64' ? t.cast('float32') : t])),
    );
    const flow32 = loadZukoFlow(new NSF({ features: 2, context: 3, hiddenFeatures: [32, 32], dtype: 'float64' }), f32);
    for (const [i, g] of logProb(flow32, x, ctx).dataSync().entries()) expect(g).toBeCloseTo(expected[i] as number, 3);
  });

  it('leaves the flow unchanged when the file is broken or does not match', () => {
    const c = JSON.parse(readFileSync(join(CASES_DIR, 'flow_NSF_f3_c0.json'), 'utf8')) as Case;
    const good = torchSaveFile(c.params);
    const flow = new NSF({ features: 3, dtype: 'float64', seed: 5 });
    const before = weights(flow);
    const drop = (name: string) => torchSaveFile(Object.fromEntries(Object.entries(c.params).filter(([k]) => k !== name)));
    const reshape = (name: string) =>
      torchSaveFile({ ...c.params, [name]: { ...(c.params[name] as JsonTensor), shape: [...(c.params[name] as JsonTensor).shape].reverse() } });
    const cases: Array<[Uint8Array, RegExp | (new (...a: never[]) => Error)]> = [
      [good.slice(0, good.length - 1), SafetensorsError],
      [good.slice(0, 100), SafetensorsError],
      [new Uint8Array(4), SafetensorsError],
      [drop('transform.transforms.2.hyper.4.bias'), /missing \[transform\.transforms\.2\.hyper\.4\.bias\], unexpected \[\]/],
      [drop('base.loc'), /missing \[base\.loc\]/],
      [torchSaveFile({ ...c.params, extra: { dtype: 'float64', shape: [1], data: [1] } }), /unexpected \[extra\]/],
      [reshape('transform.transforms.1.hyper.0.weight'), /transform\.transforms\.1\.hyper\.0\.weight has shape \[3,64\] in the zuko state dict, \[64,3\] here/],
      [torchSaveFile({ ...c.params, 'transform.transforms.0.order': { dtype: 'int64', shape: [3], data: [0, 2 ** 40, 2] } }), /does not fit in int32/],
    ];
    const bad = good.slice();
    bad[8 + 5] = 0x00; // inside the header JSON
    cases.push([bad, SafetensorsError]);
    for (const [i, [bytes, expected]] of cases.entries()) {
      expect(() => loadZukoFlow(flow, bytes), `case ${i}`).toThrow(expected as RegExp);
      expect(weights(flow)).toEqual(before);
    }
    // a file for another flow (MAF weights into an NSF)
    const maf = JSON.parse(readFileSync(join(CASES_DIR, 'flow_MAF_f3_c0.json'), 'utf8')) as Case;
    expect(() => loadZukoFlow(flow, torchSaveFile(maf.params))).toThrow(ShapeError);
    expect(weights(flow)).toEqual(before);
    expect(() => loadZukoFlow(flow, null as unknown as string)).toThrow(ValueError);
    // and the good file then loads
    loadZukoFlow(flow, good);
    expect(weights(flow)).not.toEqual(before);
  });
});
