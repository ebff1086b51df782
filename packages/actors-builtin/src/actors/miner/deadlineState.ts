/**
 * One deadline's state (builtin-actors v18 `actors/miner/src/deadline_state.rs`, `impl Deadline`), as
 * functions over the decoded {@link Deadline} codec object that mutate it in place where Rust mutates
 * `self`. Rust `Deadline::foo(&mut self, store, a, b)` is `foo(store, dl, a, b)` here (`policy` stays
 * first where Rust takes it first); Rust tuples are returned as objects with named fields.
 *
 * The partitions live in an AMT (`dl.partitions`, bitwidth 3) of {@link Partition} codec values; each
 * function loads it, changes partitions with partition.ts, and stores the new root back.
 *
 * FIP-0100: `dl.dailyFee` is the sum of the daily fees of the deadline's live sectors; it grows when new
 * sectors are added (`newFees`) and shrinks by the fee deductions of expired and terminated sectors.
 *
 * @module
 */

import { ActorError, Amt, BitField, type Blockstore, type CID, ExitCode } from 'fvm-sim';
import { BitFieldQueue, bitFieldFromBits } from './bitfieldQueue.js';
import type { QuantSpec } from './deadlines.js';
import { expirationSetEmpty } from './expirationQueue.js';
import * as part from './partition.js';
import type { MinerPolicy } from './policy.js';
import { type PowerPair, powerPairAdd, powerPairEquals, powerPairIsZero, powerPairSub, powerPairZero } from './powerPair.js';
import { PartitionSectorMap } from './sectorMap.js';
import type { Sectors } from './sectors.js';
import { contextCode, downcastDefaultState, downcastWrap } from './stateErrors.js';
import { TerminationResult } from './termination.js';
import {
  DEADLINE_EXPIRATIONS_AMT_BITWIDTH,
  DEADLINE_OPTIMISTIC_POST_SUBMISSIONS_AMT_BITWIDTH,
  DEADLINE_PARTITIONS_AMT_BITWIDTH,
  type Deadline,
  type ExpirationSet,
  Partition as PartitionCodec,
  type Partition,
  type PoStPartition,
  type PoStProof,
  SECTORS_AMT_BITWIDTH,
  type SectorOnChainInfo,
  WindowedPoSt as WindowedPoStCodec,
  type WindowedPoSt,
} from './types.js';
import { MinerStateError } from './vesting.js';

export type { Deadline } from './types.js';

// ---------------------------------------------------------------------------------------------
// Construction and AMT access

/** The CID of an empty AMT of the given bitwidth (flushed into `store`). */
function emptyAmtRoot(store: Blockstore, bitwidth: number): CID {
  return Amt.empty<unknown>(store, bitwidth).flush();
}

/**
 * An empty deadline (`Deadline::new`): empty partitions (bitwidth 3), expirations (5), optimistic PoSt
 * submissions (2) and sectors snapshot (5) AMTs; the partitions and submissions snapshots equal the live
 * (empty) roots; zero counters, power and fee.
 */
export function newDeadline(store: Blockstore): Deadline {
  const emptyPartitionsArray = emptyAmtRoot(store, DEADLINE_PARTITIONS_AMT_BITWIDTH);
  const emptyDeadlineExpirationArray = emptyAmtRoot(store, DEADLINE_EXPIRATIONS_AMT_BITWIDTH);
  const emptyPostSubmissionsArray = emptyAmtRoot(store, DEADLINE_OPTIMISTIC_POST_SUBMISSIONS_AMT_BITWIDTH);
  const emptySectorsArray = emptyAmtRoot(store, SECTORS_AMT_BITWIDTH);
  return {
    partitions: emptyPartitionsArray,
    expirationsEpochs: emptyDeadlineExpirationArray,
    partitionsPosted: new BitField(),
    earlyTerminations: new BitField(),
    liveSectors: 0n,
    totalSectors: 0n,
    faultyPower: powerPairZero(),
    optimisticPoStSubmissions: emptyPostSubmissionsArray,
    sectorsSnapshot: emptySectorsArray,
    partitionsSnapshot: emptyPartitionsArray,
    optimisticPoStSubmissionsSnapshot: emptyPostSubmissionsArray,
    livePower: powerPairZero(),
    dailyFee: 0n,
  };
}

/**
 * An AMT of codec values seen through their codec: the raw AMT stores data-model values; `get` decodes,
 * `set` encodes. `amt` is exposed for `count`, `flush` and iteration.
 */
export class TypedAmt<T> {
  constructor(
    readonly amt: Amt<unknown>,
    private readonly codec: { toCbor(v: T): unknown; fromCbor(raw: unknown): T },
  ) {}

  /** Number of entries. */
  count(): bigint {
    return this.amt.count;
  }

  /** The value at `i`, decoded, or `undefined`. */
  get(i: bigint): T | undefined {
    const raw = this.amt.get(i);
    return raw === undefined ? undefined : this.codec.fromCbor(raw);
  }

  /** Stores `v` at `i`. */
  set(i: bigint, v: T): void {
    this.amt.set(i, this.codec.toCbor(v));
  }

  /** Deletes `i`, returning the previous value, if any. */
  delete(i: bigint): T | undefined {
    const prev = this.get(i);
    if (prev !== undefined) this.amt.delete(i);
    return prev;
  }

  /** Every entry in index order, decoded; stop early by returning `false`. */
  forEach(cb: (i: bigint, v: T) => void | boolean): void {
    this.amt.forEach((i, raw) => cb(i, this.codec.fromCbor(raw)));
  }

  /** Writes the AMT and returns its root. */
  flush(): CID {
    return this.amt.flush();
  }
}

/** The partitions AMT (`Deadline::partitions_amt`). */
export function partitionsAmt(store: Blockstore, dl: Deadline): TypedAmt<Partition> {
  return new TypedAmt(Amt.load<unknown>(store, dl.partitions), PartitionCodec);
}

/** The optimistic PoSt submissions AMT of the current window (`Deadline::optimistic_proofs_amt`). */
export function optimisticProofsAmt(store: Blockstore, dl: Deadline): TypedAmt<WindowedPoSt> {
  return new TypedAmt(Amt.load<unknown>(store, dl.optimisticPoStSubmissions), WindowedPoStCodec);
}

/** The partitions snapshot AMT of the previous window (`Deadline::partitions_snapshot_amt`). */
export function partitionsSnapshotAmt(store: Blockstore, dl: Deadline): TypedAmt<Partition> {
  return new TypedAmt(Amt.load<unknown>(store, dl.partitionsSnapshot), PartitionCodec);
}

/** The optimistic PoSt submissions snapshot AMT (`Deadline::optimistic_proofs_snapshot_amt`). */
export function optimisticProofsSnapshotAmt(store: Blockstore, dl: Deadline): TypedAmt<WindowedPoSt> {
  return new TypedAmt(Amt.load<unknown>(store, dl.optimisticPoStSubmissionsSnapshot), WindowedPoStCodec);
}

/**
 * Partition `partitionIdx` (`Deadline::load_partition`).
 *
 * @throws ActorError USR_NOT_FOUND "no partition N"; USR_ILLEGAL_STATE when the AMT cannot be read
 */
export function loadPartition(store: Blockstore, dl: Deadline, partitionIdx: bigint): Partition {
  let partitions: TypedAmt<Partition>;
  try {
    partitions = partitionsAmt(store, dl);
  } catch (e) {
    throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, 'loading partitions array');
  }
  let partition: Partition | undefined;
  try {
    partition = partitions.get(partitionIdx);
  } catch (e) {
    throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to lookup partition ${partitionIdx}`);
  }
  if (partition === undefined) throw ActorError.notFound(`no partition ${partitionIdx}`);
  return partition;
}

/**
 * Partition `partitionIdx` of the snapshot taken at the end of the last challenge window
 * (`Deadline::load_partition_snapshot`).
 *
 * @throws ActorError USR_NOT_FOUND "no partition snapshot N"
 */
export function loadPartitionSnapshot(store: Blockstore, dl: Deadline, partitionIdx: bigint): Partition {
  const partitions = partitionsSnapshotAmt(store, dl);
  let partition: Partition | undefined;
  try {
    partition = partitions.get(partitionIdx);
  } catch (e) {
    throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, `failed to lookup partition snapshot ${partitionIdx}`);
  }
  if (partition === undefined) throw ActorError.notFound(`no partition snapshot ${partitionIdx}`);
  return partition;
}

// ---------------------------------------------------------------------------------------------
// Expirations

/** Adds partition numbers to the deadline's expiration queue at `expirationEpoch` (`Deadline::add_expiration_partitions`). */
export function addExpirationPartitions(store: Blockstore, dl: Deadline, expirationEpoch: bigint, partitions: readonly bigint[], quant: QuantSpec): void {
  if (partitions.length === 0) return;
  let queue: BitFieldQueue;
  try {
    queue = new BitFieldQueue(store, dl.expirationsEpochs, quant);
  } catch (e) {
    throw downcastWrap(e, 'failed to load expiration queue');
  }
  try {
    queue.addToQueueValues(expirationEpoch, partitions);
  } catch (e) {
    throw downcastWrap(e, 'failed to mutate expiration queue');
  }
  try {
    dl.expirationsEpochs = queue.amt.flush();
  } catch (e) {
    throw downcastWrap(e, 'failed to save expiration queue');
  }
}

/**
 * Pops the partitions whose expiration-queue epoch is ≤ `until` (`Deadline::pop_expired_partitions`).
 *
 * @returns `[partitions, modified]`
 */
export function popExpiredPartitions(store: Blockstore, dl: Deadline, until: bigint, quant: QuantSpec): readonly [BitField, boolean] {
  const expirations = new BitFieldQueue(store, dl.expirationsEpochs, quant);
  let popped: readonly [BitField, boolean];
  try {
    popped = expirations.popUntil(until);
  } catch (e) {
    throw downcastWrap(e, 'failed to pop expiring partitions');
  }
  if (popped[1]) dl.expirationsEpochs = expirations.amt.flush();
  return popped;
}

/**
 * Expires, in every partition due, the sectors whose expiration is ≤ `until` (on time, or early for faults
 * past their maximum age), and returns the aggregate (`Deadline::pop_expired_sectors`). Partitions with early
 * expirations are flagged in `dl.earlyTerminations`; live sectors, power and the daily fee shrink.
 */
export function popExpiredSectors(store: Blockstore, dl: Deadline, until: bigint, quant: QuantSpec): ExpirationSet {
  const [expiredPartitions, modified] = popExpiredPartitions(store, dl, until, quant);
  if (!modified) return expirationSetEmpty();

  const partitions = partitionsAmt(store, dl);
  const onTimeSectors: BitField[] = [];
  const earlySectors: BitField[] = [];
  let allOnTimePledge = 0n;
  let allActivePower = powerPairZero();
  let allFaultyPower = powerPairZero();
  let allFeeDeductions = 0n;
  const partitionsWithEarlyTerminations: bigint[] = [];

  for (const i of expiredPartitions) {
    const partitionIdx = BigInt(i);
    const partition = partitions.get(partitionIdx);
    if (partition === undefined) throw new MinerStateError(`missing expected partition ${partitionIdx}`);
    let partitionExpiration: ExpirationSet;
    try {
      partitionExpiration = part.popExpiredSectors(store, partition, until, quant);
    } catch (e) {
      throw downcastWrap(e, `failed to pop expired sectors from partition ${partitionIdx}`);
    }
    if (!partitionExpiration.earlySectors.isEmpty()) partitionsWithEarlyTerminations.push(partitionIdx);
    onTimeSectors.push(partitionExpiration.onTimeSectors);
    earlySectors.push(partitionExpiration.earlySectors);
    allActivePower = powerPairAdd(allActivePower, partitionExpiration.activePower);
    allFaultyPower = powerPairAdd(allFaultyPower, partitionExpiration.faultyPower);
    allOnTimePledge += partitionExpiration.onTimePledge;
    allFeeDeductions += partitionExpiration.feeDeduction;
    partitions.set(partitionIdx, partition);
  }
  dl.partitions = partitions.flush();

  dl.earlyTerminations = dl.earlyTerminations.union(bitFieldFromBits(partitionsWithEarlyTerminations));

  const allOnTimeSectors = BitField.union(...onTimeSectors);
  const allEarlySectors = BitField.union(...earlySectors);
  dl.liveSectors -= BigInt(allOnTimeSectors.count() + allEarlySectors.count());

  dl.faultyPower = powerPairSub(dl.faultyPower, allFaultyPower);
  dl.livePower = powerPairSub(powerPairSub(dl.livePower, allFaultyPower), allActivePower);
  dl.dailyFee -= allFeeDeductions;

  return {
    onTimeSectors: allOnTimeSectors,
    earlySectors: allEarlySectors,
    onTimePledge: allOnTimePledge,
    activePower: allActivePower,
    faultyPower: allFaultyPower,
    feeDeduction: allFeeDeductions,
  };
}

// ---------------------------------------------------------------------------------------------
// Adding and removing sectors

/**
 * Adds sectors (assumed non-faulty) to the deadline, filling its last partition first and opening new ones
 * of `partitionSize` (`Deadline::add_sectors`). The caller makes sure the deadline is not open. Proven
 * sectors count as active power, unproven ones as unproven power; their daily fees are added to the
 * deadline's when `newFees` (sectors new to the deadline, not moved within it).
 *
 * @returns `power` added and `dailyFee` added (zero unless `newFees`)
 */
export function addSectors(
  store: Blockstore,
  dl: Deadline,
  partitionSize: bigint,
  proven: boolean,
  newFees: boolean,
  sectors: readonly SectorOnChainInfo[],
  sectorSize: bigint,
  quant: QuantSpec,
): { power: PowerPair; dailyFee: bigint } {
  let totalPower = powerPairZero();
  let totalDailyFee = 0n;
  if (sectors.length === 0) return { power: totalPower, dailyFee: totalDailyFee };

  const partitionDeadlineUpdates: [bigint, bigint][] = [];
  dl.liveSectors += BigInt(sectors.length);
  dl.totalSectors += BigInt(sectors.length);

  const partitions = partitionsAmt(store, dl);
  let remaining = sectors;
  // Fill the last partition first, then open new ones.
  for (let partitionIdx = partitions.count() > 0n ? partitions.count() - 1n : 0n; ; partitionIdx++) {
    const partition = partitions.get(partitionIdx) ?? part.newPartition(store);
    const sectorCount = BigInt(partition.sectors.count());
    if (sectorCount >= partitionSize) continue;

    const room = partitionSize - sectorCount;
    const size = Number(room < BigInt(remaining.length) ? room : BigInt(remaining.length));
    const partitionNewSectors = remaining.slice(0, size);
    remaining = remaining.slice(size);

    const added = part.addSectors(store, partition, proven, partitionNewSectors, sectorSize, quant);
    totalPower = powerPairAdd(totalPower, added.power);
    if (newFees) totalDailyFee += added.dailyFee;

    partitions.set(partitionIdx, partition);
    for (const s of partitionNewSectors) partitionDeadlineUpdates.push([s.expiration, partitionIdx]);
    if (remaining.length === 0) break;
  }
  dl.partitions = partitions.flush();

  let deadlineExpirations: BitFieldQueue;
  try {
    deadlineExpirations = new BitFieldQueue(store, dl.expirationsEpochs, quant);
  } catch (e) {
    throw downcastWrap(e, 'failed to load expiration epochs');
  }
  try {
    deadlineExpirations.addManyToQueueValues(partitionDeadlineUpdates);
  } catch (e) {
    throw downcastWrap(e, 'failed to add expirations for new deadlines');
  }
  dl.expirationsEpochs = deadlineExpirations.amt.flush();
  dl.dailyFee += totalDailyFee;
  dl.livePower = powerPairAdd(dl.livePower, totalPower);

  return { power: totalPower, dailyFee: totalDailyFee };
}

/**
 * Pops early-terminated sectors from the flagged partitions, up to `maxPartitions` / `maxSectors`
 * (`Deadline::pop_early_terminations`). Partitions fully processed (or missing) are unflagged.
 *
 * @returns the termination `result` and whether more remain (`hasMore`)
 */
export function popEarlyTerminations(
  store: Blockstore,
  dl: Deadline,
  maxPartitions: bigint,
  maxSectors: bigint,
): { result: TerminationResult; hasMore: boolean } {
  const partitions = partitionsAmt(store, dl);
  const partitionsFinished: number[] = [];
  const result = new TerminationResult();

  for (const i of dl.earlyTerminations) {
    const partitionIdx = BigInt(i);
    let partition: Partition | undefined;
    try {
      partition = partitions.get(partitionIdx);
    } catch (e) {
      throw downcastWrap(e, `failed to load partition ${partitionIdx}`);
    }
    if (partition === undefined) {
      partitionsFinished.push(i);
      continue;
    }
    let popped: { result: TerminationResult; hasMore: boolean };
    try {
      popped = part.popEarlyTerminations(store, partition, maxSectors - result.sectorsProcessed);
    } catch (e) {
      throw downcastWrap(e, 'failed to pop terminations from partition');
    }
    result.addAssign(popped.result);
    if (!popped.hasMore) partitionsFinished.push(i);
    try {
      partitions.set(partitionIdx, partition);
    } catch (e) {
      throw downcastWrap(e, `failed to store partition ${partitionIdx}`);
    }
    if (!result.belowLimit(maxPartitions, maxSectors)) break;
  }

  const early = dl.earlyTerminations.clone();
  for (const finished of partitionsFinished) early.unset(finished);
  dl.earlyTerminations = early;

  try {
    dl.partitions = partitions.flush();
  } catch (e) {
    throw downcastWrap(e, 'failed to update partitions');
  }
  return { result, hasMore: !dl.earlyTerminations.isEmpty() };
}

/**
 * Terminates sectors, partition by partition, at `epoch` (`Deadline::terminate_sectors`): they move to the
 * partitions' early-termination queues and the deadline's counters, power and fee shrink.
 *
 * @returns the active power lost
 * @throws ActorError USR_NOT_FOUND "failed to find partition N" (wrapped), or the partition's errors
 */
export function terminateSectors(
  policy: MinerPolicy,
  store: Blockstore,
  dl: Deadline,
  sectors: Sectors,
  epoch: bigint,
  partitionSectors: PartitionSectorMap,
  sectorSize: bigint,
  quant: QuantSpec,
): PowerPair {
  const partitions = partitionsAmt(store, dl);
  let powerLost = powerPairZero();
  for (const [partitionIdx, sectorNumbers] of partitionSectors.iter()) {
    let partition: Partition | undefined;
    try {
      partition = partitions.get(partitionIdx);
    } catch (e) {
      throw downcastWrap(e, `failed to load partition ${partitionIdx}`);
    }
    if (partition === undefined) throw ActorError.notFound(`failed to find partition ${partitionIdx}`);

    let terminated: { removed: ExpirationSet; removedUnproven: PowerPair };
    try {
      terminated = part.terminateSectors(policy, store, partition, sectors, epoch, sectorNumbers, sectorSize, quant);
    } catch (e) {
      throw downcastWrap(e, `failed to terminate sectors in partition ${partitionIdx}`);
    }
    const { removed, removedUnproven } = terminated;
    try {
      partitions.set(partitionIdx, partition);
    } catch (e) {
      throw downcastWrap(e, `failed to store updated partition ${partitionIdx}`);
    }

    const removedCount = removed.onTimeSectors.count() + removed.earlySectors.count();
    if (removedCount > 0) {
      // The partition now has early terminations pending.
      const early = dl.earlyTerminations.clone();
      early.set(Number(partitionIdx));
      dl.earlyTerminations = early;
      dl.liveSectors -= BigInt(removedCount);
    }
    dl.faultyPower = powerPairSub(dl.faultyPower, removed.faultyPower);
    dl.livePower = powerPairSub(powerPairSub(powerPairSub(dl.livePower, removed.activePower), removed.faultyPower), removedUnproven);
    dl.dailyFee -= removed.feeDeduction;
    powerLost = powerPairAdd(powerLost, removed.activePower);
  }
  try {
    dl.partitions = partitions.flush();
  } catch (e) {
    throw downcastWrap(e, 'failed to persist partitions');
  }
  return powerLost;
}

/**
 * Removes the partitions `toRemove`, keeping the others in order, and adds their live sectors back, proven,
 * into new partitions at the end (`Deadline::compact_partitions`, Go `RemovePartitions`). The daily fee is
 * left as is (the caller adjusts it).
 *
 * @returns the dead (terminated) sectors of the removed partitions
 * @throws ActorError USR_ILLEGAL_ARGUMENT for an index out of range, a deadline with early terminations,
 *   or a removed partition with faults or unproven sectors
 */
export function compactPartitions(
  store: Blockstore,
  dl: Deadline,
  sectors: Sectors,
  sectorSize: bigint,
  windowPoStPartitionSectors: bigint,
  toRemove: BitField,
  quant: QuantSpec,
): BitField {
  let oldPartitions: TypedAmt<Partition>;
  try {
    oldPartitions = partitionsAmt(store, dl);
  } catch (e) {
    throw downcastWrap(e, 'failed to load partitions');
  }
  const partitionCount = oldPartitions.count();
  // `bounded_iter(partition_count)`: more set bits than partitions cannot all be in range.
  if (BigInt(toRemove.count()) > partitionCount) throw ActorError.illegalArgument('partitions to remove exceeds total');
  const maxPartition = toRemove.last();
  if (maxPartition === undefined) return new BitField();
  if (BigInt(maxPartition) >= partitionCount) {
    throw ActorError.illegalArgument(`partition index ${maxPartition} out of range [0, ${partitionCount})`);
  }
  if (!dl.earlyTerminations.isEmpty()) {
    throw ActorError.illegalArgument('cannot remove partitions from deadline with early terminations');
  }

  const newPartitions = new TypedAmt<Partition>(Amt.empty<unknown>(store, DEADLINE_PARTITIONS_AMT_BITWIDTH), PartitionCodec);
  const allDeadSectors: BitField[] = [];
  const allLiveSectors: BitField[] = [];
  let removedPower = powerPairZero();
  try {
    oldPartitions.forEach((partitionIdx, partition) => {
      if (!toRemove.has(Number(partitionIdx))) {
        newPartitions.set(newPartitions.count(), partition);
        return;
      }
      if (!partition.faults.isEmpty()) throw ActorError.illegalArgument(`cannot remove partition ${partitionIdx}: has faults`);
      if (!partition.unproven.isEmpty()) throw ActorError.illegalArgument(`cannot remove partition ${partitionIdx}: has unproven sectors`);
      allDeadSectors.push(partition.terminated);
      allLiveSectors.push(part.liveSectors(partition));
      removedPower = powerPairAdd(removedPower, partition.livePower);
    });
  } catch (e) {
    throw downcastWrap(e, 'while removing partitions');
  }
  try {
    dl.partitions = newPartitions.flush();
  } catch (e) {
    throw downcastWrap(e, 'failed to persist new partition table');
  }

  const dead = BitField.union(...allDeadSectors);
  const live = BitField.union(...allLiveSectors);
  dl.liveSectors -= BigInt(live.count());
  dl.totalSectors -= BigInt(live.count() + dead.count());
  // No faults can be in removed partitions, so faulty power is unchanged.
  dl.livePower = powerPairSub(dl.livePower, removedPower);

  let expirationEpochs: BitFieldQueue;
  try {
    expirationEpochs = new BitFieldQueue(store, dl.expirationsEpochs, quant);
  } catch (e) {
    throw downcastWrap(e, 'failed to load expiration queue');
  }
  try {
    expirationEpochs.cut(toRemove);
  } catch (e) {
    throw downcastWrap(e, 'failed cut removed partitions from deadline expiration queue');
  }
  try {
    dl.expirationsEpochs = expirationEpochs.amt.flush();
  } catch (e) {
    throw downcastWrap(e, 'failed persist deadline expiration queue');
  }

  const liveSectors = sectors.loadSectors(live);
  let added: { power: PowerPair; dailyFee: bigint };
  try {
    // Already proven; not new to the deadline, so no fee change.
    added = addSectors(store, dl, windowPoStPartitionSectors, true, false, liveSectors, sectorSize, quant);
  } catch (e) {
    throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, 'failed to add back moved sectors');
  }
  if (added.dailyFee !== 0n) throw new MinerStateError(`unexpected fee when adding back moved sectors: ${added.dailyFee}`);
  if (!powerPairEquals(removedPower, added.power)) {
    throw new MinerStateError(
      `power changed when compacting partitions: was PowerPair { raw: ${removedPower.raw}, qa: ${removedPower.qa} }, is now PowerPair { raw: ${added.power.raw}, qa: ${added.power.qa} }`,
    );
  }
  return dead;
}

/** Rust's name for {@link compactPartitions} in the docs ("RemovePartitions"). */
export const removePartitions = compactPartitions;

// ---------------------------------------------------------------------------------------------
// Faults and recoveries

/**
 * Declares sectors faulty, partition by partition, scheduling their fault expiration
 * (`Deadline::record_faults`).
 *
 * @returns the power delta (negative: active power lost)
 * @throws ActorError USR_NOT_FOUND "no such partition N"
 */
export function recordFaults(
  store: Blockstore,
  dl: Deadline,
  sectors: Sectors,
  sectorSize: bigint,
  quant: QuantSpec,
  faultExpirationEpoch: bigint,
  partitionSectors: PartitionSectorMap,
): PowerPair {
  const partitions = partitionsAmt(store, dl);
  const partitionsWithFault: bigint[] = [];
  let powerDelta = powerPairZero();
  for (const [partitionIdx, sectorNumbers] of partitionSectors.iter()) {
    let partition: Partition | undefined;
    try {
      partition = partitions.get(partitionIdx);
    } catch (e) {
      throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, `failed to load partition ${partitionIdx}`);
    }
    if (partition === undefined) throw ActorError.notFound(`no such partition ${partitionIdx}`);

    let recorded: { newFaults: BitField; powerDelta: PowerPair; newFaultyPower: PowerPair };
    try {
      recorded = part.recordFaults(store, partition, sectors, sectorNumbers, faultExpirationEpoch, sectorSize, quant);
    } catch (e) {
      throw downcastWrap(e, `failed to declare faults in partition ${partitionIdx}`);
    }
    dl.faultyPower = powerPairAdd(dl.faultyPower, recorded.newFaultyPower);
    powerDelta = powerPairAdd(powerDelta, recorded.powerDelta);
    if (!recorded.newFaults.isEmpty()) partitionsWithFault.push(partitionIdx);
    try {
      partitions.set(partitionIdx, partition);
    } catch (e) {
      throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, `failed to store partition ${partitionIdx}`);
    }
  }
  try {
    dl.partitions = partitions.flush();
  } catch (e) {
    throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, 'failed to store partitions root');
  }
  try {
    addExpirationPartitions(store, dl, faultExpirationEpoch, partitionsWithFault, quant);
  } catch (e) {
    throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, 'failed to update expirations for partitions with faults');
  }
  return powerDelta;
}

/**
 * Declares faulty sectors recovering, partition by partition (`Deadline::declare_faults_recovered`). Power
 * returns only when the recovery is proven.
 *
 * @throws ActorError USR_NOT_FOUND "no such partition N"
 */
export function declareFaultsRecovered(store: Blockstore, dl: Deadline, sectors: Sectors, sectorSize: bigint, partitionSectors: PartitionSectorMap): void {
  const partitions = partitionsAmt(store, dl);
  for (const [partitionIdx, sectorNumbers] of partitionSectors.iter()) {
    let partition: Partition | undefined;
    try {
      partition = partitions.get(partitionIdx);
    } catch (e) {
      throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, `failed to load partition ${partitionIdx}`);
    }
    if (partition === undefined) throw ActorError.notFound(`no such partition ${partitionIdx}`);
    try {
      part.declareFaultsRecovered(partition, sectors, sectorSize, sectorNumbers);
    } catch (e) {
      throw downcastWrap(e, 'failed to add recoveries');
    }
    try {
      partitions.set(partitionIdx, partition);
    } catch (e) {
      throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, `failed to update partition ${partitionIdx}`);
    }
  }
  try {
    dl.partitions = partitions.flush();
  } catch (e) {
    throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, 'failed to store partitions root');
  }
}

/**
 * Ends the deadline's challenge window (`Deadline::process_deadline_end`): every partition not proven (and
 * not already wholly faulty without recoveries) records a missed PoSt; then the PoSt bookkeeping resets —
 * the partitions and submissions are snapshotted, and the sectors AMT root `sectors` is snapshotted only
 * when some optimistic proof may be disputed.
 *
 * @returns `powerDelta` and `penalizedPower` (new faults and failed recoveries)
 */
export function processDeadlineEnd(
  store: Blockstore,
  dl: Deadline,
  quant: QuantSpec,
  faultExpirationEpoch: bigint,
  sectors: CID,
): { powerDelta: PowerPair; penalizedPower: PowerPair } {
  let partitions: TypedAmt<Partition>;
  try {
    partitions = partitionsAmt(store, dl);
  } catch (e) {
    throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, 'failed to load partitions');
  }

  let detectedAny = false;
  const rescheduledPartitions: bigint[] = [];
  let powerDelta = powerPairZero();
  let penalizedPower = powerPairZero();
  const count = partitions.count();
  for (let partitionIdx = 0n; partitionIdx < count; partitionIdx++) {
    if (dl.partitionsPosted.has(Number(partitionIdx))) continue;

    let partition: Partition | undefined;
    try {
      partition = partitions.get(partitionIdx);
    } catch (e) {
      throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, `failed to load partition ${partitionIdx}`);
    }
    if (partition === undefined) throw ActorError.illegalState(`no partition ${partitionIdx}`);

    // Nothing recovering and everything already faulty: nothing to do (a miner that keeps missing PoSts).
    if (powerPairIsZero(partition.recoveringPower) && powerPairEquals(partition.faultyPower, partition.livePower)) continue;

    detectedAny = true;
    let missed: { powerDelta: PowerPair; penalizedPower: PowerPair; newFaultyPower: PowerPair };
    try {
      missed = part.recordMissedPost(store, partition, faultExpirationEpoch, quant);
    } catch (e) {
      throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, `failed to record missed PoSt for partition ${partitionIdx}`);
    }
    // New faults need their expiration recorded; failed recoveries alone do not.
    if (!powerPairIsZero(missed.newFaultyPower)) rescheduledPartitions.push(partitionIdx);
    try {
      partitions.set(partitionIdx, partition);
    } catch (e) {
      throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, `failed to update partition ${partitionIdx}`);
    }
    dl.faultyPower = powerPairAdd(dl.faultyPower, missed.newFaultyPower);
    powerDelta = powerPairAdd(powerDelta, missed.powerDelta);
    penalizedPower = powerPairAdd(penalizedPower, missed.penalizedPower);
  }

  if (detectedAny) {
    try {
      dl.partitions = partitions.flush();
    } catch (e) {
      throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, 'failed to store partitions');
    }
  }

  try {
    addExpirationPartitions(store, dl, faultExpirationEpoch, rescheduledPartitions, quant);
  } catch (e) {
    throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, 'failed to update deadline expiration queue');
  }

  // Reset the PoSt bookkeeping for the next window.
  dl.partitionsPosted = new BitField();
  dl.partitionsSnapshot = dl.partitions;
  dl.optimisticPoStSubmissionsSnapshot = dl.optimisticPoStSubmissions;
  dl.optimisticPoStSubmissions = emptyAmtRoot(store, DEADLINE_OPTIMISTIC_POST_SUBMISSIONS_AMT_BITWIDTH);

  // Snapshot the sectors only if some proof may be disputed (the submissions snapshot is not empty).
  if (!dl.optimisticPoStSubmissions.equals(dl.optimisticPoStSubmissionsSnapshot)) {
    dl.sectorsSnapshot = sectors;
  } else {
    dl.sectorsSnapshot = emptyAmtRoot(store, SECTORS_AMT_BITWIDTH);
  }
  return { powerDelta, penalizedPower };
}

/** Calls `f` for every partition in index order (`Deadline::for_each`). */
export function forEachPartition(store: Blockstore, dl: Deadline, f: (partitionIdx: bigint, partition: Partition) => void): void {
  partitionsAmt(store, dl).forEach((i, p) => {
    f(i, p);
  });
}

/** Rust's name for {@link forEachPartition}. */
export const forEach = forEachPartition;

/**
 * Checks the deadline's invariants before it is stored (`Deadline::validate_state`).
 *
 * @throws {@link MinerStateError} "deadline left with more live sectors than total" or "… negative faulty power"
 */
export function validateState(dl: Deadline): void {
  if (dl.liveSectors > dl.totalSectors) throw new MinerStateError('deadline left with more live sectors than total');
  if (dl.faultyPower.raw < 0n || dl.faultyPower.qa < 0n) throw new MinerStateError('deadline left with negative faulty power');
}

/** What a dispute of optimistic PoSts covers (`DisputeInfo`). */
export interface DisputeInfo {
  allSectorNos: BitField;
  ignoredSectorNos: BitField;
  disputedSectors: PartitionSectorMap;
  disputedPower: PowerPair;
}

/**
 * The sectors of the snapshotted partitions a disputed PoSt covered (`Deadline::load_partitions_for_dispute`):
 * all their sectors, those the proof ignored (faulty, terminated, unproven), their active sectors by
 * partition, and the active power to penalize.
 *
 * @throws {@link MinerStateError} "failed to find partition N"
 */
export function loadPartitionsForDispute(store: Blockstore, dl: Deadline, partitions: BitField): DisputeInfo {
  let snapshot: TypedAmt<Partition>;
  try {
    snapshot = partitionsSnapshotAmt(store, dl);
  } catch (e) {
    throw downcastWrap(e, 'failed to load partitions {}');
  }
  const allSectors: BitField[] = [];
  const allIgnored: BitField[] = [];
  const disputedSectors = new PartitionSectorMap();
  let disputedPower = powerPairZero();
  for (const i of partitions) {
    const partIdx = BigInt(i);
    const partitionSnapshot = snapshot.get(partIdx);
    if (partitionSnapshot === undefined) throw new MinerStateError(`failed to find partition ${partIdx}`);
    allSectors.push(partitionSnapshot.sectors);
    allIgnored.push(partitionSnapshot.faults, partitionSnapshot.terminated, partitionSnapshot.unproven);
    disputedSectors.add(partIdx, part.activeSectors(partitionSnapshot));
    // Includes power activated at the end of the last window and power of sectors expired since.
    disputedPower = powerPairAdd(disputedPower, part.activePower(partitionSnapshot));
  }
  return {
    allSectorNos: BitField.union(...allSectors),
    ignoredSectorNos: BitField.union(...allIgnored),
    disputedSectors,
    disputedPower,
  };
}

/**
 * Whether the deadline needs its end processed (`Deadline::is_live`): it has live sectors, proofs, or
 * partitions / submissions that differ from their snapshots (one last update to empty the snapshots).
 */
export function isLive(dl: Deadline): boolean {
  if (dl.liveSectors > 0n) return true;
  if (!dl.partitionsPosted.isEmpty()) return true;
  if (!dl.partitions.equals(dl.partitionsSnapshot)) return true;
  if (!dl.optimisticPoStSubmissions.equals(dl.optimisticPoStSubmissionsSnapshot)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Window PoSt

/** What {@link recordProvenSectors} reports (`PoStResult`). */
export interface PoStResult {
  /** Power activated or deactivated. */
  powerDelta: PowerPair;
  newFaultyPower: PowerPair;
  retractedRecoveryPower: PowerPair;
  recoveredPower: PowerPair;
  /** Every sector of the proven partitions. */
  sectors: BitField;
  /** The subset of `sectors` the proof skips (faulty, terminated). */
  ignoredSectors: BitField;
  /** The partitions proven. */
  partitions: BitField;
}

/**
 * Records a PoSt's partitions as proven (`Deadline::record_proven_sectors`): skipped sectors become faults,
 * declared recoveries are recovered, unproven sectors are activated. The proof itself is verified by the
 * caller against the returned `sectors` minus `ignoredSectors`.
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT "duplicate partitions proven", "partition already proven: …";
 *   USR_NOT_FOUND "no such partition N"
 */
export function recordProvenSectors(
  store: Blockstore,
  dl: Deadline,
  sectors: Sectors,
  sectorSize: bigint,
  quant: QuantSpec,
  faultExpiration: bigint,
  postPartitions: readonly PoStPartition[],
): PoStResult {
  let partitionIndexes: BitField;
  try {
    partitionIndexes = bitFieldFromBits(postPartitions.map((p) => p.index));
  } catch {
    throw ActorError.illegalArgument('partition index out of bitfield range');
  }
  if (BigInt(partitionIndexes.count()) !== BigInt(postPartitions.length)) throw ActorError.illegalArgument('duplicate partitions proven');

  const alreadyProven = dl.partitionsPosted.intersect(partitionIndexes);
  if (!alreadyProven.isEmpty()) throw ActorError.illegalArgument(`partition already proven: ${alreadyProven.toString()}`);

  const partitions = partitionsAmt(store, dl);
  const allSectors: BitField[] = [];
  const allIgnored: BitField[] = [];
  let newFaultyPowerTotal = powerPairZero();
  let retractedRecoveryPowerTotal = powerPairZero();
  let recoveredPowerTotal = powerPairZero();
  const rescheduledPartitions: bigint[] = [];
  let powerDelta = powerPairZero();
  const posted = dl.partitionsPosted.clone();

  for (const post of postPartitions) {
    let partition: Partition | undefined;
    try {
      partition = partitions.get(post.index);
    } catch (e) {
      throw downcastWrap(e, `failed to load partition ${post.index}`);
    }
    if (partition === undefined) throw ActorError.notFound(`no such partition ${post.index}`);

    // New faults first, so the partition's faults are those the proof expects.
    let skipped: { powerDelta: PowerPair; newFaultyPower: PowerPair; retractedRecoveryPower: PowerPair; hasNewFaults: boolean };
    try {
      skipped = part.recordSkippedFaults(store, partition, sectors, sectorSize, quant, faultExpiration, post.skipped);
    } catch (e) {
      throw downcastWrap(e, `failed to add skipped faults to partition ${post.index}`);
    }
    let newPowerDelta = skipped.powerDelta;
    if (skipped.hasNewFaults) rescheduledPartitions.push(post.index);

    let recoveredPower: PowerPair;
    try {
      recoveredPower = part.recoverFaults(store, partition, sectors, sectorSize, quant);
    } catch (e) {
      throw downcastWrap(e, `failed to recover faulty sectors for partition ${post.index}`);
    }
    newPowerDelta = powerPairAdd(newPowerDelta, part.activateUnproven(partition));

    allSectors.push(partition.sectors);
    allIgnored.push(partition.faults, partition.terminated);

    try {
      partitions.set(post.index, partition);
    } catch (e) {
      throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, `failed to update partition ${post.index}`);
    }

    newFaultyPowerTotal = powerPairAdd(newFaultyPowerTotal, skipped.newFaultyPower);
    retractedRecoveryPowerTotal = powerPairAdd(retractedRecoveryPowerTotal, skipped.retractedRecoveryPower);
    recoveredPowerTotal = powerPairAdd(recoveredPowerTotal, recoveredPower);
    powerDelta = powerPairAdd(powerPairAdd(powerDelta, newPowerDelta), recoveredPower);

    posted.set(Number(post.index));
  }
  dl.partitionsPosted = posted;

  try {
    addExpirationPartitions(store, dl, faultExpiration, rescheduledPartitions, quant);
  } catch (e) {
    throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, 'failed to update expirations for partitions with faults');
  }

  dl.faultyPower = powerPairAdd(powerPairSub(dl.faultyPower, recoveredPowerTotal), newFaultyPowerTotal);
  try {
    dl.partitions = partitions.flush();
  } catch (e) {
    throw downcastDefaultState(e, ExitCode.USR_ILLEGAL_STATE, 'failed to persist partitions');
  }

  return {
    newFaultyPower: newFaultyPowerTotal,
    retractedRecoveryPower: retractedRecoveryPowerTotal,
    recoveredPower: recoveredPowerTotal,
    sectors: BitField.union(...allSectors),
    powerDelta,
    ignoredSectors: BitField.union(...allIgnored),
    partitions: partitionIndexes,
  };
}

/** Appends an optimistically accepted PoSt `[partitions, proofs]` to the window's submissions (`Deadline::record_post_proofs`). */
export function recordPoStProofs(store: Blockstore, dl: Deadline, partitions: BitField, proofs: readonly PoStProof[]): void {
  let proofArr: TypedAmt<WindowedPoSt>;
  try {
    proofArr = optimisticProofsAmt(store, dl);
  } catch (e) {
    throw downcastWrap(e, 'failed to load post proofs');
  }
  try {
    proofArr.set(proofArr.count(), { partitions: partitions.clone(), proofs: proofs.map((p) => ({ ...p })) });
  } catch (e) {
    throw downcastWrap(e, 'failed to store proof');
  }
  try {
    dl.optimisticPoStSubmissions = proofArr.flush();
  } catch (e) {
    throw downcastWrap(e, 'failed to save proofs');
  }
}

/** Rust spelling `record_post_proofs`. */
export const recordPostProofs = recordPoStProofs;

/**
 * Removes and returns PoSt `idx` from the submissions snapshot, leaving a hole (`Deadline::take_post_proofs`).
 *
 * @returns `partitions` and `proofs` of that PoSt
 * @throws ActorError USR_ILLEGAL_ARGUMENT "proof N not found"
 */
export function takePoStProofs(store: Blockstore, dl: Deadline, idx: bigint): { partitions: BitField; proofs: PoStProof[] } {
  let proofArr: TypedAmt<WindowedPoSt>;
  try {
    proofArr = optimisticProofsSnapshotAmt(store, dl);
  } catch (e) {
    throw downcastWrap(e, 'failed to load post proofs snapshot amt');
  }
  let post: WindowedPoSt | undefined;
  try {
    post = proofArr.delete(idx);
  } catch (e) {
    throw downcastWrap(e, `failed to retrieve proof ${idx}`);
  }
  if (post === undefined) throw ActorError.illegalArgument(`proof ${idx} not found`);
  try {
    dl.optimisticPoStSubmissionsSnapshot = proofArr.flush();
  } catch (e) {
    throw downcastWrap(e, 'failed to save proofs');
  }
  return { partitions: post.partitions, proofs: post.proofs };
}

/** Rust spelling `take_post_proofs`. */
export const takePostProofs = takePoStProofs;

/**
 * Moves the given sectors' expiration to `expiration`, skipping partitions and sectors it cannot find
 * (`Deadline::reschedule_sector_expirations`); sector power is assumed unchanged.
 *
 * @returns the infos of the sectors rescheduled
 */
export function rescheduleSectorExpirations(
  store: Blockstore,
  dl: Deadline,
  sectors: Sectors,
  expiration: bigint,
  partitionSectors: PartitionSectorMap,
  sectorSize: bigint,
  quant: QuantSpec,
): SectorOnChainInfo[] {
  const partitions = partitionsAmt(store, dl);
  const rescheduledPartitions: bigint[] = [];
  const allReplaced: SectorOnChainInfo[] = [];
  for (const [partitionIdx, sectorNumbers] of partitionSectors.iter()) {
    let partition: Partition | undefined;
    try {
      partition = partitions.get(partitionIdx);
    } catch (e) {
      throw downcastWrap(e, `failed to load partition ${partitionIdx}`);
    }
    // Missing: it may have moved in a compaction; this only reschedules what it finds.
    if (partition === undefined) continue;

    let replaced: SectorOnChainInfo[];
    try {
      replaced = part.rescheduleExpirations(store, partition, sectors, expiration, sectorNumbers, sectorSize, quant);
    } catch (e) {
      throw downcastWrap(e, `failed to reschedule expirations in partition ${partitionIdx}`);
    }
    if (replaced.length === 0) continue;
    allReplaced.push(...replaced);
    rescheduledPartitions.push(partitionIdx);
    try {
      partitions.set(partitionIdx, partition);
    } catch (e) {
      throw downcastWrap(e, `failed to store partition ${partitionIdx}`);
    }
  }
  if (rescheduledPartitions.length > 0) {
    try {
      dl.partitions = partitions.flush();
    } catch (e) {
      throw downcastWrap(e, 'failed to save partitions');
    }
    try {
      addExpirationPartitions(store, dl, expiration, rescheduledPartitions, quant);
    } catch (e) {
      throw downcastWrap(e, 'failed to reschedule partition expirations');
    }
  }
  return allReplaced;
}
