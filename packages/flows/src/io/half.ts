/** The value of an IEEE 754 half-precision (binary16) number from its 16 bits. @internal */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * `count` little-endian 16-bit floats from `view` as float32: `F16` is IEEE half
 * precision, `BF16` (bfloat16) the top half of a float32's bits (exact, NaN payloads
 * kept). @internal
 */
export function decodeHalf(code: 'F16' | 'BF16', view: DataView, count: number): Float32Array {
  const out = new Float32Array(count);
  const bits = new Uint32Array(out.buffer);
  for (let k = 0; k < count; k++) {
    const h = view.getUint16(2 * k, true);
    if (code === 'F16') out[k] = halfToFloat(h);
    else bits[k] = h << 16; // bfloat16 is the top half of a float32
  }
  return out;
}
