import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Address } from '../primitives/address.js';
import { type Signature, SignatureType } from '../primitives/signature.js';
import { type Message, chainLength, encodeMessage, encodeSignedMessage, encodedMessageLength } from './message.js';

const U64_MAX = (1n << 64n) - 1n;
/** Integers around every CBOR head-size boundary, and the u64 extremes. */
const boundaryU64 = fc.constantFrom(0n, 1n, 23n, 24n, 255n, 256n, 65_535n, 65_536n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, U64_MAX);
const u64 = fc.oneof(boundaryU64, fc.bigInt({ min: 0n, max: U64_MAX }));
const token = fc.oneof(fc.constantFrom(0n, 1n, 255n, 256n, 65_535n, 65_536n, 10n ** 18n, 2n ** 1000n), fc.bigInt({ min: 0n, max: 2n ** 300n }));
const address = fc.oneof(
  fc.oneof(boundaryU64, fc.bigInt({ min: 0n, max: U64_MAX })).filter((id) => id < 2n ** 63n).map((id) => Address.newId(id)),
  fc.uint8Array({ minLength: 65, maxLength: 65 }).map((k) => Address.newSecp256k1(k)),
  fc.uint8Array({ minLength: 1, maxLength: 40 }).map((d) => Address.newActor(d)),
  fc.uint8Array({ minLength: 48, maxLength: 48 }).map((k) => Address.newBls(k)),
  fc.uint8Array({ minLength: 20, maxLength: 20 }).map((s) => Address.newDelegated(10n, s)),
);
const message: fc.Arbitrary<Message> = fc.record({
  from: address,
  to: address,
  nonce: u64,
  value: token,
  method: fc.oneof(fc.constantFrom(0, 23, 24, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 3_844_450_837), fc.nat()),
  params: fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 300 }), fc.constantFrom(new Uint8Array(23), new Uint8Array(24), new Uint8Array(255), new Uint8Array(256), new Uint8Array(65_536))),
  gasLimit: u64,
  gasFeeCap: token,
  gasPremium: token,
});
const signature: fc.Arbitrary<Signature> = fc.oneof(
  fc.uint8Array({ minLength: 65, maxLength: 65 }).map((data) => ({ type: SignatureType.SECP256K1, data })),
  fc.uint8Array({ minLength: 96, maxLength: 96 }).map((data) => ({ type: SignatureType.BLS, data })),
  fc.uint8Array({ minLength: 65, maxLength: 65 }).map((data) => ({ type: SignatureType.DELEGATED, data })),
  fc.uint8Array({ maxLength: 300 }).map((data) => ({ type: SignatureType.SECP256K1, data })),
);

describe('message lengths without encoding', () => {
  it('encodedMessageLength equals the length of the dag-cbor encoding', () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(encodedMessageLength(m)).toBe(encodeMessage(m).length);
      }),
      { numRuns: 2000 },
    );
  });

  it('chainLength is the signed encoding for secp256k1/delegated, the unsigned one for BLS, and assumes 65 bytes without a signature', () => {
    fc.assert(
      fc.property(message, signature, (m, sig) => {
        const expected = sig.type === SignatureType.BLS ? encodeMessage(m).length : encodeSignedMessage(m, sig).length;
        expect(chainLength(m, sig)).toBe(expected);
        expect(chainLength(m)).toBe(encodeSignedMessage(m, { type: SignatureType.SECP256K1, data: new Uint8Array(65) }).length);
      }),
      { numRuns: 2000 },
    );
  });

  it('a plain f1 → f1 transfer with a secp256k1 signature is 1 + 71 + 2 + 66 bytes', () => {
    const k = (b: number) => Address.newSecp256k1(new Uint8Array(65).fill(b));
    // [0, to 1+21, from 1+21, 7, value 1+9, 1e6 (5), fee cap 1+3, premium 1+2, 0, params 1] in a 1-byte array head.
    const m: Message = { from: k(1), to: k(2), nonce: 7n, value: 10n ** 18n, method: 0, params: null, gasLimit: 1_000_000n, gasFeeCap: 300n, gasPremium: 100n };
    expect(encodedMessageLength(m)).toBe(71);
    expect(chainLength(m, { type: SignatureType.SECP256K1, data: new Uint8Array(65) })).toBe(140);
  });
});
