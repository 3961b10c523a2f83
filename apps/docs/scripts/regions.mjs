// The `// #region name` … `// #endregion name` blocks of a guide program and the
// {@includeCode …} / {@includeOutput …} tags of a guide, as typedoc reads them: shared by
// run-examples.mjs (printed lines per region), the typedoc plugin ({@includeOutput}) and
// check-snippets.mjs (the shown code of each guide).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * The regions of a source text: name → { start, end, code } with `start`/`end` the 1-based
 * lines of the `#region`/`#endregion` comments and `code` the lines between them.
 * @param {string} text
 * @param {string} file for error messages
 */
export function regionsOf(text, file) {
  const lines = text.replaceAll('\r\n', '\n').split('\n');
  /** @type {Map<string, { start: number, end: number, code: string }>} */
  const regions = new Map();
  /** @type {Map<string, number>} */
  const open = new Map();
  lines.forEach((line, i) => {
    const m = line.match(/^\s*\/\/\s*#(region|endregion)\s+(\S+)/);
    if (!m) return;
    const [, kind, name] = /** @type {[string, string, string]} */ (m);
    if (kind === 'region') {
      if (open.has(name) || regions.has(name)) throw new Error(`${file}:${i + 1}: region "${name}" opened twice`);
      open.set(name, i + 1);
    } else {
      const start = open.get(name);
      if (start === undefined) throw new Error(`${file}:${i + 1}: #endregion ${name} without #region`);
      open.delete(name);
      regions.set(name, { start, end: i + 1, code: lines.slice(start, i).join('\n') });
    }
  });
  if (open.size > 0) throw new Error(`${file}: region(s) never closed: ${[...open.keys()].join(', ')}`);
  return regions;
}

/** The innermost region of `regions` that contains 1-based `line`, or undefined. */
export function regionAt(regions, line) {
  let best;
  for (const [name, r] of regions) {
    if (line > r.start && line < r.end && (best === undefined || r.start > best.r.start)) best = { name, r };
  }
  return best?.name;
}

/**
 * The {@includeCode} and {@includeOutput} tags of a guide, in order: { tag, file, regions }
 * with `file` absolute and `regions` the comma-separated region names (empty: whole file).
 * @param {string} guidePath
 */
export function includeTags(guidePath) {
  const text = readFileSync(guidePath, 'utf8');
  return [...text.matchAll(/\{@(includeCode|includeOutput)\s+([^}#\s]+)(?:#([^}\s]+))?\s*\}/g)].map((m) => ({
    tag: /** @type {'includeCode' | 'includeOutput'} */ (m[1]),
    file: resolve(dirname(guidePath), m[2] ?? ''),
    regions: (m[3] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  }));
}

/** Where run-examples.mjs writes the printed lines per region of the program `name`. */
export function outputPath(media, name) {
  return resolve(media, `${name}.output.json`);
}
