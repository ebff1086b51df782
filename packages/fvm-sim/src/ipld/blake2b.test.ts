import { blake2b } from '@noble/hashes/blake2.js';
import { describe, expect, it } from 'vitest';
import { blake2b256, blake2b256Js } from './blake2b.js';
import { blake2bWasmModuleBytes, createWasmBlake2b256 } from './blake2bWasm.js';

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

describe('blake2b256, WebAssembly module', () => {
  const wasm = createWasmBlake2b256();

  it('compiles here (Node compiles any module synchronously)', () => {
    expect(wasm).toBeTypeOf('function');
    expect(blake2bWasmModuleBytes().length).toBeLessThan(16_384);
  });

  it('agrees with @noble/hashes and the JavaScript version on every length around the block boundaries', () => {
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const lengths = [...Array.from({ length: 400 }, (_, i) => i), 511, 512, 513, 1023, 1024, 1025, 4096, 65_280, 65_537, 200_000];
    for (const n of lengths) {
      const data = Uint8Array.from({ length: n }, next);
      const want = hex(blake2b(data, { dkLen: 32 }));
      expect(hex(wasm!(data)), `length ${n}`).toBe(want);
      expect(hex(blake2b256Js(data)), `length ${n}`).toBe(want);
    }
    const ones = new Uint8Array(300).fill(0xff);
    expect(hex(wasm!(ones))).toBe(hex(blake2b(ones, { dkLen: 32 })));
    // After the memory grew for the large inputs, small ones still hash right (no stale padding).
    expect(hex(wasm!(new Uint8Array()))).toBe('0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8');
    expect(hex(wasm!(new TextEncoder().encode('abc')))).toBe('bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
  });

  it('returns a fresh array each time, and hashes a view by its own bytes', () => {
    const a = wasm!(new Uint8Array([1]));
    const b = wasm!(new Uint8Array([2]));
    expect(hex(a)).toBe(hex(blake2b(new Uint8Array([1]), { dkLen: 32 })));
    expect(a).not.toBe(b);
    const buf = Uint8Array.from({ length: 400 }, (_, i) => i & 0xff);
    expect(hex(wasm!(buf.subarray(37, 337)))).toBe(hex(blake2b(buf.slice(37, 337), { dkLen: 32 })));
  });
});
