import { type DType, type Tensor, type TypedArray, fmtShape, tensor } from '@eddy/core';
import { LITTLE_ENDIAN } from './endian.js';
import { decodeHalf } from './half.js';
import { type Json, parseStrictJson } from './json.js';
import { SafetensorsError } from './safetensors-error.js';

const fail = (message: string): never => {
  throw new SafetensorsError(message);
};

/**
 * The contents of a safetensors file: tensors in header order and the string metadata
 * (`{}` when the file has none).
 *
 * @example
 * ```ts
 * import { NSF, type SafetensorsContents, readSafetensors, saveFlow } from '@eddy/flows';
 * const { tensors, metadata }: SafetensorsContents = readSafetensors(saveFlow(new NSF({ features: 2 })));
 * ```
 * @category Saving and loading
 */
export interface SafetensorsContents {
  /** Tensors by name, in the order the header lists them. */
  tensors: Record<string, Tensor>;
  /** The header's `__metadata__` (string to string). */
  metadata: Record<string, string>;
}

/** Largest header accepted, as in the reference implementation (100 MB). */
const MAX_HEADER = 100_000_000;
/**
 * Most tensors one file may hold. Real checkpoints hold hundreds to a few thousand per
 * file; a header listing a million empty tensors only costs time and memory to read.
 */
const MAX_TENSORS = 100_000;

/** Bytes per element of every dtype the format defines that Eddy can read. */
const ITEM_SIZE: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};
/** dtypes of the format that Eddy has no tensor type for. */
const UNSUPPORTED = new Set(['F4', 'F6_E2M3', 'F6_E3M2', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'C64']);
/** Defines an own enumerable property (safe for keys such as `__proto__`). */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The values of one tensor's bytes as the typed array of its Eddy dtype. */
function decode(name: string, code: string, bytes: Uint8Array, count: number): { data: TypedArray; dtype: DType } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tooBig = (k: number, v: number | bigint): never =>
    fail(`tensor ${JSON.stringify(name)} (${code}) holds ${v} at index ${k}, which does not fit in int32`);
  switch (code) {
    case 'F64':
    case 'F32': {
      const Ctor = code === 'F64' ? Float64Array : Float32Array;
      if (LITTLE_ENDIAN) return { data: new Ctor(bytes.slice().buffer), dtype: code === 'F64' ? 'float64' : 'float32' };
      const out = new Ctor(count);
      for (let k = 0; k < count; k++) out[k] = code === 'F64' ? view.getFloat64(8 * k, true) : view.getFloat32(4 * k, true);
      return { data: out, dtype: code === 'F64' ? 'float64' : 'float32' };
    }
    case 'F16':
    case 'BF16':
      return { data: decodeHalf(code, view, count), dtype: 'float32' };
    case 'BOOL': {
      const out = bytes.slice();
      for (let k = 0; k < count; k++) if ((out[k] as number) > 1) fail(`tensor ${JSON.stringify(name)} (BOOL) holds byte ${out[k]} at index ${k}, not 0 or 1`);
      return { data: out, dtype: 'bool' };
    }
    default: {
      const out = new Int32Array(count);
      for (let k = 0; k < count; k++) {
        switch (code) {
          case 'I32':
            out[k] = view.getInt32(4 * k, true);
            break;
          case 'U32': {
            const v = view.getUint32(4 * k, true);
            if (v > 0x7fffffff) tooBig(k, v);
            out[k] = v;
            break;
          }
          case 'I64':
          case 'U64': {
            const lo = view.getUint32(8 * k, true);
            const hi = view.getInt32(8 * k + 4, true);
            const fits = (hi === 0 && lo <= 0x7fffffff) || (code === 'I64' && hi === -1 && lo > 0x7fffffff);
            if (!fits) tooBig(k, code === 'I64' ? view.getBigInt64(8 * k, true) : view.getBigUint64(8 * k, true));
            out[k] = lo | 0;
            break;
          }
          case 'I16':
            out[k] = view.getInt16(2 * k, true);
            break;
          case 'U16':
            out[k] = view.getUint16(2 * k, true);
            break;
          case 'I8':
            out[k] = view.getInt8(k);
            break;
          default:
            out[k] = view.getUint8(k);
        }
      }
      return { data: out, dtype: 'int32' };
    }
  }
}

const isIndex = (v: Json): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Reads a safetensors file (the format of Hugging Face `safetensors`: an 8-byte
 * little-endian header length `N`, `N` bytes of JSON, then the data). Every part of the
 * file is validated before any tensor is made: the header length (at most 100 MB), the
 * JSON (duplicate keys are rejected; at most 100,000 tensors), string-only `__metadata__`, each entry's dtype, shape and
 * `data_offsets` (size must equal shape × dtype size; the byte ranges must tile the data
 * buffer exactly, without gaps or overlaps). Any problem throws a
 * {@link SafetensorsError}; nothing is returned from a bad file.
 *
 * dtypes: `F64` → float64, `F32` → float32, `I32` → int32, `BOOL` → bool (bytes must
 * be 0 or 1); `F16`/`BF16` → float32; `I64`, `U64`, `U32`, `I16`, `U16`, `I8`, `U8` →
 * int32 (a value outside the int32 range is an error).
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { readSafetensors } from '@eddy/flows';
 * const { tensors, metadata } = readSafetensors(readFileSync('model.safetensors')); // any Uint8Array
 * tensors['base.loc']?.shape; // [3]
 * ```
 * @category Saving and loading
 */
export function readSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (!(bytes instanceof Uint8Array)) fail(`readSafetensors: expected a Uint8Array, got ${typeof bytes}`);
  // A plain view (Node's Buffer.slice would share memory instead of copying).
  bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const total = bytes.byteLength;
  if (total < 8) fail(`file is ${total} bytes long, shorter than the 8-byte header length`);
  const head = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (head > BigInt(total - 8)) fail(`header length ${head} goes beyond the end of the file (${total - 8} bytes after the length)`);
  const n = Number(head);
  if (n > MAX_HEADER) fail(`header length ${n} exceeds the limit of ${MAX_HEADER} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail('header: not valid UTF-8');
  }
  if (!text.startsWith('{')) fail('header: does not start with "{"');
  const root = parseStrictJson(
    text,
    (message) => fail(`header: ${message}`),
    // The top level lists the tensors (and __metadata__): stop reading a header of too many.
    (count) => {
      if (count > MAX_TENSORS + 1)
        fail(`header: lists more than ${MAX_TENSORS + 1} entries, more than the ${MAX_TENSORS} tensors a safetensors file may hold here`);
    },
  );
  if (!(root instanceof Map)) return fail('header: not a JSON object');

  const metadata: Record<string, string> = {};
  const entries: Array<{ name: string; code: string; shape: number[]; begin: number; end: number; count: number }> = [];
  for (const [name, info] of root) {
    if (name === '__metadata__') {
      if (!(info instanceof Map)) fail('header: __metadata__ must be an object of strings');
      for (const [k, v] of info as Map<string, Json>) {
        if (typeof v !== 'string')
          fail(`header: __metadata__[${JSON.stringify(k)}] must be a string, got ${JSON.stringify(v instanceof Map ? Object.fromEntries(v) : v)}`);
        setOwn(metadata, k, v as string);
      }
      continue;
    }
    const what = `tensor ${JSON.stringify(name)}`;
    if (!(info instanceof Map)) return fail(`header: ${what} must be an object with dtype, shape and data_offsets`);
    for (const k of info.keys()) if (k !== 'dtype' && k !== 'shape' && k !== 'data_offsets') fail(`header: ${what} has an unknown field ${JSON.stringify(k)}`);
    const code = info.get('dtype');
    const shape = info.get('shape');
    const offsets = info.get('data_offsets');
    if (typeof code !== 'string') return fail(`header: ${what} has no string dtype`);
    if (ITEM_SIZE[code] === undefined) {
      return fail(
        UNSUPPORTED.has(code) ? `header: ${what} has dtype ${code}, which Eddy cannot read` : `header: ${what} has unknown dtype ${JSON.stringify(code)}`,
      );
    }
    if (!Array.isArray(shape) || !shape.every(isIndex))
      return fail(`header: ${what} has an invalid shape ${JSON.stringify(shape)} (expected non-negative integers)`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
      return fail(`header: ${what} has invalid data_offsets ${JSON.stringify(offsets)} (expected [begin, end])`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) fail(`header: ${what} has data_offsets [${begin}, ${end}] with end before begin`);
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const size = count * (ITEM_SIZE[code] as number);
    if (!Number.isSafeInteger(size) || size !== end - begin) {
      fail(
        `header: ${what} of dtype ${code} and shape ${fmtShape(shape as number[])} needs ${size} bytes, but data_offsets [${begin}, ${end}] span ${end - begin}`,
      );
    }
    entries.push({ name, code, shape: shape as number[], begin, end, count });
  }

  // The byte ranges must tile [0, data length) exactly.
  const dataLength = total - 8 - n;
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin < cursor) fail(`header: tensor ${JSON.stringify(e.name)} (bytes ${e.begin}-${e.end}) overlaps the previous tensor (which ends at ${cursor})`);
    if (e.begin > cursor) fail(`header: bytes ${cursor}-${e.begin} of the data buffer belong to no tensor (gap before ${JSON.stringify(e.name)})`);
    cursor = e.end;
  }
  if (cursor !== dataLength) {
    fail(
      cursor > dataLength
        ? `data buffer is ${dataLength} bytes, but the tensors need ${cursor} (the file is truncated)`
        : `data buffer is ${dataLength} bytes, but the tensors cover only ${cursor}`,
    );
  }

  const data = bytes.subarray(8 + n);
  const decoded = entries.map((e) => ({ e, ...decode(e.name, e.code, data.subarray(e.begin, e.end), e.count) }));
  const tensors: Record<string, Tensor> = {};
  for (const { e, data: values, dtype } of decoded) setOwn(tensors, e.name, tensor(values, { shape: e.shape, dtype }));
  return { tensors, metadata };
}
