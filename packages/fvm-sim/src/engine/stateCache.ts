import { equals } from 'multiformats/bytes';
import { CID } from 'multiformats/cid';
import { BlockNotFoundError, type Blockstore } from '../ipld/blockstore.js';
import { decodeCbor } from '../ipld/cbor.js';
import { cborCid } from '../ipld/cid.js';
import { type Codec, encodeBlockWith, encodeWith } from '../ipld/codec.js';
import { storedBytes } from '../ipld/fastCbor.js';
import { Generations, setKeptNodeCheck } from '../ipld/nodeCache.js';

interface Entry {
  readonly codec: Codec<unknown>;
  readonly value: unknown;
}

/**
 * Decoded actor states kept between calls, so that a state read right after it was written (Power's
 * and Reward's every epoch, a miner's between its cron and its next message) is not decoded again.
 *
 * Keyed by the state block's bytes object (the one the blockstore hands out for the head, or the
 * one a write produced) and by the codec that read or wrote it. Only codecs with
 * {@link Codec.clone} take part: the runtime keeps a clone and hands out clones, so no actor ever
 * holds the kept object. Reads still go through the metered blockstore first, so gas is what it
 * was. Two generations of `generation` entries: a hit moves an entry to the young one; when the
 * young one is full it becomes the old one and the old one is dropped.
 */
export class DecodedStateCache {
  private readonly entries: Generations<Uint8Array, Entry>;

  constructor(generation = 1024) {
    this.entries = new Generations(generation);
  }

  /** The kept value for these bytes as read by `codec`, or undefined. Never hand it out: clone it. */
  get<S>(bytes: Uint8Array, codec: Codec<S>): S | undefined {
    const e = this.entries.get(bytes);
    return e !== undefined && e.codec === codec ? (e.value as S) : undefined;
  }

  /** Keeps `value` (already a private clone) as the state these bytes decode to with `codec`. */
  set<S>(bytes: Uint8Array, codec: Codec<S>, value: S): void {
    this.entries.set(bytes, { codec: codec as Codec<unknown>, value });
  }
}

let verifying = false;

/**
 * Test aid: when on, every state (or {@link decodeBlockWith} value) served from a
 * {@link DecodedStateCache}, and every HAMT node or AMT root kept for the block it was just written
 * to, is also decoded from its block and the two are compared; a difference throws (a codec whose
 * `clone` does not match its `fromCbor`, a value kept in another form than decoding gives). The
 * repository's test suite runs with it on; it roughly doubles the cost of a state read.
 */
export function setStateCacheVerification(on: boolean): void {
  verifying = on;
  // HAMTs keep the nodes they write, AMTs their roots, for the next load: checked against a decode.
  setKeptNodeCheck(on ? sameDecodedValue : undefined);
}

/** Whether {@link setStateCacheVerification} is on. */
export function stateCacheVerification(): boolean {
  return verifying;
}

/**
 * Structural equality for decoded states: same prototypes, same own keys, equal leaves; CIDs by
 * `equals`, byte arrays by content, objects with an `equals` method (BitField, Address) by it.
 */
export function sameDecodedValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || typeof a !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Uint8Array) {
    const y = b as Uint8Array;
    if (a.length !== y.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== y[i]) return false;
    return true;
  }
  if (Array.isArray(a)) {
    const y = b as unknown[];
    return a.length === y.length && a.every((x, i) => sameDecodedValue(x, y[i]));
  }
  const ca = CID.asCID(a);
  if (ca !== null) return ca.equals(b);
  const eq = (a as { equals?: unknown }).equals;
  if (typeof eq === 'function') return (eq as (o: unknown) => boolean).call(a, b) === true;
  const ka = Object.keys(a);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameDecodedValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Decodes `bytes` with `codec` through `cache`: a clone of the kept value when there is one, else a
 * fresh decode, a clone of which is kept. Codecs without {@link Codec.clone} always decode.
 *
 * @throws what `codec.fromCbor(decodeCbor(bytes))` throws.
 */
export function decodeThrough<T>(cache: DecodedStateCache, codec: Codec<T>, bytes: Uint8Array): T {
  const clone = codec.clone;
  if (clone === undefined) return codec.fromCbor(decodeCbor(bytes));
  const kept = cache.get(bytes, codec);
  if (kept !== undefined) {
    const value = clone(kept);
    if (verifying) checkKept(codec, bytes, value);
    return value;
  }
  const value = codec.fromCbor(decodeCbor(bytes));
  cache.set(bytes, codec, clone(value));
  return value;
}

function checkKept<T>(codec: Codec<T>, bytes: Uint8Array, kept: T): void {
  const fresh = codec.fromCbor(decodeCbor(bytes));
  if (!sameDecodedValue(kept, fresh)) throw new Error(`decoded-value cache: the kept ${codec.name} differs from the decoded block (a codec's clone does not match its fromCbor)`);
}

/** The cache {@link decodeBlockWith} reads through, shared by every store (a block's bytes never change). */
const blockCache = new DecodedStateCache();

/**
 * Decodes a block an actor read from its store with `codec`, keeping the decoded value (by the
 * block's bytes object and the codec, as actor states are kept; see {@link DecodedStateCache}), so
 * reading the same block again costs a clone instead of a decode: a miner's deadlines table and
 * info are read by every message and cron of that miner. Read the block through the store first,
 * so its gas is charged as ref-fvm charges it.
 *
 * @example
 * ```ts
 * const bytes = rt.store.get(st.info);
 * if (bytes === undefined) throw ActorError.notFound('failed to get miner info');
 * const info = decodeBlockWith(MinerInfo, bytes);
 * ```
 * @throws `CborError` when the bytes are not dag-cbor, {@link CodecError} when they do not have the
 *   codec's shape (as `codec.fromCbor(decodeCbor(bytes))`).
 */
export function decodeBlockWith<T>(codec: Codec<T>, bytes: Uint8Array): T {
  return decodeThrough(blockCache, codec, bytes);
}

/**
 * Reads block `cid` from `bs` and decodes it with `codec` through {@link decodeBlockWith}: the
 * typed counterpart of `getCbor`.
 *
 * @throws {@link BlockNotFoundError} when the block is absent; otherwise what {@link decodeBlockWith} throws.
 */
export function getWith<T>(bs: Blockstore, codec: Codec<T>, cid: CID): T {
  const bytes = bs.get(cid);
  if (bytes === undefined) throw new BlockNotFoundError(cid);
  return decodeBlockWith(codec, bytes);
}

/**
 * Encodes `value` with `codec`, puts the block in `bs` (charged as any put) and returns its CID:
 * the typed counterpart of `putCbor`. A copy of `value` is kept for the block, so a later
 * {@link getWith} or {@link decodeBlockWith} of it, by this actor or anyone, is a clone instead of
 * a decode. Unchanged links inside stay the same CID objects from one version of a block to the
 * next.
 *
 * @throws what `encodeWith` throws for a value the codec does not take.
 */
export function putWith<T>(bs: Blockstore, codec: Codec<T>, value: T): CID {
  return putKept(bs, codec, value, encodeBlockWith(codec, value));
}

/**
 * {@link putWith} for a value whose encoding the caller already has: `bytes` must be exactly what
 * `encodeWith(codec, value)` gives (say, the previous version of a fixed-layout block with a few
 * links written over; see the miner's deadline table). Under {@link setStateCacheVerification}
 * that is checked, and a difference throws. `bytes` go into the store as given, unless they are a
 * view of a buffer of another kind, which is copied (see `storedBytes`).
 */
export function putEncodedWith<T>(bs: Blockstore, codec: Codec<T>, value: T, bytes: Uint8Array): CID {
  if (verifying) {
    const expected = encodeWith(codec, value);
    if (!equals(expected, bytes)) throw new Error(`putEncodedWith: the bytes given for a ${codec.name} differ from its encoding`);
  }
  return putKept(bs, codec, value, storedBytes(bytes));
}

function putKept<T>(bs: Blockstore, codec: Codec<T>, value: T, bytes: Uint8Array): CID {
  const cid = cborCid(bytes);
  bs.put(cid, bytes);
  const clone = codec.clone;
  if (clone !== undefined) {
    const kept = clone(value);
    if (verifying) checkKept(codec, bytes, kept);
    blockCache.set(bytes, codec, kept);
  }
  return cid;
}
