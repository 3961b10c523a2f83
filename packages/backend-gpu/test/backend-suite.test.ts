import '@eddy/backend-cpu';
import { engineName, gpuBackend } from '@eddy/backend-gpu';
import { backendSuite } from '@eddy/testing';

// float32 only: TensorFlow.js has no float64. The pure-JS engine computes each op in
// float64 and rounds once, so the suite's float32 default (2e-6) holds; native engines
// (libtensorflow on CPU or CUDA) compute in float32 with their own transcendental
// functions, a few ulps looser.
backendSuite(gpuBackend, { dtypes: ['float32'], rtol: { float32: engineName() === 'tfjs-cpu' ? 2e-6 : 1e-5 } });
