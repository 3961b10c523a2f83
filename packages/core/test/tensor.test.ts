import '@eddy/backend-cpu';
import * as E from '@eddy/core';
import { tensor } from '@eddy/core';
import { describe, expect, it } from 'vitest';

describe('tensor creation', () => {
  it('from nested arrays, typed arrays and scalars', () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe(E.getDefaultDType());
    expect(a.size).toBe(6);
    expect(a.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] });
    expect(b.dtype).toBe('float64');
    expect(b.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    const s = tensor(3.5, { dtype: 'float64' });
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(3.5);
    expect(tensor([true, false]).dtype).toBe('bool');
    expect(tensor([true, false]).toArray()).toEqual([true, false]);
    expect(tensor([1, 2], { dtype: 'int32' }).dataSync()).toBeInstanceOf(Int32Array);
  });

  it('copies a user typed array, so later writes do not change the tensor', () => {
    const src = new Float64Array([1, 2]);
    const t = tensor(src);
    src[0] = 99;
    expect(t.toArray()).toEqual([1, 2]);
  });

  it('rejects ragged arrays, mixed types and wrong sizes with clear errors', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => tensor([1, true] as never)).toThrow(/mixes booleans and numbers/);
    expect(() => tensor(new Float32Array(5), { shape: [2, 2] })).toThrow(/shape \[2,2\] needs 4 values, got 5/);
    expect(() => E.zeros([2, -1])).toThrow(E.ValueError);
  });

  it('arange, linspace, eye, full', () => {
    expect(E.arange(0, 5, 1, { dtype: 'int32' }).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(E.arange(0, 1, 0.25, { dtype: 'float64' }).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(E.linspace(0, 1, 5, { dtype: 'float64' }).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(E.eye(2, 3, { dtype: 'float64' }).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(E.full([2], 7, { dtype: 'int32' }).toArray()).toEqual([7, 7]);
  });
});

describe('dtype rules', () => {
  it('float32 with float64 promotes to float64; numbers take the tensor dtype', () => {
    const f32 = tensor([1, 2], { dtype: 'float32' });
    const f64 = tensor([1, 2], { dtype: 'float64' });
    expect(f32.add(f64).dtype).toBe('float64');
    expect(f32.add(1.5).dtype).toBe('float32');
    expect(tensor([1, 2], { dtype: 'int32' }).add(1).dtype).toBe('int32');
    expect(tensor([1, 2], { dtype: 'int32' }).div(2).dtype).toBe(E.getDefaultDType());
    expect(E.lt(f32, 2).dtype).toBe('bool');
    expect(E.exp(tensor([0], { dtype: 'int32' })).dtype).toBe(E.getDefaultDType());
  });

  it('setDefaultDType changes what plain arrays become', () => {
    const prev = E.getDefaultDType();
    E.setDefaultDType('float64');
    expect(tensor([1]).dtype).toBe('float64');
    E.setDefaultDType(prev);
    expect(() => E.setDefaultDType('int32' as never)).toThrow(E.DTypeError);
  });

  it('float32 results are rounded to float32', () => {
    const x = tensor([0.1], { dtype: 'float32' });
    expect(x.item()).toBe(Math.fround(0.1));
    expect(x.mul(3).item()).toBe(Math.fround(Math.fround(0.1) * 3));
  });
});

describe('shape errors name the op and both shapes', () => {
  const a = E.zeros([2, 3]);
  it('broadcasting', () => {
    expect(() => E.add(a, E.zeros([4]))).toThrow('add: shapes [2,3] and [4] do not broadcast');
    expect(() => E.add(a, E.zeros([4]))).toThrow(E.ShapeError);
  });
  it('matmul', () => {
    expect(() => E.matmul(a, E.zeros([4, 2]))).toThrow(/matmul: shapes \[2,3\] and \[4,2\] do not align/);
  });
  it('reshape', () => {
    expect(() => E.reshape(a, [4, 2])).toThrow('reshape: cannot reshape [2,3] (size 6) to [4,2]');
  });
  it('concat, stack, split, axis range', () => {
    expect(() => E.concat([a, E.zeros([2, 2, 1])])).toThrow(/concat: tensor 1 has shape \[2,2,1\]/);
    expect(() => E.stack([a, E.zeros([3, 2])])).toThrow(/stack: tensor 1 has shape \[3,2\]/);
    expect(() => E.split(a, 2, 1)).toThrow(/cannot be split into 2 equal parts/);
    expect(() => E.sum(a, 2)).toThrow('sum: axis 2 is out of range for a tensor of rank 2');
  });
  it('item on a non-scalar', () => {
    expect(() => a.item()).toThrow(/item: tensor of shape \[2,3\] has 6 elements/);
  });
});

describe('0-d parameters do not promote data', () => {
  it('float32 data with a float64 scalar tensor stays float32; float64 data stays exact', () => {
    const p = tensor(0.4, { dtype: 'float64' });
    const x32 = tensor([1, 2], { dtype: 'float32' });
    expect(x32.mul(p).dtype).toBe('float32');
    expect(p.mul(x32).dtype).toBe('float32');
    expect(E.where(tensor([true, false]), p, x32).dtype).toBe('float32');
    const x64 = tensor([1], { dtype: 'float64' });
    expect(x64.mul(p).item()).toBe(0.4);
    expect(tensor(1, { dtype: 'float32' }).mul(p).dtype).toBe('float64');
  });
});

describe('where with two numbers', () => {
  it('uses the default float dtype', () => {
    const r = E.where(tensor([true, false]), 1, 0);
    expect(r.dtype).toBe(E.getDefaultDType());
    expect(r.toArray()).toEqual([1, 0]);
  });
});
