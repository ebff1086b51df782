import { FvmSimError } from '../errors/base.js';

/** Thrown for a malformed unsigned varint. */
export class VarintError extends FvmSimError {
  constructor(message: string) {
    super('VARINT', message);
  }
}

/** Unsigned LEB128 of a non-negative bigint. */
export function encodeUvarint(v: bigint): Uint8Array {
  if (v < 0n) throw new VarintError(`cannot encode negative ${v} as uvarint`);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return Uint8Array.from(out);
}

/**
 * Decodes an unsigned LEB128 from `bytes` at `offset`: at most 10 bytes (u64), minimal form.
 *
 * @returns the value and the number of bytes read.
 */
export function decodeUvarint(bytes: Uint8Array, offset = 0): { value: bigint; length: number } {
  let v = 0n;
  let shift = 0n;
  for (let i = offset; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (i - offset >= 10) throw new VarintError('uvarint longer than 10 bytes');
    v |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) {
      if (b === 0 && i > offset) throw new VarintError('uvarint is not minimal');
      if (v >= 1n << 64n) throw new VarintError('uvarint overflows u64');
      return { value: v, length: i - offset + 1 };
    }
    shift += 7n;
  }
  throw new VarintError('uvarint is truncated');
}
