import type { CID } from 'multiformats/cid';
import { FvmSimError } from '../errors/base.js';
import type { Blockstore } from '../ipld/blockstore.js';
import { getCbor, putCbor } from '../ipld/blockstore.js';
import { encodeCbor } from '../ipld/cbor.js';
import { cborCid } from '../ipld/cid.js';
import { Hamt } from '../ipld/hamt/index.js';
import { Address } from '../primitives/address.js';
import { type ActorState, actorStateFromCbor, actorStateToCbor } from './actorState.js';

/** The state-tree version ref-fvm writes (StateTreeVersion::V5, actors ≥ v10). */
export const STATE_TREE_VERSION = 5;
/** ID of the Init actor, whose address map the state tree reads to resolve addresses. */
export const INIT_ACTOR_ID = 1n;
/** Bit width of the actors HAMT and of Init's address map. */
export const STATE_HAMT_BITWIDTH = 5;

/** Thrown on misuse of a {@link StateTree} (e.g. flushing inside a transaction). */
export class StateTreeError extends FvmSimError {
  constructor(message: string) {
    super('STATE_TREE', message);
  }
}

/** The Init actor's state as the FVM reads it: `[address_map, next_id, network_name]`. */
export interface InitStateView {
  addressMap: CID;
  nextId: bigint;
  networkName: string;
}

/** Key of an actor in the actors HAMT: the bytes of its ID address. */
export function actorKey(id: bigint): Uint8Array {
  // 0x00 protocol byte followed by the unsigned LEB128 id.
  const out: number[] = [0];
  let v = id;
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return Uint8Array.from(out);
}

type Journal = Map<bigint, ActorState | null>;

/**
 * The actor state tree: a HAMT of {@link ActorState} records keyed by ID address, laid out exactly
 * as ref-fvm's (`[version, actors, info]` root), so {@link flush} returns the real state root CID.
 *
 * Reads and writes go to a write-back cache of decoded records; nothing is encoded or hashed
 * until {@link flush}. {@link checkpoint}/{@link revert}/{@link commit} nest: each layer journals
 * the previous value of every record it changes, so a revert costs only what the layer touched.
 *
 * @example
 * ```ts
 * const tree = StateTree.empty(new MemoryBlockstore());
 * tree.checkpoint();
 * tree.setActor(100n, record);
 * tree.revert();          // record 100 is gone again
 * tree.flush();           // → state root CID
 * ```
 */
export class StateTree {
  private hamt: Hamt<unknown>;
  /** Decoded records: a value, or `null` for "known to be absent". */
  private readonly cache = new Map<bigint, ActorState | null>();
  private readonly dirty = new Set<bigint>();
  private readonly layers: Journal[] = [];
  private readonly infoCid: CID;
  // Address-resolution cache, valid for one Init state head.
  private resolvedFor: CID | undefined;
  private addrMap: Hamt<unknown> | undefined;
  private initView: InitStateView | undefined;
  private readonly resolved = new Map<string, bigint | null>();

  private constructor(readonly store: Blockstore, hamt: Hamt<unknown>, infoCid: CID) {
    this.hamt = hamt;
    this.infoCid = infoCid;
  }

  /** A new, empty state tree. */
  static empty(store: Blockstore): StateTree {
    const info = putCbor(store, []);
    return new StateTree(store, Hamt.empty(store, STATE_HAMT_BITWIDTH), info);
  }

  /**
   * Loads a state tree from its root CID.
   *
   * @throws {@link StateTreeError} when the root is not a version-5 state root.
   */
  static load(store: Blockstore, root: CID): StateTree {
    const raw = getCbor<unknown[]>(store, root);
    if (!Array.isArray(raw) || raw.length !== 3 || raw[0] !== STATE_TREE_VERSION) {
      throw new StateTreeError(`${root.toString()} is not a version-${STATE_TREE_VERSION} state root`);
    }
    return new StateTree(store, Hamt.load(store, raw[1] as CID, STATE_HAMT_BITWIDTH), raw[2] as CID);
  }

  /** Depth of open checkpoints (0 outside any transaction). */
  get depth(): number {
    return this.layers.length;
  }

  /** The actor record at `id`, or `undefined`. */
  getActor(id: bigint): ActorState | undefined {
    const hit = this.cache.get(id);
    if (hit !== undefined) return hit ?? undefined;
    const raw = this.hamt.get(actorKey(id));
    const state = raw === undefined ? null : actorStateFromCbor(raw);
    this.cache.set(id, state);
    return state ?? undefined;
  }

  /** Writes the actor record at `id`. */
  setActor(id: bigint, state: ActorState): void {
    this.journal(id);
    this.cache.set(id, state);
    this.dirty.add(id);
  }

  /** Removes the actor at `id` (no-op when absent). */
  deleteActor(id: bigint): void {
    this.journal(id);
    this.cache.set(id, null);
    this.dirty.add(id);
  }

  private journal(id: bigint): void {
    const top = this.layers[this.layers.length - 1];
    if (top === undefined || top.has(id)) return;
    const cur = this.cache.has(id) ? this.cache.get(id)! : (this.getActor(id) ?? null);
    top.set(id, cur);
  }

  /** Opens a nested transaction layer. */
  checkpoint(): void {
    this.layers.push(new Map());
  }

  /** Keeps the changes of the innermost layer (they join the enclosing one). */
  commit(): void {
    const top = this.layers.pop();
    if (top === undefined) throw new StateTreeError('commit() without a matching checkpoint()');
    const parent = this.layers[this.layers.length - 1];
    if (parent === undefined) return;
    for (const [id, prev] of top) if (!parent.has(id)) parent.set(id, prev);
  }

  /** Undoes every change since the matching {@link checkpoint}. */
  revert(): void {
    const top = this.layers.pop();
    if (top === undefined) throw new StateTreeError('revert() without a matching checkpoint()');
    for (const [id, prev] of top) this.cache.set(id, prev);
  }

  /**
   * Writes every changed record into the actors HAMT and returns the state root CID.
   *
   * @throws {@link StateTreeError} inside an open checkpoint (as ref-fvm refuses to flush in a transaction).
   */
  flush(): CID {
    if (this.layers.length !== 0) throw new StateTreeError('cannot flush the state tree inside a transaction; commit or revert first');
    for (const id of this.dirty) {
      const st = this.cache.get(id);
      if (st === null || st === undefined) this.hamt.delete(actorKey(id));
      else this.hamt.set(actorKey(id), actorStateToCbor(st));
    }
    this.dirty.clear();
    const actors = this.hamt.flush();
    return putCbor(this.store, [STATE_TREE_VERSION, actors, this.infoCid]);
  }

  /** The state root the tree would flush to, without writing anything (costs a full flush of the HAMT). */
  get hasPendingChanges(): boolean {
    return this.dirty.size > 0;
  }

  /** Every actor, in ID order for cached ones followed by HAMT order (flushes first). */
  *actors(): IterableIterator<[bigint, ActorState]> {
    if (this.layers.length === 0) this.flush();
    else throw new StateTreeError('cannot iterate actors inside a transaction');
    for (const [key, raw] of this.hamt.entries()) {
      const id = Address.fromBytes(key).id;
      yield [id, this.getActor(id) ?? actorStateFromCbor(raw)];
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Address resolution through the Init actor (ref-fvm StateTree::lookup_id / register_new_address).

  /** The Init actor's state, decoded. */
  initState(): InitStateView {
    const init = this.getActor(INIT_ACTOR_ID);
    if (init === undefined) throw new StateTreeError('the state tree has no Init actor (f01); build genesis first');
    if (this.resolvedFor !== init.head) this.resetResolution(init.head);
    return this.initView!;
  }

  private resetResolution(head: CID): void {
    const raw = getCbor<unknown[]>(this.store, head);
    this.initView = { addressMap: raw[0] as CID, nextId: BigInt(raw[1] as number), networkName: raw[2] as string };
    this.addrMap = undefined;
    this.resolved.clear();
    this.resolvedFor = head;
  }

  /**
   * Resolves any address to its actor ID: ID addresses directly, others through Init's map.
   * Returns `undefined` when the address is not assigned.
   */
  lookupId(addr: Address): bigint | undefined {
    if (addr.protocol === 0) return addr.id;
    this.initState();
    const key = addr.key;
    const hit = this.resolved.get(key);
    if (hit !== undefined) return hit ?? undefined;
    this.addrMap ??= Hamt.load(this.store, this.initView!.addressMap, STATE_HAMT_BITWIDTH);
    const raw = this.addrMap.get(addr.bytes);
    const id = raw === undefined ? null : BigInt(raw as number | bigint);
    this.resolved.set(key, id);
    return id ?? undefined;
  }

  /**
   * Assigns the next actor ID to `addr` in Init's map (as the FVM does when a message creates an
   * account or placeholder). The caller creates the actor record.
   */
  registerNewAddress(addr: Address): bigint {
    const init = this.getActor(INIT_ACTOR_ID);
    if (init === undefined) throw new StateTreeError('the state tree has no Init actor (f01); build genesis first');
    const view = this.initState();
    const map = Hamt.load(this.store, view.addressMap, STATE_HAMT_BITWIDTH);
    const id = view.nextId;
    map.set(addr.bytes, Number(id));
    const newHead = putCbor(this.store, [map.flush(), Number(id + 1n), view.networkName]);
    this.setActor(INIT_ACTOR_ID, { ...init, head: newHead });
    return id;
  }

  /** Size in bytes of the dag-cbor form of an actor record (for gas). */
  static recordSize(state: ActorState): number {
    return encodeCbor(actorStateToCbor(state)).length;
  }

  /** The CID the empty dag-cbor array has: the head of a fresh actor with no state. */
  static emptyArrayCid(): CID {
    return cborCid(encodeCbor([]));
  }
}
