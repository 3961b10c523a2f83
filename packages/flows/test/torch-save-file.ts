// zuko's reference state dicts (tensor literals of the case files) and a safetensors
// writer for them that is independent of the code under test.

/** A tensor literal of a case file: nested arrays, non-finite numbers as 'inf', '-inf', 'nan'. */
export interface JsonTensor {
  dtype: 'float64' | 'int64' | 'bool';
  shape: number[];
  data: unknown;
  kind?: 'parameter' | 'buffer';
}

/** The values of a tensor literal, row-major. */
export const flat = (t: JsonTensor): number[] => {
  const out: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const e of v) walk(e);
    else out.push(v === 'inf' ? Number.POSITIVE_INFINITY : v === '-inf' ? Number.NEGATIVE_INFINITY : v === 'nan' ? Number.NaN : (v as number));
  };
  walk(t.data);
  return out;
};

/**
 * A minimal safetensors writer, independent of the code under test, mirroring
 * `safetensors.torch.save_file`: `{"__metadata__":{"format":"pt"}, ...}`, data sorted by
 * dtype (I64, F64, then BOOL, as the reference's dtype order) then name.
 */
export function torchSaveFile(params: Record<string, JsonTensor>): Uint8Array {
  const code = { int64: 'I64', float64: 'F64', bool: 'BOOL' } as const;
  const rank = { I64: 2, F64: 1, BOOL: 0 } as const;
  const entries = Object.entries(params)
    .map(([name, t]) => {
      const values = flat(t);
      const size = t.dtype === 'bool' ? 1 : 8;
      const bytes = new Uint8Array(values.length * size);
      const view = new DataView(bytes.buffer);
      values.forEach((v, k) => {
        if (t.dtype === 'float64') view.setFloat64(8 * k, v, true);
        else if (t.dtype === 'int64') view.setBigInt64(8 * k, BigInt(v), true);
        else view.setUint8(k, v ? 1 : 0);
      });
      return { name, code: code[t.dtype], shape: t.shape, bytes };
    })
    .sort((a, b) => rank[b.code] - rank[a.code] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let off = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.code, shape: e.shape, data_offsets: [off, off + e.bytes.length] };
    off += e.bytes.length;
  }
  let json = JSON.stringify(header);
  while (json.length % 8 !== 0) json += ' ';
  const out = new Uint8Array(8 + json.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  let at = 8 + json.length;
  for (const e of entries) {
    out.set(e.bytes, at);
    at += e.bytes.length;
  }
  return out;
}
