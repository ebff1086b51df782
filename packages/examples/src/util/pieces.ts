import { CID } from 'fvm-sim';

/**
 * A deterministic piece CID (CommP: codec fil-commitment-unsealed 0xf101, multihash
 * sha2-256-trunc254-padded 0x1012, a 254-bit digest) for examples and tests. It names a piece;
 * it is not the commitment of any particular bytes.
 */
export function pieceCid(seed: number): CID {
  const digest = new Uint8Array(32).map((_, i) => (seed * 31 + i * 7) & 0xff);
  digest[31]! &= 0x3f;
  return CID.decode(new Uint8Array([0x01, 0x81, 0xe2, 0x03, 0x92, 0x20, 0x20, ...digest]));
}
