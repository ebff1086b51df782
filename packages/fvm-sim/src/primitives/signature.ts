import { blake2b } from '@noble/hashes/blake2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { FvmSimError } from '../errors/base.js';
import { Address, EAM_NAMESPACE, Protocol } from './address.js';

/** Signature types (the type byte of a signature's byte form). */
export const SignatureType = { SECP256K1: 1, BLS: 2, DELEGATED: 3 } as const;
/** A signature type. */
export type SignatureType = (typeof SignatureType)[keyof typeof SignatureType];

/** A signature: its type and raw bytes (65 bytes secp256k1/delegated, 96 bytes BLS). */
export interface Signature {
  readonly type: SignatureType;
  readonly data: Uint8Array;
}

/** Thrown for malformed signatures or keys. */
export class SignatureError extends FvmSimError {
  constructor(message: string) {
    super('SIGNATURE', message);
  }
}

/** Filecoin's BLS hash-to-curve domain separation tag (G2, min-pk). */
export const BLS_DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_';
const blsSig = bls12_381.longSignatures;

/** The byte form of a signature: type byte followed by the data. */
export function signatureToBytes(sig: Signature): Uint8Array {
  const out = new Uint8Array(sig.data.length + 1);
  out[0] = sig.type;
  out.set(sig.data, 1);
  return out;
}

/** Parses the byte form of a signature. @throws {@link SignatureError} on an empty input or unknown type. */
export function signatureFromBytes(bytes: Uint8Array): Signature {
  if (bytes.length === 0) throw new SignatureError('empty signature bytes');
  const type = bytes[0]!;
  if (type !== 1 && type !== 2 && type !== 3) throw new SignatureError(`unknown signature type ${type}`);
  return { type: type as SignatureType, data: Uint8Array.from(bytes.subarray(1)) };
}

function blake2b256(data: Uint8Array): Uint8Array {
  return blake2b(data, { dkLen: 32 });
}

/** The 65-byte uncompressed secp256k1 public key of a 32-byte private key. */
export function secp256k1PrivateKeyToPublicKey(privateKey: Uint8Array): Uint8Array {
  return secp256k1.getPublicKey(privateKey, false);
}

/**
 * Signs like Filecoin: a recoverable secp256k1 signature over blake2b-256(message), laid out
 * r(32) ‖ s(32) ‖ v(1) with v the recovery id.
 */
export function secp256k1Sign(privateKey: Uint8Array, message: Uint8Array): Signature {
  const rec = secp256k1.sign(blake2b256(message), privateKey, { prehash: false, format: 'recovered' });
  // noble's recovered format is v ‖ r ‖ s; Filecoin's is r ‖ s ‖ v.
  const data = new Uint8Array(65);
  data.set(rec.subarray(1), 0);
  data[64] = rec[0]!;
  return { type: SignatureType.SECP256K1, data };
}

/** Recovers the uncompressed public key from a Filecoin secp256k1 signature, or undefined. */
export function secp256k1Recover(signature: Uint8Array, digest: Uint8Array): Uint8Array | undefined {
  if (signature.length !== 65 || signature[64]! > 3) return undefined;
  const rec = new Uint8Array(65);
  rec[0] = signature[64]!;
  rec.set(signature.subarray(0, 64), 1);
  try {
    const compressed = secp256k1.recoverPublicKey(rec, digest, { prehash: false });
    return secp256k1.Point.fromBytes(compressed).toBytes(false);
  } catch {
    return undefined;
  }
}

/** Verifies a secp256k1 signature by recovering the key and comparing its f1 address. */
export function secp256k1Verify(signature: Uint8Array, message: Uint8Array, address: Address): boolean {
  if (address.protocol !== Protocol.SECP256K1) return false;
  const pub = secp256k1Recover(signature, blake2b256(message));
  return pub !== undefined && Address.newSecp256k1(pub).equals(address);
}

/** The 48-byte BLS (G1) public key of a 32-byte private key. */
export function blsPrivateKeyToPublicKey(privateKey: Uint8Array): Uint8Array {
  return blsSig.getPublicKey(privateKey).toBytes();
}

/** A BLS signature (96-byte G2 point) over the raw message bytes. */
export function blsSign(privateKey: Uint8Array, message: Uint8Array): Signature {
  return { type: SignatureType.BLS, data: blsSig.sign(blsSig.hash(message, BLS_DST), privateKey).toBytes() };
}

/** Verifies a BLS signature against the f3 address's public key. */
export function blsVerify(signature: Uint8Array, message: Uint8Array, address: Address): boolean {
  if (address.protocol !== Protocol.BLS || signature.length !== 96) return false;
  try {
    return blsSig.verify(signature, blsSig.hash(message, BLS_DST), address.payload);
  } catch {
    return false;
  }
}

/**
 * Verifies a delegated (Ethereum) signature: secp256k1 over keccak-256(message), r ‖ s ‖ v; the
 * f410 sub-address must be the last 20 bytes of keccak-256 of the uncompressed key (without 0x04).
 */
export function delegatedVerify(signature: Uint8Array, message: Uint8Array, address: Address): boolean {
  if (address.protocol !== Protocol.DELEGATED || address.namespace !== EAM_NAMESPACE) return false;
  const pub = secp256k1Recover(signature, keccak_256(message));
  if (pub === undefined) return false;
  const eth = keccak_256(pub.subarray(1)).subarray(12);
  const sub = address.subaddress!;
  return sub.length === 20 && eth.every((b, i) => b === sub[i]);
}

/** Signs like an Ethereum account: secp256k1 over keccak-256(message), r ‖ s ‖ v. */
export function delegatedSign(privateKey: Uint8Array, message: Uint8Array): Signature {
  const rec = secp256k1.sign(keccak_256(message), privateKey, { prehash: false, format: 'recovered' });
  const data = new Uint8Array(65);
  data.set(rec.subarray(1), 0);
  data[64] = rec[0]!;
  return { type: SignatureType.DELEGATED, data };
}

/** The f410 address of a secp256k1 private key (Ethereum account). */
export function ethAddressOfPrivateKey(privateKey: Uint8Array): Address {
  const pub = secp256k1.getPublicKey(privateKey, false);
  return Address.newDelegated(EAM_NAMESPACE, keccak_256(pub.subarray(1)).subarray(12));
}

/** Verifies `sig` over `message` by the key behind `address`, dispatching on the signature type. */
export function verifySignature(sig: Signature, address: Address, message: Uint8Array): boolean {
  switch (sig.type) {
    case SignatureType.SECP256K1:
      return secp256k1Verify(sig.data, message, address);
    case SignatureType.BLS:
      return blsVerify(sig.data, message, address);
    case SignatureType.DELEGATED:
      return delegatedVerify(sig.data, message, address);
    default:
      return false;
  }
}

const SECP_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const BLS_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

function keyFromSeed(seed: Uint8Array, order: bigint, tag: string): Uint8Array {
  const d = blake2b(new Uint8Array([...new TextEncoder().encode(tag), ...seed]), { dkLen: 64 });
  let n = 0n;
  for (const b of d) n = (n << 8n) | BigInt(b);
  const k = (n % (order - 1n)) + 1n;
  const out = new Uint8Array(32);
  let v = k;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/**
 * A deterministic secp256k1 private key from a seed (blake2b-512 of a tag and the seed, reduced
 * into [1, n−1]) — for devnets and tests, never for real funds.
 */
export function secp256k1KeyFromSeed(seed: Uint8Array): Uint8Array {
  return keyFromSeed(seed, SECP_ORDER, 'fvm-sim/secp256k1/');
}

/** A deterministic BLS private key from a seed — for devnets and tests, never for real funds. */
export function blsKeyFromSeed(seed: Uint8Array): Uint8Array {
  return keyFromSeed(seed, BLS_ORDER, 'fvm-sim/bls/');
}
