import type { Backend, TensorInfo } from '@eddy/core';

/** A handle of the counting backend: the inner backend's handle in a box of its own. */
interface Box {
  readonly inner: unknown;
}

/** A backend wrapper that pretends to need manual memory and counts live handles. */
export interface CountingBackend extends Backend {
  /** Handles created and not yet disposed. */
  readonly live: number;
}

/**
 * Wraps `inner` as a manual-memory backend named `name` whose every handle is a fresh
 * box, so tests can check that `tidy` frees intermediates and that loops do not leak.
 */
export function countingBackend(inner: Backend, name = `${inner.name}-counting`): CountingBackend {
  let live = 0;
  const boxes = new WeakSet<object>();
  const box = (h: unknown): Box => {
    live++;
    const b = { inner: h };
    boxes.add(b);
    return b;
  };
  const un = (x: TensorInfo): TensorInfo => ({ shape: x.shape, dtype: x.dtype, handle: (x.handle as Box).inner });
  const mapArg = (a: unknown): unknown => {
    if (Array.isArray(a)) return a.map(mapArg);
    if (a !== null && typeof a === 'object' && 'handle' in a && boxes.has((a as TensorInfo).handle as object)) return un(a as TensorInfo);
    return a;
  };
  // Fused kernels return a handle or an object/array of handles: box every one.
  const boxResult = (r: unknown): unknown => {
    if (r === null || r === undefined) return r;
    if (Array.isArray(r)) return r.map(boxResult);
    if (ArrayBuffer.isView(r) || typeof r !== 'object') return box(r);
    return Object.fromEntries(Object.entries(r as Record<string, unknown>).map(([k, x]) => [k, boxResult(x)]));
  };
  const fusedProxy = (fused: object): object =>
    new Proxy(fused, {
      get(t, prop, receiver) {
        const f = Reflect.get(t, prop, receiver);
        if (typeof f !== 'function') return f;
        return (...args: unknown[]) => boxResult((f as (...a: unknown[]) => unknown).apply(t, args.map(mapArg)));
      },
    });
  const handler: ProxyHandler<Backend> = {
    get(target, prop, receiver) {
      if (prop === 'name') return name;
      if (prop === 'manualMemory') return true;
      if (prop === 'live') return live;
      const v = Reflect.get(target, prop, receiver);
      if (prop === 'fused' && v !== undefined) return fusedProxy(v as object);
      if (prop === 'info') return v;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const mapped = args.map(mapArg);
        if (prop === 'dispose') {
          live--;
          return undefined;
        }
        const r = (v as (...a: unknown[]) => unknown).apply(target, mapped);
        if (prop === 'readSync' || prop === 'read') return r;
        if (prop === 'lu') {
          const o = r as { lu: unknown; pivots: unknown };
          return { lu: box(o.lu), pivots: box(o.pivots) };
        }
        return box(r);
      };
    },
  };
  return new Proxy(inner, handler) as CountingBackend;
}
