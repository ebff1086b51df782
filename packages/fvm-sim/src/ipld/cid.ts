import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { blake2b256 } from './blake2b.js';
import { blake2bCborCid } from './fastCbor.js';

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
  return blake2bCborCid(blake2b256(bytes));
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
  const kept = KeyMemo.get(cid);
  if (kept !== undefined) return kept;
  const key = String.fromCharCode.apply(null, cid.bytes as unknown as number[]);
  KeyMemo.set(cid, key);
  return key;
}

/** A constructor that returns the object it is given: lets {@link KeyMemo} stamp its field on a CID. */
class Stamp {
  constructor(o: object) {
    return o as Stamp;
  }
}

/**
 * The {@link cidKey} of a CID object, kept in a private field stamped on the object itself (its
 * prototype, own keys and equality are untouched): a link is looked up again and again, and
 * building its key was a twentieth of a quiet epoch. A field is cheaper than a WeakMap entry.
 */
class KeyMemo extends Stamp {
  #key: string | undefined;

  static get(cid: object): string | undefined {
    return #key in cid ? (cid as KeyMemo).#key : undefined;
  }

  static set(cid: object, key: string): void {
    if (!(#key in cid)) {
      // A frozen CID may refuse a new private field (newer engines): it just goes without a memo.
      if (!Object.isExtensible(cid)) return;
      new KeyMemo(cid);
    }
    (cid as KeyMemo).#key = key;
  }
}

/** The CID whose {@link cidKey} is `key`. */
export function cidFromKey(key: string): CID {
  const bytes = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) bytes[i] = key.charCodeAt(i);
  return CID.decode(bytes);
}

/**
 * A CID whose hash is computed on first use (see {@link deferredCborCid}). Its prototype chain
 * reaches `CID.prototype`, so it is `instanceof CID` with every method; its pending block and
 * callback are private fields (invisible to deep equality and key listings; a WeakMap per CID
 * cost a twentieth of a quiet epoch, with its GC work).
 */
class DeferredCid {
  #block: Uint8Array;
  #onHash: ((cid: CID) => void) | undefined;
  readonly code = DAG_CBOR;
  readonly version = 1;
  // An own field of every multiformats CID.
  readonly [Symbol.toStringTag] = 'CID';

  constructor(block: Uint8Array, onHash: (cid: CID) => void) {
    this.#block = block;
    this.#onHash = onHash;
  }

  /** The pending block of `cid` if it is a deferred CID (hashed or not). */
  static blockOf(cid: CID): Uint8Array | undefined {
    return #block in cid ? (cid as unknown as DeferredCid).#block : undefined;
  }

  /** Hashes the block and turns this object into a plain CID (own `multihash`, `bytes`, `'/'`). */
  #materialize(): CID {
    const real = cborCid(this.#block);
    Object.defineProperties(this, {
      multihash: { value: real.multihash, enumerable: true },
      bytes: { value: real.bytes, enumerable: true },
      '/': { value: real.bytes, enumerable: true },
    });
    const cb = this.#onHash;
    this.#onHash = undefined;
    cb?.(this as unknown as CID);
    return real;
  }

  get multihash(): CID['multihash'] {
    return this.#materialize().multihash;
  }

  get bytes(): Uint8Array {
    return this.#materialize().bytes;
  }

  get '/'(): Uint8Array {
    return this.#materialize().bytes;
  }
}
Object.setPrototypeOf(DeferredCid.prototype, CID.prototype);

/**
 * The dag-cbor CID of `bytes`, hashed only when first needed: the returned object is a `CID`
 * (`instanceof CID`, same methods) whose `multihash`, `bytes` and `'/'` are computed on first read;
 * then `onHash` runs (to store the block) and they become own properties as in any CID. Until then
 * {@link pendingBlock} gives the bytes to readers holding this object. An actor writes its state
 * every epoch and the next epoch overwrites it, usually before anyone asks for its CID: hashing it
 * would be wasted (blake2b was a fifth of a quiet epoch's cost).
 */
export function deferredCborCid(bytes: Uint8Array, onHash: (cid: CID) => void): CID {
  return new DeferredCid(bytes, onHash) as unknown as CID;
}

/** The bytes of a block addressed by a {@link deferredCborCid} object, hashed or not; undefined for any other CID. */
export function pendingBlock(cid: CID): Uint8Array | undefined {
  return DeferredCid.blockOf(cid);
}

export { CID };
