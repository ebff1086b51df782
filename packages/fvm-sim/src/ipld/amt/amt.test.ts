import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockNotFoundError, MemoryBlockstore, putCbor } from '../blockstore.js';
import { decodeCbor, encodeCbor } from '../cbor.js';
import { CID, RAW, cborCid } from '../cid.js';
import { Amt, AMT_MAX_INDEX, AmtError } from './index.js';

// Root CIDs and blockstore counters below come from ref-fvm `ipld/amt/tests/amt_tests.rs` (same
// format as go-amt-ipld v4). There, `tbytes(b"…")` values are CBOR byte strings (`BytesDe`) and
// `TrackingBlockstore` counts reads (`r`), writes (`w`) and bytes written (`bw`) — which
// `MemoryBlockstore.stats` counts the same way (`reads`, `writes`, `bytesWritten`).

const te = new TextEncoder();
const tbytes = (s: string): Uint8Array => te.encode(s);

const EMPTY_ROOT_BW3 = 'bafy2bzacedijw74yui7otvo63nfl3hdq2vdzuy7wx2tnptwed6zml4vvz7wee';

function stats(bs: MemoryBlockstore): { r: number; w: number; bw: number } {
  return { r: bs.stats.reads, w: bs.stats.writes, bw: bs.stats.bytesWritten };
}

function expectAmtError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AmtError);
    expect((e as AmtError).code).toBe(code);
    return;
  }
  throw new Error(`expected AmtError ${code}`);
}

describe('AMT vectors (ref-fvm amt_tests.rs)', () => {
  it('basic_get_set', () => {
    const bs = new MemoryBlockstore();
    const a = Amt.empty<Uint8Array>(bs);
    a.set(2n, tbytes('foo'));
    expect(a.get(2n)).toEqual(tbytes('foo'));
    expect(a.count).toBe(1n);
    const c = a.flush();
    const b = Amt.load<Uint8Array>(bs, c);
    expect(b.get(2n)).toEqual(tbytes('foo'));
    expect(a.flush().toString()).toBe('bafy2bzacedv5uu5za6oqtnozjvju5lhbgaybayzhw4txiojw7hd47ktgbv5wc');
    expect(stats(bs)).toEqual({ r: 1, w: 1, bw: 13 });
    // [3, 0, 1, [h'04', [], [h'666f6f']]]
    expect(bs.get(c)).toEqual(Uint8Array.from([0x84, 3, 0, 1, 0x83, 0x41, 0x04, 0x80, 0x81, 0x43, 0x66, 0x6f, 0x6f]));
  });

  it('legacy_amtv0_basic_get_set', () => {
    const bs = new MemoryBlockstore();
    const a = Amt.emptyV0<Uint8Array>(bs);
    a.set(2n, tbytes('foo'));
    expect(a.count).toBe(1n);
    const c = a.flush();
    expect(Amt.loadV0<Uint8Array>(bs, c).get(2n)).toEqual(tbytes('foo'));
    expect(a.flush().toString()).toBe('bafy2bzaceansvim5z2rzifilsbzsjuoul2adx7iad7x3b4paj3qsexqf6ovxk');
    expect(stats(bs)).toEqual({ r: 1, w: 1, bw: 12 });
    // A v0 root is not a v3 root and vice versa.
    expectAmtError(() => Amt.load(bs, c), 'AMT_MALFORMED');
  });

  it('out_of_range', () => {
    const bs = new MemoryBlockstore();
    const a = Amt.empty<Uint8Array>(bs);
    a.set(AMT_MAX_INDEX, tbytes('what is up'));
    expect(a.height).toBe(21);
    expectAmtError(() => a.set(AMT_MAX_INDEX + 1n, tbytes('what is up')), 'AMT_INDEX_OUT_OF_RANGE');
    a.set(AMT_MAX_INDEX - 1n, tbytes('what is up'));
    expect(a.height).toBe(21);
    const c = a.flush();
    expect(c.toString()).toBe('bafy2bzacecl3zuubhdvkojg6uhbu4mebaehx554q6algfjitqiivvnrqprkxo');
    expect(stats(bs)).toEqual({ r: 0, w: 22, bw: 1039 });
  });

  it('expand', () => {
    const bs = new MemoryBlockstore();
    const a = Amt.empty<Uint8Array>(bs);
    a.set(2n, tbytes('foo'));
    a.set(11n, tbytes('bar'));
    a.set(79n, tbytes('baz'));
    expect(a.get(2n)).toEqual(tbytes('foo'));
    expect(a.get(11n)).toEqual(tbytes('bar'));
    expect(a.get(79n)).toEqual(tbytes('baz'));
    const c = a.flush();
    const b = Amt.load<Uint8Array>(bs, c);
    expect(b.get(2n)).toEqual(tbytes('foo'));
    expect(b.get(11n)).toEqual(tbytes('bar'));
    expect(b.get(79n)).toEqual(tbytes('baz'));
    expect(c.toString()).toBe('bafy2bzacecughjbclx3lbqwibrwc6pe7nttlc3qewedsrayghsvh5j5lpofiq');
    expect(stats(bs)).toEqual({ r: 6, w: 6, bw: 261 });
  });

  it('bulk_insert', () => {
    const bs = new MemoryBlockstore();
    const a = Amt.empty<Uint8Array>(bs);
    const v = tbytes('foo foo bar');
    for (let i = 0; i < 5000; i++) a.set(BigInt(i), v);
    for (let i = 0; i < 5000; i++) expect(a.get(BigInt(i))).toEqual(v);
    expect(a.count).toBe(5000n);
    const c = a.flush();
    const b = Amt.load<Uint8Array>(bs, c);
    for (let i = 0; i < 5000; i++) expect(b.get(i)).toEqual(v);
    expect(c.toString()).toBe('bafy2bzacecfquuqzqzlox25aynodzw2qhxijdzfvno6tibyes3kb6nd3f7uxa');
    expect(stats(bs)).toEqual({ r: 717, w: 717, bw: 94379 });
  });

  it('flush_read', () => {
    const bs = new MemoryBlockstore();
    const a = Amt.empty<Uint8Array>(bs);
    for (let i = 0; i < 100; i++) a.set(i, tbytes('foo foo bar'));
    a.flush();
    for (let i = 0; i < 100; i++) expect(a.get(i)).toEqual(tbytes('foo foo bar'));
    expect(stats(bs)).toEqual({ r: 0, w: 16, bw: 1930 });
  });

  it('delete', () => {
    const bs = new MemoryBlockstore();
    const a = Amt.empty<Uint8Array>(bs);
    for (let i = 0n; i < 4n; i++) a.set(i, tbytes('cat'));
    expect(a.count).toBe(4n);
    expect(a.delete(1n)).toBe(true);
    expect(a.get(1n)).toBeUndefined();
    expect(a.count).toBe(3n);
    expect(a.get(0n)).toEqual(tbytes('cat'));
    expect(a.get(3n)).toEqual(tbytes('cat'));
    a.delete(0n);
    a.delete(2n);
    a.delete(3n);
    expect(a.count).toBe(0n);
    a.set(23n, tbytes('dog'));
    a.set(24n, tbytes('dog'));
    a.delete(23n);
    expect(a.count).toBe(1n);
    const c = a.flush();
    expect(Amt.load(bs, c).count).toBe(1n);
    const fresh = Amt.empty<Uint8Array>(bs);
    fresh.set(24n, tbytes('dog'));
    expect(fresh.flush().toString()).toBe(c.toString());
    expect(c.toString()).toBe('bafy2bzacebnnxpurpb3zqqr22i7ch4uruz6hgykn3ryzoo4hh3ox2m2kufsvg');
    expect(stats(bs)).toEqual({ r: 1, w: 4, bw: 122 });
  });

  it('delete_fail_check', () => {
    const a = Amt.empty<string>(new MemoryBlockstore());
    a.set(1n, 'one');
    a.set(9n, 'nine');
    expect(a.height).toBe(1);
    expect(a.count).toBe(2n);
    expect(a.delete(10n)).toBe(false);
    expect(a.delete(0n)).toBe(false);
    expect(a.count).toBe(2n);
    expect(a.get(1n)).toBe('one');
    expect(a.get(9n)).toBe('nine');
  });

  it('delete_first_entry', () => {
    const bs = new MemoryBlockstore();
    const a = Amt.empty<Uint8Array>(bs);
    a.set(0n, tbytes('cat'));
    a.set(27n, tbytes('cat'));
    expect(a.count).toBe(2n);
    expect(a.height).toBe(1);
    a.delete(27n);
    expect(a.count).toBe(1n);
    expect(a.get(0n)).toEqual(tbytes('cat'));
    const c = a.flush();
    const b = Amt.load(bs, c);
    expect(b.count).toBe(1n);
    expect(b.height).toBe(0);
    expect(c.toString()).toBe('bafy2bzacecmxrjeri2ojuy3riae2mpbnztx2hqggqgkcrxao2nwpga77j2vqe');
    expect(stats(bs)).toEqual({ r: 1, w: 1, bw: 13 });
  });

  it('delete_reduce_height', () => {
    const bs = new MemoryBlockstore();
    const a = Amt.empty<Uint8Array>(bs);
    a.set(1n, tbytes('thing'));
    const c1 = a.flush();
    a.set(37n, tbytes('other'));
    expect(a.height).toBe(1);
    const c2 = a.flush();
    const a2 = Amt.load<Uint8Array>(bs, c2);
    expect(a2.count).toBe(2n);
    expect(a2.height).toBe(1);
    expect(a2.delete(37n)).toBe(true);
    expect(a2.count).toBe(1n);
    expect(a2.height).toBe(0);
    expect(a2.flush().toString()).toBe(c1.toString());
    expect(c1.toString()).toBe('bafy2bzacebmkyah6kppbszluix3g332hntzx6wfdcqcr5hjdsaxri5jhgrdmo');
    expect(stats(bs)).toEqual({ r: 3, w: 5, bw: 147 });
  });

  it('for_each', () => {
    const bs = new MemoryBlockstore();
    const a = Amt.empty<Uint8Array>(bs);
    const indexes: bigint[] = [];
    for (let i = 0n; i < 10000n; i++) if ((i + 1n) % 3n === 0n) indexes.push(i);
    for (const i of indexes) a.set(i, tbytes('value'));
    for (const i of indexes) expect(a.get(i)).toEqual(tbytes('value'));
    expect(a.count).toBe(BigInt(indexes.length));
    let x = 0;
    a.forEach(() => {
      x++;
    });
    expect(x).toBe(indexes.length);
    const c = a.flush();
    const b = Amt.load<Uint8Array>(bs, c);
    expect(b.count).toBe(BigInt(indexes.length));
    x = 0;
    b.forEach((i) => {
      expect(i).toBe(indexes[x]);
      x++;
    });
    expect(x).toBe(indexes.length);
    expect([...b.keys()]).toEqual(indexes);
    expect(c.toString()).toBe('bafy2bzaceanqxtbsuyhqgxubiq6vshtbhktmzp2if4g6kxzttxmzkdxmtipcm');
    expect(stats(bs)).toEqual({ r: 1431, w: 1431, bw: 88649 });
  });

  it('for_each_ranged (entries from a start index)', () => {
    const bs = new MemoryBlockstore();
    const a = Amt.empty<Uint8Array>(bs);
    const RANGE = 1000;
    for (let i = 0; i < RANGE; i++) a.set(i, tbytes('value'));
    for (const start of [0, 1, 7, 8, 63, 64, 65, 511, 512, 999]) {
      expect([...a.keys()].filter((k) => k >= BigInt(start))).toEqual([...a.entries(start)].map(([k]) => k));
      expect([...a.entries(start)].length).toBe(RANGE - start);
    }
    for (const start of [RANGE, RANGE + 1, 2 * RANGE, 8 * RANGE]) expect([...a.entries(start)]).toEqual([]);
    const b = Amt.load<Uint8Array>(bs, a.flush());
    for (let i = 0; i < RANGE; i++) if (Math.floor(i / 10) % 2 === 0) b.delete(i);
    const left = [...b.entries(0)].map(([k]) => k);
    expect(left.length).toBe(500);
    for (const k of left) expect((k / 10n) % 2n).toBe(1n);
    const c = Amt.load<Uint8Array>(bs, b.flush());
    expect([...c.entries(0)].map(([k]) => k)).toEqual(left);
  });

  it('for_each_mutate (root CID of a sparse AMT)', () => {
    const bs = new MemoryBlockstore();
    const a = Amt.empty<Uint8Array>(bs);
    for (const i of [1n, 9n, 66n, 74n, 82n, 515n]) a.set(i, tbytes('value'));
    const c = a.flush();
    const b = Amt.load<Uint8Array>(bs, c);
    expect(b.count).toBe(6n);
    // Setting equal values back leaves the AMT unchanged.
    b.set(1n, b.get(1n)!);
    b.set(74n, b.get(74n)!);
    expect(b.flush().toString()).toBe(c.toString());
    expect(c.toString()).toBe('bafy2bzaced44wtasbcukqjqicvxzcyn5up6sorr5khzbdkl6zjeo736f377ew');
  });

  it('delete_bug_test (empty root, and set + delete returns to it)', () => {
    const bs = new MemoryBlockstore();
    const a = Amt.empty<Uint8Array>(bs);
    const empty = a.flush();
    a.set(100_000n, tbytes('foo'));
    a.delete(100_000n);
    const c = a.flush();
    expect(empty.toString()).toBe(EMPTY_ROOT_BW3);
    expect(c.toString()).toBe(empty.toString());
    expect(stats(bs)).toEqual({ r: 0, w: 2, bw: 18 });
    // [3, 0, 0, [h'00', [], []]]
    expect(bs.get(empty)).toEqual(Uint8Array.from([0x84, 3, 0, 0, 0x83, 0x41, 0x00, 0x80, 0x80]));
  });

  it('new_from_iter', () => {
    const bs = new MemoryBlockstore();
    const data = Array.from({ length: 1000 }, (_, i) => `thing${i}`);
    const root = Amt.fromArray(bs, data).flush();
    const restored: [bigint, string][] = [];
    Amt.load<string>(bs, root).forEach((k, v) => {
      restored.push([k, v]);
    });
    expect(restored).toEqual(data.map((v, i) => [BigInt(i), v]));
  });
});

describe('AMT behaviour (go-amt-ipld amt_test.go / invalid_test.go)', () => {
  const bitwidths = [1, 2, 3, 4, 5, 6, 8, 11];

  it('round-trips basic set/get, expand, and delete at many bitwidths', () => {
    for (const bw of bitwidths) {
      const bs = new MemoryBlockstore();
      const a = Amt.empty<string>(bs, bw);
      const emptyCid = a.flush();
      a.set(2n, 'foo');
      a.set(11n, 'bar');
      a.set(79n, 'baz');
      const b = Amt.load<string>(bs, a.flush());
      expect(b.bitwidth).toBe(bw);
      expect([b.get(2n), b.get(11n), b.get(79n)]).toEqual(['foo', 'bar', 'baz']);
      // TestRoundTrip
      a.set(100000n, 'x');
      for (const k of [2n, 11n, 79n, 100000n]) expect(a.delete(k)).toBe(true);
      expect(a.height).toBe(0);
      expect(a.flush().toString()).toBe(emptyCid.toString());
    }
  });

  it('TestMaxRange: the largest index works at every bitwidth, one more is rejected', () => {
    for (const bw of bitwidths) {
      const bs = new MemoryBlockstore();
      const a = Amt.empty<string>(bs, bw);
      a.set(AMT_MAX_INDEX, 'what is up 1');
      expect(a.get(AMT_MAX_INDEX)).toBe('what is up 1');
      expect([...a.entries()]).toEqual([[AMT_MAX_INDEX, 'what is up 1']]);
      expectAmtError(() => a.set(AMT_MAX_INDEX + 1n, 'what is up 2'), 'AMT_INDEX_OUT_OF_RANGE');
      expectAmtError(() => a.get(AMT_MAX_INDEX + 1n), 'AMT_INDEX_OUT_OF_RANGE');
      expectAmtError(() => a.delete(-1n), 'AMT_INDEX_OUT_OF_RANGE');
      expectAmtError(() => a.get(1.5), 'AMT_INDEX_OUT_OF_RANGE');
      expectAmtError(() => a.get(2 ** 53), 'AMT_INDEX_OUT_OF_RANGE');
      const b = Amt.load<string>(bs, a.flush());
      expect(b.get(AMT_MAX_INDEX)).toBe('what is up 1');
      expect(b.delete(AMT_MAX_INDEX)).toBe(true);
      expect(b.height).toBe(0);
    }
  });

  it('TestNew: bitwidth is read from the root, and checked when expected', () => {
    const bs = new MemoryBlockstore();
    const root = Amt.fromArray(bs, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4).flush();
    expect(Amt.load(bs, root).bitwidth).toBe(4);
    expect(Amt.load(bs, root, 4).bitwidth).toBe(4);
    expectAmtError(() => Amt.load(bs, root, 3), 'AMT_BITWIDTH');
    for (const bad of [0, 19, 2.5, -1]) expectAmtError(() => Amt.empty(bs, bad), 'AMT_BITWIDTH');
  });

  it('TestInvalidHeightEmpty / Single / Tall', () => {
    for (const bw of [2, 3, 5]) {
      const bs = new MemoryBlockstore();
      const bmap = (bits: number[]): Uint8Array => {
        const b = new Uint8Array(bw <= 3 ? 1 : 1 << (bw - 3));
        for (const i of bits) b[i >> 3] |= 1 << (i & 7);
        return b;
      };
      // Empty root claiming height 1.
      const empty = putCbor(bs, [bw, 1, 0, [bmap([]), [], []]]);
      expectAmtError(() => Amt.load(bs, empty), 'AMT_MALFORMED');
      // A leaf root claiming height 1.
      const single = putCbor(bs, [bw, 1, 1, [bmap([0]), [], ['']]]);
      expectAmtError(() => Amt.load(bs, single), 'AMT_MALFORMED');
    }
    for (const bw of [2, 3]) {
      // Index 15 stored at height 1, then the root's height raised to 2: loads (non-canonical), and
      // index 31 is simply absent.
      const bs = new MemoryBlockstore();
      const a = Amt.empty<string>(bs, bw);
      a.set(15n, '');
      const raw = bs.get(a.flush())!;
      expect(a.height).toBe(1);
      const tall = putCbor(bs, [bw, 2, 1, decodeCbor<unknown[]>(raw)[3]]);
      const after = Amt.load<string>(bs, tall);
      expect(after.get(31n)).toBeUndefined();
    }
  });

  it('TestBadBitfield: bitmap and links disagree', () => {
    const bs = new MemoryBlockstore();
    const sub = putCbor(bs, [new Uint8Array(1), [], []]);
    const root = putCbor(bs, [3, 10, 10, [Uint8Array.of(0xff), [sub], []]]);
    expectAmtError(() => Amt.load(bs, root), 'AMT_MALFORMED');
  });

  it('rejects malformed roots and nodes', () => {
    const bs = new MemoryBlockstore();
    const node0 = [Uint8Array.of(0), [], []];
    const cases: [unknown, string][] = [
      [[3, 0, 0], 'AMT_MALFORMED'],
      [[3, 0, 0, node0, 1], 'AMT_MALFORMED'],
      [[0, 0, 0, node0], 'AMT_BITWIDTH'],
      [[19, 0, 0, node0], 'AMT_BITWIDTH'],
      [[-1, 0, 0, node0], 'AMT_MALFORMED'],
      [[3, 65, 0, node0], 'AMT_MALFORMED'],
      [[3, 22, 0, node0], 'AMT_MALFORMED'], // 3·22 ≥ 64
      [[3, 0, 9, [Uint8Array.of(0xff), [], [1, 2, 3, 4, 5, 6, 7, 8]]], 'AMT_MALFORMED'], // count > 8
      [[3, 0, 1, [Uint8Array.of(0, 0), [], []]], 'AMT_MALFORMED'], // bitmap too long
      [[4, 0, 0, [Uint8Array.of(0), [], []]], 'AMT_MALFORMED'], // bitmap too short for bw 4
      [[3, 0, 1, [Uint8Array.of(1), [], [1, 2]]], 'AMT_MALFORMED'], // fewer bits than values
      [[3, 0, 2, [Uint8Array.of(3), [], [1]]], 'AMT_MALFORMED'], // more bits than values
      [[3, 0, 1, ['x', [], []]], 'AMT_MALFORMED'],
      [[3, 1, 1, [Uint8Array.of(1), [cborCid(Uint8Array.of(1))], [1]]], 'AMT_MALFORMED'], // links and values
      [[3, 0, 1, [Uint8Array.of(1), [cborCid(Uint8Array.of(1))], []]], 'AMT_MALFORMED'], // links at height 0
      [[3, 1, 1, [Uint8Array.of(1), [CID.createV1(RAW, cborCid(Uint8Array.of(1)).multihash)], []]], 'AMT_MALFORMED'], // raw link
    ];
    for (const [raw, code] of cases) expectAmtError(() => Amt.load(bs, putCbor(bs, raw)), code);
    // Not dag-cbor at all.
    const junk = cborCid(Uint8Array.of(0xff));
    bs.put(junk, Uint8Array.of(0xff));
    expectAmtError(() => Amt.load(bs, junk), 'AMT_MALFORMED');
    // Missing root.
    expect(() => Amt.load(new MemoryBlockstore(), junk)).toThrow(BlockNotFoundError);
  });

  it('validates children lazily: empty, wrong-kind, and missing child nodes', () => {
    const bs = new MemoryBlockstore();
    const emptyChild = putCbor(bs, [Uint8Array.of(0), [], []]);
    const r1 = putCbor(bs, [3, 1, 1, [Uint8Array.of(1), [emptyChild], []]]);
    const a = Amt.load(bs, r1);
    expectAmtError(() => a.get(0n), 'AMT_MALFORMED');
    const linkLeaf = putCbor(bs, [Uint8Array.of(1), [emptyChild], []]);
    const r2 = putCbor(bs, [3, 1, 1, [Uint8Array.of(1), [linkLeaf], []]]);
    expectAmtError(() => Amt.load(bs, r2).get(0n), 'AMT_MALFORMED');
    const missing = cborCid(encodeCbor('nope'));
    const r3 = putCbor(bs, [3, 1, 1, [Uint8Array.of(2), [missing], []]]);
    const c = Amt.load(bs, r3);
    expect(c.get(0n)).toBeUndefined(); // slot 0 is empty: nothing read
    expect(() => c.get(8n)).toThrow(BlockNotFoundError);
  });

  it('rejects undefined values, accepts null', () => {
    const a = Amt.empty<unknown>(new MemoryBlockstore());
    expectAmtError(() => a.set(0n, undefined), 'AMT_VALUE');
    a.set(0n, null);
    expect(a.has(0n)).toBe(true);
    expect(a.get(0n)).toBeNull();
    expect(a.count).toBe(1n);
  });

  it('TestEmptyCIDStability', () => {
    for (const bw of bitwidths) {
      const a = Amt.empty<string>(new MemoryBlockstore(), bw);
      const c1 = a.flush();
      a.forEach(() => undefined);
      expect(a.flush().equals(c1)).toBe(true);
      a.set(0n, '');
      a.delete(0n);
      expect(a.flush().equals(c1)).toBe(true);
    }
  });

  it('TestCidStability: each prefix state has one CID, going up and coming back down', () => {
    const bs = new MemoryBlockstore();
    const a = Amt.empty<string>(bs);
    const count = 500;
    const cids: CID[] = [];
    for (let i = 0; i < count; i++) {
      cids.push(a.flush());
      a.set(i, String(i));
    }
    for (let i = count - 1; i >= 0; i--) {
      expect(a.delete(i)).toBe(true);
      expect(a.flush().toString()).toBe(cids[i].toString());
    }
    const a2 = Amt.load<string>(bs, cids[count - 1]);
    for (let i = count - 2; i >= 0; i--) {
      expect(a2.delete(i)).toBe(true);
      expect(a2.flush().toString()).toBe(cids[i].toString());
    }
  });

  it('TestForEachSkip: entries(start) skips whole subtrees', () => {
    for (const bw of bitwidths) {
      const a = Amt.empty<string>(new MemoryBlockstore(), bw);
      for (const i of [0n, 199n, 201n, 10000n, 10001n, 11001n]) a.set(i, '');
      expect([...a.entries(200n)].map(([k]) => k)).toEqual([201n, 10000n, 10001n, 11001n]);
    }
  });

  it('forEach stops when the callback returns false', () => {
    const a = Amt.fromArray(new MemoryBlockstore(), ['a', 'b', 'c', 'd']);
    const seen: bigint[] = [];
    a.forEach((k) => {
      seen.push(k);
      return k < 1n;
    });
    expect(seen).toEqual([0n, 1n]);
  });

  it('TestBatch: batchSet and strict / lenient batchDelete', () => {
    const bs = new MemoryBlockstore();
    const numbers = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const a = Amt.empty<number>(bs);
    a.batchSet(numbers);
    const c = a.flush();
    const vals = (x: Amt<number>): number[] => [...x.values()];

    expectAmtError(() => Amt.load<number>(bs, c).batchDelete([100n], true), 'AMT_INDEX_NOT_FOUND');
    let t = Amt.load<number>(bs, c);
    expect(t.batchDelete([], true)).toBe(false);
    expect(vals(t)).toEqual(numbers);
    t = Amt.load<number>(bs, c);
    expect(t.batchDelete([3n, 1n, 2n, 0n], true)).toBe(true);
    expect(vals(t)).toEqual(numbers.slice(4));
    expect(t.count).toBe(6n);
    expectAmtError(() => Amt.load<number>(bs, c).batchDelete([0, 1, 2, 3, 100], true), 'AMT_INDEX_NOT_FOUND');
    t = Amt.load<number>(bs, c);
    expect(t.batchDelete(numbers.map(BigInt), true)).toBe(true);
    expect(vals(t)).toEqual([]);
    expect(t.flush().toString()).toBe(EMPTY_ROOT_BW3);
    t = Amt.load<number>(bs, c);
    expect(t.batchDelete([100n, 101n])).toBe(false);
    expect(t.batchDelete([0n, 1n, 2n, 3n, 100n, 101n])).toBe(true);
    expect(vals(t)).toEqual(numbers.slice(4));
  });

  it('setMany and the index argument forms', () => {
    const a = Amt.empty<string>(new MemoryBlockstore(), 5);
    a.setMany([
      [3n, 'c'],
      [1, 'a'],
      [2n ** 60n, 'big'],
    ]);
    expect([...a]).toEqual([
      [1n, 'a'],
      [3n, 'c'],
      [2n ** 60n, 'big'],
    ]);
    expect(a.get(3)).toBe('c');
    expect(a.height).toBe(12); // 5·12 = 60 bits below the root, 5 more at the root
  });
});

describe('AMT canonical form (properties)', () => {
  const smallIndex = fc.nat({ max: 3000 }).map(BigInt);
  const anyIndex = fc.oneof(
    { weight: 4, arbitrary: smallIndex },
    { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: AMT_MAX_INDEX }) },
  );
  const bitwidth = fc.integer({ min: 1, max: 6 });

  it('inserting A then deleting A\\B yields the same root as inserting B only', () => {
    fc.assert(
      fc.property(bitwidth, fc.uniqueArray(anyIndex, { maxLength: 60 }), fc.uniqueArray(anyIndex, { maxLength: 30 }), fc.boolean(), (bw, aIdx, bExtra, reload) => {
        const bs = new MemoryBlockstore();
        const bSet = new Set([...aIdx.filter((_, k) => k % 2 === 0), ...bExtra]);
        const all = new Set([...aIdx, ...bSet]);
        const x = Amt.empty<string>(bs, bw);
        for (const i of all) x.set(i, `v${i}`);
        let y = x;
        if (reload) y = Amt.load<string>(bs, x.flush());
        for (const i of all) if (!bSet.has(i)) expect(y.delete(i)).toBe(true);
        const z = Amt.empty<string>(bs, bw);
        for (const i of [...bSet].reverse()) z.set(i, `v${i}`);
        expect(y.count).toBe(BigInt(bSet.size));
        expect(y.height).toBe(z.height);
        expect(y.flush().toString()).toBe(z.flush().toString());
      }),
      { numRuns: 150 },
    );
  });

  it('matches a Map model across random operations, flushes and reloads', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), i: anyIndex, v: fc.integer() }),
      fc.record({ kind: fc.constant('del' as const), i: anyIndex }),
      fc.record({ kind: fc.constant('reload' as const) }),
    );
    fc.assert(
      fc.property(bitwidth, fc.array(op, { maxLength: 120 }), (bw, ops) => {
        const bs = new MemoryBlockstore();
        let a = Amt.empty<number>(bs, bw);
        const model = new Map<bigint, number>();
        const known: bigint[] = [];
        for (const o of ops) {
          if (o.kind === 'set') {
            a.set(o.i, o.v);
            model.set(o.i, o.v);
            known.push(o.i);
          } else if (o.kind === 'del') {
            const target = known.length > 0 && o.i % 2n === 0n ? known[Number(o.i % BigInt(known.length))] : o.i;
            expect(a.delete(target)).toBe(model.delete(target));
          } else {
            a = Amt.load<number>(bs, a.flush());
          }
        }
        const expected = [...model.entries()].sort((p, q) => (p[0] < q[0] ? -1 : 1));
        expect([...a.entries()]).toEqual(expected);
        expect(a.count).toBe(BigInt(model.size));
        for (const [k, v] of model) expect(a.get(k)).toBe(v);
        const reloaded = Amt.load<number>(bs, a.flush());
        expect([...reloaded.entries()]).toEqual(expected);
        // Canonical: same as building the final content from scratch.
        const fresh = Amt.empty<number>(bs, bw);
        for (const [k, v] of expected) fresh.set(k, v);
        expect(fresh.flush().toString()).toBe(a.flush().toString());
      }),
      { numRuns: 150 },
    );
  });
});

describe('AMT node cache (decoded nodes kept by block; values handed out as copies)', () => {
  function build(): { bs: MemoryBlockstore; root: CID } {
    const bs = new MemoryBlockstore();
    const a = Amt.empty<unknown>(bs, 3);
    for (let i = 0n; i < 100n; i++) a.set(i, [Number(i), new Uint8Array([Number(i)]), `v${i}`]);
    return { bs, root: a.flush() };
  }

  it('hands out copies: changing what get, entries or forEach returned changes no load of the block', () => {
    const { bs, root } = build();
    const first = Amt.load<[number, Uint8Array, string]>(bs, root);
    const v = first.get(42n)!;
    v[0] = -1;
    v[1][0] = 255;
    expect(first.get(42n)).toEqual([42, new Uint8Array([42]), 'v42']);
    for (const [, e] of first.entries()) e[1][0] = 7;
    first.forEach((_, e) => void (e[1][0] = 9));
    const second = Amt.load<[number, Uint8Array, string]>(bs, root);
    expect(second.get(42n)).toEqual([42, new Uint8Array([42]), 'v42']);
    expect([...second.values()].map((x) => x[1][0])).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(second.flush().equals(root)).toBe(true);
    // A change to one loaded AMT is not seen by another load of the same root.
    (first as Amt<unknown>).set(7n, 'changed');
    first.delete(8n);
    const third = Amt.load<unknown>(bs, root);
    expect(third.get(7n)).toEqual([7, new Uint8Array([7]), 'v7']);
    expect(third.get(8n)).toEqual([8, new Uint8Array([8]), 'v8']);
    expect(third.count).toBe(100n);
    expect(first.flush().equals(root)).toBe(false);
    expect(Amt.load<unknown>(bs, first.flush()).get(7n)).toBe('changed');
  });

  it('still checks the expected bitwidth, and a block read as another shape, after a cached read', () => {
    const { bs, root } = build();
    expect(Amt.load<unknown>(bs, root, 3).count).toBe(100n);
    expect(() => Amt.load<unknown>(bs, root, 5)).toThrow(`expected an AMT of bitwidth 5, but ${root.toString()} has bitwidth 3`);
    // The same root block read as a legacy v0 root (another layout): malformed, not served from the cache.
    expect(() => Amt.loadV0(bs, root)).toThrow(AmtError);
    expect(Amt.load<unknown>(bs, root).get(99n)).toEqual([99, new Uint8Array([99]), 'v99']);
  });
});

describe('roots kept at write time', () => {
  const link = cborCid(encodeCbor([1]));

  it('load back as decoding the blocks gives them, values in their decoded form, and private to each AMT', () => {
    const store = new MemoryBlockstore();
    const a = Amt.empty<unknown>(store, 3);
    const bytes = new Uint8Array([0, 1, 2]);
    // Indices over several levels: the written root is kept, its children are decoded when read.
    for (const i of [0n, 5n, 9n, 70n, 600n, 5000n]) a.set(i, [i, 2n ** 60n, bytes, 'x', false, null, link]);
    const root = a.flush();
    bytes[0] = 99; // the written values were copied
    const loaded = Amt.load<unknown[]>(store, root, 3);
    expect(loaded.height).toBe(a.height);
    expect(loaded.count).toBe(6n);
    const v = loaded.get(600n)!;
    expect(v).toEqual(decodeCbor(encodeCbor(v)));
    expect(v).toEqual([600, 2n ** 60n, new Uint8Array([0, 1, 2]), 'x', false, null, link]);
    (v[2] as Uint8Array)[0] = 42;
    expect((Amt.load<unknown[]>(store, root, 3).get(600n)![2] as Uint8Array)[0]).toBe(0);
    expect([...Amt.load<unknown[]>(store, root, 3).entries()].map(([i]) => i)).toEqual([0n, 5n, 9n, 70n, 600n, 5000n]);
  });

  it('are not kept for values without a sure decoded form, which still load as decoded', () => {
    const store = new MemoryBlockstore();
    const a = Amt.empty<unknown>(store, 3);
    a.set(1n, { b: 1, a: 2 });
    a.set(5n, 2.5);
    const root = a.flush();
    const loaded = Amt.load<unknown>(store, root, 3);
    expect(loaded.height).toBe(0);
    expect(Object.keys(loaded.get(1n) as object)).toEqual(['a', 'b']);
    expect(loaded.get(5n)).toBe(2.5);
  });

  it('hold the values of a leaf root in their decoded form', () => {
    const store = new MemoryBlockstore();
    const a = Amt.empty<unknown>(store, 3);
    const bytes = new Uint8Array([7]);
    a.set(2n, [2n, bytes, 'y']);
    const root = a.flush();
    bytes[0] = 0;
    const loaded = Amt.load<unknown[]>(store, root, 3);
    expect(loaded.height).toBe(0);
    expect(loaded.get(2n)).toEqual([2, new Uint8Array([7]), 'y']);
  });
});
