/**
 * Sector numbers grouped by deadline and partition, as methods collect them from their params before
 * touching state (builtin-actors v18 `sector_map.rs`). Iteration is in ascending index order (Rust BTreeMap).
 * Counts are bigint (Rust u64); Rust tuples are returned as readonly TS tuples in the same order.
 */

import { BitField } from 'fvm-sim';
import { bitFieldFromBits, type Position } from './bitfieldQueue.js';
import type { MinerPolicy } from './policy.js';
import { MinerStateError } from './vesting.js';

const U64_MAX = (1n << 64n) - 1n;

function sortedKeys<V>(m: Map<bigint, V>): bigint[] {
  return [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Partition index → sector numbers (`PartitionSectorMap`). */
export class PartitionSectorMap {
  private readonly m = new Map<bigint, BitField>();

  /** Records sector numbers at a partition (`add_values`). */
  addValues(partitionIdx: bigint, sectorNumbers: Iterable<Position>): void {
    this.add(partitionIdx, bitFieldFromBits(sectorNumbers));
  }

  /** Records a bitfield at a partition, merged with what is already there (`add`). */
  add(partitionIdx: bigint, sectorNumbers: BitField): void {
    const old = this.m.get(partitionIdx);
    this.m.set(partitionIdx, old === undefined ? sectorNumbers : old.union(sectorNumbers));
  }

  /**
   * `[partitions, sectors]` counts (`count`).
   *
   * @throws MinerStateError "integer overflow when counting sectors" past u64 (unreachable with JS bitfields)
   */
  count(): readonly [bigint, bigint] {
    let sectors = 0n;
    for (const bf of this.m.values()) {
      sectors += BigInt(bf.count());
      if (sectors > U64_MAX) throw new MinerStateError('integer overflow when counting sectors');
    }
    return [BigInt(this.m.size), sectors];
  }

  /** Partition indices in ascending order (`partitions`). */
  partitions(): bigint[] {
    return sortedKeys(this.m);
  }

  /** `[partition index, sector numbers]` in ascending partition order (`iter`). */
  iter(): [bigint, BitField][] {
    return this.partitions().map((k) => [k, this.m.get(k)!]);
  }

  /** The sector numbers recorded at a partition, if any. */
  get(partitionIdx: bigint): BitField | undefined {
    return this.m.get(partitionIdx);
  }

  /** Number of partitions (`len`). */
  len(): number {
    return this.m.size;
  }

  /** No partitions recorded (`is_empty`). */
  isEmpty(): boolean {
    return this.m.size === 0;
  }
}

/** Deadline index → {@link PartitionSectorMap} (`DeadlineSectorMap`). */
export class DeadlineSectorMap {
  private readonly m = new Map<bigint, PartitionSectorMap>();

  /**
   * Checks the partition and sector counts against limits (`check`).
   *
   * @throws MinerStateError "too many partitions P, max M" / "too many sectors S, max M"
   */
  check(maxPartitions: bigint, maxSectors: bigint): void {
    let counts: readonly [bigint, bigint];
    try {
      counts = this.count();
    } catch (e) {
      throw new MinerStateError(`failed to count sectors: ${(e as Error).message}`);
    }
    const [partitionCount, sectorCount] = counts;
    if (partitionCount > maxPartitions) throw new MinerStateError(`too many partitions ${partitionCount}, max ${maxPartitions}`);
    if (sectorCount > maxSectors) throw new MinerStateError(`too many sectors ${sectorCount}, max ${maxSectors}`);
  }

  /** `[partitions, sectors]` counts over all deadlines (`count`). */
  count(): readonly [bigint, bigint] {
    let partitions = 0n;
    let sectors = 0n;
    for (const dl of this.deadlines()) {
      let c: readonly [bigint, bigint];
      try {
        c = this.m.get(dl)!.count();
      } catch (e) {
        throw new MinerStateError(`when counting deadline ${dl}: ${(e as Error).message}`);
      }
      partitions += c[0];
      if (partitions > U64_MAX) throw new MinerStateError('integer overflow when counting partitions');
      sectors += c[1];
      if (sectors > U64_MAX) throw new MinerStateError('integer overflow when counting sectors');
    }
    return [partitions, sectors];
  }

  /**
   * Records a bitfield at a deadline and partition (`add`).
   *
   * @throws MinerStateError "invalid deadline D" unless `deadlineIdx < policy.wpostPeriodDeadlines`
   */
  add(policy: MinerPolicy, deadlineIdx: bigint, partitionIdx: bigint, sectorNumbers: BitField): void {
    if (deadlineIdx >= policy.wpostPeriodDeadlines) throw new MinerStateError(`invalid deadline ${deadlineIdx}`);
    let pm = this.m.get(deadlineIdx);
    if (pm === undefined) this.m.set(deadlineIdx, (pm = new PartitionSectorMap()));
    pm.add(partitionIdx, sectorNumbers);
  }

  /** Records sector numbers at a deadline and partition (`add_values`). */
  addValues(policy: MinerPolicy, deadlineIdx: bigint, partitionIdx: bigint, sectorNumbers: Iterable<Position>): void {
    this.add(policy, deadlineIdx, partitionIdx, bitFieldFromBits(sectorNumbers));
  }

  /** Deadline indices in ascending order (`deadlines`). */
  deadlines(): bigint[] {
    return sortedKeys(this.m);
  }

  /** `[deadline index, partition map]` in ascending deadline order (`iter`). */
  iter(): [bigint, PartitionSectorMap][] {
    return this.deadlines().map((k) => [k, this.m.get(k)!]);
  }

  /** The partition map of a deadline, if any. */
  get(deadlineIdx: bigint): PartitionSectorMap | undefined {
    return this.m.get(deadlineIdx);
  }
}
