import { describe, expect, it } from 'vitest';
import { MemoryBlockstore, getCbor, putCbor, BlockNotFoundError } from './blockstore.js';
import { decodeCbor, encodeCbor, CborError } from './cbor.js';
import { cborCid } from './cid.js';

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
