import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type FloatDType, type Tensor, getBackend, noGrad, setBackend } from '@eddy/core';
import * as D from '@eddy/distributions';
import * as T from '@eddy/transforms';
import { type Case, type CaseTensor, type Tolerance, caseValues, isCaseTensor, loadCase, toTensor, withCaseDType } from './case.js';
import { buildSpec } from './build.js';
import { buildFlow } from './flows.js';

/** Outcome of one case. */
export interface CaseResult {
  name: string;
  status: 'PASS' | 'FAIL' | 'SKIP';
  /** For FAIL: the worst key and its error/tolerance, or the error message. */
  detail?: string;
  /** Keys compared, with their worst error/tolerance ratio. */
  ratios: Record<string, number>;
}

/** Options of {@link runCases} and {@link runCase}. */
export interface RunOptions {
  /** Called with each result as it is produced. */
  onResult?: (r: CaseResult) => void;
  /**
   * Float dtype of the run (default float64, the cases' own). With float32 every case
   * input, parameter and flow is float32 and {@link FLOAT32_TOLERANCE} applies.
   */
  dtype?: FloatDType;
  /** Registered backend to run on (default: the active one), e.g. `gpu`. */
  backend?: string;
}

/**
 * The tolerance floor of float32 runs. zuko's cases carry float64 tolerances (often
 * 1e-12); a float32 run rounds every input and intermediate to 24 bits, so each key is
 * compared with `atol = max(case atol, 1e-4)` and `rtol = max(case rtol, 1e-4)`:
 * `|actual - expected| <= atol + rtol·|expected|`. float64 runs use the case tolerances
 * unchanged, always.
 */
export const FLOAT32_TOLERANCE: Readonly<Tolerance> = Object.freeze({ atol: 1e-4, rtol: 1e-4 });

/**
 * A float32 exception for one key of one case: a wider tolerance floor, or `skip` when
 * the reference value cannot be reached in float32 through the formula zuko itself uses.
 */
export interface Float32Exception {
  /** Tolerance floor for the key (replaces {@link FLOAT32_TOLERANCE}). */
  readonly atol?: number;
  readonly rtol?: number;
  /** Do not compare the key in float32; the case is reported SKIP with this reason. */
  readonly skip?: string;
  /** Why float32 needs it (measured worst error, conditioning). */
  readonly why: string;
}

/**
 * The keys that need more than {@link FLOAT32_TOLERANCE} in float32, each with its
 * measured cause; `case name → key → exception`. Inverses amplify the float32 rounding
 * of their input by the inverse's condition number e^(-ladj) (the expected `ladj` says
 * how much), and bisection stops at float32 resolution; floors are about 3× the worst
 * error measured on the cpu and gpu backends in float32. float64 runs never use this.
 */
export const FLOAT32_EXCEPTIONS: Readonly<Record<string, Readonly<Record<string, Float32Exception>>>> = Object.freeze({
  transform_MonotonicRQS_K8: {
    x_rec: {
      atol: 5e-4,
      rtol: 1e-4,
      why: 'inverse spline where ladj reaches -5.2 (dx/dy up to 180): worst |error| 1.8e-4 at x = 0.533 (gpu), 9.2e-5 (cpu)',
    },
    inv_ladj: {
      atol: 3e-4,
      rtol: 1e-4,
      why: "evaluated at the reconstructed x, so it inherits x_rec's conditioning: worst error 0.85 of the default floor (cpu and gpu)",
    },
  },
  flow_NSF_f4_c0_passes2: {
    x_rec: {
      atol: 1e-2,
      rtol: 1e-4,
      why: 'rows 2 and 16 have ladj -7.9 and -13.7 (the inverse magnifies volume by e^7.9 and e^13.7): worst |error| 3.5e-3',
    },
  },
  flow_GF_f3_c0: {
    log_prob_sample: {
      atol: 1e-4,
      rtol: 4e-4,
      why: 'inverse by bisection, which stops at float32 resolution of x: worst |error| 3.1e-3 on |value| 24.6 (1.3e-4 relative)',
    },
  },
  dist_Maximum_Normal_n4: {
    log_prob: {
      skip: "zuko's Normal.cdf ½(1 + erf(z/√2)) has no float32 precision left below z ≈ -5 (1 + erf rounds to 0 or to a few ulps); inputs reach z = -5.1 and -7.0, where log cdf is -inf or off by ~0.3",
      why: 'float32 underflow of the reference formula itself',
    },
  },
});

/** The tolerance a key is compared with in a run of `dtype` (see {@link FLOAT32_TOLERANCE}). */
export function effectiveTolerance(c: Case, key: string, dtype: FloatDType): Tolerance {
  const own = c.tolerance[key] ?? c.tolerance.default;
  if (dtype === 'float64') return own;
  const ex = FLOAT32_EXCEPTIONS[c.name]?.[key];
  return {
    atol: Math.max(own.atol, ex?.atol ?? FLOAT32_TOLERANCE.atol),
    rtol: Math.max(own.rtol, ex?.rtol ?? FLOAT32_TOLERANCE.rtol),
  };
}

/** Totals of a run. */
export interface RunSummary {
  results: CaseResult[];
  passed: number;
  failed: number;
  skipped: number;
}

/** A comparison failure (worst element) of one expected key. */
class Mismatch extends Error {
  constructor(
    readonly key: string,
    readonly maxErr: number,
    readonly tol: number,
  ) {
    super(`${key} ${maxErr.toExponential(3)}/${tol.toExponential(3)}`);
  }
}

let runDType: FloatDType = 'float64';
/** Keys of the current case left uncompared by a float32 `skip` exception, with the reason. */
let skippedKeys: string[] = [];

/**
 * Compares `actual` with the expected tensor under the case's own tolerance (in float32
 * runs, {@link effectiveTolerance}): `|a - e| <= atol + rtol·|e|`, infinities equal exactly. Returns the worst ratio of
 * error to allowed error; throws {@link Mismatch} when it exceeds 1.
 */
function compare(c: Case, key: string, actual: Tensor, expected: CaseTensor): number {
  const skip = runDType === 'float32' ? FLOAT32_EXCEPTIONS[c.name]?.[key]?.skip : undefined;
  if (skip !== undefined) {
    skippedKeys.push(`float32: ${key} not compared: ${skip}`);
    return 0;
  }
  const { rtol, atol } = effectiveTolerance(c, key, runDType);
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
    throw new Mismatch(`${key} shape [${actual.shape}] vs [${expected.shape}]`, Number.NaN, 0);
  }
  const a = actual.dataSync();
  const e = caseValues(expected);
  let worst = 0;
  let worstErr = 0;
  let worstTol = 0;
  for (let i = 0; i < e.length; i++) {
    const ev = e[i] as number;
    const av = a[i] as number;
    let ratio: number;
    let err: number;
    const tol = atol + rtol * Math.abs(ev);
    if (!Number.isFinite(ev) || !Number.isFinite(av)) {
      const same = Object.is(ev, av) || (Number.isNaN(ev) && Number.isNaN(av));
      err = same ? 0 : Number.POSITIVE_INFINITY;
      ratio = same ? 0 : Number.POSITIVE_INFINITY;
    } else {
      err = Math.abs(av - ev);
      ratio = tol > 0 ? err / tol : err === 0 ? 0 : Number.POSITIVE_INFINITY;
    }
    if (ratio > worst || Number.isNaN(ratio)) {
      worst = ratio;
      worstErr = err;
      worstTol = tol;
    }
  }
  if (!(worst <= 1)) throw new Mismatch(key, worstErr, worstTol);
  return worst;
}

function compareShape(key: string, actual: readonly number[], expected: unknown): number {
  const e = expected as number[];
  if (actual.length !== e.length || actual.some((d, i) => d !== e[i])) {
    throw new Mismatch(`${key} [${actual}] vs [${e}]`, Number.NaN, 0);
  }
  return 0;
}

/** Internal quantities a transform exposes under zuko's `derived` names. */
function derivedValue(t: T.Transform, key: string): Tensor | undefined {
  const aliases: Record<string, string> = { R: 'rotation', L: 'lower', U: 'upper' };
  const v = (t as unknown as Record<string, unknown>)[aliases[key] ?? key];
  return v !== undefined && typeof v === 'object' && v !== null && 'dataSync' in v ? (v as Tensor) : undefined;
}

function runTransform(c: Case, t: T.Transform, ratios: Record<string, number>): void {
  const x = toTensor(c.inputs.x as CaseTensor);
  const ex = c.expected;
  compareShape('event_dim', [t.domain.eventDim], [ex.event_dim]);
  const [y, ladj] = t.callAndLadj(x);
  ratios.y = compare(c, 'y', y, ex.y as CaseTensor);
  ratios.ladj = compare(c, 'ladj', ladj, ex.ladj as CaseTensor);
  const yExp = toTensor(ex.y as CaseTensor);
  const xRec = t.inv.call(yExp);
  ratios.x_rec = compare(c, 'x_rec', xRec, ex.x_rec as CaseTensor);
  ratios.inv_ladj = compare(c, 'inv_ladj', t.inv.logAbsDetJacobian(yExp, xRec), ex.inv_ladj as CaseTensor);
  if (ex.x_extra !== undefined && c.inputs.y_extra !== undefined) {
    ratios.x_extra = compare(c, 'x_extra', t.inv.call(toTensor(c.inputs.y_extra)), ex.x_extra as CaseTensor);
  }
  for (const [key, v] of Object.entries((ex.derived as Record<string, unknown>) ?? {})) {
    const mine = derivedValue(t, key);
    if (mine !== undefined && isCaseTensor(v)) ratios[`derived.${key}`] = compare(c, `derived.${key}`, mine, v);
  }
}

function runDistribution(c: Case, d: D.Distribution, ratios: Record<string, number>): void {
  const ex = c.expected;
  compareShape('batch_shape', d.batchShape, ex.batch_shape);
  compareShape('event_shape', d.eventShape, ex.event_shape);
  const x = toTensor(c.inputs.x as CaseTensor);
  ratios.log_prob = compare(c, 'log_prob', d.logProb(x), ex.log_prob as CaseTensor);
  if (ex.cdf !== undefined) ratios.cdf = compare(c, 'cdf', d.cdf(x), ex.cdf as CaseTensor);
  if (ex.rsample_from_u !== undefined && c.inputs.u !== undefined) {
    if (!(d instanceof D.Truncated)) throw new Error(`rsample_from_u is defined for Truncated, not ${d.constructor.name}`);
    ratios.rsample_from_u = compare(c, 'rsample_from_u', d.rsampleFromUniform(toTensor(c.inputs.u)), ex.rsample_from_u as CaseTensor);
  }
  if (d instanceof D.NormalizingFlow && ex.z !== undefined) {
    const [z, ladj] = d.transform.callAndLadj(x);
    ratios.z = compare(c, 'z', z, ex.z as CaseTensor);
    // The raw transform ladj (an elementwise transform's is per element).
    ratios.ladj = compare(c, 'ladj', ladj, ex.ladj as CaseTensor);
  }
  if (d instanceof D.NormalizingFlow && c.inputs.z_base !== undefined && ex.x_sample !== undefined) {
    const zb = toTensor(c.inputs.z_base);
    const [xs, invLadj] = d.transform.inv.callAndLadj(zb);
    ratios.x_sample = compare(c, 'x_sample', xs, ex.x_sample as CaseTensor);
    const lps = d.base.logProb(zb).sub(T.sumRightmost(invLadj, d.reinterpreted));
    ratios.log_prob_sample = compare(c, 'log_prob_sample', lps, ex.log_prob_sample as CaseTensor);
  }
}

function runFlow(c: Case, flow: LazyDistributionLike, ratios: Record<string, number>): void {
  const ex = c.expected;
  const ctx = c.inputs.c === undefined ? undefined : toTensor(c.inputs.c);
  const d = flow.call(ctx);
  compareShape('batch_shape', d.batchShape, ex.batch_shape);
  compareShape('event_shape', d.eventShape, ex.event_shape);
  const x = toTensor(c.inputs.x as CaseTensor);
  ratios.log_prob = compare(c, 'log_prob', d.logProb(x), ex.log_prob as CaseTensor);
  if (!(d instanceof D.NormalizingFlow)) return;
  const [z, ladj] = d.transform.callAndLadj(x);
  ratios.z = compare(c, 'z', z, ex.z as CaseTensor);
  ratios.ladj = compare(c, 'ladj', ladj, ex.ladj as CaseTensor);
  const zExp = toTensor(ex.z as CaseTensor);
  ratios.x_rec = compare(c, 'x_rec', d.transform.inv.call(zExp), ex.x_rec as CaseTensor);
  ratios.base_log_prob_z = compare(c, 'base_log_prob_z', d.base.logProb(zExp), ex.base_log_prob_z as CaseTensor);
  if (c.inputs.z_base !== undefined) {
    const zb = toTensor(c.inputs.z_base);
    const [xs, invLadj] = d.transform.inv.callAndLadj(zb);
    ratios.x_sample = compare(c, 'x_sample', xs, ex.x_sample as CaseTensor);
    ratios.log_prob_sample = compare(c, 'log_prob_sample', d.base.logProb(zb).sub(invLadj), ex.log_prob_sample as CaseTensor);
  }
}

/** What the runner needs of a flow module. */
interface LazyDistributionLike {
  call(c?: Tensor): D.Distribution;
}

/** Runs one case file (in `options.dtype`, default float64, on the active backend). */
export function runCase(path: string, options: Pick<RunOptions, 'dtype'> = {}): CaseResult {
  const dtype = options.dtype ?? 'float64';
  const previous = runDType;
  runDType = dtype;
  try {
    return withCaseDType(dtype, () => runCaseFile(path));
  } finally {
    runDType = previous;
  }
}

function runCaseFile(path: string): CaseResult {
  const ratios: Record<string, number> = {};
  skippedKeys = [];
  let c: Case;
  try {
    c = loadCase(path);
  } catch (e) {
    return { name: path, status: 'FAIL', detail: (e as Error).message, ratios };
  }
  try {
    noGrad(() => {
      if (c.kind === 'flow' || c.kind === 'lazy_distribution') {
        runFlow(c, buildFlow(c), ratios);
        return;
      }
      const obj = buildSpec(c.spec);
      if (c.kind === 'transform') {
        if (!(obj instanceof T.Transform)) throw new Error('spec did not build a transform');
        runTransform(c, obj, ratios);
      } else {
        if (!(obj instanceof D.Distribution)) throw new Error('spec did not build a distribution');
        runDistribution(c, obj, ratios);
      }
    });
    if (skippedKeys.length > 0) return { name: c.name, status: 'SKIP', detail: skippedKeys.join('; '), ratios };
    return { name: c.name, status: 'PASS', ratios };
  } catch (e) {
    const detail = e instanceof Mismatch ? e.message : `${(e as Error).name}: ${(e as Error).message}`;
    return { name: c.name, status: 'FAIL', detail, ratios };
  }
}

/** Runs every `*.json` case in `dir` (sorted by name), on `options.backend` in `options.dtype`. */
export function runCases(dir: string, options: RunOptions = {}): RunSummary {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const results: CaseResult[] = [];
  const previous = options.backend === undefined ? undefined : getBackend().name;
  if (options.backend !== undefined) setBackend(options.backend);
  try {
    for (const f of files) {
      const r = runCase(join(dir, f), { dtype: options.dtype });
      results.push(r);
      options.onResult?.(r);
    }
  } finally {
    if (previous !== undefined) setBackend(previous);
  }
  return {
    results,
    passed: results.filter((r) => r.status === 'PASS').length,
    failed: results.filter((r) => r.status === 'FAIL').length,
    skipped: results.filter((r) => r.status === 'SKIP').length,
  };
}

/** The line printed for a result: `PASS name`, `FAIL name key err/tol`, `SKIP name reason`. */
export function formatResult(r: CaseResult): string {
  return r.status === 'PASS' ? `PASS ${r.name}` : `${r.status} ${r.name} ${r.detail ?? ''}`.trimEnd();
}
