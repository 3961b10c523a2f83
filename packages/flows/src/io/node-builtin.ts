/**
 * A Node.js built-in module (`'node:fs'`, `'node:zlib'`) when the code runs on Node.js,
 * otherwise `undefined`. It is looked up at run time through `process.getBuiltinModule`
 * (Node >= 20.16), never imported, so the browser build of `@eddy/flows` has no Node-only
 * import: in a browser (or any runtime without it) the caller takes its portable path.
 * @internal
 */
export function nodeBuiltin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(id) as T | undefined;
}
