// Runs the kernel parity checks in this process, whose native code path was chosen by
// EDDY_NATIVE_ISA; prints one JSON line: { isa, results, rowIndependence }.
import { jsKernels, kernelInfo, kernels } from '@eddy/backend-cpu';
import { compareKernels, rowIndependence } from './kernel-parity.mjs';

const info = kernelInfo();
console.log(JSON.stringify({ isa: info.isa, native: info.native, results: compareKernels(kernels, jsKernels), rowIndependence: rowIndependence(kernels) }));
