/**
 * Assignment of newly proven sectors to deadlines (builtin-actors v18 `actors/miner/src/deadline_assignment.rs`).
 *
 * Rust keeps the candidate deadlines in a max-heap ordered by {@link compareDeadlineAssignment} reversed and
 * always gives the next sector to the heap's top. That order is total (the deadline index breaks every tie),
 * so the top is always the unique least candidate: a linear scan for the least one picks exactly the same
 * deadline, sector after sector.
 *
 * @module
 */

import type { MinerPolicy } from './policy.js';
import { MinerStateError } from './vesting.js';

/** The two counters of a deadline the assignment reads (a `Deadline` qualifies). */
export interface DeadlineSectorCounts {
  readonly liveSectors: bigint;
  readonly totalSectors: bigint;
}

/** A candidate deadline during assignment (`DeadlineAssignmentInfo`). */
interface DeadlineAssignmentInfo {
  index: number;
  liveSectors: bigint;
  totalSectors: bigint;
}

function divRoundingUp(dividend: bigint, divisor: bigint): bigint {
  return dividend / divisor + (dividend % divisor === 0n ? 0n : 1n);
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isFullNow(info: DeadlineAssignmentInfo, partitionSize: bigint): boolean {
  return info.totalSectors % partitionSize === 0n;
}

/**
 * The assignment preference (`cmp`): negative when `a` should receive the next sector before `b`. In order:
 * fewer partitions after compaction (live + 1), fewer partitions before compaction (total + 1), an open
 * partition over a full one, the fuller of two open partitions, fewer live sectors, lower index.
 */
function compareDeadlineAssignment(a: DeadlineAssignmentInfo, b: DeadlineAssignmentInfo, partitionSize: bigint): number {
  const compactA = divRoundingUp(a.liveSectors + 1n, partitionSize);
  const compactB = divRoundingUp(b.liveSectors + 1n, partitionSize);
  if (compactA !== compactB) return cmpBig(compactA, compactB);
  const partsA = divRoundingUp(a.totalSectors + 1n, partitionSize);
  const partsB = divRoundingUp(b.totalSectors + 1n, partitionSize);
  if (partsA !== partsB) return cmpBig(partsA, partsB);
  const fullA = isFullNow(a, partitionSize);
  const fullB = isFullNow(b, partitionSize);
  if (fullA !== fullB) return fullA ? 1 : -1; // false < true
  if (!fullA && !fullB && a.totalSectors !== b.totalSectors) return cmpBig(b.totalSectors, a.totalSectors);
  if (a.liveSectors !== b.liveSectors) return cmpBig(a.liveSectors, b.liveSectors);
  return a.index - b.index;
}

/**
 * Distributes `sectors`, in order, over the deadlines given (`assign_deadlines`): each sector goes to the
 * most preferred deadline (see {@link compareDeadlineAssignment}), whose counters then grow by one.
 * `null`/`undefined` entries are deadlines that may not receive sectors.
 *
 * @param maxPartitions the per-deadline partition limit
 * @param partitionSize sectors per partition
 * @param deadlines one entry per deadline index (up to `wpostPeriodDeadlines`)
 * @returns one list per deadline index (`wpostPeriodDeadlines` lists), sectors in assignment order
 * @throws {@link MinerStateError} "max partitions limit N reached for all deadlines" when the chosen deadline
 *   already holds `partitionSize × maxPartitions` sectors; an Error when no deadline is eligible (Rust asserts)
 */
export function assignDeadlines<S>(
  policy: MinerPolicy,
  maxPartitions: bigint,
  partitionSize: bigint,
  deadlines: readonly (DeadlineSectorCounts | null | undefined)[],
  sectors: readonly S[],
): S[][] {
  const candidates: DeadlineAssignmentInfo[] = [];
  deadlines.forEach((dl, index) => {
    if (dl !== null && dl !== undefined) candidates.push({ index, liveSectors: dl.liveSectors, totalSectors: dl.totalSectors });
  });
  if (candidates.length === 0) throw new Error('assign_deadlines: no deadline is open for assignment');

  const changes: S[][] = Array.from({ length: Number(policy.wpostPeriodDeadlines) }, () => []);
  for (const sector of sectors) {
    let best = candidates[0]!;
    for (let i = 1; i < candidates.length; i++) {
      const cand = candidates[i]!;
      if (compareDeadlineAssignment(cand, best, partitionSize) < 0) best = cand;
    }
    if (best.totalSectors >= partitionSize * maxPartitions) {
      throw new MinerStateError(`max partitions limit ${maxPartitions} reached for all deadlines`);
    }
    changes[best.index]!.push(sector);
    best.liveSectors += 1n;
    best.totalSectors += 1n;
  }
  return changes;
}
