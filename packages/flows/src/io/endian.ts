/** Whether this machine stores numbers little-endian (as safetensors does). @internal */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
