import '@eddy/backend-cpu';
import { coreOpTests, describeBackends } from '@eddy/testing';

// The op tests of core on every backend configuration this process has: the CPU backend
// with TypeScript kernels, with native kernels where built; the gpu backend runs them in
// packages/backend-gpu/test (core cannot depend on it), and is reported absent here.
describeBackends('core ops', coreOpTests);
