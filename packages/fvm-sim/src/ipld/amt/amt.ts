import { equals } from 'multiformats/bytes';
import { CID } from 'multiformats/cid';
import { BlockNotFoundError, type Blockstore } from '../blockstore.js';
import { decodeCbor, encodeBlock } from '../cbor.js';
import { cborCid } from '../cid.js';
import { AmtError } from './errors.js';
import { Generations, cloneValue, keptNodeCheck } from '../nodeCache.js';
import { Link, Node, expandNode, keptCopy, loadNode, serializeNode, workingCopy } from './node.js';

/** Bitwidth of a new AMT unless told otherwise, and the fixed bitwidth of legacy v0 AMTs (8 slots per node). */
export const AMT_DEFAULT_BITWIDTH = 3;

/**
 * Largest bitwidth accepted (2^18 slots per node). go-amt-ipld accepts any bitwidth ≥ 1 and is tested
 * up to 18; fvm-sim stops there because every node is expanded into a 2^bitwidth-slot array in
 * memory. Filecoin state uses 2 to 6.
 */
export const AMT_MAX_BITWIDTH = 18;

/** Largest index an AMT holds: 2^64 - 2 (go-amt-ipld `MaxIndex`, fvm_ipld_amt `MAX_INDEX`). */
export const AMT_MAX_INDEX: bigint = 2n ** 64n - 2n;

/** Largest height a loaded root may claim (fvm_ipld_amt `MAX_HEIGHT`). */
export const AMT_MAX_HEIGHT = 64;

/**
 * An AMT index: a `bigint`, or for convenience a non-negative safe-integer `number`. Indices come
 * back from iteration as `bigint`s.
 */
export type AmtIndex = bigint | number;

/**
 * Root format: `3` is the current `[bitWidth, height, count, node]` root (go-amt-ipld v3+/v4,
 * fvm_ipld_amt `Amt`); `0` is the legacy `[height, count, node]` root with bitwidth fixed at 3
 * (fvm_ipld_amt `Amtv0`), still used for the message and receipt AMTs of block headers.
 */
export type AmtVersion = 0 | 3;

const U64_MAX = 2n ** 64n - 1n;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

function rangeError(i: unknown): never {
  const shown = typeof i === 'bigint' ? `${i}n` : String(i);
  throw new AmtError('AMT_INDEX_OUT_OF_RANGE', `AMT index must be an integer in 0..=${AMT_MAX_INDEX} (a bigint, or a safe-integer number), got ${shown}`);
}

/** Validates an index; returns it as a `number` when it is a safe integer, else as a `bigint`. */
function normIndex(i: AmtIndex): number | bigint {
  if (typeof i === 'number') {
    if (Number.isSafeInteger(i) && i >= 0) return i;
    rangeError(i);
  }
  if (typeof i === 'bigint') {
    if (i < 0n || i > AMT_MAX_INDEX) rangeError(i);
    return i <= MAX_SAFE_BIG ? Number(i) : i;
  }
  return rangeError(i);
}

function checkBitwidth(bitwidth: number): void {
  if (!Number.isInteger(bitwidth) || bitwidth < 1 || bitwidth > AMT_MAX_BITWIDTH) {
    throw new AmtError('AMT_BITWIDTH', `AMT bitwidth must be an integer from 1 to ${AMT_MAX_BITWIDTH}, got ${String(bitwidth)}`);
  }
}

/**
 * Whether storing `b` over `a` certainly leaves the encoded value unchanged: equal primitives, equal
 * byte strings, or equal CIDs. The same object instance is *not* "unchanged" (it may have been
 * mutated in place).
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return a === null || typeof a !== 'object';
  if (a instanceof Uint8Array && b instanceof Uint8Array) return equals(a, b);
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const ca = CID.asCID(a);
    if (ca !== null) {
      const cb = CID.asCID(b);
      return cb !== null && ca.equals(cb);
    }
  }
  return false;
}

function malformedRoot(message: string, where: CID): never {
  throw new AmtError('AMT_MALFORMED', `${message} (AMT root ${where.toString()})`);
}

/** A non-negative integer of the data model, as a bigint; `undefined` if `raw` is not one. */
function uintOf(raw: unknown): bigint | undefined {
  if (typeof raw === 'number') return Number.isInteger(raw) && raw >= 0 ? BigInt(raw) : undefined;
  if (typeof raw === 'bigint') return raw >= 0n && raw <= U64_MAX ? raw : undefined;
  return undefined;
}

/** A decoded, validated root block, never changed (AMTs get a working copy of its node). */
interface KeptRoot {
  readonly version: AmtVersion;
  readonly bitwidth: number;
  readonly height: number;
  readonly count: bigint;
  readonly node: Node;
}

/** Roots decoded lately, by their block's bytes object (see `loadNode` in node.ts). */
const keptRoots = new Generations<Uint8Array, KeptRoot>(1024);

function wrongBitwidth(expected: number, root: CID, actual: number): AmtError {
  return new AmtError('AMT_BITWIDTH', `expected an AMT of bitwidth ${expected}, but ${root.toString()} has bitwidth ${actual}`);
}

/** Decodes and validates a root block (`[bitWidth, height, count, node]`, or v0 `[height, count, node]`). */
function parseRoot(bytes: Uint8Array, version: AmtVersion, root: CID, expectedBitwidth: number | undefined): KeptRoot {
  let raw: unknown;
  try {
    raw = decodeCbor(bytes);
  } catch (cause) {
    throw new AmtError('AMT_MALFORMED', `AMT root ${root.toString()} is not valid dag-cbor`, { cause });
  }
  const fields = version === 3 ? 4 : 3;
  if (!Array.isArray(raw) || raw.length !== fields) {
    malformedRoot(version === 3 ? 'AMT root is not a 4-element array [bitWidth, height, count, node]' : 'legacy AMT root is not a 3-element array [height, count, node]', root);
  }
  let bitwidth = AMT_DEFAULT_BITWIDTH;
  let rest: unknown[] = raw;
  if (version === 3) {
    const bwRaw = uintOf(raw[0]);
    if (bwRaw === undefined) malformedRoot('AMT root bitWidth is not a non-negative integer', root);
    if (bwRaw < 1n || bwRaw > BigInt(AMT_MAX_BITWIDTH)) {
      throw new AmtError('AMT_BITWIDTH', `AMT root ${root.toString()} has bitwidth ${bwRaw}; supported: 1 to ${AMT_MAX_BITWIDTH}`);
    }
    bitwidth = Number(bwRaw);
    rest = raw.slice(1);
  }
  if (expectedBitwidth !== undefined && bitwidth !== expectedBitwidth) throw wrongBitwidth(expectedBitwidth, root, bitwidth);
  const heightRaw = uintOf(rest[0]);
  const count = uintOf(rest[1]);
  if (heightRaw === undefined) malformedRoot('AMT root height is not a non-negative integer', root);
  if (count === undefined) malformedRoot('AMT root count is not a u64', root);
  if (heightRaw > BigInt(AMT_MAX_HEIGHT)) malformedRoot(`AMT height ${heightRaw} exceeds ${AMT_MAX_HEIGHT}`, root);
  const height = Number(heightRaw);
  // Each level consumes `bitwidth` bits of a u64 index: a height whose lower levels alone
  // already cover 64 bits cannot be reached (go-amt-ipld's saturation check).
  if (bitwidth * height >= 64) malformedRoot(`AMT height ${height} is out of bounds for bitwidth ${bitwidth}`, root);
  const capacity = bitwidth * (height + 1) >= 64 ? U64_MAX : 1n << BigInt(bitwidth * (height + 1));
  if (capacity < count) malformedRoot(`AMT of height ${height} cannot hold its count ${count}`, root);
  return { version, bitwidth, height, count, node: expandNode(rest[2], bitwidth, height === 0, height === 0, root) };
}

/**
 * An array mapped trie over a {@link Blockstore}: a sparse array indexed by u64, byte-compatible
 * with go-amt-ipld v4 and ref-fvm's `fvm_ipld_amt` — the same set of entries, written with the
 * same bitwidth, always yields the same root CID whatever the order of insertions and deletions.
 *
 * Layout: the root block is `[bitWidth, height, count, node]`; each node is
 * `[bmap, links, values]` with one bitmap bit per slot (2^bitwidth slots). Leaves (height 0) hold
 * values, internal nodes hold links to children covering 2^(bitwidth·height) indices each. The
 * height grows when an index does not fit, and shrinks on delete while the root addresses only
 * its left-most child; children left empty are removed.
 *
 * Cost model: nodes are decoded once, lazily, and cached; mutations mark the path from the root
 * dirty; {@link flush} encodes, hashes and writes only dirty nodes (and returns the cached root
 * CID when nothing changed). Decoded nodes and written roots are also kept across loads, by block
 * (two generations of 2,048 nodes and of 1,024 roots), and each AMT works on its own copy. Values
 * are kept as given — don't mutate a value after setting it unless you `set` it again; {@link get}
 * and the iterations hand out copies, so changing what they return changes nothing in the AMT.
 * Don't mutate the AMT while iterating it.
 *
 * Builtin-actors bitwidths: miner sectors 5, precommit expiry queue 6, deadline partitions 3,
 * deadline expirations 5, optimistic PoSt submissions 2, partition expirations 4, early
 * terminations 3; market proposals 5, deal states 6; power cron queue 6; paych lane states 3.
 *
 * @example
 * ```ts
 * const bs = new MemoryBlockstore();
 * const a = Amt.empty<string>(bs, 5);
 * a.set(7n, 'seven');
 * const root = a.flush();
 * Amt.load<string>(bs, root).get(7n); // 'seven'
 * ```
 */
export class Amt<V = unknown> {
  private root: Node;
  private _height: number;
  private _count: bigint;
  /** CID of the root as last flushed or loaded; `undefined` once anything changed since. */
  private flushed: CID | undefined;
  private readonly width: number;

  private constructor(
    /** The store nodes are read from and flushed to. */
    readonly store: Blockstore,
    private readonly bw: number,
    /** Root format (see {@link AmtVersion}). */
    readonly version: AmtVersion,
    root: Node,
    height: number,
    count: bigint,
    flushed: CID | undefined,
  ) {
    this.width = 1 << bw;
    this.root = root;
    this._height = height;
    this._count = count;
    this.flushed = flushed;
  }

  /**
   * A new, empty AMT. Nothing is written until {@link flush}.
   *
   * @throws {@link AmtError} `AMT_BITWIDTH` unless `bitwidth` is an integer in 1..=18.
   */
  static empty<V>(bs: Blockstore, bitwidth: number = AMT_DEFAULT_BITWIDTH): Amt<V> {
    checkBitwidth(bitwidth);
    return new Amt<V>(bs, bitwidth, 3, Node.empty(1 << bitwidth), 0, 0n, undefined);
  }

  /** A new, empty legacy v0 AMT (bitwidth 3, root `[height, count, node]`). */
  static emptyV0<V>(bs: Blockstore): Amt<V> {
    return new Amt<V>(bs, AMT_DEFAULT_BITWIDTH, 0, Node.empty(1 << AMT_DEFAULT_BITWIDTH), 0, 0n, undefined);
  }

  /**
   * A new AMT holding `values` at indices 0, 1, 2… (go-amt-ipld `FromArray`, fvm_ipld_amt
   * `new_from_iter`, without the flush).
   */
  static fromArray<V>(bs: Blockstore, values: Iterable<V>, bitwidth: number = AMT_DEFAULT_BITWIDTH): Amt<V> {
    const amt = Amt.empty<V>(bs, bitwidth);
    amt.batchSet(values);
    return amt;
  }

  /**
   * Opens the AMT rooted at `root`, taking the bitwidth from the root block. The root is read and
   * validated now (as go-amt-ipld's `LoadAMT` does); children are read and validated when first
   * needed.
   *
   * @param expectedBitwidth - if given, the root's bitwidth must equal it (go-amt-ipld requires
   *   this; fvm_ipld_amt does not check).
   * @throws {@link BlockNotFoundError} if the root block is absent; {@link AmtError}
   *   `AMT_MALFORMED` if it is not a valid v3 root, `AMT_BITWIDTH` if its bitwidth is unsupported
   *   or unexpected.
   */
  static load<V>(bs: Blockstore, root: CID, expectedBitwidth?: number): Amt<V> {
    return Amt.open<V>(bs, root, 3, expectedBitwidth);
  }

  /** Opens a legacy v0 AMT (root `[height, count, node]`, bitwidth 3). See {@link load}. */
  static loadV0<V>(bs: Blockstore, root: CID): Amt<V> {
    return Amt.open<V>(bs, root, 0, undefined);
  }

  private static open<V>(bs: Blockstore, root: CID, version: AmtVersion, expectedBitwidth: number | undefined): Amt<V> {
    if (expectedBitwidth !== undefined) checkBitwidth(expectedBitwidth);
    const bytes = bs.get(root);
    if (bytes === undefined) throw new BlockNotFoundError(root);
    let kept = keptRoots.get(bytes);
    if (kept === undefined || kept.version !== version) {
      kept = parseRoot(bytes, version, root, expectedBitwidth);
      keptRoots.set(bytes, kept);
    } else if (expectedBitwidth !== undefined && kept.bitwidth !== expectedBitwidth) {
      throw wrongBitwidth(expectedBitwidth, root, kept.bitwidth);
    }
    return new Amt<V>(bs, kept.bitwidth, version, workingCopy(kept.node, kept.height === 0), kept.height, kept.count, root);
  }

  /** Number of entries (the root's `count`). */
  get count(): bigint {
    return this._count;
  }

  /** Height of the tree: 0 when the root is a leaf. */
  get height(): number {
    return this._height;
  }

  /** Bits of the index consumed per level (2^bitwidth slots per node). */
  get bitwidth(): number {
    return this.bw;
  }

  /** The child node behind `link` (at `height`), read from the store and validated on first use. */
  private child(link: Link, height: number): Node {
    let node = link.node;
    if (node === undefined) {
      const cid = link.cid!;
      const bytes = this.store.get(cid);
      if (bytes === undefined) throw new BlockNotFoundError(cid);
      node = loadNode(bytes, this.bw, height === 0, cid);
      link.node = node;
    }
    return node;
  }

  /** Whether index `idx` is addressable at height `h`: idx < 2^(bitwidth·(h+1)). */
  private fits(idx: number | bigint, h: number): boolean {
    const bits = this.bw * (h + 1);
    if (typeof idx === 'number') return bits >= 53 || idx < 2 ** bits;
    return bits >= 64 || idx < 1n << BigInt(bits);
  }

  /** The slot taken at each level, from the root (index 0) down to the leaf (index `height`). */
  private path(idx: number | bigint): number[] {
    const h = this._height;
    const bw = this.bw;
    const out = new Array<number>(h + 1);
    if (typeof idx === 'number') {
      for (let level = h; level > 0; level--) {
        const span = 2 ** (bw * level);
        const slot = Math.floor(idx / span);
        out[h - level] = slot;
        idx -= slot * span;
      }
      out[h] = idx;
    } else {
      for (let level = h; level > 0; level--) {
        const shift = BigInt(bw * level);
        out[h - level] = Number(idx >> shift);
        idx &= (1n << shift) - 1n;
      }
      out[h] = Number(idx);
    }
    return out;
  }

  /**
   * The value at index `i`, or `undefined`.
   *
   * @throws {@link AmtError} `AMT_INDEX_OUT_OF_RANGE` if `i` is not in 0..=2^64-2.
   */
  get(i: AmtIndex): V | undefined {
    const idx = normIndex(i);
    const h = this._height;
    if (!this.fits(idx, h)) return undefined;
    const path = this.path(idx);
    let node = this.root;
    for (let d = 0; d < h; d++) {
      const link = node.slots[path[d]] as Link | undefined;
      if (link === undefined) return undefined;
      node = this.child(link, h - d - 1);
    }
    // A copy: nodes may share their values with the node cache, and callers may change what they get.
    return cloneValue(node.slots[path[h]]) as V | undefined;
  }

  /** Whether index `i` is set (also when its value is `null`). */
  has(i: AmtIndex): boolean {
    return this.get(i) !== undefined;
  }

  /**
   * Stores `value` at index `i`, replacing any previous value; grows the tree if `i` does not fit.
   *
   * @throws {@link AmtError} `AMT_INDEX_OUT_OF_RANGE` if `i` is not in 0..=2^64-2; `AMT_VALUE` if
   *   `value` is `undefined`. Other values without a dag-cbor form are only detected by
   *   {@link flush} (as a `CborError`).
   */
  set(i: AmtIndex, value: V): void {
    if (value === undefined) throw new AmtError('AMT_VALUE', 'AMT values must be dag-cbor data-model values; undefined has no encoding (use delete)');
    const idx = normIndex(i);
    while (!this.fits(idx, this._height)) {
      // Everything present fits under slot 0 of a new root one level up.
      if (this.root.size > 0) {
        const up = Node.empty(this.width);
        up.slots[0] = new Link(undefined, this.root, true);
        up.size = 1;
        this.root = up;
      }
      this._height++;
    }
    const h = this._height;
    const path = this.path(idx);
    const visited: Link[] = [];
    let node = this.root;
    let d = 0;
    for (; d < h; d++) {
      const link = node.slots[path[d]] as Link | undefined;
      if (link === undefined) break;
      visited.push(link);
      node = this.child(link, h - d - 1);
    }
    if (d === h) {
      const slot = path[h];
      const prev = node.slots[slot];
      if (prev !== undefined && sameValue(prev, value)) return;
      node.slots[slot] = value;
      if (prev === undefined) {
        node.size++;
        this._count++;
      }
    } else {
      for (; d < h; d++) {
        const fresh = Node.empty(this.width);
        node.slots[path[d]] = new Link(undefined, fresh, true);
        node.size++;
        node = fresh;
      }
      node.slots[path[h]] = value;
      node.size++;
      this._count++;
    }
    for (const link of visited) link.dirty = true;
    this.flushed = undefined;
  }

  /**
   * Removes index `i`. Children left empty are removed, and the height shrinks while the root
   * addresses only its left-most child, so the tree stays canonical.
   *
   * @returns whether `i` was set.
   * @throws {@link AmtError} `AMT_INDEX_OUT_OF_RANGE` if `i` is not in 0..=2^64-2.
   */
  delete(i: AmtIndex): boolean {
    const idx = normIndex(i);
    const h = this._height;
    if (!this.fits(idx, h)) return false;
    const path = this.path(idx);
    const nodes: Node[] = [this.root];
    const links: Link[] = [];
    let node = this.root;
    for (let d = 0; d < h; d++) {
      const link = node.slots[path[d]] as Link | undefined;
      if (link === undefined) return false;
      links.push(link);
      node = this.child(link, h - d - 1);
      nodes.push(node);
    }
    const slot = path[h];
    if (node.slots[slot] === undefined) return false;
    node.slots[slot] = undefined;
    node.size--;
    for (let d = h - 1; d >= 0; d--) {
      if (nodes[d + 1].size === 0) {
        // The child is now empty: drop it from its parent.
        nodes[d].slots[path[d]] = undefined;
        nodes[d].size--;
      } else {
        for (let k = d; k >= 0; k--) links[k].dirty = true;
        break;
      }
    }
    this.flushed = undefined;
    if (this.root.size === 0) {
      this._height = 0;
    } else {
      while (this._height > 0 && this.root.size === 1 && this.root.slots[0] !== undefined) {
        this.root = this.child(this.root.slots[0] as Link, this._height - 1);
        this._height--;
      }
    }
    if (this._count === 0n) throw new AmtError('AMT_MALFORMED', 'AMT count does not match its entries (it was 0 before this delete)');
    this._count--;
    return true;
  }

  /** Sets `values[k]` at index `k` for k = 0, 1, 2… (go-amt-ipld `BatchSet`, fvm_ipld_amt `batch_set`). */
  batchSet(values: Iterable<V>): void {
    let k = 0;
    for (const v of values) this.set(k++, v);
  }

  /** Sets every `[index, value]` pair, in order. */
  setMany(entries: Iterable<readonly [AmtIndex, V]>): void {
    for (const [i, v] of entries) this.set(i, v);
  }

  /**
   * Deletes every index in `indices`, in ascending order.
   *
   * @param strict - if `true`, every index must be set: the first missing one throws `AmtError`
   *   `AMT_INDEX_NOT_FOUND` (after the smaller indices have been deleted, as in go-amt-ipld and
   *   fvm_ipld_amt).
   * @returns whether anything was deleted.
   */
  batchDelete(indices: Iterable<AmtIndex>, strict = false): boolean {
    const sorted = Array.from(indices, (i) => BigInt(normIndex(i))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let modified = false;
    for (const i of sorted) {
      const found = this.delete(i);
      if (strict && !found) throw new AmtError('AMT_INDEX_NOT_FOUND', `no such index ${i} in the AMT for a strict batch delete`);
      modified ||= found;
    }
    return modified;
  }

  /**
   * Every `[index, value]` pair in ascending index order, from index `start` on. Children are read
   * (and cached) as the iteration reaches them.
   */
  entries(start: AmtIndex = 0n): IterableIterator<[bigint, V]> {
    const from = BigInt(normIndex(start));
    return this.walk(this.root, this._height, 0n, from);
  }

  /** Every index in ascending order. */
  *keys(): IterableIterator<bigint> {
    for (const [k] of this.entries()) yield k;
  }

  /** Every value in ascending index order. */
  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): IterableIterator<[bigint, V]> {
    return this.entries();
  }

  private *walk(node: Node, height: number, offset: bigint, start: bigint): IterableIterator<[bigint, V]> {
    const slots = node.slots;
    if (height === 0) {
      const first = start > offset ? Number(start - offset) : 0;
      for (let j = first; j < slots.length; j++) {
        const v = slots[j];
        if (v !== undefined) yield [offset + BigInt(j), cloneValue(v) as V];
      }
      return;
    }
    const span = 1n << BigInt(this.bw * height);
    for (let j = 0; j < slots.length; j++) {
      const link = slots[j] as Link | undefined;
      if (link === undefined) continue;
      const offs = offset + BigInt(j) * span;
      if (offs + span <= start) continue;
      yield* this.walk(this.child(link, height - 1), height - 1, offs, start);
    }
  }

  /**
   * Calls `cb` for every entry in ascending index order; stops early if `cb` returns `false`
   * (fvm_ipld_amt `for_each` / `for_each_while`). Faster than {@link entries}.
   */
  forEach(cb: (index: bigint, value: V) => void | boolean): void {
    this.visit(this.root, this._height, 0n, cb);
  }

  private visit(node: Node, height: number, offset: bigint, cb: (index: bigint, value: V) => void | boolean): boolean {
    const slots = node.slots;
    if (height === 0) {
      for (let j = 0; j < slots.length; j++) {
        const v = slots[j];
        if (v !== undefined && cb(offset + BigInt(j), cloneValue(v) as V) === false) return false;
      }
      return true;
    }
    const span = 1n << BigInt(this.bw * height);
    for (let j = 0; j < slots.length; j++) {
      const link = slots[j] as Link | undefined;
      if (link === undefined) continue;
      if (!this.visit(this.child(link, height - 1), height - 1, offset + BigInt(j) * span, cb)) return false;
    }
    return true;
  }

  /**
   * Writes every changed node and the root to the store and returns the root CID. Unchanged
   * subtrees are not re-encoded; if nothing changed since the last flush (or load), this returns
   * the same CID without writing anything.
   */
  flush(): CID {
    if (this.flushed !== undefined) return this.flushed;
    this.flushChildren(this.root, this._height);
    const node = serializeNode(this.root, this._height, this.bw);
    const count = this._count <= MAX_SAFE_BIG ? Number(this._count) : this._count;
    const raw = this.version === 3 ? [this.bw, this._height, count, node] : [this._height, count, node];
    const bytes = encodeBlock(raw);
    const cid = cborCid(bytes);
    this.store.put(cid, bytes);
    this.flushed = cid;
    // Kept for the next open of this root (a miner's partitions are written and read back by each
    // of its PoSts and deadline crons), as parseRoot would give it.
    const kept = keptCopy(this.root, this._height === 0);
    if (kept !== undefined) {
      const root: KeptRoot = { version: this.version, bitwidth: this.bw, height: this._height, count: this._count, node: kept };
      if (keptNodeCheck !== undefined && !keptNodeCheck(root, parseRoot(bytes, this.version, cid, this.bw))) {
        throw new Error(`AMT node cache: the root kept for ${cid.toString()} differs from its decoded block`);
      }
      keptRoots.set(bytes, root);
    }
    return cid;
  }

  private flushChildren(node: Node, height: number): void {
    if (height === 0) return;
    const slots = node.slots;
    for (let j = 0; j < slots.length; j++) {
      const link = slots[j] as Link | undefined;
      if (link === undefined || !link.dirty) continue;
      const child = link.node!;
      this.flushChildren(child, height - 1);
      const bytes = encodeBlock(serializeNode(child, height - 1, this.bw));
      const cid = cborCid(bytes);
      this.store.put(cid, bytes);
      link.cid = cid;
      link.dirty = false;
    }
  }
}
