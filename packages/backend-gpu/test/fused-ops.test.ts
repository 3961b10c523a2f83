import '@eddy/backend-cpu';
import '@eddy/backend-gpu';
import { describeBackends, fusedOpsTests } from '@eddy/testing';

// No fused kernels on TensorFlow.js yet: the fused ops compose primitives here, so this
// checks that their API, shapes and gradients hold on this backend too.
describeBackends('fused ops', fusedOpsTests, { backends: ['gpu'], dtypes: ['float32'] });
