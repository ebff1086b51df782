import * as dagCbor from '@ipld/dag-cbor';
import fc from 'fast-check';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeBlock, encodeCbor } from './cbor.js';
import { cborCid, identityCid } from './cid.js';
import * as c from './codec.js';
import { type Codec, encodeBlockWith, encodeWith } from './codec.js';
import { encodeDirect, fastDecode, fastEncode, storedBytes } from './fastCbor.js';

/** Same value, same JS types, same CID structure: what code reading a decoded block could tell apart. */
function same(a: unknown, b: unknown, path = '$'): void {
  expect(typeof a, path).toBe(typeof b);
  if (typeof a === 'number') return void expect(Object.is(a, b), `${path}: ${a} vs ${String(b)}`).toBe(true);
  if (a === null || typeof a !== 'object') return void expect(a, path).toBe(b);
  const o = b as object;
  expect(Object.getPrototypeOf(a), `${path} prototype`).toBe(Object.getPrototypeOf(o));
  if (a instanceof CID) {
    const c = o as CID;
    expect([a.version, a.code, a.multihash.code, a.multihash.size], path).toEqual([c.version, c.code, c.multihash.code, c.multihash.size]);
    expect([...a.bytes], path).toEqual([...c.bytes]);
    expect([...a.multihash.bytes], path).toEqual([...c.multihash.bytes]);
    expect([...a.multihash.digest], path).toEqual([...c.multihash.digest]);
    expect(a['/'], path).toBe(a.bytes);
    expect(a.toString(), path).toBe(c.toString());
    // Built like multiformats builds them: the same own fields on the CID and on its digest.
    expect(Reflect.ownKeys(a), path).toEqual(Reflect.ownKeys(c));
    expect(Object.getPrototypeOf(a.multihash), path).toBe(Object.getPrototypeOf(c.multihash));
    expect(Reflect.ownKeys(a.multihash), path).toEqual(Reflect.ownKeys(c.multihash));
    expect(a.equals(c), path).toBe(true);
    expect(a.bytes.buffer, path).toBeInstanceOf(ArrayBuffer);
    return;
  }
  if (a instanceof Uint8Array) return void expect([...a], path).toEqual([...(o as Uint8Array)]);
  if (Array.isArray(a)) {
    expect(a.length, path).toBe((o as unknown[]).length);
    a.forEach((x, i) => same(x, (o as unknown[])[i], `${path}[${i}]`));
    return;
  }
  expect(Object.keys(a), path).toEqual(Object.keys(o));
  for (const k of Object.keys(a)) same((a as Record<string, unknown>)[k], (o as Record<string, unknown>)[k], `${path}.${k}`);
}

function outcome<T>(f: () => T): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: f() };
  } catch {
    return { ok: false };
  }
}

/** Decoding agrees with @ipld/dag-cbor: the same value, or both refuse. */
function decodesLikeDagCbor(bytes: Uint8Array): void {
  const ours = outcome(() => decodeCbor(bytes));
  const theirs = outcome(() => dagCbor.decode(bytes));
  expect(ours.ok, `accepts ${Buffer.from(bytes).toString('hex')}`).toBe(theirs.ok);
  if (ours.ok && theirs.ok) same(ours.value, theirs.value);
}

const cids = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 40 }).map((b) => cborCid(b)),
  fc.uint8Array({ minLength: 0, maxLength: 200 }).map((b) => identityCid(0x55, b)),
  // fil-commitment-sealed / poseidon (3-byte codec and multihash varints), as CommR.
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((d) => CID.createV1(0xf102, Digest.create(0xb401, d))),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((d) => CID.createV0(Digest.create(0x12, d)) as unknown as CID),
);

const values = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.maxSafeInteger(),
    fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }),
    fc.constantFrom(0, -0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, -24, -25, -257, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 64 - 1, 0.5, NaN),
    fc.constantFrom(2n ** 53n, -(2n ** 53n), 2n ** 64n - 1n, -(2n ** 64n), 2n ** 64n, 0n, -1n),
    fc.double(),
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.uint8Array({ maxLength: 300 }),
    fc.constantFrom(null, true, false, undefined),
    cids,
    fc.array(tie('value'), { maxLength: 30 }),
    fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 3 }),
  ),
})).value;

describe('the fast dag-cbor path', () => {
  it('encodes every value as @ipld/dag-cbor does (same bytes, or both refuse)', () => {
    fc.assert(
      fc.property(values, (v) => {
        const ours = outcome(() => encodeCbor(v));
        const theirs = outcome(() => dagCbor.encode(v));
        expect(ours.ok).toBe(theirs.ok);
        if (ours.ok && theirs.ok) expect([...ours.value]).toEqual([...theirs.value]);
      }),
      { numRuns: 3000 },
    );
  });

  it('decodes every encoding, and every corruption of one, as @ipld/dag-cbor does', () => {
    fc.assert(
      fc.property(values, fc.array(fc.tuple(fc.nat(), fc.nat(255), fc.constantFrom('set', 'cut', 'add')), { maxLength: 3 }), (v, edits) => {
        const enc = outcome(() => dagCbor.encode(v));
        if (!enc.ok) return;
        decodesLikeDagCbor(enc.value);
        let bytes = Uint8Array.from(enc.value);
        for (const [at, byte, kind] of edits) {
          if (kind === 'set' && bytes.length > 0) bytes[at % bytes.length] = byte;
          if (kind === 'cut') bytes = bytes.slice(0, at % (bytes.length + 1));
          if (kind === 'add') bytes = Uint8Array.from([...bytes.slice(0, at % (bytes.length + 1)), byte, ...bytes.slice(at % (bytes.length + 1))]);
        }
        decodesLikeDagCbor(bytes);
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves non-canonical and unusual input to the general decoder', () => {
    const cases: number[][] = [
      [0x18, 0x05], // 5 in two bytes
      [0x19, 0x00, 0x10], // 16 in three bytes
      [0x1a, 0x00, 0x00, 0xff, 0xff],
      [0x1b, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], // 2^53
      [0x3b, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // -2^53
      [0x3b, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe], // -(2^53 - 1)
      [0x58, 0x01, 0xaa], // one byte with a two-byte length
      [0x82, 0x01], // array missing an item
      [0x01, 0x02], // trailing bytes
      [0x9f, 0x01, 0xff], // indefinite array
      [0xd8, 0x2a, 0x45, 0x00, 0x01, 0x55, 0x00, 0x00], // identity CID of nothing
      [0xd8, 0x2a, 0x45, 0x01, 0x01, 0x55, 0x00, 0x00], // no 0x00 prefix
      [0xd8, 0x2a, 0x01], // tag 42 on an integer
      [0xd8, 0x2a, 0x46, 0x00, 0x01, 0xd5, 0x00, 0x00, 0x00], // codec varint not minimal (0x55 as 0xd5 0x00)
      [0xd8, 0x2a, 0x44, 0x00, 0x01, 0x55, 0x00, 0x01], // digest shorter than its length
      [0xf7], // undefined
      [0xf9, 0x3c, 0x00], // half float
      [0x61, 0xc3], // invalid UTF-8
      [0x62, 0xc3, 0xa9], // é
      [0xa1, 0x61, 0x61, 0x01], // {a: 1}
    ];
    for (const c of cases) decodesLikeDagCbor(Uint8Array.from(c));
    expect(fastDecode(Uint8Array.from([0x18, 0x05]))).toBeUndefined();
    expect(fastDecode(Uint8Array.from([0x82, 0x01, 0x62, 0x68, 0x69]))).toEqual([1, 'hi']);
  });

  it('copies byte strings out of a Buffer instead of returning views of it', () => {
    const buf = Buffer.from(encodeCbor([new Uint8Array([1, 2, 3])]));
    const [bytes] = decodeCbor<[Uint8Array]>(buf);
    expect(bytes.constructor).toBe(Uint8Array);
    buf[2] = 9;
    expect([...bytes]).toEqual([1, 2, 3]);
  });

  it('hands values it does not cover to the general encoder', () => {
    expect(fastEncode({ a: 1 })).toBeUndefined();
    expect(fastEncode(0.5)).toBeUndefined();
    expect(fastEncode('é')).toBeUndefined();
    expect(fastEncode([1, undefined])).toBeUndefined();
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(fastEncode(cyclic)).toBeUndefined();
    expect(() => encodeCbor(cyclic)).toThrow();
  });
});

describe('where encodings go: own arrays, pool slabs, store slabs', () => {
  const Pair = c.tuple({ n: c.u64, b: c.bytes }, 'Pair');
  const value = (n: number, size: number) => ({ n: BigInt(n), b: new Uint8Array(size).fill(n & 0xff) });
  const ownsBuffer = (b: Uint8Array) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;

  it('encodeBlock gives the bytes encodeCbor gives, in views of one long-lived slab that later encodings leave intact', () => {
    const values = Array.from({ length: 40 }, (_, i) => [i, new Uint8Array(100 + i).fill(i)]);
    const blocks = values.map((v) => encodeBlock(v));
    for (let i = 0; i < values.length; i++) expect([...blocks[i]!]).toEqual([...encodeCbor(values[i])]);
    // Small blocks share a buffer and do not own it.
    expect(ownsBuffer(blocks[0]!)).toBe(false);
    expect(blocks[1]!.buffer).toBe(blocks[0]!.buffer);
    expect(blocks[1]!.byteOffset).toBe(blocks[0]!.byteOffset + blocks[0]!.byteLength);
    // Other encodings in between (own, pooled, nested) do not overwrite them.
    for (let i = 0; i < 200; i++) {
      encodeCbor([i, new Uint8Array(500)]);
      encodeDirect((w, v: number) => w.item([v, new Uint8Array(300)]), i, 'pooled');
    }
    for (let i = 0; i < values.length; i++) expect([...blocks[i]!]).toEqual([...encodeCbor(values[i])]);
  });

  it('a block over 8 KiB gets an array of its own; a full slab is followed by a fresh one', () => {
    const big = encodeBlock(new Uint8Array(10_000));
    expect(ownsBuffer(big)).toBe(true);
    expect(big.length).toBe(10_003);
    const seen = new Set<ArrayBufferLike>();
    for (let i = 0; i < 40; i++) seen.add(encodeBlock(new Uint8Array(4000)).buffer);
    // 40 × 4,003 bytes do not fit one 64 KiB slab.
    expect(seen.size).toBeGreaterThan(1);
    for (const buf of seen) expect(buf.byteLength).toBe(1 << 16);
  });

  it('encodeBlockWith gives the bytes encodeWith gives, also through the general path', () => {
    for (const [n, size] of [[0, 0], [7, 50], [300, 2000], [1, 9000]] as const) {
      const v = value(n, size);
      expect([...encodeBlockWith(Pair, v)]).toEqual([...encodeWith(Pair, v)]);
    }
    // A codec without a writer goes the general way.
    const NoWriter: Codec<unknown> = { name: 'raw', toCbor: (v) => v, fromCbor: (r) => r };
    expect([...encodeBlockWith(NoWriter, { a: 1 })]).toEqual([...encodeCbor({ a: 1 })]);
  });

  it('storedBytes keeps arrays of their own and store-slab views, and copies pool views out of their slab', () => {
    const own = encodeCbor([1, new Uint8Array(200)]);
    expect(storedBytes(own)).toBe(own);
    const stored = encodeBlock([2, new Uint8Array(200)]);
    expect(storedBytes(stored)).toBe(stored);
    const pooled = encodeDirect((w, v: number) => w.item([v, new Uint8Array(200)]), 3, 'pooled')!;
    expect(ownsBuffer(pooled)).toBe(false);
    const kept = storedBytes(pooled);
    expect(kept).not.toBe(pooled);
    expect(kept.buffer).not.toBe(pooled.buffer);
    expect([...kept]).toEqual([...pooled]);
    expect(storedBytes(kept)).toBe(kept);
    // Any other view is copied too.
    const view = new Uint8Array(new ArrayBuffer(1000), 10, 20).fill(9);
    const copy = storedBytes(view);
    expect(copy.buffer).not.toBe(view.buffer);
    expect([...copy]).toEqual([...view]);
  });
});
