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

export { CID };
