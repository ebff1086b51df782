/**
 * The outcome of processing early terminations: sectors by termination epoch plus progress counters
 * (builtin-actors v18 `termination.rs`).
 */

import type { BitField } from 'fvm-sim';

/** Sectors terminated early, by epoch, with how many partitions and sectors were processed (`TerminationResult`). */
export class TerminationResult {
  /** Termination epoch → sector numbers. Use {@link iter} for ascending epoch order. */
  readonly sectors = new Map<bigint, BitField>();
  /** Partitions processed. */
  partitionsProcessed = 0n;
  /** Sectors processed. */
  sectorsProcessed = 0n;

  /** Merges `other` into this result (`AddAssign`): counters add, bitfields of the same epoch unite. */
  addAssign(other: TerminationResult): void {
    this.partitionsProcessed += other.partitionsProcessed;
    this.sectorsProcessed += other.sectorsProcessed;
    for (const [epoch, bf] of other.sectors) {
      const mine = this.sectors.get(epoch);
      this.sectors.set(epoch, mine === undefined ? bf : mine.union(bf));
    }
  }

  /** Whether both counters are below their limits; false at or above either (`below_limit`). */
  belowLimit(partitionLimit: bigint, sectorLimit: bigint): boolean {
    return this.partitionsProcessed < partitionLimit && this.sectorsProcessed < sectorLimit;
  }

  /** No sectors processed (`is_empty`). */
  isEmpty(): boolean {
    return this.sectorsProcessed === 0n;
  }

  /** `[epoch, sectors]` in ascending epoch order (`iter`). */
  iter(): [bigint, BitField][] {
    return [...this.sectors.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((e) => [e, this.sectors.get(e)!]);
  }
}
