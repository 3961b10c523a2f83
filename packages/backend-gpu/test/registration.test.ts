// Imported alone, the gpu backend is the first registered and so the active one
// (core's registerBackend activates only the first backend of the process).
import { gpuBackend } from '@eddy/backend-gpu';
import { getBackend, listBackends, tensor } from '@eddy/core';
import { expect, it } from 'vitest';

it("'gpu' is active when it is the first backend registered", () => {
  expect(listBackends()).toEqual(['gpu']);
  expect(getBackend()).toBe(gpuBackend);
  const x = tensor([1, 2, 3], { dtype: 'float32' });
  expect(x.backend.name).toBe('gpu');
  expect(x.sum().item()).toBe(6);
});
