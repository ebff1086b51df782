import { CID } from 'multiformats/cid';
import { BlockNotFoundError, type Blockstore } from '../blockstore.js';
import { cborCid } from '../cid.js';
import { HamtError } from './errors.js';
import { type HamtHashFn, hashIndex, hashKeyShared } from './hash.js';
import {
  type Bucket,
  HAMT_BUCKET_SIZE,
  type KV,
  Link,
  Node,
  type Pointer,
  compareBytes,
  encodeNode,
  equalBytes,
  insertPointer,
  keepWrittenNode,
  loadNode,
  rankOf,
  removePointer,
  testBit,
} from './node.js';

/** The bitwidth Filecoin state uses (state tree, init address map, power claims, market…). */
export const HAMT_DEFAULT_BITWIDTH = 5;

/** Options of {@link Hamt.empty} and {@link Hamt.load}. */
export interface HamtOptions {
  /**
   * Key hash. Defaults to `hashKey` (sha256, through a memo of recent keys), which every Filecoin
   * HAMT uses; another function (e.g. an identity "hash" in tests) gives a HAMT that only readers
   * using the same function can navigate.
   */
  hashFn?: HamtHashFn;
}

const UNCHANGED = 0;
const INSERTED = 1;
const REPLACED = 2;
type Outcome = typeof UNCHANGED | typeof INSERTED | typeof REPLACED;

function checkBitwidth(bitwidth: number): void {
  if (!Number.isInteger(bitwidth) || bitwidth < 1 || bitwidth > 8) {
    throw new HamtError('HAMT_BITWIDTH', `HAMT bitwidth must be an integer from 1 to 8, got ${String(bitwidth)}`);
  }
}

/**
 * Whether storing `b` over `a` leaves the encoded value unchanged, decided cheaply and
 * conservatively: equal primitives, distinct byte arrays with equal bytes, or equal CIDs. The same
 * object instance is *not* "unchanged", since the caller may have mutated it in place.
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return a === null || typeof a !== 'object';
  if (a instanceof Uint8Array && b instanceof Uint8Array) return equalBytes(a, b);
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const ca = CID.asCID(a);
    if (ca !== null) {
      const cb = CID.asCID(b);
      return cb !== null && ca.equals(cb);
    }
  }
  return false;
}

/**
 * A hash array mapped trie over a {@link Blockstore}, byte-compatible with go-hamt-ipld v3 and
 * ref-fvm's `fvm_ipld_hamt` (the "V3" format every Filecoin state HAMT uses): the same set of
 * entries always yields the same root CID, whatever the order of insertions and deletions.
 *
 * Keys are bytes, hashed with sha256; each level consumes `bitwidth` bits of the digest (most
 * significant first) to pick one of 2^bitwidth slots. A slot holds a bucket of up to 3 entries
 * sorted by key, or a link to a child node; a 4th entry pushes the bucket down into a child, and
 * deletions collapse a child that no longer justifies itself (no links, ≤ 3 entries) back into a
 * bucket. Values are any dag-cbor data-model value (what `encodeCbor` accepts).
 *
 * Cost model: nodes are decoded once, lazily, and cached in memory (and across loads: recently
 * decoded or written nodes are kept by CID, and a load copies one instead of decoding its block
 * again, so opening the same root every epoch, or the root just flushed, is cheap); mutations mark
 * the path dirty; {@link flush} re-encodes, hashes and writes only the dirty nodes.
 * `get`/`has`/`set`/`delete` compute the key's sha256 and nothing else — no encoding, no block
 * hashing. Values are kept as given (not
 * copied, not re-decoded) until flush; do not mutate a value after setting it unless you `set` it
 * again. Keys are copied on insertion.
 *
 * @example
 * ```ts
 * const bs = new MemoryBlockstore();
 * const h = Hamt.empty<string>(bs);          // bitwidth 5
 * h.set(new TextEncoder().encode('a'), 'x');
 * const root = h.flush();
 * Hamt.load<string>(bs, root).get(new TextEncoder().encode('a')); // 'x'
 * ```
 */
export class Hamt<V = unknown> {
  private root: Node;
  /** CID of the root as last flushed or loaded; meaningful only while `!rootDirty`. */
  private rootCid: CID | undefined;
  private rootDirty: boolean;
  private count: number | undefined;

  private constructor(
    /** The store nodes are read from and flushed to. */
    readonly store: Blockstore,
    /** Bits of the key hash consumed per level (2^bitwidth slots per node). */
    readonly bitwidth: number,
    private readonly hashFn: HamtHashFn,
    root: Node,
    rootCid: CID | undefined,
  ) {
    this.root = root;
    this.rootCid = rootCid;
    this.rootDirty = rootCid === undefined;
    this.count = rootCid === undefined ? 0 : undefined;
  }

  /**
   * A new, empty HAMT. Nothing is written until {@link flush}.
   *
   * @throws {@link HamtError} `HAMT_BITWIDTH` unless `bitwidth` is an integer in 1..8.
   */
  static empty<V>(bs: Blockstore, bitwidth: number = HAMT_DEFAULT_BITWIDTH, options?: HamtOptions): Hamt<V> {
    checkBitwidth(bitwidth);
    return new Hamt<V>(bs, bitwidth, options?.hashFn ?? hashKeyShared, Node.empty(bitwidth), undefined);
  }

  /**
   * Opens the HAMT rooted at `root`. The root node is read and validated now; children are read
   * when first needed, and validated then.
   *
   * @param bitwidth - must be the bitwidth the HAMT was written with (it is not recorded in the
   *   blocks); a wrong one usually, but not always, surfaces as a `HAMT_MALFORMED` error.
   * @throws {@link BlockNotFoundError} if the root block is absent; {@link HamtError} if it is
   *   not a valid root node or `bitwidth` is invalid.
   */
  static load<V>(bs: Blockstore, root: CID, bitwidth: number = HAMT_DEFAULT_BITWIDTH, options?: HamtOptions): Hamt<V> {
    checkBitwidth(bitwidth);
    const bytes = bs.get(root);
    if (bytes === undefined) throw new BlockNotFoundError(root);
    const node = loadNode(bytes, bitwidth, true, root);
    return new Hamt<V>(bs, bitwidth, options?.hashFn ?? hashKeyShared, node, root);
  }

  /** The child node behind `link`, read from the store and validated on first use. */
  private child(link: Link): Node {
    let node = link.node;
    if (node === undefined) {
      const cid = link.cid!;
      const bytes = this.store.get(cid);
      if (bytes === undefined) throw new BlockNotFoundError(cid);
      node = loadNode(bytes, this.bitwidth, false, cid);
      link.node = node;
    }
    return node;
  }

  private find(key: Uint8Array): KV | undefined {
    const hash = this.hashFn(key);
    const bw = this.bitwidth;
    let node = this.root;
    for (let depth = 0; ; depth++) {
      const idx = hashIndex(hash, depth, bw);
      if (!testBit(node, idx)) return undefined;
      const p = node.pointers[rankOf(node, idx)];
      if (p instanceof Link) {
        node = this.child(p);
        continue;
      }
      for (let i = 0; i < p.length; i++) if (equalBytes(p[i][0], key)) return p[i];
      return undefined;
    }
  }

  /** The value stored under `key`, or `undefined`. */
  get(key: Uint8Array): V | undefined {
    const kv = this.find(key);
    return kv === undefined ? undefined : (kv[1] as V);
  }

  /** Whether `key` is present (also when its value is `null`). */
  has(key: Uint8Array): boolean {
    return this.find(key) !== undefined;
  }

  /**
   * Stores `value` under `key`, replacing any previous value.
   *
   * @throws {@link HamtError} `HAMT_VALUE` if `value` is `undefined`. Other values without a
   *   dag-cbor form are only detected by {@link flush} (as a `CborError`).
   */
  set(key: Uint8Array, value: V): void {
    this.put(key, value, true);
  }

  /**
   * Stores `value` under `key` only if the key is absent.
   *
   * @returns `true` if it was inserted, `false` if the key was already present (nothing changes).
   */
  setIfAbsent(key: Uint8Array, value: V): boolean {
    return this.put(key, value, false) === INSERTED;
  }

  private put(key: Uint8Array, value: V, overwrite: boolean): Outcome {
    if (value === undefined) {
      throw new HamtError('HAMT_VALUE', 'HAMT values must be dag-cbor values; got undefined (use delete to remove a key, or null)');
    }
    const outcome = this.modify(this.root, this.hashFn(key), 0, key, value, overwrite);
    if (outcome !== UNCHANGED) {
      this.rootDirty = true;
      if (outcome === INSERTED && this.count !== undefined) this.count++;
    }
    return outcome;
  }

  private modify(node: Node, hash: Uint8Array, depth: number, key: Uint8Array, value: unknown, overwrite: boolean): Outcome {
    const idx = hashIndex(hash, depth, this.bitwidth);
    if (!testBit(node, idx)) {
      insertPointer(node, idx, [[new Uint8Array(key), value]]);
      return INSERTED;
    }
    const r = rankOf(node, idx);
    const p = node.pointers[r];
    if (p instanceof Link) {
      const outcome = this.modify(this.child(p), hash, depth + 1, key, value, overwrite);
      if (outcome !== UNCHANGED) p.dirty = true;
      return outcome;
    }
    let at = p.length;
    for (let i = 0; i < p.length; i++) {
      const c = compareBytes(p[i][0], key);
      if (c === 0) {
        if (!overwrite || sameValue(p[i][1], value)) return UNCHANGED;
        p[i][1] = value;
        return REPLACED;
      }
      if (c > 0) {
        at = i;
        break;
      }
    }
    const kv: KV = [new Uint8Array(key), value];
    if (p.length < HAMT_BUCKET_SIZE) {
      p.splice(at, 0, kv);
    } else {
      node.pointers[r] = this.pushDown(p, hash, depth + 1, kv);
    }
    return INSERTED;
  }

  /** Replaces a full bucket plus one new entry by a fresh child node holding all of them. */
  private pushDown(bucket: Bucket, hash: Uint8Array, depth: number, kv: KV): Link {
    const sub = Node.empty(this.bitwidth);
    this.place(sub, hash, depth, kv);
    for (const e of bucket) this.place(sub, this.hashFn(e[0]), depth, e);
    return new Link(undefined, sub, true);
  }

  /** Inserts an entry known to be absent into a node built in memory (no unloaded links). */
  private place(node: Node, hash: Uint8Array, depth: number, kv: KV): void {
    const idx = hashIndex(hash, depth, this.bitwidth);
    if (!testBit(node, idx)) {
      insertPointer(node, idx, [kv]);
      return;
    }
    const r = rankOf(node, idx);
    const p = node.pointers[r];
    if (p instanceof Link) {
      this.place(p.node!, hash, depth + 1, kv);
    } else if (p.length < HAMT_BUCKET_SIZE) {
      let at = p.length;
      while (at > 0 && compareBytes(p[at - 1][0], kv[0]) > 0) at--;
      p.splice(at, 0, kv);
    } else {
      node.pointers[r] = this.pushDown(p, hash, depth + 1, kv);
    }
  }

  /**
   * Removes `key`.
   *
   * @returns `true` if it was present.
   */
  delete(key: Uint8Array): boolean {
    const removed = this.remove(this.root, this.hashFn(key), 0, key);
    if (removed) {
      this.rootDirty = true;
      if (this.count !== undefined) this.count--;
    }
    return removed;
  }

  private remove(node: Node, hash: Uint8Array, depth: number, key: Uint8Array): boolean {
    const idx = hashIndex(hash, depth, this.bitwidth);
    if (!testBit(node, idx)) return false;
    const r = rankOf(node, idx);
    const p = node.pointers[r];
    if (p instanceof Link) {
      const child = this.child(p);
      if (!this.remove(child, hash, depth + 1, key)) return false;
      p.dirty = true;
      this.collapse(node, idx, r, child);
      return true;
    }
    for (let i = 0; i < p.length; i++) {
      if (equalBytes(p[i][0], key)) {
        if (p.length === 1) removePointer(node, idx, r);
        else p.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /**
   * The canonical-form rule after a deletion below `node`'s slot `idx` (packed index `r`): a
   * child with no links and at most 3 entries in all is replaced by one sorted bucket.
   */
  private collapse(node: Node, idx: number, r: number, child: Node): void {
    const ps = child.pointers;
    if (ps.length === 0) {
      removePointer(node, idx, r);
      return;
    }
    let total = 0;
    for (let i = 0; i < ps.length; i++) {
      const q = ps[i];
      if (q instanceof Link) return;
      total += q.length;
      if (total > HAMT_BUCKET_SIZE) return;
    }
    if (ps.length === 1) {
      node.pointers[r] = ps[0];
      return;
    }
    const merged: Bucket = [];
    for (const q of ps as Bucket[]) for (const kv of q) merged.push(kv);
    merged.sort((a, b) => compareBytes(a[0], b[0]));
    node.pointers[r] = merged;
  }

  /**
   * Writes every node changed since the last flush (children first) and returns the root CID.
   * Unchanged HAMTs return the cached root CID without writing anything.
   *
   * @throws `CborError` if a stored value has no dag-cbor form.
   */
  flush(): CID {
    if (!this.rootDirty && this.rootCid !== undefined) return this.rootCid;
    this.flushChildren(this.root);
    const cid = this.write(this.root, true);
    this.rootCid = cid;
    this.rootDirty = false;
    return cid;
  }

  private flushChildren(node: Node): void {
    const ps = node.pointers;
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i];
      if (p instanceof Link && p.dirty) {
        const child = p.node!;
        this.flushChildren(child);
        p.cid = this.write(child, false);
        p.dirty = false;
      }
    }
  }

  private write(node: Node, isRoot: boolean): CID {
    const bytes = encodeNode(node);
    const cid = cborCid(bytes);
    this.store.put(cid, bytes);
    keepWrittenNode(node, this.bitwidth, isRoot, cid, bytes);
    return cid;
  }

  /** Removes every entry (the old blocks stay in the store). */
  clear(): void {
    this.root = Node.empty(this.bitwidth);
    this.rootDirty = true;
    this.count = 0;
  }

  /**
   * Every `[key, value]` in the HAMT's canonical order: depth-first through the pointers in slot
   * order, bucket entries in key order (the order of `fvm_ipld_hamt`'s `for_each` and
   * go-hamt-ipld's `ForEach`). Loads (and caches) nodes as it goes. Do not mutate the HAMT while
   * iterating, nor the yielded keys.
   */
  *entries(): IterableIterator<[Uint8Array, V]> {
    const stack: { ps: Pointer[]; i: number }[] = [{ ps: this.root.pointers, i: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.i >= top.ps.length) {
        stack.pop();
        continue;
      }
      const p = top.ps[top.i++];
      if (p instanceof Link) {
        stack.push({ ps: this.child(p).pointers, i: 0 });
      } else {
        for (let j = 0; j < p.length; j++) yield [p[j][0], p[j][1] as V];
      }
    }
  }

  /** Every key, in {@link entries} order. */
  *keys(): IterableIterator<Uint8Array> {
    for (const [k] of this.entries()) yield k;
  }

  /** Every value, in {@link entries} order. */
  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): IterableIterator<[Uint8Array, V]> {
    return this.entries();
  }

  /**
   * Calls `cb(key, value)` for every entry in {@link entries} order. Note the argument order is
   * key first, as in `fvm_ipld_hamt::for_each` and go-hamt-ipld's `ForEach` (unlike `Map`).
   */
  forEach(cb: (key: Uint8Array, value: V) => void): void {
    const visit = (ps: Pointer[]): void => {
      for (let i = 0; i < ps.length; i++) {
        const p = ps[i];
        if (p instanceof Link) visit(this.child(p).pointers);
        else for (let j = 0; j < p.length; j++) cb(p[j][0], p[j][1] as V);
      }
    };
    visit(this.root.pointers);
  }

  /**
   * Number of entries. The first call on a loaded HAMT walks the whole tree (reading and caching
   * every node: O(n)); after that the count is maintained by `set`/`delete` in O(1). On a HAMT
   * created with {@link Hamt.empty} it is always O(1).
   */
  get size(): number {
    if (this.count === undefined) {
      let n = 0;
      const visit = (ps: Pointer[]): void => {
        for (let i = 0; i < ps.length; i++) {
          const p = ps[i];
          if (p instanceof Link) visit(this.child(p).pointers);
          else n += p.length;
        }
      };
      visit(this.root.pointers);
      this.count = n;
    }
    return this.count;
  }

  /** Whether the HAMT has no entries (O(1): only the root is looked at). */
  get isEmpty(): boolean {
    return this.root.pointers.length === 0;
  }
}
