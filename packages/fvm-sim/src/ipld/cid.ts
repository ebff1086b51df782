import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { blake2b256 } from './blake2b.js';

/** Multicodec code of dag-cbor, the codec of every Filecoin state block. */
export const DAG_CBOR = 0x71;
/** Multicodec code of raw bytes. */
export const RAW = 0x55;
/** Multicodec code of the identity multihash. */
export const IDENTITY = 0x00;
/** Multihash code of blake2b-256, the hash of Filecoin state blocks. */
export const BLAKE2B_256 = 0xb220;

/** blake2b with a 32-byte digest (see `blake2b.ts`). */
export { blake2b256 };

/**
 * The CIDv1 of a dag-cbor block, hashed with blake2b-256, as Filecoin state blocks are addressed.
 *
 * @param bytes - the encoded block.
 * @returns `bafy2bza…` CID.
 */
export function cborCid(bytes: Uint8Array): CID {
  return CID.createV1(DAG_CBOR, Digest.create(BLAKE2B_256, blake2b256(bytes)));
}

/**
 * An identity-hashed CID (the data is inline in the CID), as built-in actor code CIDs on devnets
 * and `fil/<version>/<name>` style names use.
 */
export function identityCid(codec: number, data: Uint8Array): CID {
  return CID.createV1(codec, Digest.create(IDENTITY, data));
}

/**
 * A compact map key for a CID: its binary form, one character per byte (a flat one-byte string of
 * about 38 characters). Unlike `cid.toString()`, which builds a base32 string character by
 * character for every CID decoded afresh from a block, it costs one native call (≈ 7× faster
 * per blockstore lookup, measured) and less memory per key. Two CIDs have the same key exactly
 * when their bytes are equal. Not meant for display: use `toString()` there.
 */
export function cidKey(cid: CID): string {
  return String.fromCharCode.apply(null, cid.bytes as unknown as number[]);
}

/** The CID whose {@link cidKey} is `key`. */
export function cidFromKey(key: string): CID {
  const bytes = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) bytes[i] = key.charCodeAt(i);
  return CID.decode(bytes);
}

/** The block of each deferred CID, and what to do once it is hashed, by the CID object itself. */
const pendingBlocks = new WeakMap<CID, Uint8Array>();
const onHashed = new WeakMap<CID, (cid: CID) => void>();

/** Hashes a deferred CID's block and turns the object into a plain CID (own `multihash`, `bytes`, `'/'`). */
function materialize(lazy: CID): CID {
  const real = cborCid(pendingBlocks.get(lazy)!);
  Object.defineProperties(lazy, {
    multihash: { value: real.multihash, enumerable: true },
    bytes: { value: real.bytes, enumerable: true },
    '/': { value: real.bytes, enumerable: true },
  });
  const cb = onHashed.get(lazy);
  onHashed.delete(lazy);
  cb?.(lazy);
  return real;
}

/**
 * The prototype of deferred CIDs: a CID whose `multihash`, `bytes` and `'/'` are computed on first
 * read. Set up once, so creating a deferred CID is two property writes.
 */
const DEFERRED_PROTO: object = Object.create(CID.prototype, {
  multihash: { get(this: CID) { return materialize(this).multihash; }, configurable: true },
  bytes: { get(this: CID) { return materialize(this).bytes; }, configurable: true },
  '/': { get(this: CID) { return materialize(this).bytes; }, configurable: true },
});

/**
 * The dag-cbor CID of `bytes`, hashed only when first needed: the returned object is a `CID`
 * (`instanceof CID`, same methods) whose `multihash`, `bytes` and `'/'` are computed on first read;
 * then `onHash` runs (to store the block) and they become own properties as in any CID. Until then
 * {@link pendingBlock} gives the bytes to readers holding this object. An actor writes its state
 * every epoch and the next epoch overwrites it, usually before anyone asks for its CID: hashing it
 * would be wasted (blake2b was a fifth of a quiet epoch's cost).
 */
export function deferredCborCid(bytes: Uint8Array, onHash: (cid: CID) => void): CID {
  const lazy = Object.create(DEFERRED_PROTO) as { code: number; version: number; [Symbol.toStringTag]: string };
  lazy.code = DAG_CBOR;
  lazy.version = 1;
  lazy[Symbol.toStringTag] = 'CID'; // an own field of every multiformats CID
  pendingBlocks.set(lazy as CID, bytes);
  onHashed.set(lazy as CID, onHash);
  return lazy as CID;
}

/** The bytes of a block addressed by a {@link deferredCborCid} object, hashed or not; undefined for any other CID. */
export function pendingBlock(cid: CID): Uint8Array | undefined {
  return pendingBlocks.get(cid);
}

export { CID };
