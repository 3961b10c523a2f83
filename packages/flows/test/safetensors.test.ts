import '@eddy/backend-cpu';
import { EddyError, type Tensor, tensor } from '@eddy/core';
import { SafetensorsError, readSafetensors, writeSafetensors } from '@eddy/flows';
import { describe, expect, it } from 'vitest';

// ---------------------------------------------------------------------------------------
// A hand-made file, straight from the format spec (not with the code under test):
// u64 little-endian header length N, N bytes of JSON padded with spaces to a multiple of
// 8, then the little-endian data.

interface RawEntry {
  name: string;
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

const le = (size: number, n: number, set: (v: DataView, offset: number, k: number) => void): Uint8Array => {
  const out = new Uint8Array(size * n);
  const view = new DataView(out.buffer);
  for (let k = 0; k < n; k++) set(view, size * k, k);
  return out;
};
const f64 = (xs: number[]) => le(8, xs.length, (v, o, k) => v.setFloat64(o, xs[k] as number, true));
const f32 = (xs: number[]) => le(4, xs.length, (v, o, k) => v.setFloat32(o, xs[k] as number, true));
const i32 = (xs: number[]) => le(4, xs.length, (v, o, k) => v.setInt32(o, xs[k] as number, true));
const u32 = (xs: number[]) => le(4, xs.length, (v, o, k) => v.setUint32(o, xs[k] as number, true));
const i64 = (xs: bigint[]) => le(8, xs.length, (v, o, k) => v.setBigInt64(o, xs[k] as bigint, true));
const u64 = (xs: bigint[]) => le(8, xs.length, (v, o, k) => v.setBigUint64(o, xs[k] as bigint, true));
const i16 = (xs: number[]) => le(2, xs.length, (v, o, k) => v.setInt16(o, xs[k] as number, true));
const u16 = (xs: number[]) => le(2, xs.length, (v, o, k) => v.setUint16(o, xs[k] as number, true));
const i8 = (xs: number[]) => le(1, xs.length, (v, o, k) => v.setInt8(o, xs[k] as number));
const u8 = (xs: number[]) => Uint8Array.from(xs);

/** Header text (JSON written by hand), padded; then the entries' bytes in the given order. */
function rawFile(headerJson: string, data: Uint8Array[], pad = true): Uint8Array {
  let text = headerJson;
  if (pad) while (new TextEncoder().encode(text).length % 8 !== 0) text += ' ';
  const header = new TextEncoder().encode(text);
  const dataLen = data.reduce((a, d) => a + d.length, 0);
  const out = new Uint8Array(8 + header.length + dataLen);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  let at = 8 + header.length;
  for (const d of data) {
    out.set(d, at);
    at += d.length;
  }
  return out;
}

/** A file with the entries laid out in order, the header listing them in order. */
function fileOf(entries: RawEntry[], metadata?: Record<string, string>): Uint8Array {
  const parts: string[] = [];
  if (metadata) parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  let off = 0;
  for (const e of entries) {
    parts.push(`${JSON.stringify(e.name)}:{"dtype":"${e.dtype}","shape":${JSON.stringify(e.shape)},"data_offsets":[${off},${off + e.bytes.length}]}`);
    off += e.bytes.length;
  }
  return rawFile(
    `{${parts.join(',')}}`,
    entries.map((e) => e.bytes),
  );
}

const bitsOf = (t: Tensor): Uint8Array => {
  const a = t.dataSync();
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
};

const err = (f: () => unknown, pattern: RegExp): void => {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected an error matching ${pattern}`).toBeInstanceOf(SafetensorsError);
  expect((caught as Error).name).toBe('SafetensorsError');
  expect((caught as Error).message).toMatch(pattern);
};

describe('safetensors layout', () => {
  it('writes byte-exactly what the format spec and the reference writer give', () => {
    const w = [1.5, -2, 0.1];
    const a = [Math.PI];
    const b = [0.25, -1, 3, 7];
    const idx = [-3, 0, 2147483647];
    const mask = [1, 0, 1, 1, 0];
    // Reference layout: widest dtype first (F64, F32, I32, BOOL), names in byte order.
    const header =
      '{"__metadata__":{"format":"pt","note":"é"},' +
      '"a":{"dtype":"F64","shape":[],"data_offsets":[0,8]},' +
      '"w":{"dtype":"F64","shape":[3],"data_offsets":[8,32]},' +
      '"b":{"dtype":"F32","shape":[2,2],"data_offsets":[32,48]},' +
      '"idx":{"dtype":"I32","shape":[3,1],"data_offsets":[48,60]},' +
      '"mask":{"dtype":"BOOL","shape":[5],"data_offsets":[60,65]}}';
    const expected = rawFile(header, [f64(a), f64(w), f32(b), i32(idx), u8(mask)]);
    // header length is padded to a multiple of 8 with spaces
    const n = Number(new DataView(expected.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    expect(expected[8 + n - 1]).toBe(0x20);

    const bytes = writeSafetensors(
      {
        mask: tensor([true, false, true, true, false]),
        w: tensor(w, { dtype: 'float64' }),
        idx: tensor(Int32Array.from(idx), { shape: [3, 1] }),
        b: tensor(b, { dtype: 'float32', shape: [2, 2] }),
        a: tensor(Math.PI, { dtype: 'float64' }),
      },
      { format: 'pt', note: 'é' },
    );
    expect(bytes).toEqual(expected);

    const { tensors, metadata } = readSafetensors(expected);
    expect(metadata).toEqual({ format: 'pt', note: 'é' });
    expect(Object.keys(tensors)).toEqual(['a', 'w', 'b', 'idx', 'mask']);
    expect(tensors.a?.shape).toEqual([]);
    expect(tensors.a?.item()).toBe(Math.PI);
    expect(tensors.w?.dtype).toBe('float64');
    expect(Array.from(tensors.w?.dataSync() ?? [])).toEqual(w);
    expect(tensors.b?.dtype).toBe('float32');
    expect(tensors.b?.shape).toEqual([2, 2]);
    expect(Array.from(tensors.b?.dataSync() ?? [])).toEqual(b);
    expect(tensors.idx?.dtype).toBe('int32');
    expect(Array.from(tensors.idx?.dataSync() ?? [])).toEqual(idx);
    expect(tensors.mask?.dtype).toBe('bool');
    expect(tensors.mask?.toArray()).toEqual([true, false, true, true, false]);
  });

  it('omits __metadata__ when there is none, and writes an empty file as {} plus padding', () => {
    expect(writeSafetensors({})).toEqual(rawFile('{}', []));
    expect(readSafetensors(rawFile('{}', []))).toEqual({ tensors: {}, metadata: {} });
    const one = writeSafetensors({ x: tensor([1, 2], { dtype: 'float32' }) });
    expect(one).toEqual(rawFile('{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', [f32([1, 2])]));
  });

  it('reads files whose header order differs from the data order, unaligned, with whitespace', () => {
    const header = ' \n{ "b" : {"shape":[1],"dtype":"BOOL","data_offsets":[0,1]},\t"x":{"dtype":"F64","shape":[2],"data_offsets":[1,17]} }';
    // a header that does not start with '{' is rejected, as by the reference reader
    err(() => readSafetensors(rawFile(header, [u8([1]), f64([0.5, -0.5])])), /does not start/);
    const ok = rawFile(header.trimStart(), [u8([1]), f64([0.5, -0.5])]);
    const { tensors } = readSafetensors(ok);
    expect(Object.keys(tensors)).toEqual(['b', 'x']);
    expect(Array.from(tensors.x?.dataSync() ?? [])).toEqual([0.5, -0.5]);
    // a byte array that is a view into a larger buffer at an odd offset
    const big = new Uint8Array(ok.length + 3);
    big.set(ok, 3);
    expect(Array.from(readSafetensors(big.subarray(3)).tensors.x?.dataSync() ?? [])).toEqual([0.5, -0.5]);
  });
});

describe('safetensors round trips', () => {
  const specials = [0, -0, 1, -1, 0.1, 1e-310, -5e-324, 1.7976931348623157e308, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN];

  it('round-trips float64, float32, int32 and bool bit for bit, any shape', () => {
    const tensors: Record<string, Tensor> = {
      'transform.transforms.0.hyper.0.weight': tensor(Float64Array.from(specials), { shape: [11] }),
      f32: tensor(Float32Array.from([...specials, 3.4e38, 1e-45]), { shape: [13, 1] }),
      scalar: tensor(2.5, { dtype: 'float64' }),
      empty: tensor(new Float32Array(0), { shape: [0, 3] }),
      ints: tensor(Int32Array.from([-2147483648, -1, 0, 1, 2147483647, 42]), { shape: [2, 3] }),
      mask: tensor([
        [true, false, false],
        [false, true, true],
      ]),
      'ünïcode ✓': tensor([1, 2, 3], { dtype: 'float64' }),
      __proto__: tensor([7], { dtype: 'float64' }),
      '': tensor([true]),
    };
    const metadata = { format: 'eddy', ключ: 'значение 🚀', empty: '', quote: '"\\\n', __proto__: 'x' } as Record<string, string>;
    Object.defineProperty(tensors, '__proto__', { value: tensor([7], { dtype: 'float64' }), enumerable: true });
    Object.defineProperty(metadata, '__proto__', { value: 'x', enumerable: true });
    const back = readSafetensors(writeSafetensors(tensors, metadata));
    expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(tensors).sort());
    for (const [k, t] of Object.entries(tensors)) {
      const r = back.tensors[k] as Tensor;
      expect(Object.hasOwn(back.tensors, k)).toBe(true);
      expect(r.dtype, k).toBe(t.dtype);
      expect(r.shape, k).toEqual(t.shape);
      expect(bitsOf(r), k).toEqual(bitsOf(t));
    }
    expect(Object.getPrototypeOf(back.metadata)).toBe(Object.prototype);
    expect(Object.entries(back.metadata).sort()).toEqual(Object.entries(metadata).sort());
    // writing the read result again gives the same bytes
    expect(writeSafetensors(back.tensors, back.metadata)).toEqual(writeSafetensors(tensors, metadata));
  });

  it('reads the integer dtypes of other writers as int32 and errors when a value does not fit', () => {
    const file = fileOf([
      { name: 'order', dtype: 'I64', shape: [4], bytes: i64([0n, -1n, 2147483647n, -2147483648n]) },
      { name: 'u64', dtype: 'U64', shape: [2], bytes: u64([0n, 2147483647n]) },
      { name: 'u32', dtype: 'U32', shape: [2], bytes: u32([0, 2147483647]) },
      { name: 'i16', dtype: 'I16', shape: [3], bytes: i16([-32768, 0, 32767]) },
      { name: 'u16', dtype: 'U16', shape: [2], bytes: u16([0, 65535]) },
      { name: 'i8', dtype: 'I8', shape: [3], bytes: i8([-128, 0, 127]) },
      { name: 'u8', dtype: 'U8', shape: [2], bytes: u8([0, 255]) },
    ]);
    const { tensors } = readSafetensors(file);
    const values = (k: string) => Array.from(tensors[k]?.dataSync() ?? []);
    for (const t of Object.values(tensors)) expect(t.dtype).toBe('int32');
    expect(values('order')).toEqual([0, -1, 2147483647, -2147483648]);
    expect(values('u64')).toEqual([0, 2147483647]);
    expect(values('u32')).toEqual([0, 2147483647]);
    expect(values('i16')).toEqual([-32768, 0, 32767]);
    expect(values('u16')).toEqual([0, 65535]);
    expect(values('i8')).toEqual([-128, 0, 127]);
    expect(values('u8')).toEqual([0, 255]);

    for (const [dtype, bytes] of [
      ['I64', i64([1n, 2147483648n])],
      ['I64', i64([1n, -2147483649n])],
      ['I64', i64([1n, 9007199254740993n])],
      ['U64', u64([1n, 18446744073709551615n])],
      ['U32', u32([1, 4294967295])],
    ] as const) {
      err(
        () => readSafetensors(fileOf([{ name: 'big', dtype, shape: [2], bytes }])),
        /"big" \((I64|U64|U32)\) holds -?\d+ at index 1, which does not fit in int32/,
      );
    }
  });

  it('reads F16 and BF16 as float32', () => {
    // F16: 1, -2, 0.5, 65504 (max), +inf, smallest subnormal 2^-24, NaN
    const half = [0x3c00, 0xc000, 0x3800, 0x7bff, 0x7c00, 0x0001, 0x7e00];
    // BF16: top halves of the float32 bit patterns of 1, -2.5, 3.140625, -inf
    const bf = [0x3f80, 0xc020, 0x4049, 0xff80];
    const { tensors } = readSafetensors(
      fileOf([
        { name: 'h', dtype: 'F16', shape: [7], bytes: u16(half) },
        { name: 'b', dtype: 'BF16', shape: [2, 2], bytes: u16(bf) },
      ]),
    );
    expect(tensors.h?.dtype).toBe('float32');
    expect(Array.from(tensors.h?.dataSync() ?? [])).toEqual([1, -2, 0.5, 65504, Number.POSITIVE_INFINITY, 2 ** -24, Number.NaN]);
    expect(tensors.b?.dtype).toBe('float32');
    expect(tensors.b?.shape).toEqual([2, 2]);
    expect(Array.from(tensors.b?.dataSync() ?? [])).toEqual([1, -2.5, 3.140625, Number.NEGATIVE_INFINITY]);
  });
});

describe('safetensors validation', () => {
  const good = () => fileOf([{ name: 'x', dtype: 'F32', shape: [2], bytes: f32([1, 2]) }], { a: 'b' });
  const entry = (info: string, data: Uint8Array[] = [f32([1, 2])]) => rawFile(`{"x":${info}}`, data);

  it('rejects files too short or with a header length beyond the file', () => {
    err(() => readSafetensors(new Uint8Array(0)), /0 bytes long, shorter than the 8-byte header length/);
    err(() => readSafetensors(new Uint8Array(7)), /7 bytes long/);
    const g = good();
    const n = Number(new DataView(g.buffer).getBigUint64(0, true));
    for (const len of [BigInt(g.length - 7), 2n ** 63n, 2n ** 64n - 1n]) {
      const b = g.slice();
      new DataView(b.buffer).setBigUint64(0, len, true);
      err(() => readSafetensors(b), /header length \d+ goes beyond the end of the file/);
    }
    // header length within the file but cutting the JSON short
    const cut = g.slice();
    new DataView(cut.buffer).setBigUint64(0, BigInt(n - 8), true);
    err(() => readSafetensors(cut), /header|data/);
    // header exactly to the end of the file (no data)
    const b = g.slice(0, 8 + n);
    err(() => readSafetensors(b), /data buffer is 0 bytes, but the tensors need 8 \(the file is truncated\)/);
  });

  it('rejects invalid UTF-8 and invalid JSON', () => {
    const bad = rawFile('{"x":1}', []);
    bad[10] = 0xff;
    err(() => readSafetensors(bad), /not valid UTF-8/);
    err(() => readSafetensors(rawFile('[1, 2]', [])), /does not start with "\{"/);
    for (const text of [
      '{',
      '{"a":}',
      '{"a" 1}',
      '{"a":1,}',
      '{"a":[1,]}',
      "{'a':1}",
      '{"a":1} x',
      '{"a":tru}',
      '{"a":01}',
      '{"a":"\\x"}',
      '{"a":"\u0001"}',
      '{"a":"abc',
    ]) {
      err(() => readSafetensors(rawFile(text, [])), /header: /);
    }
    err(() => readSafetensors(rawFile(`{"a":${'['.repeat(200)}${']'.repeat(200)}}`, [])), /nested too deeply/);
  });

  it('rejects duplicate keys and non-string metadata', () => {
    err(
      () =>
        readSafetensors(rawFile('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', [f32([1, 2])])),
      /duplicate key "x"/,
    );
    err(() => readSafetensors(rawFile('{"__metadata__":{"a":"1","a":"2"}}', [])), /duplicate key "a"/);
    err(() => readSafetensors(rawFile('{"__metadata__":{"a":"1"},"__metadata__":{}}', [])), /duplicate key "__metadata__"/);
    err(() => readSafetensors(rawFile('{"__metadata__":{"a":1}}', [])), /__metadata__\["a"\] must be a string, got 1/);
    err(() => readSafetensors(rawFile('{"__metadata__":{"a":{"b":"c"}}}', [])), /__metadata__\["a"\] must be a string/);
    err(() => readSafetensors(rawFile('{"__metadata__":{"a":null}}', [])), /must be a string, got null/);
    err(() => readSafetensors(rawFile('{"__metadata__":["a"]}', [])), /__metadata__ must be an object of strings/);
  });

  it('rejects unknown or unsupported dtypes and malformed entries', () => {
    err(() => readSafetensors(entry('{"dtype":"F128","shape":[2],"data_offsets":[0,8]}')), /unknown dtype "F128"/);
    err(() => readSafetensors(entry('{"dtype":"f32","shape":[2],"data_offsets":[0,8]}')), /unknown dtype "f32"/);
    err(() => readSafetensors(entry('{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}')), /dtype F8_E4M3, which Eddy cannot read/);
    err(() => readSafetensors(entry('{"dtype":32,"shape":[2],"data_offsets":[0,8]}')), /no string dtype/);
    err(() => readSafetensors(entry('{"shape":[2],"data_offsets":[0,8]}')), /no string dtype/);
    err(() => readSafetensors(entry('{"dtype":"F32","data_offsets":[0,8]}')), /invalid shape undefined/);
    err(() => readSafetensors(entry('{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}')), /invalid shape \[-2\]/);
    err(() => readSafetensors(entry('{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}')), /invalid shape/);
    err(() => readSafetensors(entry('{"dtype":"F32","shape":[2]}')), /invalid data_offsets/);
    err(() => readSafetensors(entry('{"dtype":"F32","shape":[2],"data_offsets":[0,8,9]}')), /invalid data_offsets/);
    err(() => readSafetensors(entry('{"dtype":"F32","shape":[2],"data_offsets":[8,0]}')), /end before begin/);
    err(() => readSafetensors(entry('{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}')), /unknown field "extra"/);
    err(() => readSafetensors(entry('[1]')), /must be an object/);
  });

  it('rejects a size that does not match shape × dtype', () => {
    err(
      () => readSafetensors(entry('{"dtype":"F32","shape":[3],"data_offsets":[0,8]}')),
      /dtype F32 and shape \[3\] needs 12 bytes, but data_offsets \[0, 8\] span 8/,
    );
    err(() => readSafetensors(entry('{"dtype":"F64","shape":[2],"data_offsets":[0,8]}')), /needs 16 bytes/);
    err(() => readSafetensors(entry('{"dtype":"F32","shape":[9007199254740991,2],"data_offsets":[0,8]}')), /needs/);
  });

  it('rejects offsets out of range, overlapping, leaving gaps or not covering the buffer', () => {
    const two = (a: string, b: string, data: Uint8Array[]) =>
      rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":${a}},"b":{"dtype":"F32","shape":[1],"data_offsets":${b}}}`, data);
    // end beyond the buffer
    err(() => readSafetensors(two('[0,4]', '[4,8]', [f32([1])])), /data buffer is 4 bytes, but the tensors need 8 \(the file is truncated\)/);
    // overlapping
    err(() => readSafetensors(two('[0,4]', '[2,6]', [f32([1, 2])])), /"b" \(bytes 2-6\) overlaps the previous tensor/);
    err(() => readSafetensors(two('[0,4]', '[0,4]', [f32([1])])), /overlaps/);
    // gap
    err(() => readSafetensors(two('[0,4]', '[8,12]', [f32([1, 2, 3])])), /bytes 4-8 of the data buffer belong to no tensor/);
    err(() => readSafetensors(two('[4,8]', '[8,12]', [f32([1, 2, 3])])), /bytes 0-4 .* no tensor/);
    // extra data at the end
    err(() => readSafetensors(two('[0,4]', '[4,8]', [f32([1, 2, 3])])), /data buffer is 12 bytes, but the tensors cover only 8/);
    err(() => readSafetensors(rawFile('{}', [u8([0])])), /cover only 0/);
    // zero-size tensors may share an offset
    const z = readSafetensors(
      rawFile(
        '{"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"f":{"dtype":"F64","shape":[2,0],"data_offsets":[4,4]}}',
        [f32([1])],
      ),
    );
    expect(z.tensors.f?.shape).toEqual([2, 0]);
  });

  it('rejects bool bytes other than 0 and 1, and every truncation of a valid file', () => {
    err(() => readSafetensors(fileOf([{ name: 'm', dtype: 'BOOL', shape: [3], bytes: u8([1, 2, 0]) }])), /"m" \(BOOL\) holds byte 2 at index 1/);
    const g = good();
    for (let len = 0; len < g.length; len++) expect(() => readSafetensors(g.slice(0, len))).toThrow(SafetensorsError);
    expect(readSafetensors(g).metadata).toEqual({ a: 'b' });
  });

  it('writer rejects what it cannot write', () => {
    err(() => writeSafetensors({ __metadata__: tensor([1]) }), /"__metadata__" cannot be a tensor name/);
    err(() => writeSafetensors({ x: tensor([1]) }, { a: 1 as unknown as string }), /metadata\["a"\] must be a string/);
    err(() => writeSafetensors({ x: [1, 2] as unknown as Tensor }), /"x" is not a tensor/);
    expect(new SafetensorsError('m')).toBeInstanceOf(EddyError);
  });
});
