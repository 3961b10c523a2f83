import '@eddy/backend-cpu';
import { gpuBackend } from '@eddy/backend-gpu';
import { fusedOpsSuite } from '@eddy/testing';

// No fused kernels on TensorFlow.js yet: the fused ops compose primitives here, so this
// checks that their API, shapes and gradients hold on this backend too.
fusedOpsSuite(gpuBackend, { dtypes: ['float32'] });
