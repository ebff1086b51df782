import { describe, expect, it } from 'vitest';
import { Amt, BitField, MemoryBlockstore } from 'fvm-sim';
import { BitFieldQueue, bitFieldFromBits, unionAll } from './bitfieldQueue.js';
import { NO_QUANTIZATION, QuantSpec } from './deadlines.js';

// builtin-actors v18 tests/miner_actor_test_bitfield_queue.rs

const TEST_AMT_BITWIDTH = 3;

function emptyQueue(quant: QuantSpec = NO_QUANTIZATION): BitFieldQueue {
  const store = new MemoryBlockstore();
  const root = Amt.empty(store, TEST_AMT_BITWIDTH).flush();
  return new BitFieldQueue(store, root, quant);
}

/** Asserts the queue holds exactly `expected` (epoch → positions), as `BitFieldQueueExpectation::equals`. */
function expectQueue(queue: BitFieldQueue, expected: Record<string, number[]>): void {
  const actual: Record<string, number[]> = {};
  queue.forEach((epoch, bf) => {
    actual[epoch.toString()] = bf.toArray();
  });
  expect(actual).toEqual(expected);
  expect(queue.count()).toBe(BigInt(Object.keys(expected).length));
}

describe('BitFieldQueue', () => {
  it('adds values to an empty queue', () => {
    const q = emptyQueue();
    q.addToQueueValues(42n, [1, 2, 3, 4]);
    expectQueue(q, { 42: [1, 2, 3, 4] });
  });

  it('adds a bitfield to an empty queue', () => {
    const q = emptyQueue();
    q.addToQueue(42n, BitField.fromIterable([1, 2, 3, 4]));
    expectQueue(q, { 42: [1, 2, 3, 4] });
  });

  it('quantizes added epochs according to the quantization spec', () => {
    const q = emptyQueue(new QuantSpec(5n, 3n));
    for (const v of [0, 2, 3, 4, 7, 8, 9]) q.addToQueueValues(BigInt(v), [v]);
    expectQueue(q, { 3: [0, 2, 3], 8: [4, 7, 8], 13: [9] });
  });

  it('merges values within the same epoch', () => {
    const q = emptyQueue();
    q.addToQueueValues(42n, [1, 3]);
    q.addToQueueValues(42n, [2, 4]);
    expectQueue(q, { 42: [1, 2, 3, 4] });
  });

  it('adds values to different epochs', () => {
    const q = emptyQueue();
    q.addToQueueValues(42n, [1, 3]);
    q.addToQueueValues(93n, [2, 4]);
    expectQueue(q, { 42: [1, 3], 93: [2, 4] });
  });

  it('popUntil on an empty queue returns an empty bitfield, unmodified', () => {
    const q = emptyQueue();
    const [next, modified] = q.popUntil(42n);
    expect(next.count()).toBe(0);
    expect(modified).toBe(false);
  });

  it('popUntil does nothing if until is before the first value', () => {
    const q = emptyQueue();
    q.addToQueueValues(42n, [1, 3]);
    q.addToQueueValues(93n, [2, 4]);
    const [next, modified] = q.popUntil(41n);
    expect(next.count()).toBe(0);
    expect(modified).toBe(false);
    expectQueue(q, { 42: [1, 3], 93: [2, 4] });
  });

  it('popUntil removes and returns entries before and including the target epoch', () => {
    const q = emptyQueue();
    q.addToQueueValues(42n, [1, 3]);
    q.addToQueueValues(93n, [5]);
    q.addToQueueValues(94n, [6, 7, 8]);
    q.addToQueueValues(204n, [2, 4]);

    let [next, modified] = q.popUntil(93n);
    expect(modified).toBe(true);
    expect(next.toArray()).toEqual([1, 3, 5]);
    expectQueue(q, { 94: [6, 7, 8], 204: [2, 4] });

    [next, modified] = q.popUntil(93n);
    expect(modified).toBe(false);
    expect(next.toArray()).toEqual([]);
    expectQueue(q, { 94: [6, 7, 8], 204: [2, 4] });

    [next, modified] = q.popUntil(204n);
    expect(modified).toBe(true);
    expect(next.toArray()).toEqual([2, 4, 6, 7, 8]);
    expectQueue(q, {});
  });

  it('cuts elements, shifting the others down and dropping emptied entries', () => {
    const q = emptyQueue();
    q.addToQueueValues(42n, [1, 2, 3, 4, 99]);
    q.addToQueueValues(93n, [5, 6]);
    q.cut(BitField.fromIterable([2, 4, 5, 6]));
    // 3 shifts down to 2, 99 down to 95
    expectQueue(q, { 42: [1, 2, 95] });
  });

  it('adding an empty bitfield creates no entry', () => {
    const q = emptyQueue();
    q.addToQueue(42n, new BitField());
    expectQueue(q, {});
  });

  it('addManyToQueueValues quantizes, groups and dedups', () => {
    const q = emptyQueue(new QuantSpec(5n, 3n));
    q.addManyToQueueValues([
      [9n, 9],
      [0n, 0],
      [2n, 2n],
      [4n, 4],
      [2n, 2],
    ]);
    expectQueue(q, { 3: [0, 2], 8: [4], 13: [9] });
  });

  it('flushes to the same root as a queue built in another order', () => {
    const a = emptyQueue();
    const b = emptyQueue();
    a.addToQueueValues(7n, [1]);
    a.addToQueueValues(300n, [2]);
    b.addToQueueValues(300n, [2]);
    b.addToQueueValues(7n, [1]);
    expect(a.flush().equals(b.flush())).toBe(true);
    const reloaded = new BitFieldQueue(a.amt.store, a.flush(), NO_QUANTIZATION);
    expect(reloaded.get(300n)?.toArray()).toEqual([2]);
  });

  it('bitFieldFromBits rejects positions a bitfield cannot hold', () => {
    expect(bitFieldFromBits([1n, 5]).toArray()).toEqual([1, 5]);
    expect(() => bitFieldFromBits([1n << 60n])).toThrow('bitfield position 1152921504606846976 out of range');
    expect(() => bitFieldFromBits([-1])).toThrow('out of range');
  });
});

describe('unionAll', () => {
  it('unites many bitfields, overlapping or adjacent, in one pass', () => {
    expect(unionAll([]).isEmpty()).toBe(true);
    const u = unionAll([BitField.fromIterable([5, 1]), BitField.fromRanges([[2, 4]]), BitField.fromIterable([4, 9]), new BitField()]);
    expect(u.toArray()).toEqual([1, 2, 3, 4, 5, 9]);
    expect(u.toString()).toBe('BitField{1-5, 9}');
  });
});
