import { blake2b } from '@noble/hashes/blake2.js';
import { describe, expect, it } from 'vitest';
import { blake2b256 } from '../ipld/cid.js';
import { Address } from '../primitives/address.js';
import { SignatureType } from '../primitives/signature.js';
import { concat, mockSignature } from './crypto.js';

const secp = Address.newSecp256k1(new Uint8Array(65).map((_, i) => (i === 0 ? 4 : i)));
const bls = Address.newBls(new Uint8Array(48).fill(7));
const eth = Address.newDelegated(10n, new Uint8Array(20).fill(9));
const msg = new TextEncoder().encode('a message');

describe('mockSignature', () => {
  it('has the type and length of a real signature of the signer kind', () => {
    expect([mockSignature(secp, msg).type, mockSignature(secp, msg).data.length]).toEqual([SignatureType.SECP256K1, 65]);
    expect([mockSignature(bls, msg).type, mockSignature(bls, msg).data.length]).toEqual([SignatureType.BLS, 96]);
    expect([mockSignature(eth, msg).type, mockSignature(eth, msg).data.length]).toEqual([SignatureType.DELEGATED, 65]);
  });

  it('is blake2b-512 of (domain ‖ signer ‖ message), then a parity byte (secp256k1) or blake2b-256 of the digest (BLS)', () => {
    const domain = new TextEncoder().encode('fvm-sim/mock-signature/v2');
    const d1 = blake2b(concat([domain, secp.bytes, msg]), { dkLen: 64 });
    expect(mockSignature(secp, msg).data).toEqual(concat([d1, Uint8Array.of(d1[0]! & 1)]));
    const d3 = blake2b(concat([domain, bls.bytes, msg]), { dkLen: 64 });
    expect(mockSignature(bls, msg).data).toEqual(concat([d3, blake2b256(d3)]));
  });

  it('is deterministic and depends on both the signer and the message', () => {
    expect(mockSignature(secp, msg)).toEqual(mockSignature(secp, Uint8Array.from(msg)));
    expect(mockSignature(secp, msg).data).not.toEqual(mockSignature(eth, msg).data);
    expect(mockSignature(secp, msg).data).not.toEqual(mockSignature(secp, new TextEncoder().encode('a messagf')).data);
  });
});
