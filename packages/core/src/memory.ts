import type { Tensor } from './tensor.js';

const scopes: Tensor[][] = [];
const kept = new WeakSet<Tensor>();

/** Registers a new tensor with the innermost {@link tidy} scope. @internal */
export function trackTensor(t: Tensor): void {
  const s = scopes[scopes.length - 1];
  if (s !== undefined && t.backend.manualMemory) s.push(t);
}

/**
 * Runs `fn` and then frees every tensor created inside it, except those it returns
 * (a tensor, or an array/object of tensors, searched one level deep) and those marked
 * with {@link keep}. Needed on backends with manual memory (the GPU backend); on the CPU
 * backend memory is garbage-collected and `tidy` only runs `fn`.
 *
 * @example
 * ```ts
 * import { exp, tensor, tidy } from '@eddy/core';
 * const x = tensor([1, 2, 3]);
 * const y = tidy(() => exp(x).add(1).log()); // the intermediates are freed
 * ```
 * @category Memory
 */
export function tidy<T>(fn: () => T): T {
  scopes.push([]);
  let result: T;
  let created: Tensor[];
  try {
    result = fn();
  } finally {
    created = scopes.pop() as Tensor[];
  }
  const returned = new Set<unknown>();
  const collect = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) for (const e of v) returned.add(e);
    else {
      returned.add(v);
      for (const e of Object.values(v as Record<string, unknown>)) returned.add(e);
    }
  };
  collect(result);
  const outer = scopes[scopes.length - 1];
  for (const t of created) {
    if (returned.has(t) || kept.has(t)) {
      if (outer !== undefined && !kept.has(t)) outer.push(t);
    } else {
      t.dispose();
    }
  }
  return result;
}

/**
 * Marks a tensor so that no enclosing {@link tidy} scope frees it (e.g. model weights
 * created inside a scope). Returns the tensor.
 *
 * @example
 * ```ts
 * import { keep, type Tensor, tensor, tidy } from '@eddy/core';
 * let state: Tensor | undefined;
 * tidy(() => { state = keep(tensor([0])); });
 * ```
 * @category Memory
 */
export function keep<T extends Tensor>(t: T): T {
  kept.add(t);
  return t;
}
