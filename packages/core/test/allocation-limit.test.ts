import '@eddy/backend-cpu';
import { AllocationLimitError, eye, randn, tensor, withAllocationLimit, zeros } from '@eddy/core';
import { describe, expect, it } from 'vitest';

describe('withAllocationLimit', () => {
  it('counts the elements the creators make and throws before the one over the limit', () => {
    const made: number[] = [];
    const e = (() => {
      try {
        withAllocationLimit(100, 'the test', () => {
          made.push(zeros([5, 10]).size); // 50
          made.push(tensor([1, 2, 3]).size); // 53
          made.push(randn([40], { seed: 1 }).size); // 93
          made.push(eye(3).size); // 102: over
        });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(made).toEqual([50, 3, 40]);
    expect(e).toBeInstanceOf(AllocationLimitError);
    expect((e as Error).message).toBe('eye: creating 9 more elements would take 102 in all, more than the 100 allowed for the test');
  });

  it('nests (both limits apply), returns the result, and ends with its scope', () => {
    expect(() => withAllocationLimit(1000, 'outer', () => withAllocationLimit(10_000, 'inner', () => zeros([2000])))).toThrow(
      /more than the 1000 allowed for outer/,
    );
    expect(withAllocationLimit(10, 'small', () => zeros([10]).size)).toBe(10);
    // Outside any scope nothing is counted.
    expect(zeros([100_000]).size).toBe(100_000);
    expect(() => withAllocationLimit(-1, 'x', () => 0)).toThrow(/elements must be a non-negative number, got -1/);
  });
});
