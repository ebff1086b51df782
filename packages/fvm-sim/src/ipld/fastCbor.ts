/**
 * A fast path for the dag-cbor that Filecoin state is made of: integers, byte strings, ASCII text,
 * arrays, `null`/`true`/`false` and CIDs (tag 42), all in canonical (shortest) form.
 *
 * {@link decodeCbor} and {@link encodeCbor} (`cbor.ts`) try these first and fall back to
 * `@ipld/dag-cbor` for anything else (maps, floats, non-ASCII text, non-canonical or malformed
 * input), so results and errors are exactly dag-cbor's: the fast path only ever answers when it
 * gives the value or bytes dag-cbor would (property-tested in `fastCbor.test.ts`). It is several
 * times faster than the general decoder on state blocks, and builds each CID in one allocation.
 *
 * @module
 */
import { CID } from 'multiformats/cid';
import { Digest } from 'multiformats/hashes/digest';
import { splitBigInt, writeSplitBigInt } from '../primitives/bigintBytes.js';

/** Thrown inside the fast path when the input needs the general codec (never escapes this module). */
const BAIL: unique symbol = Symbol('fallback to @ipld/dag-cbor');

let data: Uint8Array = new Uint8Array(0);
let pos = 0;

/** The argument of the head at `pos` (minor `minor`), in shortest form, or BAIL. */
function argument(minor: number): number {
  if (minor < 24) return minor;
  const d = data;
  const p = pos;
  if (minor === 24) {
    if (p >= d.length) throw BAIL;
    const v = d[p]!;
    if (v < 24) throw BAIL;
    pos = p + 1;
    return v;
  }
  if (minor === 25) {
    if (p + 2 > d.length) throw BAIL;
    const v = (d[p]! << 8) | d[p + 1]!;
    if (v < 256) throw BAIL;
    pos = p + 2;
    return v;
  }
  if (minor === 26) {
    if (p + 4 > d.length) throw BAIL;
    const v = d[p]! * 0x1000000 + ((d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!);
    if (v < 65536) throw BAIL;
    pos = p + 4;
    return v;
  }
  // 8-byte arguments (and reserved minors) are left to the general decoder.
  throw BAIL;
}

function item(): unknown {
  if (pos >= data.length) throw BAIL;
  const head = data[pos++]!;
  const major = head >> 5;
  const minor = head & 31;
  switch (major) {
    case 0:
      return argument(minor);
    case 1:
      return -1 - argument(minor);
    case 2: {
      const n = argument(minor);
      const end = pos + n;
      if (end > data.length) throw BAIL;
      const out = data.slice(pos, end);
      pos = end;
      return out;
    }
    case 3: {
      const n = argument(minor);
      const end = pos + n;
      if (end > data.length) throw BAIL;
      let s = '';
      for (let i = pos; i < end; i++) {
        const b = data[i]!;
        if (b >= 0x80) throw BAIL;
        s += String.fromCharCode(b);
      }
      pos = end;
      return s;
    }
    case 4: {
      const n = argument(minor);
      if (n > data.length - pos) throw BAIL; // every item takes a byte at least
      const arr = new Array<unknown>(n);
      for (let i = 0; i < n; i++) arr[i] = item();
      return arr;
    }
    case 6:
      // Tag 42 (one-byte argument), then a byte string.
      if (minor !== 24 || data[pos] !== 42) throw BAIL;
      pos++;
      return cid();
    case 7:
      if (minor === 20) return false;
      if (minor === 21) return true;
      if (minor === 22) return null;
      throw BAIL;
    default:
      throw BAIL;
  }
}

/** A minimal unsigned LEB128 varint of at most 3 bytes at `at`: [value, next offset], or BAIL. */
function varint(d: Uint8Array, at: number, end: number): number {
  let v = 0;
  for (let i = 0, shift = 1; i < 3; i++, shift *= 128) {
    if (at + i >= end) throw BAIL;
    const b = d[at + i]!;
    v += (b & 0x7f) * shift;
    if (b < 0x80) {
      if (i > 0 && b === 0) throw BAIL; // not minimal: CID re-encoding would change the bytes
      varintEnd = at + i + 1;
      return v;
    }
  }
  throw BAIL;
}
let varintEnd = 0;

/**
 * CID bytes are copied into shared slabs rather than each into an array of its own: an array of a
 * CID's size (under 64 bytes) is allocated on V8's heap, and the first read of its `.buffer` (the
 * CID and Digest constructors make three) moves it off-heap, which made that copy about 1.5 µs, the
 * largest single cost of decoding state blocks. A slab stays alive while any CID in it does: at
 * most {@link SLAB_SIZE} bytes each, and CIDs decoded together tend to die together.
 */
const SLAB_SIZE = 4096;
/** CIDs longer than this (identity CIDs) get an array of their own. */
const SLAB_MAX_CID = 128;
let slab = new Uint8Array(SLAB_SIZE);
let slabUsed = 0;

/** Room for `n` (≤ {@link SLAB_MAX_CID}) bytes in the current slab: their offset in {@link slab}. */
function slabRoom(n: number): number {
  if (slabUsed + n > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabUsed = 0;
  }
  const at = slabUsed;
  slabUsed = at + n;
  return at;
}

/** A copy of `data[start, end)` that owns no input bytes: a view of a slab, or of its own array. */
function copyOut(start: number, end: number): Uint8Array {
  const n = end - start;
  if (n > SLAB_MAX_CID) return data.slice(start, end);
  const at = slabRoom(n);
  const s = slab;
  for (let i = 0; i < n; i++) s[at + i] = data[start + i]!;
  return s.subarray(at, at + n);
}

/** CIDv1, dag-cbor (0x71), blake2b-256 (varint 0xb220), 32-byte digest: the first six bytes. */
const CBOR_BLAKE2B_PREFIX = [0x01, 0x71, 0xa0, 0xe4, 0x02, 0x20] as const;

/**
 * The dag-cbor blake2b-256 CIDv1 with this 32-byte `digest`, built as decoded CIDs are (bytes in
 * a slab, no per-array checks): what `cborCid` returns for every block it hashes. Building it
 * through multiformats' `CID.createV1` took a fresh 32- and 34-byte array each, which V8 keeps on
 * its heap and then moves off it at the constructors' first `.buffer` read.
 */
export function blake2bCborCid(digest: Uint8Array): CID {
  const at = slabRoom(38);
  const s = slab;
  for (let i = 0; i < 6; i++) s[at + i] = CBOR_BLAKE2B_PREFIX[i]!;
  for (let i = 0; i < 32; i++) s[at + 6 + i] = digest[i]!;
  const bytes = s.subarray(at, at + 38);
  const mh = s.subarray(at + 2, at + 38);
  return new DecodedCid(0x71, new DecodedDigest(0xb220, 32, s.subarray(at + 6, at + 38), mh), bytes);
}

/** The CID in the byte string at `pos` (leading 0x00, then a CIDv1), as `CID.decode` builds it. */
function cid(): CID {
  if (pos >= data.length) throw BAIL;
  const head = data[pos++]!;
  if (head >> 5 !== 2) throw BAIL;
  const n = argument(head & 31);
  const start = pos;
  const end = start + n;
  if (end > data.length || n < 2 || data[start] !== 0 || data[start + 1] !== 1) throw BAIL;
  // version 1, codec, multihash code, digest size, digest.
  const codec = varint(data, start + 2, end);
  const mhStart = varintEnd;
  const mhCode = varint(data, mhStart, end);
  const size = varint(data, varintEnd, end);
  const digestStart = varintEnd;
  if (digestStart + size !== end) throw BAIL;
  pos = end;
  const bytes = copyOut(start + 1, end);
  const mh = bytes.subarray(mhStart - start - 1);
  return new DecodedCid(codec, new DecodedDigest(mhCode, size, mh.subarray(digestStart - mhStart), mh), bytes);
}

/**
 * A `Digest` and a CIDv1 built as multiformats' constructors build them (same prototype, same own
 * fields), minus their `toArrayBufferBackedArray` checks: the bytes here always come from
 * {@link copyOut}, backed by a plain ArrayBuffer, and the checks (a `.buffer` read and an
 * `instanceof` per byte array, three per CID) were 3% of a fast run.
 */
interface DecodedDigestCtor {
  new (code: number, size: number, digest: Uint8Array, bytes: Uint8Array): Digest<number, number>;
}
const DecodedDigest = function (this: Record<string, unknown>, code: number, size: number, digest: Uint8Array, bytes: Uint8Array) {
  this.code = code;
  this.size = size;
  this.digest = digest;
  this.bytes = bytes;
} as unknown as DecodedDigestCtor;
DecodedDigest.prototype = Digest.prototype;

interface DecodedCidCtor {
  new (code: number, multihash: Digest<number, number>, bytes: Uint8Array): CID;
}
const DecodedCid = function (this: Record<string | symbol, unknown>, code: number, multihash: Digest<number, number>, bytes: Uint8Array) {
  this.code = code;
  this.version = 1;
  this.multihash = multihash;
  this.bytes = bytes;
  this['/'] = bytes;
  this[Symbol.toStringTag] = 'CID';
} as unknown as DecodedCidCtor;
DecodedCid.prototype = CID.prototype;

/**
 * Decodes canonical dag-cbor of the supported kinds; `undefined` when the input needs the general
 * decoder (which then gives the value or the error).
 */
export function fastDecode(bytes: Uint8Array): unknown {
  if (!(bytes instanceof Uint8Array)) return undefined;
  // A Buffer's slice() is a view: read through a plain Uint8Array so byte strings come out copied.
  data = bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  pos = 0;
  try {
    const value = item();
    return pos === bytes.length ? value : undefined;
  } catch {
    // BAIL, or anything unexpected (say, nesting deep enough to overflow the stack): the general
    // decoder decides.
    return undefined;
  } finally {
    data = EMPTY;
  }
}
const EMPTY = new Uint8Array(0);

// ---------------------------------------------------------------------------------------------
// Encoding

let out = new Uint8Array(1 << 16);
let len = 0;

function reserve(n: number): void {
  if (len + n <= out.length) return;
  let size = out.length * 2;
  while (size < len + n) size *= 2;
  const bigger = new Uint8Array(size);
  bigger.set(out.subarray(0, len));
  out = bigger;
}

/** A head: major type and argument (a safe integer ≥ 0), shortest form. */
function head(major: number, v: number): void {
  reserve(9);
  const m = major << 5;
  if (v < 24) out[len++] = m | v;
  else if (v < 0x100) {
    out[len++] = m | 24;
    out[len++] = v;
  } else if (v < 0x10000) {
    out[len++] = m | 25;
    out[len++] = v >>> 8;
    out[len++] = v & 0xff;
  } else if (v < 0x100000000) {
    out[len++] = m | 26;
    out[len++] = v >>> 24;
    out[len++] = (v >>> 16) & 0xff;
    out[len++] = (v >>> 8) & 0xff;
    out[len++] = v & 0xff;
  } else {
    const hi = Math.floor(v / 0x100000000);
    const lo = v >>> 0;
    out[len++] = m | 27;
    out[len++] = hi >>> 24;
    out[len++] = (hi >>> 16) & 0xff;
    out[len++] = (hi >>> 8) & 0xff;
    out[len++] = hi & 0xff;
    out[len++] = lo >>> 24;
    out[len++] = (lo >>> 16) & 0xff;
    out[len++] = (lo >>> 8) & 0xff;
    out[len++] = lo & 0xff;
  }
}

function bytesOut(b: Uint8Array): void {
  reserve(b.length);
  out.set(b, len);
  len += b.length;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_BIG = BigInt(MAX_SAFE);
const U64_LIMIT = 1n << 64n;

function encodeItem(v: unknown): void {
  switch (typeof v) {
    case 'number':
      if (!Number.isSafeInteger(v)) throw BAIL; // floats (and unsafe integers) are encoded as floats
      if (v >= 0) head(0, v);
      else head(1, -1 - v);
      return;
    case 'bigint': {
      const neg = v < 0n;
      const arg = neg ? -1n - v : v;
      if (arg > MAX_SAFE_BIG) {
        if (arg >= U64_LIMIT) throw BAIL;
        reserve(9);
        out[len++] = ((neg ? 1 : 0) << 5) | 27;
        for (let shift = 56n; shift >= 0n; shift -= 8n) out[len++] = Number((arg >> shift) & 0xffn);
        return;
      }
      head(neg ? 1 : 0, Number(arg));
      return;
    }
    case 'string': {
      const n = v.length;
      head(3, n);
      reserve(n);
      for (let i = 0; i < n; i++) {
        const c = v.charCodeAt(i);
        if (c >= 0x80) throw BAIL;
        out[len++] = c;
      }
      return;
    }
    case 'boolean':
      reserve(1);
      out[len++] = v ? 0xf5 : 0xf4;
      return;
    case 'object': {
      if (v === null) {
        reserve(1);
        out[len++] = 0xf6;
        return;
      }
      if (Array.isArray(v)) {
        const n = v.length;
        head(4, n);
        for (let i = 0; i < n; i++) encodeItem(v[i]);
        return;
      }
      if (v instanceof Uint8Array) {
        head(2, v.length);
        bytesOut(v);
        return;
      }
      if (v instanceof CID) {
        const b = v.bytes;
        reserve(2);
        out[len++] = 0xd8;
        out[len++] = 42;
        head(2, b.length + 1);
        reserve(1);
        out[len++] = 0;
        bytesOut(b);
        return;
      }
      throw BAIL;
    }
    default:
      throw BAIL;
  }
}

/** Whether an encoding is in progress (a codec's `toCbor` may encode something itself). */
let encoding = false;

/**
 * Where an encoding's bytes go (see {@link encodeDirect}): an array of their own; a view of a
 * short-lived pool slab, for a block usually dropped soon; or a view of a long-lived store slab, for
 * a block that goes into a store and stays there.
 */
export type EncodeTarget = 'own' | 'pooled' | 'stored';

/** Runs `write(arg)` as one encoding into the shared buffer; its bytes, or `undefined` if it threw. */
function encodeUsing<A>(write: (arg: A) => void, arg: A, target: EncodeTarget = 'own'): Uint8Array | undefined {
  if (encoding) {
    // Nested (a codec's toCbor encoding a value of its own): a buffer of its own.
    const outerOut = out;
    const outerLen = len;
    out = new Uint8Array(256);
    len = 0;
    try {
      write(arg);
      return out.slice(0, len);
    } catch {
      return undefined;
    } finally {
      out = outerOut;
      len = outerLen;
    }
  }
  encoding = true;
  len = 0;
  try {
    write(arg);
    if (target === 'stored') return toStoreSlab(out, len);
    return target === 'pooled' && len > POOL_MIN && len <= POOL_MAX ? fromPool() : out.slice(0, len);
  } catch {
    return undefined;
  } finally {
    encoding = false;
  }
}

// Pooled results: views of shared 4 KiB slabs. A typed array of more than 64 bytes gets a backing
// store outside V8's heap, and allocating one costs about as much as encoding a small state into
// it (≈ 0.7 against ≈ 0.14 µs for a view of a slab, micro-benchmark). A slab lives as long as any
// view of it, so only blocks that are usually dropped soon take this path (see encodeDirect).
const POOL_MIN = 64;
const POOL_MAX = 1024;
const POOL_SLAB = 4096;
let pool = new Uint8Array(POOL_SLAB);
let poolUsed = 0;

function fromPool(): Uint8Array {
  const n = len;
  if (poolUsed + n > POOL_SLAB) {
    pool = new Uint8Array(POOL_SLAB);
    poolUsed = 0;
  }
  const at = poolUsed;
  // Always over 64 bytes here, where one `set` beats a loop.
  pool.set(out.subarray(0, n), at);
  poolUsed = at + n;
  return new Uint8Array(pool.buffer, at, n);
}

// Stored results: views of 64 KiB slabs that are never reused. A block put in a store stays as long
// as the store (a MemoryBlockstore keeps every block it is given), so its bytes need no backing
// store of their own: in a steady-state fast run, allocating one per block (`slice`, ≈ 2 µs each
// for blocks over 64 bytes, plus its share of the collector's work) was ≈ 4% of the time. A slab
// lives as long as any view of it; blocks over STORE_MAX get an array of their own.
const STORE_SLAB = 1 << 16;
const STORE_MAX = 1 << 13;
let storeSlab = new Uint8Array(STORE_SLAB);
let storeUsed = 0;
/** Every store slab: what {@link storedBytes} need not copy. */
const storeSlabs = new WeakSet<ArrayBuffer>([storeSlab.buffer]);

/** A copy of `src[0, n)` in a store slab (or in an array of its own past {@link STORE_MAX}). */
function toStoreSlab(src: Uint8Array, n: number): Uint8Array {
  if (n > STORE_MAX) return src.slice(0, n);
  if (storeUsed + n > STORE_SLAB) {
    storeSlab = new Uint8Array(STORE_SLAB);
    storeSlabs.add(storeSlab.buffer);
    storeUsed = 0;
  }
  const at = storeUsed;
  const s = storeSlab;
  if (n <= 64) for (let i = 0; i < n; i++) s[at + i] = src[i]!;
  else s.set(src.subarray(0, n), at);
  storeUsed = at + n;
  return s.subarray(at, at + n);
}

/**
 * What to put in a store for block bytes `bytes`: `bytes` itself when it owns its buffer or already
 * sits in a store slab, else a copy in a store slab (a pooled {@link encodeDirect} result, or any
 * other view, must not keep its whole buffer alive).
 */
export function storedBytes(bytes: Uint8Array): Uint8Array {
  const buf = bytes.buffer as ArrayBuffer;
  return bytes.byteLength === buf.byteLength || storeSlabs.has(buf) ? bytes : toStoreSlab(bytes, bytes.length);
}

/**
 * Encodes values of the supported kinds as canonical dag-cbor; `undefined` when the value needs
 * the general encoder (which then gives the bytes or the error).
 */
export function fastEncode(value: unknown, target: EncodeTarget = 'own'): Uint8Array | undefined {
  return encodeUsing(encodeItem, value, target);
}

/**
 * What a codec's `writeCbor` writes through: pieces of canonical dag-cbor appended to the encoding
 * in progress. Each method throws when its value is not of the kind it writes, and so may the
 * codec itself: the caller ({@link encodeDirect}) then gives up, and the value goes the general way
 * (`toCbor` + `encodeCbor`), which gives the bytes or the error. So a writer only has to produce the
 * bytes the general way would produce for the values it accepts.
 */
export interface CborWriter {
  /** A head: major type 0–7 and its argument (a safe integer ≥ 0), in shortest form. */
  head(major: number, arg: number): void;
  /** A byte string. */
  byteString(b: Uint8Array): void;
  /** A CBOR integer (major type 0 or 1) from a bigint within ±2^64. */
  integer(v: bigint): void;
  /** A Filecoin BigInt: a byte string of sign byte + big-endian magnitude (empty for zero). */
  bigint(v: bigint): void;
  /** `null`. */
  nil(): void;
  /** Any dag-cbor data-model value of the kinds the fast encoder handles. */
  item(v: unknown): void;
  /** Gives up: the value goes the general way. */
  fail(): never;
}

export const cborWriter: CborWriter = {
  head,
  byteString(b) {
    if (!(b instanceof Uint8Array)) throw BAIL;
    head(2, b.length);
    bytesOut(b);
  },
  integer(v) {
    if (typeof v !== 'bigint') throw BAIL;
    encodeItem(v);
  },
  bigint(v) {
    if (typeof v !== 'bigint') throw BAIL;
    const n = splitBigInt(v);
    head(2, n);
    reserve(n);
    writeSplitBigInt(out, len);
    len += n;
  },
  nil() {
    reserve(1);
    out[len++] = 0xf6;
  },
  item: encodeItem,
  fail() {
    throw BAIL;
  },
};

/**
 * Encodes `value` with a codec's writer (see {@link CborWriter}); `undefined` when the writer gave up.
 * `target` (see {@link EncodeTarget}): `'pooled'` for a block usually dropped soon (an actor state
 * the next epoch overwrites; put {@link storedBytes} of it in a store), `'stored'` for a block
 * that goes into a store now.
 */
export function encodeDirect<T>(write: (w: CborWriter, value: T) => void, value: T, target: EncodeTarget = 'own'): Uint8Array | undefined {
  return encodeUsing((v: T) => write(cborWriter, v), value, target);
}
