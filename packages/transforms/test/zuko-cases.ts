// Helpers of the univariate-transform tests: read zuko's reference cases at test time
// (the numbers stay in the case files) and compare with each case's own tolerance.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Tensor, exp, square, tensor } from '@eddy/core';
import { referenceDir } from '@eddy/testing';

export const CASES_DIR = referenceDir('cases');

export interface CaseTensor {
  dtype: 'float64' | 'int64' | 'bool';
  shape: number[];
  data: unknown;
}
export interface Tolerance {
  rtol: number;
  atol: number;
}
export interface TransformCase {
  name: string;
  spec: { class: string; args?: unknown[]; kwargs?: Record<string, unknown> };
  inputs: Record<string, CaseTensor>;
  expected: Record<string, unknown>;
  tolerance: Record<string, Tolerance> & { default: Tolerance };
  notes?: string;
}

export function loadCase(name: string): TransformCase {
  return JSON.parse(readFileSync(resolve(CASES_DIR, `${name}.json`), 'utf8')) as TransformCase;
}

const decode = (v: unknown): number => {
  if (typeof v === 'number') return v;
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  if (v === 'nan') return Number.NaN;
  throw new Error(`not a number: ${JSON.stringify(v)}`);
};

export function isCaseTensor(v: unknown): v is CaseTensor {
  return typeof v === 'object' && v !== null && 'dtype' in v && 'shape' in v && 'data' in v;
}

export function caseValues(t: CaseTensor): Float64Array {
  const flat: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const e of v) walk(e);
    else flat.push(decode(v));
  };
  walk(t.data);
  return Float64Array.from(flat);
}

export function toTensor(t: CaseTensor): Tensor {
  return tensor(caseValues(t), { shape: t.shape, dtype: 'float64' });
}

/** The functions the case specs name, with the formulas the cases state. */
export const FUNCTIONS: Record<string, (x: Tensor) => Tensor> = {
  // f(x) = x**3 + x (torch evaluates x**3 as x·x·x)
  cubic_plus_linear: (x) => x.mul(x).mul(x).add(x),
  // g(x) = exp(-x**2) + 0.01
  gauss_bump: (x) => exp(square(x).neg()).add(0.01),
};

/** Decodes a spec argument: a tensor, a named function or a plain value. */
export function arg(v: unknown): unknown {
  if (isCaseTensor(v)) return toTensor(v);
  if (typeof v === 'object' && v !== null && 'function' in v) {
    const f = FUNCTIONS[(v as { function: string }).function];
    if (f === undefined) throw new Error(`unknown function ${JSON.stringify(v)}`);
    return f;
  }
  return v;
}

/**
 * Worst `|a - e| / (atol + rtol|e|)` over the elements (infinities must match exactly);
 * also checks the shape.
 */
export function toleranceRatio(actual: Tensor, expected: CaseTensor, tol: Tolerance): number {
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
    throw new Error(`shape [${actual.shape}] vs expected [${expected.shape}]`);
  }
  const a = actual.dataSync();
  const e = caseValues(expected);
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    const ev = e[i] as number;
    const av = a[i] as number;
    if (!Number.isFinite(ev) || !Number.isFinite(av)) {
      if (!(Object.is(ev, av) || (Number.isNaN(ev) && Number.isNaN(av)))) return Number.POSITIVE_INFINITY;
      continue;
    }
    const allowed = tol.atol + tol.rtol * Math.abs(ev);
    const err = Math.abs(av - ev);
    const r = allowed > 0 ? err / allowed : err === 0 ? 0 : Number.POSITIVE_INFINITY;
    if (!(r <= worst)) worst = r;
  }
  return worst;
}

export function tolOf(c: TransformCase, key: string): Tolerance {
  return c.tolerance[key] ?? c.tolerance.default;
}
