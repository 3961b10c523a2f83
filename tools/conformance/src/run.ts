import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Tensor, noGrad } from '@eddy/core';
import * as D from '@eddy/distributions';
import * as T from '@eddy/transforms';
import { type Case, type CaseTensor, type Tolerance, caseValues, isCaseTensor, loadCase, toTensor } from './case.js';
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

/** Options of {@link runCases}. */
export interface RunOptions {
  /** Called with each result as it is produced. */
  onResult?: (r: CaseResult) => void;
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

function tolOf(c: Case, key: string): Tolerance {
  return c.tolerance[key] ?? c.tolerance.default;
}

/**
 * Compares `actual` with the expected tensor under the case's own tolerance
 * (`|a - e| <= atol + rtol·|e|`, infinities equal exactly). Returns the worst ratio of
 * error to allowed error; throws {@link Mismatch} when it exceeds 1.
 */
function compare(c: Case, key: string, actual: Tensor, expected: CaseTensor): number {
  const { rtol, atol } = tolOf(c, key);
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

/** Runs one case file. */
export function runCase(path: string): CaseResult {
  const ratios: Record<string, number> = {};
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
    return { name: c.name, status: 'PASS', ratios };
  } catch (e) {
    const detail = e instanceof Mismatch ? e.message : `${(e as Error).name}: ${(e as Error).message}`;
    return { name: c.name, status: 'FAIL', detail, ratios };
  }
}

/** Runs every `*.json` case in `dir` (sorted by name). */
export function runCases(dir: string, options: RunOptions = {}): RunSummary {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const results: CaseResult[] = [];
  for (const f of files) {
    const r = runCase(join(dir, f));
    results.push(r);
    options.onResult?.(r);
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
