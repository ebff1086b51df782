import { describe, expect, it } from 'vitest';
import { Address, AddressError, EAM_NAMESPACE } from './address.js';
import { ExitCode, exitCodeName, isSystemError } from './exitCode.js';
import { MethodNameError, methodNumber } from './methodNumber.js';
import {
  blsKeyFromSeed,
  blsPrivateKeyToPublicKey,
  blsSign,
  delegatedSign,
  ethAddressOfPrivateKey,
  secp256k1KeyFromSeed,
  secp256k1PrivateKeyToPublicKey,
  secp256k1Sign,
  signatureFromBytes,
  signatureToBytes,
  verifySignature,
} from './signature.js';
import { FIL, TokenError, decodeBigInt, encodeBigInt, formatFIL } from './token.js';

describe('Address', () => {
  it('parses and prints ID addresses, with LEB128 bytes', () => {
    const a = Address.fromString('f01234');
    expect(a.id).toBe(1234n);
    expect([...a.bytes]).toEqual([0, 0xd2, 0x09]);
    expect(a.toString('t')).toBe('t01234');
    expect(Address.fromBytes(a.bytes).equals(a)).toBe(true);
    expect(Address.newId(0n).toString()).toBe('f00');
  });

  it('shares the ID addresses of small ids, and compares equal to a fresh address whatever was printed', () => {
    expect(Address.newId(5n)).toBe(Address.newId(5n));
    expect(Address.newId(16383n)).toBe(Address.newId(16383n));
    expect(Address.newId(16384n)).not.toBe(Address.newId(16384n));
    const printed = Address.newId(7n);
    printed.toString();
    void printed.key;
    // The printed form is kept in private fields, which deep equality does not see.
    expect(printed).toEqual(Address.fromBytes(Uint8Array.of(0, 7)));
    const big = Address.newId(2n ** 40n);
    big.toString();
    expect(big).toEqual(Address.newId(2n ** 40n));
    expect(() => Address.newId(-1n)).toThrow(AddressError);
    expect(() => Address.newId(2n ** 64n)).toThrow(AddressError);
  });

  it('maps Ethereum addresses: masked IDs to f0, others to f410 (FIP-0054 examples)', () => {
    expect(Address.fromEthAddress('0xff00000000000000000000000000000000000005').toString()).toBe('f05');
    expect(Address.fromEthAddress('0xff000000000000000000000000000000000004d2').toString()).toBe('f01234');
    expect(Address.newId(1234n).toEthAddress()).toBe('0xff000000000000000000000000000000000004d2');
    const f410 = Address.fromEthAddress('0x0000000000000000000000000000000000000000');
    expect(f410.protocol).toBe(4);
    expect(f410.namespace).toBe(EAM_NAMESPACE);
    expect(f410.toEthAddress()).toBe('0x0000000000000000000000000000000000000000');
    expect(Address.fromString(f410.toString()).equals(f410)).toBe(true);
    expect(f410.toString().startsWith('f410f')).toBe(true);
  });

  it('round-trips every protocol through string and bytes', () => {
    const key = secp256k1PrivateKeyToPublicKey(secp256k1KeyFromSeed(new Uint8Array([1])));
    const all = [
      Address.newId(2n ** 63n - 1n),
      Address.newSecp256k1(key),
      Address.newActor(new Uint8Array([1, 2, 3])),
      Address.newBls(blsPrivateKeyToPublicKey(blsKeyFromSeed(new Uint8Array([2])))),
      Address.newDelegated(32n, new Uint8Array(54).fill(7)),
    ];
    for (const a of all) {
      expect(Address.fromString(a.toString()).equals(a)).toBe(true);
      expect(Address.fromBytes(a.bytes).toString()).toBe(a.toString());
      expect(a.toString()[1]).toBe(String(a.protocol));
    }
    expect(all[1]!.payload.length).toBe(20);
    expect(all[3]!.bytes.length).toBe(49);
  });

  it('accepts a compressed secp256k1 key and derives the same address', () => {
    const sk = secp256k1KeyFromSeed(new Uint8Array([9]));
    const uncompressed = secp256k1PrivateKeyToPublicKey(sk);
    const compressed = new Uint8Array(33);
    compressed[0] = (uncompressed[64]! & 1) === 0 ? 2 : 3;
    compressed.set(uncompressed.subarray(1, 33), 1);
    expect(Address.newSecp256k1(compressed).equals(Address.newSecp256k1(uncompressed))).toBe(true);
  });

  it.each([
    ['x01234', 'UNKNOWN_NETWORK'],
    ['f91234', 'UNKNOWN_PROTOCOL'],
    ['f0', 'BAD_LENGTH'],
    ['f0abc', 'BAD_PAYLOAD'],
    ['f012345678901234567890', 'BAD_PAYLOAD'],
    ['f1ABCDEF', 'BAD_BASE32'],
    ['f1aaaaaaaa', 'BAD_LENGTH'],
  ])('rejects %s with %s', (s, reason) => {
    let err: unknown;
    try {
      Address.fromString(s);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AddressError);
    expect((err as AddressError).reason).toBe(reason);
  });

  it('rejects a bad checksum and bad byte forms', () => {
    const a = Address.newActor(new Uint8Array([1])).toString();
    const last = a[a.length - 1] === 'a' ? 'b' : 'a';
    expect(() => Address.fromString(a.slice(0, -1) + last)).toThrow(/checksum|base32|length/);
    expect(() => Address.fromBytes(new Uint8Array([9, 1]))).toThrow(AddressError);
    expect(() => Address.fromBytes(new Uint8Array([1, 1, 2]))).toThrow(/20 bytes/);
    expect(() => Address.fromBytes(new Uint8Array([0, 0x80, 0x00]))).toThrow(/not minimal/);
    expect(() => Address.newDelegated(10n, new Uint8Array(55))).toThrow(/54/);
    expect(() => Address.newActor(new Uint8Array()).id).toThrow(/not an ID/);
  });
});

describe('methodNumber (FRC-0042)', () => {
  it.each([
    ['Constructor', 1],
    ['AuthenticateMessage', 2643134072],
    ['Receive', 3726118371],
    ['MarketNotifyDeal', 4186741094],
    ['SectorContentChanged', 2034386435],
    ['AddBalance', 822473126],
    ['PublishStorageDeals', 2236929350],
    ['CreateMiner', 1173380165],
    ['Balance', 3261979605],
    ['Name', 48890204],
    ['Method', 0xa20642fc],
    ['_Method', 0xeb9575aa],
  ])('%s → %d', (name, n) => {
    if (name.startsWith('_')) expect(() => methodNumber(name)).toThrow(MethodNameError);
    else expect(methodNumber(name)).toBe(n);
  });

  it('rejects names FRC-0042 forbids', () => {
    expect(() => methodNumber('')).toThrow(MethodNameError);
    expect(() => methodNumber('lowercase')).toThrow(/upper-case/);
    expect(() => methodNumber('Has|Pipe')).toThrow(/A-Z/);
    expect(() => methodNumber('Has Space')).toThrow(MethodNameError);
  });
});

describe('token amounts', () => {
  it('parses and formats FIL exactly', () => {
    expect(FIL('1.5')).toBe(1_500_000_000_000_000_000n);
    expect(FIL('0.000000000000000001')).toBe(1n);
    expect(FIL(3n)).toBe(3n * 10n ** 18n);
    expect(formatFIL(1_500_000_000_000_000_000n)).toBe('1.5');
    expect(formatFIL(-1n, { unit: true })).toBe('-0.000000000000000001 FIL');
    expect(() => FIL('1.0000000000000000001')).toThrow(TokenError);
    expect(() => FIL('one')).toThrow(TokenError);
  });

  it('encodes BigInts as sign byte + big-endian magnitude, zero empty', () => {
    expect([...encodeBigInt(0n)]).toEqual([]);
    expect([...encodeBigInt(255n)]).toEqual([0, 255]);
    expect([...encodeBigInt(-256n)]).toEqual([1, 1, 0]);
    expect(decodeBigInt(Uint8Array.of(1, 1, 0))).toBe(-256n);
    expect(() => decodeBigInt(Uint8Array.of(2, 1))).toThrow(/sign byte/);
    expect(() => decodeBigInt(new Uint8Array(129))).toThrow(/128/);
  });

  it('encodes and decodes BigInts of every length as the byte-at-a-time definition does', () => {
    const reference = (v: bigint): number[] => {
      if (v === 0n) return [];
      const out: number[] = [];
      for (let m = v < 0n ? -v : v; m > 0n; m >>= 8n) out.unshift(Number(m & 0xffn));
      return [v < 0n ? 1 : 0, ...out];
    };
    const values: bigint[] = [];
    // Every byte length up to 64 (around the 48-bit limbs of decoding, the 2^48 small-number path and odd/even hex
    // lengths of encoding), at both ends of the range.
    for (let bytes = 1n; bytes <= 64n; bytes++) values.push((1n << (8n * bytes)) - 1n, 1n << (8n * (bytes - 1n)), (1n << (8n * bytes)) / 3n);
    let seed = 12345n;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
      values.push((seed << BigInt(i % 300)) + BigInt(i));
    }
    for (const v of [...values, ...values.map((x) => -x)]) {
      expect([...encodeBigInt(v)]).toEqual(reference(v));
      expect(decodeBigInt(encodeBigInt(v))).toBe(v);
    }
    // Non-canonical magnitudes (leading zero bytes) still decode to their value.
    expect(decodeBigInt(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 1, 2))).toBe(258n);
    expect(decodeBigInt(Uint8Array.of(1, 0))).toBe(0n);
    expect(decodeBigInt(Uint8Array.of(0))).toBe(0n);
  });
});

describe('exit codes', () => {
  it('have their real numbers and names', () => {
    expect(ExitCode.SYS_OUT_OF_GAS).toBe(7);
    expect(ExitCode.USR_NOT_PAYABLE).toBe(26);
    expect(exitCodeName(18)).toBe('USR_FORBIDDEN');
    expect(exitCodeName(32)).toBe('EXIT_CODE(32)');
    expect(isSystemError(7)).toBe(true);
    expect(isSystemError(16)).toBe(false);
  });
});

describe('signatures', () => {
  const msg = new TextEncoder().encode('hello filecoin');
  it('secp256k1: sign → verify, tampering fails', () => {
    const sk = secp256k1KeyFromSeed(new Uint8Array([1, 2, 3]));
    const addr = Address.newSecp256k1(secp256k1PrivateKeyToPublicKey(sk));
    const sig = secp256k1Sign(sk, msg);
    expect(sig.data.length).toBe(65);
    expect(verifySignature(sig, addr, msg)).toBe(true);
    expect(verifySignature(sig, addr, new TextEncoder().encode('hello filecoim'))).toBe(false);
    const bad = Uint8Array.from(sig.data);
    bad[10]! ^= 1;
    expect(verifySignature({ ...sig, data: bad }, addr, msg)).toBe(false);
    expect(verifySignature(sig, Address.newActor(new Uint8Array([1])), msg)).toBe(false);
    expect(signatureFromBytes(signatureToBytes(sig))).toEqual(sig);
    expect(() => signatureFromBytes(Uint8Array.of(7, 1))).toThrow(/unknown signature type/);
  });

  it('BLS: sign → verify, tampering fails', () => {
    const sk = blsKeyFromSeed(new Uint8Array([4]));
    const addr = Address.newBls(blsPrivateKeyToPublicKey(sk));
    const sig = blsSign(sk, msg);
    expect(sig.data.length).toBe(96);
    expect(verifySignature(sig, addr, msg)).toBe(true);
    expect(verifySignature(sig, addr, Uint8Array.of(1))).toBe(false);
    const other = Address.newBls(blsPrivateKeyToPublicKey(blsKeyFromSeed(new Uint8Array([5]))));
    expect(verifySignature(sig, other, msg)).toBe(false);
  });

  it('delegated (Ethereum): sign → verify against the f410 address', () => {
    const sk = secp256k1KeyFromSeed(new Uint8Array([6]));
    const addr = ethAddressOfPrivateKey(sk);
    const sig = delegatedSign(sk, msg);
    expect(verifySignature(sig, addr, msg)).toBe(true);
    expect(verifySignature(sig, ethAddressOfPrivateKey(secp256k1KeyFromSeed(new Uint8Array([7]))), msg)).toBe(false);
  });

  it('derives keys from seeds deterministically', () => {
    expect(secp256k1KeyFromSeed(new Uint8Array([1]))).toEqual(secp256k1KeyFromSeed(new Uint8Array([1])));
    expect(secp256k1KeyFromSeed(new Uint8Array([1]))).not.toEqual(secp256k1KeyFromSeed(new Uint8Array([2])));
  });
});
