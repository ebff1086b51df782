import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../cbor.js';
import { BITFIELD_MAX_ENCODED_SIZE, BITFIELD_MAX_POSITION, BitField, BitFieldError } from './index.js';

// Vectors come from ref-fvm `ipld/bitfield` (src/rleplus/mod.rs `test`, src/iter/mod.rs
// `test_combinators` / `test_skip_take`, tests/bitfield_tests.rs, the `json` module tests) and
// go-bitfield (`rle/rleplus_test.go`, `rle/rleplus_golden_test.go`, `rle/internal/rleplus`,
// `bitfield_test.go`).

/** Packs bits least-significant first, keeping a trailing partial byte even if zero (BitWriter::finish_test). */
function bitsToBytes(bits: string | number[]): Uint8Array {
  const list = typeof bits === 'string' ? [...bits].map(Number) : bits;
  const out = new Uint8Array(Math.ceil(list.length / 8));
  list.forEach((b, i) => {
    if (b) out[i >> 3] |= 1 << (i & 7);
  });
  return out;
}

/** `bitfield![…]` of ref-fvm: the positions of the 1s. */
const bitsOf = (...bits: number[]): number[] => bits.flatMap((b, i) => (b ? [i] : []));
const bf = (...positions: number[]): BitField => BitField.fromIterable(positions);
const pairs = (b: BitField): [number, number][] => [...b.ranges()].map(({ start, end }) => [start, end]);

function expectBitFieldError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BitFieldError);
    expect((e as BitFieldError).code).toBe(code);
    return;
  }
  throw new Error(`expected BitFieldError ${code}`);
}

/**
 * An independent, bit-at-a-time RLE+ decoder written from the grammar (lenient: no minimality
 * checks, stops at the last set bit). Cross-checks the real decoder on valid encodings.
 */
function naiveDecode(bytes: Uint8Array): number[] {
  const bits: number[] = [];
  for (const byte of bytes) for (let k = 0; k < 8; k++) bits.push((byte >> k) & 1);
  const last = bits.lastIndexOf(1);
  let p = 0;
  const take = (n: number): number => {
    let v = 0;
    for (let k = 0; k < n; k++) v += (bits[p++] ?? 0) * 2 ** k;
    return v;
  };
  if (bytes.length === 0) return [];
  take(2);
  let val = take(1) === 1;
  const out: number[] = [];
  let pos = 0;
  while (p <= last) {
    let len: number;
    if (take(1) === 1) len = 1;
    else if (take(1) === 1) len = take(4);
    else {
      len = 0;
      for (let shift = 0; ; shift += 7) {
        const b = take(8);
        len += (b & 0x7f) * 2 ** shift;
        if ((b & 0x80) === 0) break;
      }
    }
    if (val) for (let k = 0; k < len; k++) out.push(pos + k);
    pos += len;
    val = !val;
  }
  return out;
}

const GOLDEN_RLE_B64 =
  'IPxAwszl2MHhHiPTAi7NAz6DFiY6XDCOAAXMJA6WFUigKkAEkg6UwEiR7gUomFWQoKRQmBRABFkKIgB0sEBmMPlmkFHHcHRASH/w' +
  'gCQghVgGB2YEh+UFKACk8GEukAhEcDg08AhPcGit0JAekDjBhXYEFXwEKCgXcOAVAIL7EQt2CSK4L5AgX4CEyRCFZgkFyQMtGaRa' +
  'cEWlQMIFbEoPZPQZsEAoiwJsID6QQAEZ6gkgYC9QYBUABGkGsYyphcYfE1Q+WEAXYEEuikI8iws/CBBcMjjUHmgYW3DBLAYXbBf4' +
  'dDYonA4gAqGED6KCDr+CRSmEBxYlEBI4jBNQQf8DE3AWgIFjhY+ggQrhgISjgYn/hMc8h0m7gUshggMvg4Qpg4zgAECM2iBCBhNk' +
  'BySFDKYhJGwHdCATPAITVLodFJ4L4AA5ggpyC4BgUyDVDjLVDhK5AUSQJ1FZ4BLDBOgBeEDY4AN7YJNrIHL4IPHh4E2Q3wIfaQM2' +
  'MI0gglgKj+wCjegAEVWBWBeggqWBiLaDiO2GiOCGS26CReGJyCxBeAkSvZFQAUKQhXBptSCDXgKN+wIP+woJzASL5AWHyQIP/AFc' +
  'CA/QAU7QYE1QoTzwIGyI4UFcERzIJUzAHRxOYVQqBRT2VDwLROQFZEIfZDIjoCD5AQxAJ/hAPMCCcgEN0UMRAQ2qNcjgHkJBWyCL' +
  'BA7JAwrqAT5fEqsHQPCtYEJvodI5YJFk8eQQP2DCXJRiBx9nBYfMB5/uDhPYAjigtSACTgGFfAxOsN6QgCxQ2HeI9oAEIoXO8oLL' +
  'tAUUaKlwd7g0G/AB7AETWBp4iAtYgCeYIEtQQWmEyWOBCHsGENgeOBwXaAAuqOQjeNwKKDgLKMwfQAFvg4h1gseMBOwIKMx75LgA' +
  'DkY1LMItuOC1QqJ1QAL8xEOYQaFWQMRaARPaM1zyB0R0P1xaSSRkAyzYIzR4GbhhFUKjxkZzgApSFwChfUAmGcEG8EBFkMKB9sAi' +
  '84AVAgcsmgPYwJUhuwSAAJngkBkhk/4hQxqQZAIuIGXIeYbEeAQqOJ5Qgq8FF1AzoEIhBSTAD2SwQOU6QsH9AjwQCYhAWkCEEUGD' +
  'f0KCEAMIihvIwLKBFm5oIRoCETAAQnHB54kYYAU8cDyiNRTmJZgglyCoAiaOEmwwKqAiXsIFjwgK6gQKmwQ+9AMukgUmZeAoDjhQ' +
  'sC9h4Wqg8ywSSQYmIIQwUV2QsFdwET1wEFMcmPhUAALDEFiwTbAgDXFATSAEeQUfewGJaQIoyBcwgRXQwF9QGR5yTY3BAZF+BTQw' +
  'DpHJdCCE1RMLYQ2P2AAyiE4gBNeEvAY4bB/I4BJotBagQToHJ5AaiBgKpXEl8QmoUJ3hgryBBMkJfBA+QAXpAjrODVxw+mCRQQnH' +
  'CAqTA3ygP+BTS0AG6g0KzRgKgwUqKQ7DAVSwfEEErwJUQL4gQachKeFiaoEIuARksCmgsH/gADrABcsCuOBuwAjaE3jgGgAE4ggK' +
  'GxadNYgACmHjHWGhj+DjfQAIVha5BXxQWuLRyUAIkwo2xAIO9xUKrhsKgw026AoW3hE+iQtQcNkQygA4wI/Bg3eGDBvoAJ54CAug' +
  'w7eEghhLVDtwgb5BzA0IYY4XAA3YQDQgvRIOgxY6ihZI0FngIUxgQqqgYGkABbkCEpQPSGD+kGYDTvhMUNhfcJkf0PBViHSBDWuA' +
  'hLmNxzSBTqSKgqECFUAHcIF/jQNhAhEcHni4GoACo4ACaYDH8wEs3BOQga2BiLiBgniETraDRbMGN5BeaEiCKADBAeWAhvKBzLmB' +
  'iOuAA7eHjWmDRXQFIoRDSEifpPNApHiAC+wLLAgHdIgVNMKioTMNwQiRGPBgOEAHgwGMEBlABLsaaDArYJKqgAjvAlRQf4AKiQIy' +
  'lBca4QQOpgEKlwsW5AqRPJD5HhDxJXApHaCC8ARA6FZABVQPG8YBKpg18DC9gAfZBiCQXgn5CxysIiDBlk9wgEuugUe5jY09gkVl' +
  'gMq5BRhsJqRTQMeywgbfgAqgKTAjMoEIfDw+N7gg14AL/CUk6B0sUA084IhgOoMMphGyXMEH8gEqzgES12QOsgepbtBxHXCA5Qht' +
  'g4RqABl4DkjEB4CBroBEPwETTB9Y4EpIjC4EeIEWegWQoN3Dp9jCRPxAAtoADFQR4MC6gAl6CaAAUkBhUURnEgMMAA9w4THA4bbC' +
  'obnBRlBAAZsBGsIRckyhAlsgsSjABMcSQADuAAjRKjLQEYF/oIR3CpPIAJfnAQlQAQX1AIXuA5NZgjxZFFIopAsoMAqETYF/Q6dW' +
  'gAuSDzyYR6gANSDeAyqLAi6PBlhAWOAzTcEKwAbAwAQF9QQW+iZgYJygYy8gE76BDJcNMtABIj6AIEngUBghAhngIL0QyASbQA0k' +
  '4M2Q6QOCFhEoKtC1AINzCxnWBxtxBSYobQCCfwUquFaAhHkEhqB+UCDjAyA2iK+QkdVgguQBk/QIlcAFG2EGh8MBR7VBUckmAAPB' +
  'AIdGBY9aAZXvCYnKAIv3AhlbCzIIggLsABMjEUAEIOAmUYmFQITCAQ9RAQ0IbvhuAIJqAQ9yBCxATVBBFghnRkoNkMD+wUIwAQlQ' +
  'DVwWCcAA9kEnksBjesKhnEAhJ+wlTIAbIIEroAAY4OFqIQKj0q/gA3oABJkmUHDPoOFYodM4oDB5INI6ILNeYKHrgAXIAUzAW6Bg' +
  'yEEEbcggqxDjBx9LByhwF4CE+QZGkETwQPZgBcoHG88CC2ESFQ==';

const COMBINATOR_CASES: Record<'lhs' | 'rhs' | 'union' | 'intersection' | 'difference' | 'symmetric_difference' | 'cut', [number, number][]>[] = [
  { lhs: [[2, 5]], rhs: [], union: [[2, 5]], intersection: [], difference: [[2, 5]], symmetric_difference: [[2, 5]], cut: [[2, 5]] },
  { lhs: [[0, 3], [10, 13]], rhs: [[5, 8]], union: [[0, 3], [5, 8], [10, 13]], intersection: [], difference: [[0, 3], [10, 13]], symmetric_difference: [[0, 3], [5, 8], [10, 13]], cut: [[0, 3], [7, 10]] },
  { lhs: [[0, 3], [8, 11]], rhs: [[2, 5]], union: [[0, 5], [8, 11]], intersection: [[2, 3]], difference: [[0, 2], [8, 11]], symmetric_difference: [[0, 2], [3, 5], [8, 11]], cut: [[0, 2], [5, 8]] },
  { lhs: [[0, 3], [4, 7], [8, 11]], rhs: [[2, 5], [6, 9], [10, 13]], union: [[0, 13]], intersection: [[2, 3], [4, 5], [6, 7], [8, 9], [10, 11]], difference: [[0, 2], [5, 6], [9, 10]], symmetric_difference: [[0, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 13]], cut: [[0, 4]] },
  { lhs: [[0, 6]], rhs: [[1, 3]], union: [[0, 6]], intersection: [[1, 3]], difference: [[0, 1], [3, 6]], symmetric_difference: [[0, 1], [3, 6]], cut: [[0, 4]] },
  { lhs: [[0, 6]], rhs: [[1, 3], [5, 7], [9, 11]], union: [[0, 7], [9, 11]], intersection: [[1, 3], [5, 6]], difference: [[0, 1], [3, 5]], symmetric_difference: [[0, 1], [3, 5], [6, 7], [9, 11]], cut: [[0, 3]] },
  { lhs: [[3, 6]], rhs: [[0, 2], [4, 5], [8, 10]], union: [[0, 2], [3, 6], [8, 10]], intersection: [[4, 5]], difference: [[3, 4], [5, 6]], symmetric_difference: [[0, 2], [3, 4], [5, 6], [8, 10]], cut: [[1, 3]] },
  { lhs: [[3, 6], [8, 10]], rhs: [[2, 7], [8, 11]], union: [[2, 7], [8, 11]], intersection: [[3, 6], [8, 10]], difference: [], symmetric_difference: [[2, 3], [6, 7], [10, 11]], cut: [] },
  { lhs: [[3, 6], [8, 10]], rhs: [[2, 4]], union: [[2, 6], [8, 10]], intersection: [[3, 4]], difference: [[4, 6], [8, 10]], symmetric_difference: [[2, 3], [4, 6], [8, 10]], cut: [[2, 4], [6, 8]] },
];

describe('RLE+ decoding (ref-fvm rleplus/mod.rs `test`)', () => {
  const ok = (bits: string, positions: number[]): void => {
    expect(BitField.decode(bitsToBytes(bits)).toArray()).toEqual(positions);
  };
  const err = (bits: string | number[], code: string): void => {
    expectBitFieldError(() => BitField.decode(bitsToBytes(bits)), code);
  };

  it('accepts the valid encodings', () => {
    ok('', []);
    ok('001010001', bitsOf(1, 1, 1, 1, 1, 1, 1, 1)); // 01 + 0001: run of 8
    ok('0010100101011100', bitsOf(1, 1, 1, 1, 0, 1, 1, 1)); // 4 ones, 1 zero, 3 ones
    ok('0010010011000', Array.from({ length: 25 }, (_, i) => i)); // 00 + varint 25
    ok('0010010001000000', Array.from({ length: 17 }, (_, i) => i)); // varint 17, zero padding
  });

  it('rejects an unsupported version', () => {
    err('101010001', 'BITFIELD_VERSION');
  });

  it('rejects trailing garbage, trailing zero bytes and trailing runs of zeros', () => {
    err('00110100001', 'BITFIELD_NOT_MINIMAL'); // 01 + 0000 then a 1
    err('001100000000001', 'BITFIELD_NOT_MINIMAL'); // 00 + varint 0
    err('0010110100000000', 'BITFIELD_NOT_MINIMAL'); // last byte is zero
    err('0001', 'BITFIELD_NOT_MINIMAL'); // starts with 0, one run of zeros
    err('000010010', 'BITFIELD_NOT_MINIMAL');
    err('0010100101', 'BITFIELD_NOT_MINIMAL');
    err('0001010010010010', 'BITFIELD_NOT_MINIMAL');
  });

  it('rejects blocks longer than needed', () => {
    err('0010011000000111', 'BITFIELD_NOT_MINIMAL'); // long block for 3
    err('0010010000000111', 'BITFIELD_NOT_MINIMAL'); // long block for 1
    err('0010110001111111', 'BITFIELD_NOT_MINIMAL'); // short block for 1
  });

  it('rejects bad varints and overflowing totals', () => {
    err('001001100000100000000111', 'BITFIELD_INVALID_VARINT'); // not minimal
    err('00100000000010000000100000001000000010000000100000001000000010000000100000001010', 'BITFIELD_INVALID_VARINT'); // 2^64
    err(
      '0010011111111111111111111111111111111111111111111111111111111111111111111111000111111111111111111111111111111111111111111111111111111111111111111111110010100',
      'BITFIELD_OVERFLOW',
    );
  });

  it('valid RLE+ reaching past 2^53 - 1 is rejected with BITFIELD_POSITION (fvm-sim limit)', () => {
    // ref-fvm: decodes to 0..u64::MAX.
    err('00100111111111111111111111111111111111111111111111111111111111111111111111111100', 'BITFIELD_POSITION');
    // ref-fvm `iter_last`: 2^64 - 2 set bits, last = 18446744073709551614.
    const iterLast = Uint8Array.from([0xe4, ...Array(8).fill(0xff), 0x2f, ...Array(8).fill(0xff), 0x7f]);
    expectBitFieldError(() => BitField.decode(iterLast), 'BITFIELD_POSITION');
    // go-bitfield internal/rleplus "Encode for some big numbers": {2^63 .. 2^63+1023}.
    const big = Uint8Array.from([0x00, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x30, 0x00, 0x40, 0x04]);
    expectBitFieldError(() => BitField.decode(big), 'BITFIELD_POSITION');
    // The largest representable bitfield is fine: one run ending exactly at 2^53.
    const top = BitField.fromRanges([[BITFIELD_MAX_POSITION - 4, BITFIELD_MAX_POSITION + 1]]);
    expect(BitField.decode(top.encode()).last()).toBe(BITFIELD_MAX_POSITION);
    expect(BitField.decode(top.encode()).count()).toBe(5);
  });

  it('go-bitfield internal/rleplus: version check and over-long run', () => {
    expectBitFieldError(() => BitField.decode(Uint8Array.of(0xff)), 'BITFIELD_VERSION');
    expectBitFieldError(() => BitField.decode(Uint8Array.from([0xe0, ...Array(11).fill(0xff)])), 'BITFIELD_INVALID_VARINT');
  });

  it('rejects encodings over 32 KiB unless told otherwise (bitfield_custom)', () => {
    const alternating = BitField.fromRanges(Array.from({ length: 500_000 }, (_, k) => [2 * k, 2 * k + 1] as [number, number]));
    expect(alternating.count()).toBe(500_000);
    expectBitFieldError(() => alternating.encode(), 'BITFIELD_TOO_LARGE');
    const raw = alternating.encode({ maxEncodedSize: Infinity });
    expect(raw.length).toBeGreaterThan(BITFIELD_MAX_ENCODED_SIZE);
    expectBitFieldError(() => BitField.decode(raw), 'BITFIELD_TOO_LARGE');
    expect(BitField.decode(raw, { maxEncodedSize: Infinity }).equals(alternating)).toBe(true);
  });
});

describe('RLE+ encoding vectors', () => {
  it('go-bitfield TestDecode / internal rleplus Encode: {0, 2, 4, 5, 6, 11..27}', () => {
    const numbers = [0, 2, 4, 5, 6, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27];
    const encoded = bf(...numbers).encode();
    expect([...encoded]).toEqual([124, 71, 34, 2]);
    // Spelled out: version, first bit, run 1, gap 1, run 1, gap 1, run 3, gap 4, run 17.
    const bits = [0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0];
    expect(encoded).toEqual(bitsToBytes(bits));
    expect(BitField.decode(encoded).toArray()).toEqual(numbers);
  });

  it('ref-fvm bit_vec_unset_vector: {1, 2, 4, 5} is CBOR 42 a8 54', () => {
    const b = new BitField();
    for (const i of [1, 2, 3, 4, 5]) b.set(i);
    b.unset(3);
    expect(b.has(3)).toBe(false);
    expect(b.count()).toBe(4);
    const cbor = encodeCbor(b.encode());
    expect([...cbor]).toEqual([0x42, 0xa8, 0x54]);
    const back = BitField.decode(b.encode());
    expect(back.count()).toBe(4);
    expect(back.has(3)).toBe(false);
  });

  it('the empty bitfield is the empty byte string (go-bitfield TestUninitializedBitField)', () => {
    expect(new BitField().encode()).toEqual(new Uint8Array(0));
    expect([...encodeCbor(BitField.fromIterable([]).encode())]).toEqual([0x40]);
    expect(BitField.decode(new Uint8Array(0)).isEmpty()).toBe(true);
  });

  it('ref-fvm serialize_node_symmetric and padding', () => {
    const b = bf(...bitsOf(0, 1, 0, 1, 1, 1, 1, 1, 1));
    const back = BitField.decode(b.encode());
    expect(back.count()).toBe(7);
    expect(back.equals(b)).toBe(true);
    const pad = bf(1, 3);
    expect(BitField.decode(pad.encode()).equals(pad)).toBe(true);
  });

  it('go-bitfield TestGoldenLoop: the golden RLE+ decodes and re-encodes byte for byte', () => {
    const golden = Uint8Array.from(Buffer.from(GOLDEN_RLE_B64, 'base64'));
    expect(golden.length).toBe(2062);
    const decoded = BitField.decode(golden);
    expect(decoded.encode()).toEqual(golden);
    // TestGolden: the set matches an independent decoder.
    expect(decoded.toArray()).toEqual(naiveDecode(golden));
    expect(decoded.count()).toBeGreaterThan(1000);
    expect(BitField.fromIterable(decoded.toArray()).encode()).toEqual(golden);
  });
});

describe('set algebra vectors (ref-fvm iter test_combinators, bitfield_tests.rs, go-bitfield)', () => {
  it('union, intersection, difference, symmetric difference and cut of range lists', () => {
    for (const c of COMBINATOR_CASES) {
      const lhs = BitField.fromRanges(c.lhs);
      const rhs = BitField.fromRanges(c.rhs);
      expect(pairs(lhs.union(rhs))).toEqual(c.union);
      expect(pairs(rhs.union(lhs))).toEqual(c.union);
      expect(pairs(BitField.union(lhs, rhs))).toEqual(c.union);
      expect(pairs(lhs.intersect(rhs))).toEqual(c.intersection);
      expect(pairs(BitField.intersect(rhs, lhs))).toEqual(c.intersection);
      expect(pairs(BitField.subtract(lhs, rhs))).toEqual(c.difference);
      expect(pairs(lhs.xor(rhs))).toEqual(c.symmetric_difference);
      expect(pairs(lhs.cut(rhs))).toEqual(c.cut);
    }
  });

  it('bit_ops', () => {
    const a = bf(1, 2, 3);
    const b = bf(1, 3, 4);
    const e = new BitField();
    expect(a.intersect(b).toArray()).toEqual([1, 3]);
    expect(b.intersect(e).toArray()).toEqual([]);
    expect(a.union(b).toArray()).toEqual([1, 2, 3, 4]);
    expect(e.union(b).toArray()).toEqual([1, 3, 4]);
    expect(a.xor(b).toArray()).toEqual([2, 4]);
    expect(e.xor(b).toArray()).toEqual([1, 3, 4]);
    expect(a.subtract(b).toArray()).toEqual([2]);
    expect(e.subtract(b).toArray()).toEqual([]);
    expect(b.subtract(e).toArray()).toEqual([1, 3, 4]);
  });

  it('subtract_more (go-bitfield TestBitfieldSubtractMore)', () => {
    const have = bf(5, 6, 8, 10, 11, 13, 14, 17);
    const parts = [bf(5, 6), bf(8, 10), bf(11, 13), bf(14, 17)].map((x) => x.subtract(have));
    expect(BitField.union(...parts).count()).toBe(0);
  });

  it('contains_any / contains_all', () => {
    expect(bf(0, 4).containsAny(bf(1, 3, 5))).toBe(false);
    expect(bf(0, 2, 5, 6).containsAny(bf(1, 3, 5))).toBe(true);
    expect(bf(1, 2, 3).containsAny(bf(1, 2, 3))).toBe(true);
    expect(bf(0, 2, 4).containsAll(bf(0, 2, 4, 5))).toBe(false);
    expect(bf(0, 2, 4, 5).containsAll(bf(0, 2, 4))).toBe(true);
    expect(bf(1, 2, 3).containsAll(bf(1, 2, 3))).toBe(true);
    expect(bf(1, 2, 3).containsAll(new BitField())).toBe(true);
    expect(new BitField().containsAny(bf(1))).toBe(false);
  });

  it('ranges: set and unset merge and split runs', () => {
    const b = bf(...bitsOf(0, 0, 1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0));
    expect(b.rangeCount()).toBe(4);
    expect(b.set(5)).toBe(true);
    expect(b.rangeCount()).toBe(3);
    expect(b.set(5)).toBe(false);
    expect(b.unset(4)).toBe(true);
    expect(b.rangeCount()).toBe(4);
    expect(b.unset(2)).toBe(true);
    expect(b.rangeCount()).toBe(4);
    expect(b.unset(2)).toBe(false);
    expect(b.toArray()).toEqual([3, 5, 6, 7, 9, 12, 13]);
  });

  it('len_* tests: count with sets and unsets', () => {
    expect(BitField.fromRanges([[10, 20]]).count()).toBe(10);
    expect(BitField.fromRanges([[10, 20], [30, 40], [50, 55]]).count()).toBe(25);
    const b = BitField.fromRanges([[10, 20], [30, 40], [50, 60]]);
    b.unset(10);
    b.unset(19);
    b.unset(35);
    b.set(25);
    b.set(45);
    b.unset(42);
    expect(b.count()).toBe(29);
    const c = BitField.fromRanges([[10, 20]]);
    for (let i = 10; i < 20; i++) c.unset(i);
    expect(c.count()).toBe(0);
    expect(c.isEmpty()).toBe(true);
  });

  it('bitfield_slice_small and test_skip_take', () => {
    const b = bf(...bitsOf(0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0));
    const s = b.slice(1, 3)!;
    expect(s.count()).toBe(3);
    expect(s.toArray()).toEqual([4, 7, 9]);
    const vals = [1, 5, 6, 7, 10, 11, 12, 15];
    const v = bf(...vals);
    for (let i = 0; i < vals.length; i++) for (let j = 0; j < vals.length - i; j++) expect(v.slice(i, j)!.toArray()).toEqual(vals.slice(i, i + j));
    expect(v.slice(5, 4)).toBeUndefined();
    expect(v.slice(100, 0)!.isEmpty()).toBe(true);
    const input = BitField.fromRanges([[1, 3], [4, 6]]);
    const skip = (n: number): [number, number][] => pairs(input.slice(n, input.count() - n)!);
    const take = (n: number): [number, number][] => pairs(input.slice(0, n)!);
    expect([skip(0), take(0)]).toEqual([[[1, 3], [4, 6]], []]);
    expect([skip(1), take(1)]).toEqual([[[2, 3], [4, 6]], [[1, 2]]]);
    expect([skip(2), take(2)]).toEqual([[[4, 6]], [[1, 3]]]);
    expect([skip(3), take(3)]).toEqual([[[5, 6]], [[1, 3], [4, 5]]]);
  });

  it('test_ranges_from_bits', () => {
    expect(pairs(bf())).toEqual([]);
    expect(pairs(bf(10))).toEqual([[10, 11]]);
    expect(pairs(bf(2, 3, 4, 7, 9, 11, 12))).toEqual([[2, 5], [7, 8], [9, 10], [11, 13]]);
  });

  it('first / last (test_unset_last, test_zero_last, go-bitfield TestLast / TestLastEmpty)', () => {
    const b = bf(0, 1, 2, 3);
    b.unset(3);
    expect(b.last()).toBe(2);
    const z = new BitField();
    z.set(0);
    expect([z.first(), z.last()]).toEqual([0, 0]);
    expect(new BitField().last()).toBeUndefined();
    expect(new BitField().first()).toBeUndefined();
    expect(bf(9, 4, 7).first()).toBe(4);
  });

  it('cut of a bitfield by itself is empty (TestBitfieldCutSame)', () => {
    const b = bf(3, 4, 5, 9, 20, 21);
    expect(b.cut(b).isEmpty()).toBe(true);
  });

  it('JSON run lists (fvm_ipld_bitfield json tests, go-bitfield TestBitfieldJson)', () => {
    expect(bf(...bitsOf(0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1)).toJSON()).toEqual([2, 4, 3, 2]);
    expect(bf(...bitsOf(1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1)).toJSON()).toEqual([0, 6, 3, 2]);
    expect(new BitField().toJSON()).toEqual([0]);
    expect(bf(1, 5, 6, 7, 10, 11, 12, 15).toJSON()).toEqual([1, 1, 3, 3, 2, 3, 2, 1]);
    for (const json of [[2, 4, 3, 2], [0, 6, 3, 2], [0], [1, 1, 3, 3, 2, 3, 2, 1]]) expect(BitField.fromJSON(json).toJSON()).toEqual(json);
    expect(BitField.fromJSON([]).isEmpty()).toBe(true);
    expectBitFieldError(() => BitField.fromJSON([1, 0, 2]), 'BITFIELD_INVALID');
    expect(JSON.stringify({ b: bf(0, 1) })).toBe('{"b":[0,2]}');
  });

  it('runs and fromRuns', () => {
    const b = bf(2, 3, 4, 8);
    expect([...b.runs()]).toEqual([
      { value: false, length: 2 },
      { value: true, length: 3 },
      { value: false, length: 3 },
      { value: true, length: 1 },
    ]);
    expect(BitField.fromRuns(b.runs()).equals(b)).toBe(true);
    expect(BitField.fromRuns([{ value: true, length: 2 }, { value: true, length: 0 }, { value: true, length: 1 }]).toArray()).toEqual([0, 1, 2]);
    expectBitFieldError(() => BitField.fromRuns([{ value: true, length: -1 }]), 'BITFIELD_INVALID');
  });

  it('validates positions and ranges (exceeds_bitfield_range)', () => {
    const b = new BitField();
    expectBitFieldError(() => b.set(BITFIELD_MAX_POSITION + 1), 'BITFIELD_POSITION');
    expectBitFieldError(() => b.set(-1), 'BITFIELD_POSITION');
    expectBitFieldError(() => b.set(1.5), 'BITFIELD_POSITION');
    expect(b.set(BITFIELD_MAX_POSITION)).toBe(true);
    expectBitFieldError(() => BitField.fromIterable([0, 1, 4, 99, 2 ** 53]), 'BITFIELD_POSITION');
    expect(BitField.fromIterable([0, 1, 4, 99, BITFIELD_MAX_POSITION]).count()).toBe(5);
    expectBitFieldError(() => BitField.fromRanges([[5, 3]]), 'BITFIELD_INVALID');
    expectBitFieldError(() => BitField.fromRanges([[0, 2 ** 53 + 2]]), 'BITFIELD_POSITION');
    expect(b.has(-1)).toBe(false);
    expect(b.has(0.5)).toBe(false);
    expect(String(bf(0, 1, 2, 7))).toBe('BitField{0-2, 7}');
    expect([...bf(0, 1, 2, 7).encode()]).toEqual([0x74, 0xa4]);
  });

  it('toArray with a limit (go-bitfield All(max))', () => {
    expect(bf(1, 2, 3).toArray(3)).toEqual([1, 2, 3]);
    expectBitFieldError(() => bf(1, 2, 3).toArray(2), 'BITFIELD_INVALID');
  });

  it('clone is independent', () => {
    const a = bf(1, 2, 3);
    const c = a.clone();
    c.set(10);
    expect(a.has(10)).toBe(false);
    expect(c.count()).toBe(4);
  });
});

describe('properties (against a Set<number> model)', () => {
  const position = fc.oneof({ weight: 5, arbitrary: fc.nat({ max: 200 }) }, { weight: 1, arbitrary: fc.nat({ max: 100_000 }) });
  const positions = fc.array(position, { maxLength: 80 });
  const sorted = (s: Iterable<number>): number[] => [...s].sort((x, y) => x - y);

  it('set algebra matches the model', () => {
    fc.assert(
      fc.property(positions, positions, (xs, ys) => {
        const a = BitField.fromIterable(xs);
        const b = BitField.fromIterable(ys);
        const A = new Set(xs);
        const B = new Set(ys);
        expect(a.toArray()).toEqual(sorted(A));
        expect(a.count()).toBe(A.size);
        expect(a.union(b).toArray()).toEqual(sorted(new Set([...A, ...B])));
        expect(a.intersect(b).toArray()).toEqual(sorted([...A].filter((x) => B.has(x))));
        expect(a.subtract(b).toArray()).toEqual(sorted([...A].filter((x) => !B.has(x))));
        expect(a.xor(b).toArray()).toEqual(sorted([...A, ...B].filter((x) => A.has(x) !== B.has(x))));
        expect(a.containsAll(b)).toBe([...B].every((x) => A.has(x)));
        expect(a.containsAny(b)).toBe([...B].some((x) => A.has(x)));
        const bs = sorted(B);
        const cutExpected = sorted(A)
          .filter((x) => !B.has(x))
          .map((x) => x - bs.filter((y) => y < x).length);
        expect(a.cut(b).toArray()).toEqual(cutExpected);
        expect(a.first()).toBe(A.size ? Math.min(...A) : undefined);
        expect(a.last()).toBe(A.size ? Math.max(...A) : undefined);
        for (let p = 0; p < 210; p++) if (a.has(p) !== A.has(p)) throw new Error(`has(${p})`);
        const arr = sorted(A);
        const start = xs.length % (arr.length + 1);
        const cnt = Math.min(ys.length, arr.length - start);
        expect(a.slice(start, cnt)!.toArray()).toEqual(arr.slice(start, start + cnt));
      }),
      { numRuns: 300 },
    );
  });

  it('set/unset sequences match the model and keep runs canonical', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat({ max: 60 })), { maxLength: 200 }), (ops) => {
        const b = new BitField();
        const M = new Set<number>();
        for (const [add, p] of ops) {
          if (add) {
            expect(b.set(p)).toBe(!M.has(p));
            M.add(p);
          } else {
            expect(b.unset(p)).toBe(M.has(p));
            M.delete(p);
          }
        }
        expect(b.toArray()).toEqual(sorted(M));
        expect(b.count()).toBe(M.size);
        expect(b.equals(BitField.fromIterable(M))).toBe(true);
        expect(pairs(b)).toEqual(pairs(BitField.fromIterable(M)));
      }),
      { numRuns: 300 },
    );
  });

  it('encode/decode round-trips, encodings are minimal, and agree with an independent decoder', () => {
    fc.assert(
      fc.property(positions, fc.array(fc.tuple(fc.nat({ max: 1_000_000 }), fc.nat({ max: 100_000 })), { maxLength: 5 }), (xs, rs) => {
        const b = BitField.union(BitField.fromIterable(xs), BitField.fromRanges(rs.map(([s, n]) => [s, s + n] as [number, number])));
        const bytes = b.encode();
        if (bytes.length > 0) expect(bytes[bytes.length - 1]).not.toBe(0);
        const back = BitField.decode(bytes);
        expect(back.equals(b)).toBe(true);
        expect(back.count()).toBe(b.count());
        if (b.count() < 50_000) expect(naiveDecode(bytes)).toEqual(b.toArray());
      }),
      { numRuns: 300 },
    );
  });

  it('any byte string the decoder accepts is the unique encoding of its bitfield', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        let decoded: BitField;
        try {
          decoded = BitField.decode(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(BitFieldError);
          return;
        }
        expect(decoded.encode()).toEqual(bytes);
      }),
      { numRuns: 3000 },
    );
  });
});
