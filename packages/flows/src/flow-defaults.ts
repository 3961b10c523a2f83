import { ValueError } from '@eddy/core';
import type { AutoregressiveFlowOptions } from './autoregressive-stack.js';

/** Checks the common flow options and returns them with defaults. @internal */
export function flowDefaults(name: string, o: AutoregressiveFlowOptions): { features: number; context: number; transforms: number } {
  const { features, context = 0, transforms = 3 } = o;
  if (!Number.isInteger(features) || features < 1) throw new ValueError(`${name}: features must be a positive integer, got ${features}`);
  if (!Number.isInteger(context) || context < 0) throw new ValueError(`${name}: context must be a non-negative integer, got ${context}`);
  if (!Number.isInteger(transforms) || transforms < 1) throw new ValueError(`${name}: transforms must be a positive integer, got ${transforms}`);
  return { features, context, transforms };
}
