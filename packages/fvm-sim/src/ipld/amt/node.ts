import { CID } from 'multiformats/cid';
import { decodeCbor } from '../cbor.js';
import { DAG_CBOR } from '../cid.js';
import { Generations, UNSURE, decodedForm } from '../nodeCache.js';
import { AmtError } from './errors.js';

/**
 * A pointer from an internal node to a child: the child's CID as last flushed or loaded, and/or the
 * decoded child itself once it has been read (or created) in memory.
 *
 * Invariant: `cid !== undefined || node !== undefined`, and `dirty` implies `node !== undefined`
 * (a dirty child has in-memory changes that its `cid`, if any, does not reflect).
 */
export class Link {
  constructor(
    public cid: CID | undefined,
    public node: Node | undefined,
    public dirty: boolean,
  ) {}
}

/**
 * An expanded AMT node: `slots` has one entry per position (2^bitwidth of them), `undefined` for
 * an empty position. Whether the entries are values (a leaf, height 0) or {@link Link}s (an
 * internal node, height > 0) follows from the node's height, which the tree tracks, not the node.
 */
export class Node {
  /** Number of non-empty slots. */
  size = 0;

  constructor(readonly slots: unknown[]) {}

  static empty(width: number): Node {
    return new Node(new Array<unknown>(width).fill(undefined));
  }
}

/**
 * Length in bytes of a node's bitmap: one bit per slot, at least one byte
 * (go-amt-ipld `bmapBytes`, fvm_ipld_amt `bmap_bytes`).
 */
export function bmapBytes(bitwidth: number): number {
  return bitwidth <= 3 ? 1 : 1 << (bitwidth - 3);
}

/**
 * The data-model form of a node, `[bmap, links, values]`: bit `i` of the bitmap (byte `i >> 3`,
 * bit `i & 7`, least significant first) marks slot `i` as present; leaves list their values and
 * internal nodes their children's CIDs, in slot order; the other list is empty.
 *
 * Every dirty child must have been flushed first (its `cid` is what gets written).
 */
export function serializeNode(node: Node, height: number, bitwidth: number): [Uint8Array, CID[], unknown[]] {
  const bmap = new Uint8Array(bmapBytes(bitwidth));
  const slots = node.slots;
  if (height === 0) {
    const values: unknown[] = [];
    for (let i = 0; i < slots.length; i++) {
      const v = slots[i];
      if (v === undefined) continue;
      bmap[i >> 3] |= 1 << (i & 7);
      values.push(v);
    }
    return [bmap, [], values];
  }
  const links: CID[] = [];
  for (let i = 0; i < slots.length; i++) {
    const l = slots[i] as Link | undefined;
    if (l === undefined) continue;
    if (l.dirty || l.cid === undefined) throw new Error('AMT invariant violated: serializing a node with an unflushed child');
    bmap[i >> 3] |= 1 << (i & 7);
    links.push(l.cid);
  }
  return [bmap, links, []];
}

function malformed(message: string, where?: CID): never {
  throw new AmtError('AMT_MALFORMED', where === undefined ? message : `${message} (block ${where.toString()})`);
}

/**
 * Expands the data-model form of a node (see {@link serializeNode}), validating it as go-amt-ipld's
 * `newNode` does.
 *
 * @param expectLeaf - whether the node sits at height 0 (values allowed, links not) or above.
 * @param allowEmpty - whether a node with neither links nor values is acceptable (only the root
 *   of an empty AMT, at height 0).
 */
export function expandNode(raw: unknown, bitwidth: number, expectLeaf: boolean, allowEmpty: boolean, where?: CID): Node {
  if (!Array.isArray(raw) || raw.length !== 3) malformed('AMT node is not a 3-element array [bmap, links, values]', where);
  const [bmap, links, values] = raw as [unknown, unknown, unknown];
  if (!(bmap instanceof Uint8Array)) malformed('AMT node bitmap is not a byte string', where);
  if (!Array.isArray(links)) malformed('AMT node links are not an array', where);
  if (!Array.isArray(values)) malformed('AMT node values are not an array', where);
  if (links.length > 0 && values.length > 0) malformed('AMT node has both links and values', where);
  const expected = bmapBytes(bitwidth);
  if (bmap.length !== expected) {
    malformed(`AMT node bitmap must be ${expected} byte(s) long at bitwidth ${bitwidth}, got ${bmap.length}`, where);
  }
  const width = 1 << bitwidth;
  const node = Node.empty(width);
  const slots = node.slots;
  if (values.length > 0) {
    if (!expectLeaf) malformed('AMT node above height 0 holds values', where);
    let k = 0;
    for (let i = 0; i < width; i++) {
      if ((bmap[i >> 3] & (1 << (i & 7))) === 0) continue;
      if (k >= values.length) malformed(`AMT node bitmap has more set bits than the ${values.length} value(s)`, where);
      const v = values[k++];
      if (v === undefined) malformed('AMT node holds an undefined value', where);
      slots[i] = v;
    }
    if (k !== values.length) malformed(`AMT node bitmap has ${k} set bit(s) but there are ${values.length} values`, where);
    node.size = k;
  } else if (links.length > 0) {
    if (expectLeaf) malformed('AMT node at height 0 holds links', where);
    let k = 0;
    for (let i = 0; i < width; i++) {
      if ((bmap[i >> 3] & (1 << (i & 7))) === 0) continue;
      if (k >= links.length) malformed(`AMT node bitmap has more set bits than the ${links.length} link(s)`, where);
      const c = CID.asCID(links[k++]);
      if (c === null) malformed('AMT node link is not a CID', where);
      if (c.code !== DAG_CBOR) malformed(`AMT child nodes must be dag-cbor, found codec 0x${c.code.toString(16)}`, where);
      slots[i] = new Link(c, undefined, false);
    }
    if (k !== links.length) malformed(`AMT node bitmap has ${k} set bit(s) but there are ${links.length} links`, where);
    node.size = k;
  } else if (!allowEmpty) {
    malformed('AMT node is empty (only the root of an empty AMT may be)', where);
  }
  return node;
}

/**
 * A working copy of a kept node: its own slot array and fresh unloaded links (children come from
 * the cache too). Values are shared with the kept node: an AMT never changes a value in place
 * (it replaces slots) and hands out copies (see `Amt.get`).
 */
export function workingCopy(n: Node, leaf: boolean): Node {
  const slots = n.slots;
  let out: unknown[];
  if (leaf) out = slots.slice();
  else {
    out = new Array<unknown>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const l = slots[i] as Link | undefined;
      out[i] = l === undefined ? undefined : new Link(l.cid, undefined, false);
    }
  }
  const copy = new Node(out);
  copy.size = n.size;
  return copy;
}

interface KeptNode {
  readonly bitwidth: number;
  readonly leaf: boolean;
  readonly node: Node;
}

/**
 * Nodes decoded lately, by their block's bytes object (a store hands out the same object for a
 * block each time, and a block never changes), never changed: an AMT gets a {@link workingCopy}.
 * The market's proposals and deal states, a miner's sectors and partitions are opened over and
 * over. Two generations of at most 2,048 nodes bound the memory held.
 */
const keptNodes = new Generations<Uint8Array, KeptNode>(2048);

/** {@link decodeNode} through the node cache: a working copy of the decoded node in `bytes`. */
export function loadNode(bytes: Uint8Array, bitwidth: number, expectLeaf: boolean, where: CID): Node {
  let kept = keptNodes.get(bytes);
  if (kept === undefined || kept.bitwidth !== bitwidth || kept.leaf !== expectLeaf) {
    // Not kept, or kept as read another way (a caller's mistake, or a crafted block): decoded as asked.
    kept = { bitwidth, leaf: expectLeaf, node: decodeNode(bytes, bitwidth, expectLeaf, where) };
    keptNodes.set(bytes, kept);
  }
  return workingCopy(kept.node, expectLeaf);
}

/** Decodes and expands a node block (see {@link expandNode}). */
export function decodeNode(bytes: Uint8Array, bitwidth: number, expectLeaf: boolean, where: CID): Node {
  let raw: unknown;
  try {
    raw = decodeCbor(bytes);
  } catch (cause) {
    throw new AmtError('AMT_MALFORMED', `AMT node block ${where.toString()} is not valid dag-cbor`, { cause });
  }
  return expandNode(raw, bitwidth, expectLeaf, false, where);
}

/**
 * A never-changed copy of a node just written, as decoding its block gives it: leaf values in their
 * decoded form ({@link decodedForm}), children as unloaded links; `undefined` when a value has no
 * sure decoded form (the block is then decoded when next read).
 */
export function keptCopy(n: Node, leaf: boolean): Node | undefined {
  // Links are copied as for a working copy; only values need their decoded form.
  if (!leaf) return workingCopy(n, false);
  const slots = n.slots;
  const out = new Array<unknown>(slots.length);
  for (let i = 0; i < slots.length; i++) {
    const v = slots[i];
    if (v === undefined) {
      out[i] = undefined; // dense, as decoded nodes are
      continue;
    }
    const d = decodedForm(v);
    if (d === UNSURE) return undefined;
    out[i] = d;
  }
  const copy = new Node(out);
  copy.size = n.size;
  return copy;
}
