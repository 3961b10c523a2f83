/**
 * A JSON value as {@link parseStrictJson} returns it: objects become Maps (key order kept). @internal
 */
export type Json = null | boolean | number | string | Json[] | Map<string, Json>;

/**
 * Parses JSON strictly (RFC 8259, nothing more): objects become Maps in key order, a
 * duplicate key is an error, nesting deeper than 64 levels is an error. Every error is
 * reported through `fail` with a message saying what is wrong and where (`at character
 * i`); `onTopLevelEntry` is called with the entry count after each entry of the top-level
 * object is read, so a caller can stop reading an object of too many entries. @internal
 */
export function parseStrictJson(text: string, fail: (message: string) => never, onTopLevelEntry?: (count: number) => void): Json {
  let i = 0;
  const n = text.length;
  const where = () => `at character ${i}`;
  const ws = () => {
    while (i < n) {
      const ch = text.charCodeAt(i);
      if (ch === 0x20 || ch === 0x09 || ch === 0x0a || ch === 0x0d) i++;
      else break;
    }
  };
  const str = (): string => {
    i++; // opening quote
    let out = '';
    let start = i;
    while (true) {
      if (i >= n) return fail('unterminated string in JSON');
      const ch = text.charCodeAt(i);
      if (ch === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (ch < 0x20) return fail(`control character in a JSON string ${where()}`);
      if (ch === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else return fail(`invalid escape in a JSON string ${where()}`);
        start = i;
      } else i++;
    }
  };
  const value = (depth: number): Json => {
    if (depth > 64) return fail('JSON nested too deeply');
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const map = new Map<string, Json>();
      ws();
      if (text[i] === '}') {
        i++;
        return map;
      }
      while (true) {
        ws();
        if (text[i] !== '"') return fail(`expected a string key in JSON ${where()}`);
        const key = str();
        if (map.has(key)) return fail(`duplicate key ${JSON.stringify(key)} in JSON`);
        ws();
        if (text[i] !== ':') return fail(`expected ':' in JSON ${where()}`);
        i++;
        map.set(key, value(depth + 1));
        // A caller can stop reading an object of too many entries (a header of too many tensors).
        if (depth === 0) onTopLevelEntry?.(map.size);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return map;
        } else return fail(`expected ',' or '}' in JSON ${where()}`);
      }
    }
    if (ch === '[') {
      i++;
      const arr: Json[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      while (true) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return arr;
        } else return fail(`expected ',' or ']' in JSON ${where()}`);
      }
    }
    if (ch === '"') return str();
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m !== null) {
      i += m[0].length;
      return Number(m[0]);
    }
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail(`invalid JSON ${where()}`);
  };
  const v = value(0);
  ws();
  if (i !== n) fail(`unexpected characters after the JSON object ${where()}`);
  return v;
}
