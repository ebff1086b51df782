import * as Digest from 'multiformats/hashes/digest';
import { describe, expect, it } from 'vitest';
import { MemoryBlockstore, getCbor, putCbor, BlockNotFoundError } from './blockstore.js';
import { decodeCbor, encodeCbor, CborError } from './cbor.js';
import { CID, blake2b256, cborCid, cidFromKey, cidKey, deferredCborCid, identityCid, pendingBlock, RAW } from './cid.js';

describe('dag-cbor blocks', () => {
  it('addresses the empty-array block as Filecoin does', () => {
    // The CID of the dag-cbor empty list (0x80), blake2b-256: the "empty array" CID that
    // builtin-actors' EMPTY_ARR_CID constant names.
    expect(cborCid(encodeCbor([])).toString()).toBe(
      'bafy2bzacebc3bt6cedhoyw34drrmjvazhu4oj25er2ebk4u445pzycvq4ta4a',
    );
  });

  it('round-trips values and counts reads and writes', () => {
    const bs = new MemoryBlockstore();
    const cid = putCbor(bs, [1, 'two', new Uint8Array([3]), 2n ** 64n - 1n]);
    expect(getCbor(bs, cid)).toEqual([1, 'two', new Uint8Array([3]), 2n ** 64n - 1n]);
    expect(bs.stats.writes).toBe(1);
    expect(bs.stats.reads).toBe(1);
    expect(bs.size).toBe(1);
  });

  it('rejects truncated input and missing blocks with typed errors', () => {
    expect(() => decodeCbor(new Uint8Array([0x82, 0x01]))).toThrow(CborError);
    const bs = new MemoryBlockstore();
    expect(() => getCbor(bs, cborCid(new Uint8Array([0x80])))).toThrow(BlockNotFoundError);
    expect(() => encodeCbor(undefined)).toThrow(CborError);
  });
});

describe('cidKey', () => {
  it('is the CID bytes one character per byte, and cidFromKey inverts it', () => {
    const cid = cborCid(encodeCbor([]));
    const key = cidKey(cid);
    expect(key.length).toBe(cid.bytes.length);
    expect([...key].map((ch) => ch.charCodeAt(0))).toEqual([...cid.bytes]);
    expect(cidFromKey(key).equals(cid)).toBe(true);
    // A CID decoded afresh from bytes (as state blocks yield them) has the same key.
    expect(cidKey(CID.decode(cid.bytes.slice()))).toBe(key);
  });

  it('tells apart CIDs that differ only in codec or digest', () => {
    const a = identityCid(RAW, new Uint8Array([1, 2]));
    const b = identityCid(0x71, new Uint8Array([1, 2]));
    const c = identityCid(RAW, new Uint8Array([1, 3]));
    expect(new Set([cidKey(a), cidKey(b), cidKey(c)]).size).toBe(3);
  });

  it('keys the memory blockstore: lookups by an equal CID hit, entries list CID strings', () => {
    const bs = new MemoryBlockstore();
    const cid = putCbor(bs, { a: 1 });
    expect(bs.has(CID.parse(cid.toString()))).toBe(true);
    expect(getCbor(bs, CID.decode(cid.bytes.slice()))).toEqual({ a: 1 });
    expect([...bs.entries()].map(([k]) => k)).toEqual([cid.toString()]);
    expect(bs.has(cborCid(encodeCbor({ a: 2 })))).toBe(false);
  });
});

describe('cborCid', () => {
  it('builds the CID multiformats builds: same prototype, own fields, bytes and string', () => {
    for (const value of [{ a: 1 }, [], 'x', new Uint8Array(300)]) {
      const bytes = encodeCbor(value);
      const ours = cborCid(bytes);
      const theirs = CID.createV1(0x71, Digest.create(0xb220, blake2b256(bytes)));
      expect(Object.getPrototypeOf(ours)).toBe(CID.prototype);
      expect(Reflect.ownKeys(ours)).toEqual(Reflect.ownKeys(theirs));
      expect(Object.getPrototypeOf(ours.multihash)).toBe(Object.getPrototypeOf(theirs.multihash));
      expect(Reflect.ownKeys(ours.multihash)).toEqual(Reflect.ownKeys(theirs.multihash));
      expect([...ours.bytes]).toEqual([...theirs.bytes]);
      expect([...ours.multihash.digest]).toEqual([...theirs.multihash.digest]);
      expect(ours.toString()).toBe(theirs.toString());
      expect(ours.equals(theirs)).toBe(true);
      expect(ours['/']).toBe(ours.bytes);
      expect(ours).toEqual(theirs);
    }
  });
});

describe('cidKey memo', () => {
  it('keeps the key on the CID object without changing what it is or equals', () => {
    const c = cborCid(encodeCbor({ memo: 1 }));
    const before = Reflect.ownKeys(c);
    const twin = CID.decode(c.bytes);
    expect(cidKey(c)).toBe(cidKey(twin));
    expect(cidKey(c)).toBe(cidKey(c));
    expect(Reflect.ownKeys(c)).toEqual(before);
    expect(Object.getPrototypeOf(c)).toBe(CID.prototype);
    expect(c).toEqual(twin);
    expect(cidFromKey(cidKey(c)).equals(c)).toBe(true);
    const frozen = Object.freeze(CID.decode(c.bytes));
    expect(cidKey(frozen)).toBe(cidKey(c));
  });
});

describe('deferredCborCid', () => {
  const bytes = encodeCbor([1, 'state', 2n ** 60n]);

  it('is the CID cborCid gives, hashed on first use, and the block is stored then', () => {
    const bs = new MemoryBlockstore();
    const lazy = deferredCborCid(bytes, (c) => bs.put(c, bytes));
    expect(lazy).toBeInstanceOf(CID);
    expect(lazy.code).toBe(0x71);
    expect(lazy.version).toBe(1);
    // Readers holding the object get the block without hashing it.
    expect(pendingBlock(lazy)).toBe(bytes);
    expect(bs.get(lazy)).toBe(bytes);
    expect(bs.has(lazy)).toBe(true);
    expect(bs.size).toBe(0);
    // First use of the CID itself: hashed, stored, and from then on an ordinary CID.
    const real = cborCid(bytes);
    expect(lazy.equals(real)).toBe(true);
    expect(bs.size).toBe(1);
    expect(bs.get(CID.decode(real.bytes))).toEqual(bytes);
    expect(lazy.toString()).toBe(real.toString());
    expect(lazy).toEqual(real);
    expect(CID.asCID(lazy)).toBe(lazy);
    expect(Object.keys(lazy)).toEqual(Object.keys(real));
    // Nothing of its own beyond what a CID has (the pending block is private).
    expect(Reflect.ownKeys(lazy)).toEqual(Reflect.ownKeys(real));
    expect(cidKey(lazy)).toBe(cidKey(real));
  });

  it('hashes when encoded into a parent block, or compared from the other side', () => {
    const stored: CID[] = [];
    const lazy = deferredCborCid(bytes, (c) => stored.push(c));
    expect(encodeCbor({ head: lazy })).toEqual(encodeCbor({ head: cborCid(bytes) }));
    expect(stored).toEqual([lazy]);
    const other = deferredCborCid(bytes, (c) => stored.push(c));
    expect(cborCid(bytes).equals(other)).toBe(true);
    expect(stored).toHaveLength(2);
    // The callback runs once.
    void other.bytes;
    expect(stored).toHaveLength(2);
  });

  it('never hashes a head nobody asks about', () => {
    let hashed = 0;
    const lazy = deferredCborCid(bytes, () => hashed++);
    expect(decodeCbor(pendingBlock(lazy)!)).toEqual([1, 'state', 2n ** 60n]);
    expect(hashed).toBe(0);
    expect(pendingBlock(cborCid(bytes))).toBeUndefined();
  });
});
