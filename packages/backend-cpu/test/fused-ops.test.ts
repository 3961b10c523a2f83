import '@eddy/backend-cpu';
import { describeBackends, fusedOpsTests } from '@eddy/testing';

// The fused ops against their composed fallback with the TypeScript kernels and, where
// built, the native ones (cpu-native is reported absent, with the reason, where not).
describeBackends('fused ops', fusedOpsTests, { backends: ['cpu-ts', 'cpu-native'] });
