import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NpyError, NpyWriter, readNpy, readNpyHeader, readNpyRows, writeNpy } from '@eddy/montecarlo';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'eddy-fmt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A .npy file built by hand from NumPy's format description (version 1.0). */
function handMade(descr: string, shape: string, body: Uint8Array): Uint8Array {
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  while ((10 + dict.length + 1) % 64 !== 0) dict += ' ';
  dict += '\n';
  const out = new Uint8Array(10 + dict.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  out[8] = dict.length & 0xff;
  out[9] = dict.length >> 8;
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  out.set(body, 10 + dict.length);
  return out;
}

describe('.npy', () => {
  it('writes exactly the bytes NumPy writes for a small float64 array', () => {
    const data = new Float64Array([1, 2, 3, 4, 5, 6]);
    const expected = handMade('<f8', '(3, 2)', new Uint8Array(data.buffer));
    expect(Array.from(writeNpy(null, { data, shape: [3, 2] }))).toEqual(Array.from(expected));
  });

  it('reads hand-made files (float32, 1-D shape syntax) and round-trips', () => {
    const data = new Float32Array([0.5, -1, 3]);
    const file = handMade('<f4', '(3,)', new Uint8Array(data.buffer));
    const r = readNpy(file);
    expect(r.shape).toEqual([3]);
    expect(Array.from(r.data)).toEqual([0.5, -1, 3]);
    const path = join(dir, 'a.npy');
    writeNpy(path, { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] });
    expect(readNpyHeader(path)).toMatchObject({ dtype: 'float32', shape: [2, 2] });
    expect(Array.from(readNpyRows(path, 1, 2).data)).toEqual([3, 4]);
  });

  it('validates the header', () => {
    const body = new Uint8Array(new Float64Array([1, 2]).buffer);
    expect(() => readNpy(new Uint8Array([1, 2, 3]))).toThrow(NpyError);
    expect(() => readNpy(handMade('<i8', '(2,)', body))).toThrow(/dtype <i8 is not supported/);
    expect(() => readNpy(handMade('>f8', '(2,)', body))).toThrow(/not supported/);
    expect(() => readNpy(handMade('<f8', '(3,)', body))).toThrow(/implies/);
    const fortran = handMade('<f8', '(2,)', body);
    const text = new TextDecoder().decode(fortran).replace("'fortran_order': False", "'fortran_order': True ");
    expect(() => readNpy(new TextEncoder().encode(text).slice(0, fortran.length))).toThrow();
  });

  it('NpyWriter fills rows in any order', () => {
    const path = join(dir, 'w.npy');
    const w = new NpyWriter(path, 'float64', [4, 2]);
    w.writeRows(2, new Float64Array([5, 6, 7, 8]));
    w.writeRows(0, new Float64Array([1, 2, 3, 4]));
    expect(() => w.writeRows(3, new Float64Array([0, 0, 0, 0]))).toThrow(/out of range/);
    expect(existsSync(path)).toBe(false); // nothing at the target until commit
    w.commit();
    expect(Array.from(readNpy(path).data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('NpyWriter.commit with rows missing saves nothing; abort keeps the previous file', () => {
    const path = join(dir, 'partial.npy');
    writeFileSync(path, 'previous');
    const w = new NpyWriter(path, 'float32', [3, 1]);
    w.writeRows(0, new Float32Array([1, 2]));
    expect(() => w.commit()).toThrow(/2 of 3 rows were written; the file was not saved/);
    const v = new NpyWriter(path, 'float32', [1, 1]);
    v.writeRows(0, new Float32Array([1]));
    v.abort();
    expect(readFileSync(path, 'utf8')).toBe('previous');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reads a header longer than 4 KB (NumPy loads such files) in full', () => {
    const body = new Uint8Array(new Float64Array([1, 2, 3]).buffer);
    const file = handMade(`<f8', 'extra': '${'x'.repeat(5000)}`, '(3,)', body);
    const path = join(dir, 'long-header.npy');
    writeFileSync(path, file);
    const h = readNpyHeader(path);
    expect(h.dataOffset).toBeGreaterThan(5000);
    expect(h).toMatchObject({ dtype: 'float64', shape: [3] });
    expect(Array.from(readNpyRows(path, 1, 3).data)).toEqual([2, 3]);
  });
});
