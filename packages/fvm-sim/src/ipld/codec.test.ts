import fc from 'fast-check';
import { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { sameDecodedValue } from '../engine/stateCache.js';
import { Address } from '../primitives/address.js';
import * as c from './codec.js';
import { CodecError, address, array, decodeWith, tuple, u64 } from './codec.js';
import { encodeCbor } from './cbor.js';

describe('codec error messages', () => {
  it('render rejected values holding bigints without throwing (found by the reliability fuzzer)', () => {
    // [2^53] where a 2-field tuple is expected: the message must mention the value, not throw a TypeError.
    const bytes = encodeCbor([2n ** 53n]);
    const codec = tuple({ a: u64, b: address });
    expect(() => decodeWith(codec, bytes)).toThrow(CodecError);
    expect(() => decodeWith(codec, bytes)).toThrow('expected tuple of 2 fields, got ["9007199254740992n"]');
    expect(() => decodeWith(array(u64), encodeCbor({ a: 2n ** 60n }))).toThrow('expected array of u64, got {"a":"1152921504606846976n"}');
  });
});

// A codec with every kind of part, and values for it.
const Inner = tuple({ x: u64, tag: c.string }, 'Inner');
const Kind = c.map(c.uint, (n) => (n === 0 ? 'a' : 'b') as 'a' | 'b', (k) => (k === 'a' ? 0 : 1), 'Kind');
const Positive = c.refine(c.bigint, (v) => (v > 0n ? undefined : 'must be positive'), 'Positive');
const All = tuple(
  {
    a: u64, b: c.i64, d: c.uint, e: c.int, f: c.bigint, g: c.bytes, h: c.string, i: c.bool, j: c.cid, k: address,
    l: c.nullable(Inner), m: array(Inner), n: array(array(c.bytes)), o: Kind, p: c.unit, q: Positive,
  },
  'All',
);
const someCid = CID.parse('bafy2bzacecnamqgqmifpluoeldx7zzglxcljo6oja4vrmtj7432rphldpdmm2');
const arbAll = fc.record({
  a: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  b: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  d: fc.nat(),
  e: fc.integer(),
  f: fc.bigInt({ min: -(1n << 300n), max: 1n << 300n }),
  g: fc.uint8Array({ maxLength: 40 }),
  h: fc.string(),
  i: fc.boolean(),
  j: fc.constant(someCid),
  k: fc.bigInt({ min: 0n, max: 1n << 60n }).map((id) => Address.newId(id)),
  l: fc.option(fc.record({ x: fc.bigInt({ min: 0n, max: 1000n }), tag: fc.string() }), { nil: null }),
  m: fc.array(fc.record({ x: fc.bigInt({ min: 0n, max: 1000n }), tag: fc.string() }), { maxLength: 4 }),
  n: fc.array(fc.array(fc.uint8Array({ maxLength: 8 }), { maxLength: 3 }), { maxLength: 3 }),
  o: fc.constantFrom('a' as const, 'b' as const),
  p: fc.constant(null),
  q: fc.bigInt({ min: 1n, max: 1n << 100n }),
});

describe('codec clone', () => {
  /** Every array, plain object and byte array inside `v`. */
  function mutableParts(v: unknown, out = new Set<object>()): Set<object> {
    if (v instanceof Uint8Array) out.add(v);
    else if (Array.isArray(v)) (out.add(v), v.forEach((x) => mutableParts(x, out)));
    else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) (out.add(v), Object.values(v).forEach((x) => mutableParts(x, out)));
    return out;
  }

  it('equals a decode of the encoding and shares no array, object or byte array with the original', () => {
    expect(All.clone).toBeTypeOf('function');
    fc.assert(
      fc.property(arbAll, (v) => {
        const copy = All.clone!(v);
        const decoded = decodeWith(All, encodeCbor(All.toCbor(v)));
        expect(sameDecodedValue(copy, decoded)).toBe(true);
        expect(copy).toEqual(decoded);
        const mine = mutableParts(v);
        for (const part of mutableParts(copy)) expect(mine.has(part)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('turns a mistyped number in a u64 field into the bigint a decode gives', () => {
    expect(u64.clone!(5 as unknown as bigint)).toBe(5n);
  });

  it('runs refine checks as decoding does, and is absent where a part has none (any)', () => {
    expect(() => Positive.clone!(0n)).toThrow(new CodecError('must be positive'));
    expect(tuple({ a: u64, b: c.any }).clone).toBeUndefined();
    expect(array(c.any).clone).toBeUndefined();
    expect(c.nullable(c.any).clone).toBeUndefined();
    expect(c.nonNegBigint.clone!(7n)).toBe(7n);
  });

  it('gives back distinct byte arrays, always plain Uint8Arrays (as decoding gives)', () => {
    const buf = Buffer.from([1, 2, 3]);
    const copy = c.bytes.clone!(buf);
    expect(copy).not.toBe(buf);
    expect(Object.getPrototypeOf(copy)).toBe(Uint8Array.prototype);
    expect([...copy]).toEqual([1, 2, 3]);
  });
});

describe('codec writeCbor (encodeWith writes typed values straight to bytes)', () => {
  it('writes exactly the bytes of the general way (toCbor + encodeCbor)', () => {
    expect(All.writeCbor).toBeTypeOf('function');
    fc.assert(
      fc.property(arbAll, (v) => {
        expect(c.encodeWith(All, v)).toEqual(encodeCbor(All.toCbor(v)));
      }),
      { numRuns: 300 },
    );
  });

  it('is the path taken: a part whose toCbor throws still encodes through its writer', () => {
    const WriterOnly: c.Codec<bigint> = { ...u64, toCbor: () => { throw new Error('general path used'); } };
    expect([...c.encodeWith(tuple({ a: WriterOnly, b: array(WriterOnly) }), { a: 5n, b: [1n, 2n ** 40n] })]).toEqual([
      0x82, 0x05, 0x82, 0x01, 0x1b, 0, 0, 0x01, 0, 0, 0, 0, 0,
    ]);
  });

  it('gives the general way the values it does not write, with the same bytes or error', () => {
    const Loose = tuple({ a: u64, b: c.any, s: c.string, n: c.nullable(c.bigint) });
    const cases: unknown[] = [
      { a: 5, b: null, s: 'x', n: null }, // a mistyped number in a u64 field
      { a: 1n, b: { z: 1, a: [1.5] }, s: 'x', n: 0n }, // a map with a float, in `any`
      { a: 1n, b: -(2n ** 60n), s: 'héllo', n: -(2n ** 200n) }, // non-ASCII text
    ];
    for (const v of cases) expect(c.encodeWith(Loose, v as never)).toEqual(encodeCbor(Loose.toCbor(v as never)));
    expect(() => c.encodeWith(Loose, { a: -1n, b: null, s: '', n: null })).toThrow(new CodecError('u64 out of range: -1'));
    expect(() => c.encodeWith(tuple({ a: c.i64 }), { a: 2n ** 63n })).toThrow(new CodecError(`i64 out of range: ${2n ** 63n}`));
    expect(() => c.encodeWith(array(u64), 'abc' as never)).toThrow(TypeError);
    expect(() => c.encodeWith(Loose, { a: 1n, b: 2n ** 70n, s: '', n: null })).toThrow('cannot encode value as dag-cbor');
  });

  it('lets a part encode something of its own while an encoding is in progress', () => {
    const Nested: c.Codec<bigint> = { name: 'nested', toCbor: (v) => encodeCbor([v, 'inner']), fromCbor: () => 0n };
    const Outer = tuple({ x: Nested, y: u64, z: Nested });
    expect(c.encodeWith(Outer, { x: 1n, y: 2n, z: 2n ** 64n - 1n })).toEqual(encodeCbor(Outer.toCbor({ x: 1n, y: 2n, z: 2n ** 64n - 1n })));
  });
});

describe('tuple codecs specialised to their fields', () => {
  it('word a bad field as the generic loop does, naming the field', () => {
    const T = tuple({ a: u64, b: address }, 'Pair');
    expect(() => decodeWith(T, encodeCbor([1, 'x']))).toThrow(new CodecError('Pair.b: expected Address bytes, got "x"'));
    expect(() => decodeWith(T, encodeCbor([-1, new Uint8Array([0, 1])]))).toThrow(new CodecError('Pair.a: expected u64, got -1'));
  });

  it('handle any key a plain object can own: quotes, spaces, digits, constructor', () => {
    for (const key of ['a"b', 'x y', '1', 'constructor', 'toString']) {
      const T = tuple({ [key]: u64, z: c.bytes });
      const v = { z: new Uint8Array([1, 2]) } as Record<string, unknown>;
      Object.defineProperty(v, key, { value: 7n, enumerable: true, writable: true, configurable: true });
      const bytes = c.encodeWith(T, v as never);
      expect(bytes).toEqual(encodeCbor([7, new Uint8Array([1, 2])]));
      const back = decodeWith(T, bytes) as Record<string, unknown>;
      expect(Object.prototype.hasOwnProperty.call(back, key)).toBe(true);
      expect(back[key]).toBe(7n);
      const copy = T.clone!(back as never) as Record<string, unknown>;
      expect(Object.prototype.hasOwnProperty.call(copy, key)).toBe(true);
      expect(Object.keys(copy)).toEqual(Object.keys(back));
      expect(sameDecodedValue(copy, back)).toBe(true);
      expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    }
  });
});
