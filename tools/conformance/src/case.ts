import { readFileSync } from 'node:fs';
import { type DType, type FloatDType, type Tensor, tensor } from '@eddy/core';

/** A tensor as stored in a case file. */
export interface CaseTensor {
  dtype: 'float64' | 'int64' | 'bool';
  shape: number[];
  data: unknown;
}

/** Tolerance of one expected key. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/** One reference case (schema zuko-reference-case/1). */
export interface Case {
  name: string;
  kind: 'flow' | 'lazy_distribution' | 'transform' | 'distribution';
  spec: Record<string, unknown>;
  params?: Record<string, CaseTensor & { kind: 'parameter' | 'buffer' }>;
  inputs: Record<string, CaseTensor>;
  expected: Record<string, unknown>;
  tolerance: Record<string, Tolerance> & { default: Tolerance };
}

/** Reads and minimally validates a case file; throws naming the file on a malformed one. */
export function loadCase(path: string): Case {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const c = raw as Partial<Case>;
  for (const key of ['name', 'kind', 'spec', 'inputs', 'expected', 'tolerance'] as const) {
    if (c[key] === undefined) throw new Error(`${path}: missing "${key}"`);
  }
  if (c.tolerance?.default === undefined) throw new Error(`${path}: missing tolerance.default`);
  return c as Case;
}

const decodeNumber = (v: unknown): number => {
  if (typeof v === 'number') return v;
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  if (v === 'nan') return Number.NaN;
  throw new Error(`not a number: ${JSON.stringify(v)}`);
};

/** Whether a JSON value is a tensor literal. */
export function isCaseTensor(v: unknown): v is CaseTensor {
  return typeof v === 'object' && v !== null && 'dtype' in v && 'shape' in v && 'data' in v;
}

/** Flat float64 values of a case tensor, row-major. */
export function caseValues(t: CaseTensor): Float64Array {
  const flat: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const e of v) walk(e);
    else flat.push(decodeNumber(v));
  };
  walk(t.data);
  return Float64Array.from(flat);
}

let floatDType: FloatDType = 'float64';

/**
 * Runs `fn` with case floats decoded as `dtype` (float64, the cases' own precision, or
 * float32 for float32 runs: values are rounded once on decoding). @internal
 */
export function withCaseDType<T>(dtype: FloatDType, fn: () => T): T {
  const previous = floatDType;
  floatDType = dtype;
  try {
    return fn();
  } finally {
    floatDType = previous;
  }
}

/** The float dtype case tensors are decoded to (see {@link withCaseDType}). */
export function caseFloatDType(): FloatDType {
  return floatDType;
}

/** Decodes a case tensor into an Eddy tensor (the case float dtype; int32 for int64; bool). */
export function toTensor(t: CaseTensor): Tensor {
  const flat = caseValues(t);
  const dtype: DType = t.dtype === 'float64' ? floatDType : t.dtype === 'int64' ? 'int32' : 'bool';
  return tensor(dtype === 'int32' ? Int32Array.from(flat) : dtype === 'bool' ? Uint8Array.from(flat) : flat, {
    shape: t.shape,
    dtype,
  });
}
