// Helpers of the univariate-transform tests: read zuko's reference cases at test time
// (the numbers stay in the case files) and compare with each case's own tolerance.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Tensor, exp, square, tensor } from '@eddy/core';
import { type CaseTensor, caseValues, isCaseTensor, referenceDir, worstToleranceRatio } from '@eddy/testing';

export type { CaseTensor };

export const CASES_DIR = referenceDir('cases');

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
  return worstToleranceRatio(actual.dataSync(), caseValues(expected), tol.atol, tol.rtol);
}

export function tolOf(c: TransformCase, key: string): Tolerance {
  return c.tolerance[key] ?? c.tolerance.default;
}
