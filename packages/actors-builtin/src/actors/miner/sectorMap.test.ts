import { describe, expect, it } from 'vitest';
import { BitField } from 'fvm-sim';
import { DeadlineSectorMap, PartitionSectorMap } from './sectorMap.js';
import { MAINNET_MINER_POLICY } from './policy.js';
import { MinerStateError } from './vesting.js';

// builtin-actors v18 tests/sector_map_test.rs

const policy = MAINNET_MINER_POLICY;

function createDeadlineSectorMap(deadlineCount: bigint, partitionCount: bigint): DeadlineSectorMap {
  const m = new DeadlineSectorMap();
  for (let d = 0n; d < deadlineCount; d++) {
    for (let p = 0n; p < partitionCount; p++) m.add(policy, d, p, BitField.fromIterable([Number(d * partitionCount + p)]));
  }
  return m;
}

describe('DeadlineSectorMap', () => {
  it('records, iterates in order, counts and checks limits', () => {
    const deadlineCount = 10n;
    const partitionCount = 5n;
    const m = createDeadlineSectorMap(deadlineCount, partitionCount);

    const seen: string[] = [];
    for (const [dl, pm] of m.iter()) {
      expect(pm.partitions()).toEqual([0n, 1n, 2n, 3n, 4n]);
      for (const [p, bf] of pm.iter()) {
        expect(bf.toArray()).toEqual([Number(dl * partitionCount + p)]);
        seen.push(`${dl}/${p}`);
      }
    }
    expect(seen).toHaveLength(50);
    expect(seen[0]).toBe('0/0');
    expect(seen[49]).toBe('9/4');

    expect(m.count()).toEqual([50n, 50n]);
    expect(() => m.check(1n, 1n)).toThrow(new MinerStateError('too many partitions 50, max 1'));
    expect(() => m.check(100n, 1n)).toThrow(new MinerStateError('too many sectors 50, max 1'));
    expect(() => m.check(1n, 100n)).toThrow(new MinerStateError('too many partitions 50, max 1'));
    m.check(50n, 50n);

    // merge a sector in
    m.addValues(policy, 0n, 0n, [1000]);
    expect(m.get(0n)!.get(0n)!.toArray()).toEqual([0, 1000]);
    expect(() => m.check(50n, 50n)).toThrow(new MinerStateError('too many sectors 51, max 50'));
    m.check(50n, 51n);
  });

  it('adds values', () => {
    const m = new DeadlineSectorMap();
    m.addValues(policy, 0n, 1n, [0, 1, 2, 3n]);
    expect(m.get(0n)!.get(1n)!.toArray()).toEqual([0, 1, 2, 3]);
  });

  it('rejects a deadline index out of range', () => {
    const m = new DeadlineSectorMap();
    expect(() => m.addValues(policy, 48n, 0n, [1])).toThrow(new MinerStateError('invalid deadline 48'));
    m.addValues(policy, 47n, 0n, [1]);
    expect(m.deadlines()).toEqual([47n]);
  });

  it('is empty when new', () => {
    const m = new DeadlineSectorMap();
    expect(m.count()).toEqual([0n, 0n]);
    expect(m.iter()).toEqual([]);
    expect(m.deadlines()).toEqual([]);
  });

  it('iterates deadlines sorted whatever the insertion order', () => {
    const m = new DeadlineSectorMap();
    for (let i = 47n; i >= 1n; i--) m.addValues(policy, i, 0n, [0]);
    const dls = m.deadlines();
    expect(dls).toEqual([...dls].sort((a, b) => Number(a - b)));
    expect(dls[0]).toBe(1n);
    expect(dls).toHaveLength(47);
  });

  it('counts large bitfields exactly', () => {
    const m = new DeadlineSectorMap();
    for (let d = 0n; d < 10n; d++) m.add(policy, d, 0n, BitField.fromRanges([[0, 2 ** 40]]));
    expect(m.count()).toEqual([10n, 10n * 2n ** 40n]);
  });
});

describe('PartitionSectorMap', () => {
  it('adds values and merges', () => {
    const m = new PartitionSectorMap();
    m.addValues(0n, [0, 1, 2, 3]);
    expect(m.get(0n)!.toArray()).toEqual([0, 1, 2, 3]);
    m.add(0n, BitField.fromIterable([9]));
    expect(m.get(0n)!.toArray()).toEqual([0, 1, 2, 3, 9]);
    expect(m.count()).toEqual([1n, 5n]);
    expect(m.len()).toBe(1);
    expect(m.isEmpty()).toBe(false);
  });

  it('is empty when new', () => {
    const m = new PartitionSectorMap();
    expect(m.count()).toEqual([0n, 0n]);
    expect(m.iter()).toEqual([]);
    expect(m.partitions()).toEqual([]);
    expect(m.isEmpty()).toBe(true);
  });

  it('iterates partitions sorted whatever the insertion order', () => {
    const m = new PartitionSectorMap();
    for (let i = 100n; i >= 1n; i--) m.addValues(i, [0]);
    const ps = m.partitions();
    expect(ps[0]).toBe(1n);
    expect(ps[99]).toBe(100n);
    expect(ps).toEqual([...ps].sort((a, b) => Number(a - b)));
  });
});
