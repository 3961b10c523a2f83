import { cpuBackend } from '@eddy/backend-cpu';
import { backendSuite } from '@eddy/testing';

backendSuite(cpuBackend, { dtypes: ['float64', 'float32'] });
