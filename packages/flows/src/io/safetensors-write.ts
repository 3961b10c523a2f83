import type { DType, Tensor, TypedArray } from '@eddy/core';
import { LITTLE_ENDIAN } from './endian.js';
import { SafetensorsError } from './safetensors-error.js';

const fail = (message: string): never => {
  throw new SafetensorsError(message);
};

/** The reference writer's dtype order (its `Dtype` enum); the data is laid out widest first. */
const RANK: Readonly<Record<string, number>> = {
  BOOL: 0,
  U8: 4,
  I8: 5,
  I16: 9,
  U16: 10,
  F16: 11,
  BF16: 12,
  I32: 13,
  U32: 14,
  F32: 15,
  F64: 16,
  I64: 17,
  U64: 18,
};
const CODE: Readonly<Record<DType, string>> = { float64: 'F64', float32: 'F32', int32: 'I32', bool: 'BOOL' };

/** Byte-wise UTF-8 order (the reference writer sorts names as Rust strings). */
function compareUtf8(a: string, b: string): number {
  const enc = new TextEncoder();
  const x = enc.encode(a);
  const y = enc.encode(b);
  for (let k = 0; k < Math.min(x.length, y.length); k++) if (x[k] !== y[k]) return (x[k] as number) - (y[k] as number);
  return x.length - y.length;
}

/** Little-endian bytes of a typed array. */
function leBytes(a: TypedArray): Uint8Array {
  if (LITTLE_ENDIAN || a.BYTES_PER_ELEMENT === 1) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength);
  const view = new DataView(out.buffer);
  for (let k = 0; k < a.length; k++) {
    if (a instanceof Float64Array) view.setFloat64(8 * k, a[k] as number, true);
    else if (a instanceof Float32Array) view.setFloat32(4 * k, a[k] as number, true);
    else view.setInt32(4 * k, a[k] as number, true);
  }
  return out;
}

/**
 * Writes tensors (and optional string metadata) in the safetensors format, laid out as
 * the reference writer (`safetensors.torch.save_file`) does: the header JSON
 * `{"__metadata__":{…},"<name>":{"dtype":…,"shape":[…],"data_offsets":[b,e]},…}`
 * (compact, `__metadata__` first and only when non-empty) padded with spaces to a
 * multiple of 8 bytes, then the data with the widest dtype first (F64, F32, I32, BOOL)
 * and names in byte order within a dtype, so every tensor is aligned. float64 → `F64`,
 * float32 → `F32`, int32 → `I32`, bool → `BOOL`.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { NSF, writeSafetensors } from '@eddy/flows';
 * const bytes = writeSafetensors(new NSF({ features: 2 }).stateDict(), { format: 'pt' });
 * writeFileSync('model.safetensors', bytes);
 * ```
 * @category Saving and loading
 */
export function writeSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  if (typeof tensors !== 'object' || tensors === null) fail('writeSafetensors: tensors must be an object of tensors');
  if (typeof metadata !== 'object' || metadata === null) fail('writeSafetensors: metadata must be an object of strings');
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') fail(`writeSafetensors: metadata[${JSON.stringify(k)}] must be a string, got ${typeof v}`);
  }
  const items = Object.entries(tensors).map(([name, t]) => {
    if (name === '__metadata__') fail('writeSafetensors: "__metadata__" cannot be a tensor name');
    if (typeof t !== 'object' || t === null || typeof (t as Tensor).dataSync !== 'function') fail(`writeSafetensors: ${JSON.stringify(name)} is not a tensor`);
    const code = CODE[t.dtype];
    if (code === undefined) return fail(`writeSafetensors: tensor ${JSON.stringify(name)} has unsupported dtype ${t.dtype}`);
    return { name, code, shape: [...t.shape], bytes: leBytes(t.dataSync()) };
  });
  items.sort((a, b) => (RANK[b.code] as number) - (RANK[a.code] as number) || compareUtf8(a.name, b.name));

  const parts: string[] = [];
  const metaEntries = Object.entries(metadata);
  if (metaEntries.length > 0) parts.push(`"__metadata__":{${metaEntries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
  let offset = 0;
  for (const it of items) {
    const end = offset + it.bytes.byteLength;
    parts.push(`${JSON.stringify(it.name)}:{"dtype":"${it.code}","shape":[${it.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const n = json.byteLength + ((8 - (json.byteLength % 8)) % 8);
  const out = new Uint8Array(8 + n + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + n);
  let at = 8 + n;
  for (const it of items) {
    out.set(it.bytes, at);
    at += it.bytes.byteLength;
  }
  return out;
}
