import { blake2b } from '@noble/hashes/blake2.js';
import { describe, expect, it } from 'vitest';
import { blake2b256 } from './blake2b.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('blake2b256', () => {
  it('gives the known digests of the empty string and "abc"', () => {
    expect(hex(blake2b256(new Uint8Array()))).toBe('0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8');
    expect(hex(blake2b256(new TextEncoder().encode('abc')))).toBe('bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
  });

  it('agrees with @noble/hashes on every length around the block boundaries and on random data', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const lengths = [...Array.from({ length: 400 }, (_, i) => i), 511, 512, 513, 1023, 1024, 1025, 4096, 65_537];
    for (const n of lengths) {
      const data = Uint8Array.from({ length: n }, next);
      expect(hex(blake2b256(data)), `length ${n}`).toBe(hex(blake2b(data, { dkLen: 32 })));
    }
    // All-ones bytes exercise every carry of the 64-bit additions.
    const ones = new Uint8Array(300).fill(0xff);
    expect(hex(blake2b256(ones))).toBe(hex(blake2b(ones, { dkLen: 32 })));
  });

  it('hashes a view of a larger buffer by its own bytes', () => {
    const buf = Uint8Array.from({ length: 400 }, (_, i) => i & 0xff);
    const view = buf.subarray(37, 337);
    expect(hex(blake2b256(view))).toBe(hex(blake2b(Uint8Array.from(view), { dkLen: 32 })));
  });
});
