import { cpuBackend, kernelInfo, useNativeKernels } from '@eddy/backend-cpu';
import { fusedOpsSuite } from '@eddy/testing';
import { afterAll, beforeAll, describe } from 'vitest';

// The fused ops against their composed fallback, with the kernels this machine runs
// (native where built) and with the TypeScript kernels.
const native = kernelInfo().native;
fusedOpsSuite(cpuBackend, { dtypes: ['float64', 'float32'], label: native ? `native ${kernelInfo().isa}` : 'TypeScript kernels' });

describe('with the TypeScript kernels', () => {
  beforeAll(() => {
    useNativeKernels(false);
  });
  afterAll(() => {
    useNativeKernels(native);
  });
  fusedOpsSuite(cpuBackend, { dtypes: ['float64', 'float32'], label: 'TypeScript kernels' });
});
