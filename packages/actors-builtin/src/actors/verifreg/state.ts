/**
 * Pure functions over the verified registry state: they take a blockstore and the state object
 * (which they update in place), never the Runtime.
 *
 * - Source: builtin-actors `actors/verifreg/src/{state,expiration}.rs`,
 *   `runtime/src/util/mapmap.rs`.
 *
 * @module
 */
import { ActorError, type Address, type Blockstore, type CID, type Codec, Hamt, codec as c } from 'fvm-sim';
import { BatchReturnGen, type BatchReturn } from '../../shared/codecs.js';
import { parseU64Key, u64Key } from '../../shared/keys.js';
import { Allocation, Claim, FIRST_ALLOCATION_ID, RemoveDataCapProposalID, VERIFREG_HAMT_BITWIDTH, type VerifregState } from './types.js';

/** USR_NOT_FOUND (17), as a batch failure code. */
export const EX_NOT_FOUND = 17;
/** USR_FORBIDDEN (18), as a batch failure code. */
export const EX_FORBIDDEN = 18;
/** USR_ILLEGAL_ARGUMENT (16), as a batch failure code. */
export const EX_ILLEGAL_ARGUMENT = 16;

// ---------------------------------------------------------------------------------------------
// MapMap: a HAMT of HAMTs (runtime `MapMap`)
// ---------------------------------------------------------------------------------------------

/**
 * A two-level map `K1 → K2 → V` (both keys u64 varints) as builtin-actors' `MapMap`: an outer
 * HAMT from K1 to the root CID of an inner HAMT. Inner maps are cached while open; on
 * {@link flush} an inner map left empty is removed from the outer map.
 */
export class MapMap<V> {
  private readonly cache = new Map<bigint, Hamt<unknown>>();

  private constructor(
    private readonly store: Blockstore,
    private readonly outer: Hamt<unknown>,
    private readonly codec: Codec<V>,
  ) {}

  /** A new, empty map. */
  static empty<V>(store: Blockstore, codec: Codec<V>): MapMap<V> {
    return new MapMap(store, Hamt.empty<unknown>(store, VERIFREG_HAMT_BITWIDTH), codec);
  }

  /** Opens the map at `root`. */
  static load<V>(store: Blockstore, root: CID, codec: Codec<V>): MapMap<V> {
    return new MapMap(store, Hamt.load<unknown>(store, root, VERIFREG_HAMT_BITWIDTH), codec);
  }

  private inner(k1: bigint): Hamt<unknown> {
    let m = this.cache.get(k1);
    if (m === undefined) {
      const raw = this.outer.get(u64Key(k1));
      m = raw === undefined ? Hamt.empty<unknown>(this.store, VERIFREG_HAMT_BITWIDTH) : Hamt.load<unknown>(this.store, c.cid.fromCbor(raw), VERIFREG_HAMT_BITWIDTH);
      this.cache.set(k1, m);
    }
    return m;
  }

  /** The value at `(k1, k2)`, or undefined. */
  get(k1: bigint, k2: bigint): V | undefined {
    const raw = this.inner(k1).get(u64Key(k2));
    return raw === undefined ? undefined : this.codec.fromCbor(raw);
  }

  /** Stores a value (overwriting). */
  put(k1: bigint, k2: bigint, v: V): void {
    this.inner(k1).set(u64Key(k2), this.codec.toCbor(v));
  }

  /** Stores a value unless one is there; returns whether it was stored. */
  putIfAbsent(k1: bigint, k2: bigint, v: V): boolean {
    return this.inner(k1).setIfAbsent(u64Key(k2), this.codec.toCbor(v));
  }

  /** Removes and returns the value at `(k1, k2)`, or undefined when absent. */
  remove(k1: bigint, k2: bigint): V | undefined {
    const m = this.inner(k1);
    const key = u64Key(k2);
    const raw = m.get(key);
    if (raw === undefined) return undefined;
    m.delete(key);
    return this.codec.fromCbor(raw);
  }

  /** Calls `cb(k2, v)` for each entry under `k1`, in HAMT order. */
  forEachIn(k1: bigint, cb: (k2: bigint, v: V) => void): void {
    this.inner(k1).forEach((k, raw) => cb(parseU64Key(k), this.codec.fromCbor(raw)));
  }

  /** Calls `cb(k1, innerRoot)` for each outer entry (as flushed; call {@link flush} first to see changes). */
  forEachOuter(cb: (k1: bigint, innerRoot: CID) => void): void {
    this.outer.forEach((k, raw) => cb(parseU64Key(k), c.cid.fromCbor(raw)));
  }

  /** Writes changed inner maps into the outer map and returns the outer root. */
  flush(): CID {
    for (const [k1, m] of this.cache) {
      if (m.isEmpty) this.outer.delete(u64Key(k1));
      else this.outer.set(u64Key(k1), m.flush());
    }
    return this.outer.flush();
  }
}

// ---------------------------------------------------------------------------------------------
// Construction
// ---------------------------------------------------------------------------------------------

/** The state at construction (verifreg `State::new`): empty maps, next allocation ID 1. */
export function constructVerifregState(store: Blockstore, rootKey: Address): VerifregState {
  const empty = Hamt.empty<unknown>(store, VERIFREG_HAMT_BITWIDTH).flush();
  return {
    rootKey,
    verifiers: empty,
    removeDataCapProposalIds: empty,
    allocations: empty,
    nextAllocationId: FIRST_ALLOCATION_ID,
    claims: empty,
  };
}

// ---------------------------------------------------------------------------------------------
// Verifiers
// ---------------------------------------------------------------------------------------------

function loadVerifiers(store: Blockstore, st: VerifregState): Hamt<unknown> {
  return Hamt.load<unknown>(store, st.verifiers, VERIFREG_HAMT_BITWIDTH);
}

/** A verifier's remaining allowance (bytes), or undefined if not a verifier. */
export function getVerifierCap(store: Blockstore, st: VerifregState, verifier: Address): bigint | undefined {
  const raw = loadVerifiers(store, st).get(verifier.bytes);
  return raw === undefined ? undefined : c.bigint.fromCbor(raw);
}

/** Whether `addr` is a verifier (even with a zero allowance). */
export function isVerifier(store: Blockstore, st: VerifregState, addr: Address): boolean {
  return loadVerifiers(store, st).has(addr.bytes);
}

/** Adds a verifier or overwrites its allowance. */
export function putVerifier(store: Blockstore, st: VerifregState, verifier: Address, cap: bigint): void {
  const m = loadVerifiers(store, st);
  m.set(verifier.bytes, c.bigint.toCbor(cap));
  st.verifiers = m.flush();
}

/**
 * Removes a verifier.
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT if it is not one.
 */
export function removeVerifier(store: Blockstore, st: VerifregState, verifier: Address): void {
  const m = loadVerifiers(store, st);
  if (!m.delete(verifier.bytes)) throw ActorError.illegalArgument('failed to remove verifier: verifier not found');
  st.verifiers = m.flush();
}

/** Every verifier and its allowance (address bytes decoded by the caller). */
export function listVerifiers(store: Blockstore, st: VerifregState): [Uint8Array, bigint][] {
  const out: [Uint8Array, bigint][] = [];
  loadVerifiers(store, st).forEach((k, v) => out.push([k, c.bigint.fromCbor(v)]));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Removal proposal IDs
// ---------------------------------------------------------------------------------------------

/**
 * Takes the current removal proposal ID of a (verifier, client) pair (0 when none) and stores the
 * next one (verifreg `use_proposal_id`). The key is the two addresses' bytes concatenated.
 */
export function useProposalId(store: Blockstore, st: VerifregState, verifier: Address, client: Address): bigint {
  const m = Hamt.load<unknown>(store, st.removeDataCapProposalIds, VERIFREG_HAMT_BITWIDTH);
  const key = new Uint8Array(verifier.bytes.length + client.bytes.length);
  key.set(verifier.bytes, 0);
  key.set(client.bytes, verifier.bytes.length);
  const raw = m.get(key);
  const current = raw === undefined ? 0n : RemoveDataCapProposalID.fromCbor(raw).id;
  m.set(key, RemoveDataCapProposalID.toCbor({ id: current + 1n }));
  st.removeDataCapProposalIds = m.flush();
  return current;
}

// ---------------------------------------------------------------------------------------------
// Allocations and claims
// ---------------------------------------------------------------------------------------------

/** Opens the allocations map (client → ID → Allocation). */
export function loadAllocs(store: Blockstore, st: VerifregState): MapMap<Allocation> {
  return MapMap.load(store, st.allocations, Allocation);
}

/** Opens the claims map (provider → ID → Claim). */
export function loadClaims(store: Blockstore, st: VerifregState): MapMap<Claim> {
  return MapMap.load(store, st.claims, Claim);
}

/** An allocation, or undefined. */
export function getAllocation(store: Blockstore, st: VerifregState, client: bigint, id: bigint): Allocation | undefined {
  return loadAllocs(store, st).get(client, id);
}

/** A claim, or undefined. */
export function getClaim(store: Blockstore, st: VerifregState, provider: bigint, id: bigint): Claim | undefined {
  return loadClaims(store, st).get(provider, id);
}

/**
 * Stores a client's new allocations under sequential IDs from `next_allocation_id` and returns
 * the IDs (verifreg `insert_allocations`).
 */
export function insertAllocations(store: Blockstore, st: VerifregState, client: bigint, allocs: Allocation[]): bigint[] {
  if (allocs.length === 0) return [];
  const m = loadAllocs(store, st);
  const first = st.nextAllocationId;
  const ids = allocs.map((a, i) => {
    const id = first + BigInt(i);
    m.put(client, id, a);
    return id;
  });
  st.allocations = m.flush();
  st.nextAllocationId = first + BigInt(allocs.length);
  return ids;
}

/** Stores claims under their providers (verifreg `put_claims`). */
export function putClaims(store: Blockstore, st: VerifregState, claims: [bigint, Claim][]): void {
  if (claims.length === 0) return;
  const m = loadClaims(store, st);
  for (const [id, claim] of claims) m.put(claim.provider, id, claim);
  st.claims = m.flush();
}

/** The epoch from which an allocation may be removed: its expiration. */
export function allocationExpiration(a: Allocation): bigint {
  return a.expiration;
}

/** The epoch from which a claim may be removed: `term_start + term_max`. */
export function claimExpiration(cl: Claim): bigint {
  return cl.termStart + cl.termMax;
}

/** IDs of `owner`'s records that have expired at `epoch` (`epoch ≥ expiration`), in HAMT order (`find_expired`). */
export function findExpired<V>(map: MapMap<V>, owner: bigint, epoch: bigint, expiration: (v: V) => bigint): bigint[] {
  const found: bigint[] = [];
  map.forEachIn(owner, (id, v) => {
    if (epoch >= expiration(v)) found.push(id);
  });
  return found;
}

/**
 * Checks each candidate: OK if expired, 18 if not yet, 17 if `owner` has no such record
 * (`check_expired`).
 */
export function checkExpired<V>(map: MapMap<V>, candidates: bigint[], owner: bigint, epoch: bigint, expiration: (v: V) => bigint): BatchReturn {
  const gen = new BatchReturnGen(candidates.length);
  for (const id of candidates) {
    const v = map.get(owner, id);
    if (v === undefined) gen.addFail(EX_NOT_FOUND);
    else if (epoch >= expiration(v)) gen.addSuccess();
    else gen.addFail(EX_FORBIDDEN);
  }
  return gen.gen();
}

/** The items of a batch whose results succeeded (`BatchReturn::successes`). */
export function batchSuccesses<T>(batch: BatchReturn, items: readonly T[]): T[] {
  const failed = new Set(batch.failCodes.map((f) => f.idx));
  return items.filter((_, i) => !failed.has(i));
}

/** A BatchReturn of `n` successes (`BatchReturn::ok`). */
export function batchOk(n: number): BatchReturn {
  return { successCount: n, failCodes: [] };
}
