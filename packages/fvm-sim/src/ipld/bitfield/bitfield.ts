import { BitFieldError } from './errors.js';
import { BITFIELD_MAX_ENCODED_SIZE, BITFIELD_MAX_POSITION, decodeRanges, encodeRanges } from './rleplus.js';

/** A half-open range of set positions, `start <= p < end`. */
export interface BitFieldRange {
  start: number;
  end: number;
}

/**
 * A run of the RLE form: `length` consecutive positions that are all set (`value: true`) or all
 * unset. A bitfield's runs start at position 0 and alternate (go-bitfield `rlepluslazy.Run`).
 */
export interface BitFieldRun {
  value: boolean;
  length: number;
}

/** Options of {@link BitField.encode} and {@link BitField.decode}. */
export interface BitFieldCodecOptions {
  /**
   * Longest encoding accepted, in bytes. Defaults to {@link BITFIELD_MAX_ENCODED_SIZE} (32 KiB),
   * the limit builtin-actors apply whenever a bitfield is (de)serialized; `Infinity` disables it
   * (like fvm_ipld_bitfield's raw `to_bytes` / `from_bytes`).
   */
  maxEncodedSize?: number;
}

/** Exclusive bound of a range end: one past {@link BITFIELD_MAX_POSITION}. */
const END_LIMIT = BITFIELD_MAX_POSITION + 1;

function checkPosition(i: number, what = 'position'): void {
  if (!Number.isSafeInteger(i) || i < 0) {
    throw new BitFieldError('BITFIELD_POSITION', `bitfield ${what} must be an integer in 0..=2^53-1, got ${String(i)}`);
  }
}

function checkCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new BitFieldError('BITFIELD_INVALID', `${what} must be a non-negative safe integer, got ${String(n)}`);
}

/** Appends `[s, e)` to a flat range list being built in order, merging with an overlapping or adjacent tail. */
function pushRange(out: number[], s: number, e: number): void {
  const n = out.length;
  if (n > 0 && s <= out[n - 1]) {
    if (e > out[n - 1]) out[n - 1] = e;
  } else {
    out.push(s, e);
  }
}

function countOf(r: readonly number[]): number {
  let n = 0;
  for (let k = 0; k < r.length; k += 2) n += r[k + 1] - r[k];
  return n;
}

function unionRanges(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] <= b[j])) {
      pushRange(out, a[i], a[i + 1]);
      i += 2;
    } else {
      pushRange(out, b[j], b[j + 1]);
      j += 2;
    }
  }
  return out;
}

function intersectRanges(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const s = Math.max(a[i], b[j]);
    const e = Math.min(a[i + 1], b[j + 1]);
    if (s < e) out.push(s, e);
    if (a[i + 1] < b[j + 1]) i += 2;
    else j += 2;
  }
  return out;
}

function subtractRanges(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let s = a[i];
    const e = a[i + 1];
    while (j < b.length && b[j + 1] <= s) j += 2;
    let k = j;
    while (s < e && k < b.length && b[k] < e) {
      if (b[k] > s) out.push(s, b[k]);
      s = Math.max(s, b[k + 1]);
      k += 2;
    }
    if (s < e) out.push(s, e);
  }
  return out;
}

/** Index of the range containing `i`, or -1. */
function findRange(r: readonly number[], i: number): number {
  // Number of ranges whose start is <= i.
  let lo = 0;
  let hi = r.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (r[2 * mid] <= i) lo = mid + 1;
    else hi = mid;
  }
  const k = lo - 1;
  return k >= 0 && i < r[2 * k + 1] ? k : -1;
}

/**
 * A set of non-negative integer positions (sector numbers, partition indices…), stored as sorted
 * runs and serialized as RLE+, byte-compatible with go-bitfield and ref-fvm's
 * `fvm_ipld_bitfield`. Builtin-actors store bitfields in CBOR as byte strings of
 * {@link encode}'s output.
 *
 * Positions are JavaScript `number`s in 0..=2^53-1 ({@link BITFIELD_MAX_POSITION}) — every
 * sector number a simulation produces fits. The reference allows positions up to 2^64 - 2;
 * {@link decode} rejects valid encodings that reach past 2^53 - 1 with `BITFIELD_POSITION`.
 *
 * Cost: memory and most operations are proportional to the number of runs, not of positions;
 * `has` is a binary search; `set`/`unset` splice the run array (cheap for the run counts the
 * 32 KiB encoding limit allows); set algebra is a linear merge. The set operations return new
 * bitfields; only {@link set} and {@link unset} mutate.
 *
 * @example
 * ```ts
 * const bf = BitField.fromIterable([0, 1, 2, 7]);
 * bf.encode();                            // Uint8Array [0x74, 0xa4] (RLE+)
 * BitField.decode(bf.encode()).toArray(); // [0, 1, 2, 7]
 * BitField.union(bf, BitField.fromRanges([{ start: 3, end: 5 }])).count(); // 6
 * ```
 */
export class BitField implements Iterable<number> {
  /** Flat sorted half-open ranges `[s0, e0, s1, e1, …]`, non-empty, non-adjacent. */
  private r: number[];
  private n: number;

  /** An empty bitfield. */
  constructor() {
    this.r = [];
    this.n = 0;
  }

  private static of(r: number[], n = countOf(r)): BitField {
    const bf = new BitField();
    bf.r = r;
    bf.n = n;
    return bf;
  }

  /** An empty bitfield. */
  static empty(): BitField {
    return new BitField();
  }

  /**
   * The bitfield of the given positions (any order, duplicates allowed).
   *
   * @throws {@link BitFieldError} `BITFIELD_POSITION` for a position that is not an integer in 0..=2^53-1.
   */
  static fromIterable(positions: Iterable<number>): BitField {
    const list = Array.from(positions);
    for (const p of list) checkPosition(p);
    const sorted = Float64Array.from(list).sort();
    const r: number[] = [];
    for (let k = 0; k < sorted.length; k++) pushRange(r, sorted[k], sorted[k] + 1);
    return BitField.of(r);
  }

  /**
   * The union of the given half-open ranges (any order; overlapping, adjacent and empty ranges
   * allowed). Ranges may be `{ start, end }` objects or `[start, end]` pairs.
   *
   * @throws {@link BitFieldError} `BITFIELD_INVALID` if `start > end`, `BITFIELD_POSITION` if a
   *   bound is not an integer in 0..=2^53.
   */
  static fromRanges(ranges: Iterable<BitFieldRange | readonly [number, number]>): BitField {
    const list: [number, number][] = [];
    for (const rg of ranges) {
      const [s, e] = Array.isArray(rg) ? (rg as readonly [number, number]) : [(rg as BitFieldRange).start, (rg as BitFieldRange).end];
      checkPosition(s, 'range start');
      if (!(Number.isInteger(e) && e <= END_LIMIT)) checkPosition(e, 'range end');
      if (e < s) throw new BitFieldError('BITFIELD_INVALID', `bitfield range start ${s} is after its end ${e}`);
      if (e > s) list.push([s, e]);
    }
    list.sort((x, y) => x[0] - y[0]);
    const r: number[] = [];
    for (const [s, e] of list) pushRange(r, s, e);
    return BitField.of(r);
  }

  /**
   * The bitfield described by consecutive runs from position 0 (the form {@link runs} returns).
   * Zero-length runs are skipped and consecutive runs of the same value add up.
   *
   * @throws {@link BitFieldError} `BITFIELD_INVALID` for a length that is not a non-negative
   *   integer, `BITFIELD_POSITION` if a set run ends past 2^53.
   */
  static fromRuns(runs: Iterable<BitFieldRun>): BitField {
    const r: number[] = [];
    let pos = 0;
    for (const { value, length } of runs) {
      checkCount(length, 'bitfield run length');
      if (length === 0) continue;
      const end = pos + length;
      if (value) {
        if (end > END_LIMIT) throw new BitFieldError('BITFIELD_POSITION', `bitfield run ends at ${end}, past 2^53`);
        pushRange(r, pos, end);
      }
      pos = end;
    }
    return BitField.of(r);
  }

  /**
   * Parses the Lotus / fvm_ipld_bitfield JSON form: alternating run lengths starting with a run of
   * zeros (`[0, …]` when position 0 is set); `[0]` or `[]` is the empty bitfield.
   *
   * @throws {@link BitFieldError} `BITFIELD_INVALID` for a zero-length run other than the first
   *   (go-bitfield rejects those) or a non-integer length.
   */
  static fromJSON(json: readonly number[]): BitField {
    if (!Array.isArray(json)) throw new BitFieldError('BITFIELD_INVALID', 'bitfield JSON must be an array of run lengths');
    return BitField.fromRuns(
      json.map((length, k) => {
        checkCount(length, 'bitfield JSON run length');
        if (length === 0 && k !== 0) throw new BitFieldError('BITFIELD_INVALID', 'bitfield JSON cannot have a zero-length run except the first');
        return { value: k % 2 === 1, length };
      }),
    );
  }

  /**
   * Decodes RLE+ bytes, rejecting exactly what fvm_ipld_bitfield's deserializer rejects:
   * a wrong version, non-minimal encodings (trailing zero byte, trailing run of zeros, a run in a
   * longer block than needed), bad varints, runs adding up past 2^64 - 1, and encodings over
   * 32 KiB — plus (fvm-sim's limit) positions past 2^53 - 1.
   *
   * @throws {@link BitFieldError} with the matching code (see {@link BitFieldErrorCode}).
   */
  static decode(bytes: Uint8Array, options?: BitFieldCodecOptions): BitField {
    if (!(bytes instanceof Uint8Array)) throw new BitFieldError('BITFIELD_INVALID', 'a bitfield decodes from a Uint8Array');
    const max = options?.maxEncodedSize ?? BITFIELD_MAX_ENCODED_SIZE;
    if (bytes.length > max) throw new BitFieldError('BITFIELD_TOO_LARGE', `encoded bitfield is ${bytes.length} bytes, more than the ${max} allowed`);
    return BitField.of(decodeRanges(bytes));
  }

  /**
   * The RLE+ encoding (the empty bitfield encodes as zero bytes).
   *
   * @throws {@link BitFieldError} `BITFIELD_TOO_LARGE` if it exceeds `maxEncodedSize` (32 KiB
   *   by default, as fvm_ipld_bitfield's serializer).
   */
  encode(options?: BitFieldCodecOptions): Uint8Array {
    const bytes = encodeRanges(this.r);
    const max = options?.maxEncodedSize ?? BITFIELD_MAX_ENCODED_SIZE;
    if (bytes.length > max) throw new BitFieldError('BITFIELD_TOO_LARGE', `encoded bitfield would be ${bytes.length} bytes, more than the ${max} allowed`);
    return bytes;
  }

  /** The JSON form (see {@link fromJSON}): `[zeros, ones, zeros, ones, …]`, `[0]` when empty. */
  toJSON(): number[] {
    if (this.r.length === 0) return [0];
    const out: number[] = [];
    let prev = 0;
    for (let k = 0; k < this.r.length; k += 2) {
      out.push(this.r[k] - prev, this.r[k + 1] - this.r[k]);
      prev = this.r[k + 1];
    }
    return out;
  }

  /** Whether position `i` is set (`false` for anything that is not a valid position). */
  has(i: number): boolean {
    return findRange(this.r, i) >= 0;
  }

  /**
   * Sets position `i`.
   *
   * @returns whether it was newly set.
   * @throws {@link BitFieldError} `BITFIELD_POSITION` unless `i` is an integer in 0..=2^53-1.
   */
  set(i: number): boolean {
    checkPosition(i);
    const r = this.r;
    let lo = 0;
    let hi = r.length >> 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (r[2 * mid] <= i) lo = mid + 1;
      else hi = mid;
    }
    const prev = lo - 1; // last range starting at or before i
    if (prev >= 0 && i < r[2 * prev + 1]) return false;
    const joinPrev = prev >= 0 && r[2 * prev + 1] === i;
    const joinNext = lo < r.length >> 1 && r[2 * lo] === i + 1;
    if (joinPrev && joinNext) {
      r[2 * prev + 1] = r[2 * lo + 1];
      r.splice(2 * lo, 2);
    } else if (joinPrev) {
      r[2 * prev + 1] = i + 1;
    } else if (joinNext) {
      r[2 * lo] = i;
    } else {
      r.splice(2 * lo, 0, i, i + 1);
    }
    this.n++;
    return true;
  }

  /**
   * Unsets position `i`.
   *
   * @returns whether it was set.
   * @throws {@link BitFieldError} `BITFIELD_POSITION` unless `i` is an integer in 0..=2^53-1.
   */
  unset(i: number): boolean {
    checkPosition(i);
    const r = this.r;
    const k = findRange(r, i);
    if (k < 0) return false;
    const s = r[2 * k];
    const e = r[2 * k + 1];
    if (s === i && e === i + 1) r.splice(2 * k, 2);
    else if (s === i) r[2 * k] = i + 1;
    else if (e === i + 1) r[2 * k + 1] = i;
    else {
      r[2 * k + 1] = i;
      r.splice(2 * k + 2, 0, i + 1, e);
    }
    this.n--;
    return true;
  }

  /** Number of set positions. */
  count(): number {
    return this.n;
  }

  /** Whether no position is set. */
  isEmpty(): boolean {
    return this.n === 0;
  }

  /** The lowest set position, or `undefined` when empty. */
  first(): number | undefined {
    return this.r.length === 0 ? undefined : this.r[0];
  }

  /** The highest set position, or `undefined` when empty. */
  last(): number | undefined {
    return this.r.length === 0 ? undefined : this.r[this.r.length - 1] - 1;
  }

  /** The set positions in ascending order. */
  *values(): IterableIterator<number> {
    const r = this.r;
    for (let k = 0; k < r.length; k += 2) for (let p = r[k]; p < r[k + 1]; p++) yield p;
  }

  [Symbol.iterator](): IterableIterator<number> {
    return this.values();
  }

  /**
   * The set positions in ascending order, as an array.
   *
   * @param limit - if given, throws `BITFIELD_INVALID` when more positions than this are set
   *   (go-bitfield `All(max)`, fvm_ipld_bitfield `bounded_iter`), before allocating anything.
   */
  toArray(limit?: number): number[] {
    if (limit !== undefined && this.n > limit) throw new BitFieldError('BITFIELD_INVALID', `bitfield has ${this.n} set positions, more than the limit of ${limit}`);
    const out = new Array<number>(this.n);
    const r = this.r;
    let o = 0;
    for (let k = 0; k < r.length; k += 2) for (let p = r[k]; p < r[k + 1]; p++) out[o++] = p;
    return out;
  }

  /** The maximal ranges of set positions, ascending (fvm_ipld_bitfield `ranges`). */
  *ranges(): IterableIterator<BitFieldRange> {
    const r = this.r;
    for (let k = 0; k < r.length; k += 2) yield { start: r[k], end: r[k + 1] };
  }

  /** Number of maximal ranges (runs of set positions). */
  rangeCount(): number {
    return this.r.length >> 1;
  }

  /** The alternating runs from position 0, without a trailing run of zeros (go-bitfield's RLE runs). */
  *runs(): IterableIterator<BitFieldRun> {
    const r = this.r;
    let prev = 0;
    for (let k = 0; k < r.length; k += 2) {
      if (r[k] > prev) yield { value: false, length: r[k] - prev };
      yield { value: true, length: r[k + 1] - r[k] };
      prev = r[k + 1];
    }
  }

  /** A copy that can be mutated independently. */
  clone(): BitField {
    return BitField.of(this.r.slice(), this.n);
  }

  /** Whether both hold the same positions. */
  equals(other: BitField): boolean {
    const a = this.r;
    const b = other.r;
    if (a.length !== b.length) return false;
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
    return true;
  }

  /** Positions in this or `other`. */
  union(other: BitField): BitField {
    return BitField.of(unionRanges(this.r, other.r));
  }

  /** Positions in both this and `other`. */
  intersect(other: BitField): BitField {
    return BitField.of(intersectRanges(this.r, other.r));
  }

  /** Positions in this but not in `other`. */
  subtract(other: BitField): BitField {
    return BitField.of(subtractRanges(this.r, other.r));
  }

  /** Positions in exactly one of this and `other`. */
  xor(other: BitField): BitField {
    return BitField.of(unionRanges(subtractRanges(this.r, other.r), subtractRanges(other.r, this.r)));
  }

  /**
   * Removes `other`'s positions from this and shifts every remaining position down by the number
   * of `other` positions below it — cutting `other`'s positions out of the number line and
   * closing the gaps (fvm_ipld_bitfield `cut`, go-bitfield `CutBitField`).
   * E.g. cutting {1, 2} from {0, 3, 4} gives {0, 1, 2}.
   */
  cut(other: BitField): BitField {
    const a = subtractRanges(this.r, other.r);
    const b = other.r;
    const out: number[] = [];
    let j = 0;
    let shift = 0;
    for (let k = 0; k < a.length; k += 2) {
      // Every `other` range wholly before this piece shifts it (none overlaps it).
      while (j < b.length && b[j + 1] <= a[k]) {
        shift += b[j + 1] - b[j];
        j += 2;
      }
      pushRange(out, a[k] - shift, a[k + 1] - shift);
    }
    return BitField.of(out);
  }

  /**
   * The `count` set positions that follow the first `start` set positions (fvm_ipld_bitfield
   * `slice`, go-bitfield `Slice`), or `undefined` if fewer than `start + count` positions are set.
   */
  slice(start: number, count: number): BitField | undefined {
    checkCount(start, 'slice start');
    checkCount(count, 'slice count');
    if (count === 0) return new BitField();
    if (start + count > this.n) return undefined;
    const r = this.r;
    const out: number[] = [];
    let skip = start;
    let take = count;
    for (let k = 0; k < r.length && take > 0; k += 2) {
      let s = r[k];
      const size = r[k + 1] - s;
      if (skip >= size) {
        skip -= size;
        continue;
      }
      s += skip;
      skip = 0;
      const e = Math.min(r[k + 1], s + take);
      out.push(s, e);
      take -= e - s;
    }
    return BitField.of(out, count);
  }

  /** Whether every position of `other` is set here. */
  containsAll(other: BitField): boolean {
    const b = other.r;
    for (let k = 0; k < b.length; k += 2) {
      const at = findRange(this.r, b[k]);
      if (at < 0 || this.r[2 * at + 1] < b[k + 1]) return false;
    }
    return true;
  }

  /** Whether any position of `other` is set here. */
  containsAny(other: BitField): boolean {
    const a = this.r;
    const b = other.r;
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      if (Math.max(a[i], b[j]) < Math.min(a[i + 1], b[j + 1])) return true;
      if (a[i + 1] < b[j + 1]) i += 2;
      else j += 2;
    }
    return false;
  }

  /** E.g. `BitField{0-2, 7}`. */
  toString(): string {
    const parts: string[] = [];
    const r = this.r;
    for (let k = 0; k < r.length; k += 2) parts.push(r[k + 1] - r[k] === 1 ? String(r[k]) : `${r[k]}-${r[k + 1] - 1}`);
    return `BitField{${parts.join(', ')}}`;
  }

  /** The union of any number of bitfields (fvm_ipld_bitfield `BitField::union`). */
  static union(...fields: BitField[]): BitField {
    let acc: number[] = [];
    for (const f of fields) acc = unionRanges(acc, f.r);
    return BitField.of(acc);
  }

  /** Positions in both `a` and `b`. */
  static intersect(a: BitField, b: BitField): BitField {
    return a.intersect(b);
  }

  /** Positions in `a` but not in `b`. */
  static subtract(a: BitField, b: BitField): BitField {
    return a.subtract(b);
  }
}
