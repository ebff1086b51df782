/**
 * In-memory HAMT nodes and their block form.
 *
 * Block form (go-hamt-ipld v3, `fvm_ipld_hamt` "V3"): a dag-cbor 2-tuple
 * `[bitfield: bytes, pointers: [Pointer...]]`, where `bitfield` is the big-endian bytes of the
 * 2^bitwidth-bit occupancy bitmap with leading zero bytes stripped (so the empty bitmap is the
 * empty byte string), and each pointer is either a CID link to a child node or a bucket: a list
 * of 1..3 `[key: bytes, value: any]` pairs, sorted by key bytewise with no duplicates. Pointers
 * appear in bit order: the pointer of bit `i` sits at index popcount(bitmap & ((1 << i) - 1)).
 *
 * @internal
 * @module
 */
import { CID } from 'multiformats/cid';
import { decodeCbor, encodeBlock } from '../cbor.js';
import { DAG_CBOR, cidKey } from '../cid.js';
import { Generations, UNSURE, cloneValue, decodedForm, keptNodeCheck } from '../nodeCache.js';
import { HamtError } from './errors.js';

/** Keys per bucket before the bucket is pushed down into a child node. */
export const HAMT_BUCKET_SIZE = 3;

/** One entry of a bucket: exactly the `[key, value]` tuple that is encoded. */
export type KV = [key: Uint8Array, value: unknown];

/** A bucket: 1..{@link HAMT_BUCKET_SIZE} entries sorted by key. Encoded as-is. */
export type Bucket = KV[];

/**
 * A pointer to a child node. `cid` is the child's last stored CID (undefined until first
 * flushed); `node` is the decoded child once loaded (or created); `dirty` says `node` changed
 * since `cid` was computed. Invariant: a clean link's subtree holds no dirty link.
 */
export class Link {
  constructor(
    public cid: CID | undefined,
    public node: Node | undefined,
    public dirty: boolean,
  ) {}
}

/** A slot of a node: a bucket (plain array) or a {@link Link}. */
export type Pointer = Bucket | Link;

/**
 * A HAMT node: occupancy bitmap and packed pointers. Bits 0..31 of the bitmap live in `bits` (a
 * plain field, so bitwidths up to 5, Filecoin's, need no extra object); bitwidths 6..8 keep bits
 * 32 and up in `hi` (word `i` holds bits `32 * (i + 1)` to `32 * (i + 1) + 31`).
 */
export class Node {
  constructor(
    public bits: number,
    readonly hi: Int32Array | undefined,
    readonly pointers: Pointer[],
  ) {}

  static empty(bitwidth: number): Node {
    return new Node(0, bitwidth <= 5 ? undefined : new Int32Array(wordsFor(bitwidth) - 1), []);
  }

  /** The bitmap as 32-bit words, least significant first. */
  words(): Int32Array {
    const hi = this.hi;
    const out = new Int32Array(hi === undefined ? 1 : hi.length + 1);
    out[0] = this.bits;
    if (hi !== undefined) out.set(hi, 1);
    return out;
  }
}

function wordsFor(bitwidth: number): number {
  return bitwidth <= 5 ? 1 : 1 << (bitwidth - 5);
}

/** Number of set bits of a 32-bit integer. */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Whether bit `idx` of the node's bitmap is set. */
export function testBit(node: Node, idx: number): boolean {
  if (idx < 32) return ((node.bits >>> idx) & 1) !== 0;
  return ((node.hi![(idx >>> 5) - 1] >>> (idx & 31)) & 1) !== 0;
}

/** Index in the packed pointer array of bit `idx`: the number of set bits below it. */
export function rankOf(node: Node, idx: number): number {
  if (idx < 32) return popcount32(node.bits & ((1 << idx) - 1));
  const hi = node.hi!;
  const w = (idx >>> 5) - 1;
  let n = popcount32(node.bits);
  for (let i = 0; i < w; i++) n += popcount32(hi[i]);
  return n + popcount32(hi[w] & ((1 << (idx & 31)) - 1));
}

/** Sets bit `idx` and inserts `p` at its place in the pointer array. */
export function insertPointer(node: Node, idx: number, p: Pointer): void {
  const r = rankOf(node, idx);
  if (idx < 32) node.bits |= 1 << idx;
  else node.hi![(idx >>> 5) - 1] |= 1 << (idx & 31);
  node.pointers.splice(r, 0, p);
}

/** Clears bit `idx` and removes the pointer at packed index `r` (its rank). */
export function removePointer(node: Node, idx: number, r: number): void {
  if (idx < 32) node.bits &= ~(1 << idx);
  else node.hi![(idx >>> 5) - 1] &= ~(1 << (idx & 31));
  node.pointers.splice(r, 1);
}

/** Lexicographic byte order (Go's `bytes.Compare`, Rust's `Vec<u8>` order): negative, 0, positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Byte equality. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const EMPTY_BYTES = new Uint8Array(0);

/** The bitfield's serialized form: minimal big-endian bytes of the bitmap words. */
export function bitmapToBytes(bitmap: Int32Array): Uint8Array {
  let top = bitmap.length - 1;
  while (top >= 0 && bitmap[top] === 0) top--;
  if (top < 0) return EMPTY_BYTES;
  const hi = bitmap[top];
  const hiBytes = hi >>> 24 ? 4 : hi >>> 16 ? 3 : hi >>> 8 ? 2 : 1;
  const out = new Uint8Array(hiBytes + 4 * top);
  let o = 0;
  for (let b = hiBytes - 1; b >= 0; b--) out[o++] = (hi >>> (8 * b)) & 0xff;
  for (let w = top - 1; w >= 0; w--) {
    const v = bitmap[w];
    out[o++] = v >>> 24;
    out[o++] = (v >>> 16) & 0xff;
    out[o++] = (v >>> 8) & 0xff;
    out[o++] = v & 0xff;
  }
  return out;
}

/**
 * Parses a serialized bitfield. Leading zero bytes are tolerated (as go-hamt-ipld and
 * `fvm_ipld_hamt` do); a set bit at or above 2^bitwidth is rejected.
 */
export function bitmapFromBytes(bytes: Uint8Array, bitwidth: number): Int32Array | string {
  const width = 1 << bitwidth;
  const bitmap = new Int32Array(wordsFor(bitwidth));
  for (let k = 0; k < bytes.length; k++) {
    const byte = bytes[bytes.length - 1 - k];
    if (byte === 0) continue;
    const base = 8 * k;
    if (base >= width || (width - base < 8 && byte >>> (width - base) !== 0)) {
      return `bitfield has a bit set at or above ${width}, beyond what bitwidth ${bitwidth} allows`;
    }
    bitmap[base >>> 5] |= byte << (base & 31);
  }
  return bitmap;
}

const SCRATCH_WORD = new Int32Array(1);

/** Encodes a node whose links are all clean (children flushed). */
export function encodeNode(node: Node): Uint8Array {
  const ps = node.pointers;
  const out: unknown[] = new Array(ps.length);
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i];
    if (p instanceof Link) {
      if (p.cid === undefined || p.dirty) throw new Error('internal: encoding a node with an unflushed child');
      out[i] = p.cid;
    } else {
      out[i] = p;
    }
  }
  let words: Int32Array;
  if (node.hi === undefined) {
    words = SCRATCH_WORD;
    words[0] = node.bits;
  } else {
    words = node.words();
  }
  return encodeBlock([bitmapToBytes(words), out]);
}

function malformed(where: CID | undefined, why: string, cause?: unknown): HamtError {
  const at = where ? ` ${where.toString()}` : '';
  return new HamtError(
    'HAMT_MALFORMED',
    `HAMT node${at} is malformed: ${why} (is it a go-hamt-ipld v3 / fvm_ipld_hamt node, loaded with the bitwidth it was written with?)`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Decodes and validates a node block, with the checks of go-hamt-ipld v3 `loadNode`: tuple
 * shape; at most 2^bitwidth pointers, as many as bitfield bits; buckets of 1..3 `[bytes, any]`
 * pairs strictly ascending by key; links are dag-cbor CIDs; and, for non-root nodes, at least one
 * pointer and not a node that the canonical (CHAMP) form would have collapsed into a bucket
 * (no links and at most 3 entries).
 *
 * @param where - the block's CID, for error messages.
 */
export function decodeNode(bytes: Uint8Array, bitwidth: number, isRoot: boolean, where?: CID): Node {
  let raw: unknown;
  try {
    raw = decodeCbor(bytes);
  } catch (cause) {
    throw malformed(where, 'not valid dag-cbor', cause);
  }
  if (!Array.isArray(raw) || raw.length !== 2) throw malformed(where, 'expected a 2-element list [bitfield, pointers]');
  const [bf, ptrs] = raw as [unknown, unknown];
  if (!(bf instanceof Uint8Array)) throw malformed(where, 'bitfield is not a byte string');
  if (!Array.isArray(ptrs)) throw malformed(where, 'pointers is not a list');
  const bitmap = bitmapFromBytes(bf, bitwidth);
  if (typeof bitmap === 'string') throw malformed(where, bitmap);
  const width = 1 << bitwidth;
  if (ptrs.length > width) {
    throw malformed(where, `${ptrs.length} pointers exceed the ${width} that bitwidth ${bitwidth} allows`);
  }
  let set = 0;
  for (let i = 0; i < bitmap.length; i++) set += popcount32(bitmap[i]);
  if (set !== ptrs.length) throw malformed(where, `bitfield has ${set} bits set but there are ${ptrs.length} pointers`);

  let links = 0;
  let kvs = 0;
  for (let i = 0; i < ptrs.length; i++) {
    const p: unknown = ptrs[i];
    if (Array.isArray(p)) {
      if (p.length === 0) throw malformed(where, 'empty bucket');
      if (p.length > HAMT_BUCKET_SIZE) throw malformed(where, `bucket of ${p.length} entries exceeds ${HAMT_BUCKET_SIZE}`);
      let prev: Uint8Array | undefined;
      for (const kv of p as unknown[]) {
        if (!Array.isArray(kv) || kv.length !== 2 || !(kv[0] instanceof Uint8Array)) {
          throw malformed(where, 'bucket entry is not a [key bytes, value] pair');
        }
        if (prev !== undefined && compareBytes(prev, kv[0]) >= 0) throw malformed(where, 'bucket keys are unsorted or duplicated');
        prev = kv[0];
      }
      kvs += p.length;
    } else {
      const cid = CID.asCID(p);
      if (cid === null) throw malformed(where, 'pointer is neither a bucket nor a link');
      if (cid.code !== DAG_CBOR) throw malformed(where, `child link ${cid.toString()} is not dag-cbor`);
      ptrs[i] = new Link(cid, undefined, false);
      links++;
    }
  }
  if (!isRoot) {
    if (ptrs.length === 0) throw malformed(where, 'non-root node has no pointers');
    if (links === 0 && kvs <= HAMT_BUCKET_SIZE) {
      throw malformed(where, `non-root node holds only ${kvs} entries and no links; canonical form keeps them in a parent bucket`);
    }
  }
  return new Node(bitmap[0], bitmap.length > 1 ? bitmap.slice(1) : undefined, ptrs as Pointer[]);
}

/**
 * A working copy of a cached node: its own pointer array, links (unloaded: children come from the
 * cache too) and buckets, with values deep-copied, so a HAMT may mutate it, and the values it
 * hands out, freely. Keys are shared: a HAMT never mutates a key (it copies keys on insertion).
 */
function cloneNode(n: Node): Node {
  return copyNode(n, cloneValue)!;
}

/** A copy of `n` with unloaded links and each value through `copy`; undefined if `copy` gives {@link UNSURE}. */
function copyNode(n: Node, copy: (v: unknown) => unknown): Node | undefined {
  const ps = n.pointers;
  const out: Pointer[] = new Array(ps.length);
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    if (p instanceof Link) {
      out[i] = new Link(p.cid, undefined, false);
    } else {
      const b: Bucket = new Array(p.length);
      for (let j = 0; j < p.length; j++) {
        const v = copy(p[j]![1]);
        if (v === UNSURE) return undefined;
        b[j] = [p[j]![0], v];
      }
      out[i] = b;
    }
  }
  return new Node(n.bits, n.hi === undefined ? undefined : n.hi.slice(), out);
}

/**
 * Nodes decoded lately, by CID, bitwidth and role (a root is checked less strictly than a child),
 * never mutated: a HAMT gets a {@link cloneNode} copy. The same roots are opened over and over (the
 * market's deal schedule and the power claims every epoch), and copying a decoded node costs a
 * fraction of decoding it. Content addressing makes a hit exact whatever store the block came
 * from; the caller still reads the block from its store (presence, gas). Two generations of at
 * most {@link NODE_CACHE_GENERATION} nodes bound the memory held.
 */
const NODE_CACHE_GENERATION = 2048;
const keptNodes = new Generations<string, Node>(NODE_CACHE_GENERATION);

/**
 * {@link decodeNode} through the node cache: a fresh, mutable copy of the decoded node of block
 * `cid` (whose bytes are `bytes`).
 */
export function loadNode(bytes: Uint8Array, bitwidth: number, isRoot: boolean, cid: CID): Node {
  const key = nodeKey(cid, bitwidth, isRoot);
  let node = keptNodes.get(key);
  if (node === undefined) {
    node = decodeNode(bytes, bitwidth, isRoot, cid);
    keptNodes.set(key, node);
  }
  return cloneNode(node);
}

function nodeKey(cid: CID, bitwidth: number, isRoot: boolean): string {
  return cidKey(cid) + (isRoot ? 'r' : 'c') + bitwidth;
}

/**
 * Keeps the node a HAMT just wrote as block `cid` (`bytes`) in the node cache, as decoding the block
 * would give it, so the next load of that block (the market's balance tables are written and read
 * back once per deal settled) is a copy instead of a decode. Values go in their decoded form (see
 * {@link decodedForm}); a node holding a value without a sure one is not kept. Keys are shared,
 * as {@link cloneNode} shares them: a HAMT never mutates a key.
 */
export function keepWrittenNode(node: Node, bitwidth: number, isRoot: boolean, cid: CID, bytes: Uint8Array): void {
  const kept = copyNode(node, decodedForm);
  if (kept === undefined) return;
  if (keptNodeCheck !== undefined && !keptNodeCheck(kept, decodeNode(bytes, bitwidth, isRoot, cid))) {
    throw new Error(`HAMT node cache: the node kept for ${cid.toString()} differs from its decoded block`);
  }
  keptNodes.set(nodeKey(cid, bitwidth, isRoot), kept);
}
