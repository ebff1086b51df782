import { blake2b } from '@noble/hashes/blake2.js';
import { blake2b256 } from '../ipld/cid.js';
import type { Address } from '../primitives/address.js';
import { type Signature, SignatureType } from '../primitives/signature.js';

const MOCK_DOMAIN = new TextEncoder().encode('fvm-sim/mock-signature/v2');

/**
 * The signature mock mode expects from `signer` over `message`: a deterministic digest of the two,
 * as long as a real signature of the signer's kind (65 bytes secp256k1/delegated, 96 bytes BLS).
 * In mock mode a signature is valid iff it equals these bytes — no elliptic-curve work at all.
 *
 * One blake2b-512 of (domain ‖ signer ‖ message) gives the first 64 bytes; a secp256k1/delegated
 * signature ends with a recovery-id-like bit of it, a BLS one with blake2b-256 of it (v1 used four
 * blake2b-256 calls, which made signing most of a devnet transfer's cost).
 */
export function mockSignature(signer: Address, message: Uint8Array): Signature {
  const type = signer.protocol === 3 ? SignatureType.BLS : signer.protocol === 4 ? SignatureType.DELEGATED : SignatureType.SECP256K1;
  const digest = blake2b(concat([MOCK_DOMAIN, signer.bytes, message]), { dkLen: 64 });
  if (type === SignatureType.BLS) {
    const out = new Uint8Array(96);
    out.set(digest);
    out.set(blake2b256(digest), 64);
    return { type, data: out };
  }
  const out = new Uint8Array(65);
  out.set(digest);
  out[64] = digest[0]! & 1;
  return { type, data: out };
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** 8-byte big-endian two's complement of an i64. */
export function i64BE(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, v);
  return out;
}

/** 8-byte big-endian u64. */
export function u64BE(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v);
  return out;
}

/**
 * builtin-actors `draw_randomness`: blake2b-256(tag as i64 BE ‖ base ‖ round as i64 BE ‖ entropy).
 */
export function drawRandomness(base: Uint8Array, tag: number, round: bigint, entropy: Uint8Array): Uint8Array {
  return blake2b256(concat([i64BE(BigInt(tag)), base, i64BE(round), entropy]));
}
