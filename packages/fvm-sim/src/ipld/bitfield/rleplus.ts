import { BitFieldError } from './errors.js';

/**
 * RLE+ (version 0), the encoding of Filecoin bitfields (go-bitfield `rle`, fvm_ipld_bitfield
 * `rleplus`). Bits are packed least-significant first within each byte:
 *
 * ```text
 * <encoding> ::= <version "00"> <first bit> <block>*      (then zero padding)
 * <block>    ::= "1"                       a run of length 1
 *              | "01" <4-bit length>       a run of 2..15 (the length LSB first)
 *              | "00" <uvarint length>     a run of 16 or more (each varint byte LSB first)
 * ```
 *
 * Runs alternate between 0s and 1s, starting with the header's first bit. The encoding is unique:
 * each run uses the shortest block, the bitfield ends with a run of 1s, and the byte string has
 * no trailing zero byte. The empty bitfield is the empty byte string.
 *
 * Here a bitfield is a flat list of half-open ranges `[start0, end0, start1, end1, …]`: sorted,
 * non-empty, non-overlapping and non-adjacent.
 */

/** Highest position a bitfield holds in fvm-sim: 2^53 - 1 (`Number.MAX_SAFE_INTEGER`). */
export const BITFIELD_MAX_POSITION = Number.MAX_SAFE_INTEGER;

/**
 * Largest encoding the actors accept when (de)serializing a bitfield: 32 KiB (go-bitfield
 * `MaxEncodedSize`, fvm_ipld_bitfield `MAX_ENCODED_SIZE`).
 */
export const BITFIELD_MAX_ENCODED_SIZE = 32 << 10;

/** Exclusive upper bound of a range end: 2^53. */
const END_LIMIT = 2 ** 53;
const U64_MAX = 2n ** 64n - 1n;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

class BitWriter {
  private buf = new Uint8Array(16);
  private len = 0;
  private acc = 0;
  private nbits = 0;

  /** Appends the low `n` (≤ 8) bits of `value`, least significant first. */
  write(value: number, n: number): void {
    this.acc |= value << this.nbits;
    this.nbits += n;
    if (this.nbits >= 8) {
      if (this.len === this.buf.length) {
        const bigger = new Uint8Array(this.buf.length * 2);
        bigger.set(this.buf);
        this.buf = bigger;
      }
      this.buf[this.len++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.nbits -= 8;
    }
  }

  /** Appends one run length (≥ 1) in its minimal block. */
  writeLen(len: number): void {
    if (len === 1) {
      this.write(1, 1);
    } else if (len < 16) {
      this.write(0b10, 2);
      this.write(len, 4);
    } else {
      this.write(0b00, 2);
      while (len >= 0x80) {
        this.write((len % 0x80) | 0x80, 8);
        len = Math.floor(len / 0x80);
      }
      this.write(len, 8);
    }
  }

  /** The bytes written, padded with zero bits, without trailing zero bytes. */
  finish(): Uint8Array {
    let out = this.buf.subarray(0, this.len);
    if (this.nbits > 0 && this.acc !== 0) {
      out = new Uint8Array(this.len + 1);
      out.set(this.buf.subarray(0, this.len));
      out[this.len] = this.acc & 0xff;
    }
    let end = out.length;
    while (end > 0 && out[end - 1] === 0) end--;
    return out.slice(0, end);
  }
}

/** Encodes a flat range list (see the module comment) as RLE+. */
export function encodeRanges(r: readonly number[]): Uint8Array {
  if (r.length === 0) return new Uint8Array(0);
  const w = new BitWriter();
  w.write(0, 2); // version 00
  if (r[0] === 0) {
    w.write(1, 1);
  } else {
    w.write(0, 1);
    w.writeLen(r[0]); // leading zeros
  }
  w.writeLen(r[1] - r[0]);
  for (let k = 2; k < r.length; k += 2) {
    w.writeLen(r[k] - r[k - 1]); // zeros
    w.writeLen(r[k + 1] - r[k]); // ones
  }
  return w.finish();
}

class BitReader {
  private pos = 0;
  /** One past the last set bit: past it, the stream is all (implicit) zeros. */
  private readonly end: number;

  constructor(private readonly bytes: Uint8Array) {
    const n = bytes.length;
    this.end = n === 0 ? 0 : (n - 1) * 8 + (32 - Math.clz32(bytes[n - 1]));
  }

  /** The next `n` (≤ 8) bits, least significant first; zeros beyond the end. */
  peek(n: number): number {
    const i = this.pos >>> 3;
    const b = this.bytes;
    const lo = i < b.length ? b[i] : 0;
    const hi = i + 1 < b.length ? b[i + 1] : 0;
    return ((lo | (hi << 8)) >>> (this.pos & 7)) & ((1 << n) - 1);
  }

  skip(n: number): void {
    this.pos += n;
  }

  read(n: number): number {
    const v = this.peek(n);
    this.pos += n;
    return v;
  }

  /** Whether a set bit remains (fvm_ipld_bitfield's `has_more`). */
  hasMore(): boolean {
    return this.pos < this.end;
  }
}

function fail(code: 'BITFIELD_NOT_MINIMAL' | 'BITFIELD_INVALID_VARINT' | 'BITFIELD_OVERFLOW', message: string): never {
  throw new BitFieldError(code, message);
}

/** A long block's uvarint: at most 10 bytes, minimal, ≤ 2^64 - 1. A `bigint` only beyond 2^53 - 1. */
function readVarint(r: BitReader): number | bigint {
  let num = 0;
  let big: bigint | undefined;
  for (let i = 0; i < 10; i++) {
    const byte = r.read(8);
    if (i < 7) {
      num += (byte & 0x7f) * 2 ** (7 * i);
    } else {
      big ??= BigInt(num);
      big |= BigInt(byte & 0x7f) << BigInt(7 * i);
    }
    if ((byte & 0x80) === 0) {
      // The 10th byte may only contribute bit 63; a final zero byte is not minimal.
      if ((i === 9 && byte > 1) || (byte === 0 && i !== 0)) break;
      if (big === undefined) return num;
      return big <= MAX_SAFE_BIG ? Number(big) : big;
    }
  }
  return fail('BITFIELD_INVALID_VARINT', 'invalid RLE+ bitfield: bad varint in a long block');
}

/** The next run length, rejecting blocks longer than needed. */
function readLen(r: BitReader): number | bigint {
  const p = r.peek(6);
  if ((p & 0b1) !== 0) {
    r.skip(1);
    return 1;
  }
  if ((p & 0b10) !== 0) {
    r.skip(6);
    const v = p >>> 2;
    if (v < 2) fail('BITFIELD_NOT_MINIMAL', `invalid RLE+ bitfield: run of ${v} in a short block`);
    return v;
  }
  r.skip(2);
  const v = readVarint(r);
  if (v < 16) fail('BITFIELD_NOT_MINIMAL', `invalid RLE+ bitfield: run of ${v} in a long block`);
  return v;
}

/**
 * Decodes RLE+ into a flat range list, accepting exactly what fvm_ipld_bitfield's
 * `BitField::from_bytes` accepts, except bitfields reaching past position 2^53 - 1.
 *
 * Checks, in the reference's order: trailing zero byte (`BITFIELD_NOT_MINIMAL`), version
 * (`BITFIELD_VERSION`), per block — varint validity (`BITFIELD_INVALID_VARINT`), minimal block
 * (`BITFIELD_NOT_MINIMAL`), running total ≤ 2^64 - 1 (`BITFIELD_OVERFLOW`) — then no trailing run
 * of zeros (`BITFIELD_NOT_MINIMAL`), and finally the fvm-sim limit (`BITFIELD_POSITION`). The
 * 32 KiB size limit is the caller's ({@link BitField.decode}).
 */
export function decodeRanges(bytes: Uint8Array): number[] {
  const n = bytes.length;
  if (n === 0) return [];
  if (bytes[n - 1] === 0) fail('BITFIELD_NOT_MINIMAL', 'invalid RLE+ bitfield: trailing zero byte');
  const r = new BitReader(bytes);
  const version = r.read(2);
  if (version !== 0) throw new BitFieldError('BITFIELD_VERSION', `unsupported RLE+ version ${version} (only 0 exists)`);
  let ones = r.read(1) === 1;
  const out: number[] = [];
  let pos = 0;
  /** The exact running total once it has passed 2^53 (then only validation continues). */
  let big: bigint | undefined;
  while (r.hasMore()) {
    const len = readLen(r);
    if (big === undefined && typeof len === 'number' && pos + len <= END_LIMIT) {
      if (ones) out.push(pos, pos + len);
      pos += len;
    } else {
      big = (big ?? BigInt(pos)) + BigInt(len);
      if (big > U64_MAX) fail('BITFIELD_OVERFLOW', 'invalid RLE+ bitfield: runs add up to more than 2^64 - 1 bits');
    }
    ones = !ones;
  }
  if (ones) fail('BITFIELD_NOT_MINIMAL', 'invalid RLE+ bitfield: it ends with a run of zeros');
  if (big !== undefined) {
    throw new BitFieldError('BITFIELD_POSITION', `RLE+ bitfield sets bits up to position ${big - 1n}; fvm-sim bitfields hold positions up to 2^53 - 1`);
  }
  return out;
}
