/**
 * The unsealed sector CID (CommD) of a list of pieces: what ref-fvm's
 * `compute_unsealed_sector_cid` syscall returns (the market uses it in VerifyDealsForActivation
 * and BatchActivateDeals).
 *
 * The sector is a binary Merkle tree over 32-byte leaves with the sha2-256-trunc254-padded node
 * hash (sha256 of the two children with the top two bits of the last byte cleared). Pieces are
 * laid out in order, each aligned to its own size by zero padding, and the rest of the sector is
 * zero padding; a zero subtree's root is the iterated hash of 32 zero bytes.
 *
 * - Source: ref-fvm `fvm/src/kernel/default.rs` (`compute_unsealed_sector_cid`,
 *   `get_required_padding`), filecoin-proofs `pieces.rs` (`compute_comm_d`).
 *
 * @module
 */
import { CID, hashKey as sha256 } from 'fvm-sim';
import { FIL_COMMITMENT_UNSEALED, SHA2_256_TRUNC254_PADDED } from './types.js';

/** Padded sector size in bytes of a RegisteredSealProof (any of V1, V1_1, synthetic, NI), or undefined. */
export function sealProofSectorSize(proof: number): bigint | undefined {
  if (!Number.isInteger(proof) || proof < 0 || proof > 19) return undefined;
  return [2048n, 8n << 20n, 512n << 20n, 32n << 30n, 64n << 30n][proof % 5];
}

/** One piece: its commitment digest (32 bytes) and padded size. */
export interface PieceCommitment {
  readonly commitment: Uint8Array;
  readonly size: bigint;
}

/** sha2-256-trunc254-padded of two nodes. */
export function pieceHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64);
  buf.set(left, 0);
  buf.set(right, 32);
  const out = sha256(buf);
  out[31]! &= 0x3f;
  return out;
}

const zeroCache: Uint8Array[] = [new Uint8Array(32)];

/** The commitment of `size` (padded, a power of two ≥ 32) bytes of zeros. */
export function zeroPieceCommitment(size: bigint): Uint8Array {
  let level = 0;
  for (let s = size; s > 32n; s >>= 1n) level++;
  while (zeroCache.length <= level) {
    const prev = zeroCache[zeroCache.length - 1]!;
    zeroCache.push(pieceHash(prev, prev));
  }
  return zeroCache[level]!;
}

/** Padding pieces (smallest first) that align `offset` to a multiple of `size` (ref-fvm `get_required_padding`). */
function requiredPadding(offset: bigint, size: bigint): bigint[] {
  let toFill = (size - (offset % size)) % size;
  const pads: bigint[] = [];
  for (let bit = 1n; toFill > 0n; bit <<= 1n) {
    if (toFill & bit) {
      pads.push(bit);
      toFill ^= bit;
    }
  }
  return pads;
}

/** The 32-byte digest of a piece CID (fil-commitment-unsealed / sha2-256-trunc254-padded). */
export function pieceCommitmentOf(cid: CID): Uint8Array {
  return cid.multihash.digest;
}

/** A CIDv1 with codec 0xf101 and multihash 0x1012 around a 32-byte commitment. */
export function unsealedCidFromCommitment(commitment: Uint8Array): CID {
  const prefix = [0x01, ...varint(FIL_COMMITMENT_UNSEALED), ...varint(SHA2_256_TRUNC254_PADDED), 32];
  const bytes = new Uint8Array(prefix.length + 32);
  bytes.set(prefix, 0);
  bytes.set(commitment, prefix.length);
  return CID.decode(bytes);
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

/**
 * The unsealed CID of a sector of `sectorSize` bytes holding `pieces` in order (an empty sector if
 * none).
 *
 * @throws Error if a piece size is not a power of two ≥ 128, or the pieces do not fit.
 */
export function computeUnsealedSectorCid(sectorSize: bigint, pieces: readonly PieceCommitment[]): CID {
  const stack: PieceCommitment[] = [];
  const push = (p: PieceCommitment) => {
    stack.push(p);
    while (stack.length >= 2 && stack[stack.length - 1]!.size === stack[stack.length - 2]!.size) {
      const right = stack.pop()!;
      const left = stack.pop()!;
      stack.push({ size: left.size * 2n, commitment: pieceHash(left.commitment, right.commitment) });
    }
  };
  let offset = 0n;
  const pad = (to: bigint) => {
    for (const p of requiredPadding(offset, to)) {
      push({ size: p, commitment: zeroPieceCommitment(p) });
      offset += p;
    }
  };
  for (const piece of pieces) {
    if (piece.size < 128n || (piece.size & (piece.size - 1n)) !== 0n) throw new Error(`piece size ${piece.size} is not a power of two ≥ 128`);
    if (piece.commitment.length !== 32) throw new Error('piece commitment must be 32 bytes');
    pad(piece.size);
    push(piece);
    offset += piece.size;
  }
  if (offset > sectorSize) throw new Error(`pieces total ${offset} bytes, more than the sector's ${sectorSize}`);
  if (pieces.length === 0) push({ size: sectorSize, commitment: zeroPieceCommitment(sectorSize) });
  else pad(sectorSize);
  if (stack.length !== 1) throw new Error(`piece stack did not reduce to one node (${stack.length})`);
  return unsealedCidFromCommitment(stack[0]!.commitment);
}
