// Tensors in zuko's reference case files (shared/reference/cases/*.json): nested arrays of
// numbers, with the non-finite ones written as the strings 'inf', '-inf' and 'nan'.

/** A tensor literal of a reference case. */
export interface CaseTensor {
  dtype: string;
  shape: number[];
  data: unknown;
}

/**
 * A number of a case file: a JSON number, or 'inf', '-inf', 'nan'.
 *
 * @example
 * ```ts
 * decodeCaseNumber('-inf'); // -Infinity
 * ```
 */
export function decodeCaseNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  if (v === 'nan') return Number.NaN;
  throw new Error(`not a number: ${JSON.stringify(v)}`);
}

/**
 * Whether a JSON value is a tensor literal (has dtype, shape and data).
 *
 * @example
 * ```ts
 * if (isCaseTensor(v)) return caseValues(v);
 * ```
 */
export function isCaseTensor(v: unknown): v is CaseTensor {
  return typeof v === 'object' && v !== null && 'dtype' in v && 'shape' in v && 'data' in v;
}

/**
 * The values of a case tensor, flattened row-major, as float64.
 *
 * @example
 * ```ts
 * caseValues({ dtype: 'float64', shape: [2], data: [1, 'inf'] }); // Float64Array [1, Infinity]
 * ```
 */
export function caseValues(t: CaseTensor): Float64Array {
  const flat: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const e of v) walk(e);
    else flat.push(decodeCaseNumber(v));
  };
  walk(t.data);
  return Float64Array.from(flat);
}
