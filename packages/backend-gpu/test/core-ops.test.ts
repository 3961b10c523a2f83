import '@eddy/backend-cpu';
import '@eddy/backend-gpu';
import { coreOpTests, describeBackends, gradientTests } from '@eddy/testing';

// The op tests and float32 gradient checks of core on the gpu backend (core's own tests
// run them on the CPU configurations; core cannot depend on this package).
describeBackends('core ops', coreOpTests, { backends: ['gpu'], dtypes: ['float32'] });
describeBackends('gradients of every differentiable op', gradientTests, { backends: ['gpu'], dtypes: ['float32'] });
