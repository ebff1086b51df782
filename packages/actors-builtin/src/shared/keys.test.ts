import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epochKey, parseEpochKey, parseU64Key, u64Key } from './keys.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The varint written bit by bit in bigints: what both paths of u64Key must give. */
function reference(n: bigint): string {
  const out: number[] = [];
  let v = n;
  do {
    out.push(Number(v & 0x7fn) | (v >> 7n !== 0n ? 0x80 : 0));
    v >>= 7n;
  } while (v !== 0n);
  return hex(Uint8Array.from(out));
}

describe('HAMT keys', () => {
  it('u64Key: unsigned LEB128, on both sides of 2^53', () => {
    expect(hex(u64Key(0n))).toBe('00');
    expect(hex(u64Key(127n))).toBe('7f');
    expect(hex(u64Key(128n))).toBe('8001');
    expect(hex(u64Key(300n))).toBe('ac02');
    expect(hex(u64Key(2n ** 53n - 1n))).toBe('ffffffffffffff0f');
    expect(hex(u64Key(2n ** 53n))).toBe('8080808080808010');
    expect(hex(u64Key(2n ** 64n - 1n))).toBe('ffffffffffffffffff01');
    expect(() => u64Key(-1n)).toThrow('u64 key must not be negative: -1');
  });

  it('epochKey: zigzag, then varint', () => {
    expect(hex(epochKey(101n))).toBe('ca01');
    expect(hex(epochKey(-1n))).toBe('01');
    expect(hex(epochKey(0n))).toBe('00');
  });

  it('u64Key matches the bigint varint and parses back, for any u64; epochKey for any i64', () => {
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 54n })), (n) => {
        expect(hex(u64Key(n))).toBe(reference(n));
        expect(parseU64Key(u64Key(n))).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (e) => {
        expect(parseEpochKey(epochKey(e))).toBe(e);
      }),
    );
  });
});
