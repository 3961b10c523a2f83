import { ValueError } from '@eddy/core';
import { nodeBuiltin } from './node-builtin.js';

/**
 * The bytes of a file given as a path or as its bytes, for `fn` (the caller's name in
 * errors). A path is read on Node.js (node:fs, found at run time); in a browser, where
 * there is no file system, only bytes are accepted and a path throws a {@link ValueError}
 * that says how to get the bytes (`fetch`). @internal
 */
export function sourceBytes(source: string | Uint8Array, fn: string): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (typeof source !== 'string') throw new ValueError(`${fn}: expected a file path or a Uint8Array, got ${source === null ? 'null' : typeof source}`);
  const fs = nodeBuiltin<typeof import('node:fs')>('node:fs');
  if (fs === undefined) {
    throw new ValueError(
      `${fn}: cannot read the file ${JSON.stringify(source)}: there is no file system here (not Node.js); pass the file's bytes instead, e.g. new Uint8Array(await (await fetch(url)).arrayBuffer())`,
    );
  }
  return fs.readFileSync(source);
}
