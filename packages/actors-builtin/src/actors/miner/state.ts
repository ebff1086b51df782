/**
 * The miner's state methods (builtin-actors v18 `actors/miner/src/state.rs`), as functions over the decoded
 * {@link MinerState} that take the blockstore and mutate the state in place where Rust mutates `self`.
 * Rust `State::foo(&mut self, store, a, b)` is `foo(store, st, a, b)` here (with `policy` first where Rust
 * takes it first); Rust tuples are returned as objects with named fields.
 *
 * Errors: Rust `anyhow` errors are thrown as {@link MinerStateError}; Rust `actor_error!` as {@link ActorError}
 * with the same exit code. AMT/HAMT failures surface as the engine's errors (the method layer maps them
 * to USR_ILLEGAL_STATE with `downcastDefault`).
 *
 * Several functions share their name with functions of vesting.ts and deadlines.ts that take the loaded
 * vesting table or raw fields instead of the store; import this module as a namespace when both are needed.
 *
 * @module
 */

import { ActorError, Address, Amt, BitField, type Blockstore, type CID, ExitCode, Hamt, decodeBlockWith, putCbor, putWith } from 'fvm-sim';
import { u64Key } from '../../shared/keys.js';
import { BitFieldQueue } from './bitfieldQueue.js';
import { assignDeadlines } from './deadlineAssignment.js';
import {
  type DeadlineInfo,
  type QuantSpec,
  deadlineIsMutable,
  newDeadlineInfo,
  newDeadlineInfoFromOffsetAndEpoch,
  quantSpecEveryDeadline as quantSpecEveryDeadlineOf,
  quantSpecForDeadline as quantSpecForDeadlineInfo,
} from './deadlines.js';
import * as dls from './deadlineState.js';
import { DeadlinesStore } from './deadlinesStore.js';
import { defaultBeneficiaryTerm } from './beneficiary.js';
import { EPOCH_UNDEFINED, MAX_SECTOR_NUMBER, type MinerPolicy, type VestSpec, postProofSectorSize, postProofWindowPoStPartitionSectors } from './policy.js';
import { type PowerPair, powerPairSub, powerPairZero } from './powerPair.js';
import { DeadlineSectorMap } from './sectorMap.js';
import { Sectors } from './sectors.js';
import { contextCode, downcastDefault, downcastWrap } from './stateErrors.js';
import { TerminationResult } from './termination.js';
import {
  BitFieldCodec,
  Deadline as DeadlineCodec,
  Deadlines as DeadlinesCodec,
  type Deadline,
  MinerInfo,
  type MinerState,
  PRECOMMIT_EXPIRY_AMT_BITWIDTH,
  PRECOMMIT_HAMT_BITWIDTH,
  SECTORS_AMT_BITWIDTH,
  type SectorOnChainInfo,
  SectorOnChainInfo as SectorOnChainInfoCodec,
  SectorPreCommitOnChainInfo,
} from './types.js';
import * as vesting from './vesting.js';
import { MinerStateError } from './vesting.js';
import { loadVestingFunds, saveVestingFunds } from './vestingStore.js';

export {
  addInitialPledge,
  addPreCommitDeposit,
  applyPenalty,
  checkBalanceInvariants,
  continueDeadlineCron,
  getAvailableBalance,
  getUnlockedBalance,
  repayDebts,
} from './vesting.js';

// ---------------------------------------------------------------------------------------------
// Construction and info

/** Whether sector number allocation may overlap numbers already allocated (`CollisionPolicy`). */
export const CollisionPolicy = { AllowCollisions: 'AllowCollisions', DenyCollisions: 'DenyCollisions' } as const;
export type CollisionPolicy = (typeof CollisionPolicy)[keyof typeof CollisionPolicy];

/**
 * The state of a new miner (`State::new`): empty pre-commit HAMT, clean-up AMT, sectors AMT and allocated
 * bitfield, `wpostPeriodDeadlines` copies of the empty deadline, zero funds, cron inactive.
 */
export function newMinerState(policy: MinerPolicy, store: Blockstore, infoCid: CID, periodStart: bigint, deadlineIdx: bigint): MinerState {
  const emptyPrecommitMap = Hamt.empty<unknown>(store, PRECOMMIT_HAMT_BITWIDTH).flush();
  const emptyPrecommitsCleanupArray = Amt.empty<unknown>(store, PRECOMMIT_EXPIRY_AMT_BITWIDTH).flush();
  const emptySectorsArray = Amt.empty<unknown>(store, SECTORS_AMT_BITWIDTH).flush();
  const emptyBitfield = putCbor(store, BitFieldCodec.toCbor(new BitField()));
  const emptyDeadline = putCbor(store, DeadlineCodec.toCbor(dls.newDeadline(store)));
  const emptyDeadlines = putCbor(store, DeadlinesCodec.toCbor(DeadlinesStore.new(policy, emptyDeadline).toCodec()));
  return {
    info: infoCid,
    preCommitDeposits: 0n,
    lockedFunds: 0n,
    vestingFunds: null,
    feeDebt: 0n,
    initialPledge: 0n,
    preCommittedSectors: emptyPrecommitMap,
    preCommittedSectorsCleanup: emptyPrecommitsCleanupArray,
    allocatedSectors: emptyBitfield,
    sectors: emptySectorsArray,
    provingPeriodStart: periodStart,
    currentDeadline: deadlineIdx,
    deadlines: emptyDeadlines,
    earlyTerminations: new BitField(),
    deadlineCronActive: false,
  };
}

/**
 * A new miner's info (`MinerInfo::new`): ID addresses, beneficiary = owner with the default term, no pending
 * changes, sector size and partition size from the Window PoSt proof type, consensus fault elapsed = -1.
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT for an unknown Window PoSt proof type
 */
export function newMinerInfo(
  owner: bigint,
  worker: bigint,
  controlAddresses: readonly bigint[],
  peerId: Uint8Array,
  multiAddress: readonly Uint8Array[],
  windowPoStProofType: number,
): MinerInfo {
  const sectorSize = postProofSectorSize(windowPoStProofType);
  if (sectorSize === undefined) throw ActorError.illegalArgument(`invalid sector size: unsupported proof type ${windowPoStProofType}`);
  const partitionSectors = postProofWindowPoStPartitionSectors(windowPoStProofType);
  if (partitionSectors === undefined) throw ActorError.illegalArgument(`invalid partition sectors: unsupported proof type ${windowPoStProofType}`);
  return {
    owner: Address.newId(owner),
    worker: Address.newId(worker),
    controlAddresses: controlAddresses.map((id) => Address.newId(id)),
    pendingWorkerKey: null,
    peerId,
    multiAddress: [...multiAddress],
    windowPoStProofType,
    sectorSize,
    windowPoStPartitionSectors: partitionSectors,
    consensusFaultElapsed: EPOCH_UNDEFINED,
    pendingOwnerAddress: null,
    beneficiary: Address.newId(owner),
    beneficiaryTerm: defaultBeneficiaryTerm(),
    pendingBeneficiaryTerm: null,
  };
}

/**
 * Loads the miner info block (`State::get_info`).
 *
 * @throws ActorError USR_NOT_FOUND "failed to get miner info" when the block is missing
 */
export function getInfo(store: Blockstore, st: MinerState): MinerInfo {
  const bytes = store.get(st.info);
  if (bytes === undefined) throw ActorError.notFound('failed to get miner info');
  try {
    return decodeBlockWith(MinerInfo, bytes);
  } catch (e) {
    throw downcastWrap(e, 'failed to get miner info');
  }
}

/** Stores `info` in its own block and points the state at it (`State::save_info`). */
export function saveInfo(store: Blockstore, st: MinerState, info: MinerInfo): void {
  st.info = putWith(store, MinerInfo, info);
}

// ---------------------------------------------------------------------------------------------
// Deadline arithmetic

/** The current deadline from the epoch and the period offset, valid even without cron (`State::deadline_info`). */
export function deadlineInfo(policy: MinerPolicy, st: MinerState, currentEpoch: bigint): DeadlineInfo {
  return newDeadlineInfoFromOffsetAndEpoch(policy, st.provingPeriodStart, currentEpoch);
}

/** The deadline recorded in state (`State::recorded_deadline_info`); stale when cron is not running. */
export function recordedDeadlineInfo(policy: MinerPolicy, st: MinerState, currentEpoch: bigint): DeadlineInfo {
  return newDeadlineInfo(policy, st.provingPeriodStart, st.currentDeadline, currentEpoch);
}

/** The current period start from the epoch and the offset (`State::current_proving_period_start`). */
export function currentProvingPeriodStart(policy: MinerPolicy, st: MinerState, currentEpoch: bigint): bigint {
  return deadlineInfo(policy, st, currentEpoch).periodStart;
}

/** Quantization of deadline `deadlineIdx` of the state's period (`State::quant_spec_for_deadline`). */
export function quantSpecForDeadline(policy: MinerPolicy, st: MinerState, deadlineIdx: bigint): QuantSpec {
  return newDeadlineInfo(policy, st.provingPeriodStart, deadlineIdx, 0n).quantSpec();
}

/** Quantization of pre-commit clean-up epochs: every challenge window from the period start (`State::quant_spec_every_deadline`). */
export function quantSpecEveryDeadline(policy: MinerPolicy, st: MinerState): QuantSpec {
  return quantSpecEveryDeadlineOf(policy, st.provingPeriodStart);
}

// ---------------------------------------------------------------------------------------------
// Sector numbers

/** Loads the allocated sector numbers bitfield. */
export function loadAllocatedSectorNumbers(store: Blockstore, st: MinerState): BitField {
  const bytes = store.get(st.allocatedSectors);
  if (bytes === undefined) throw ActorError.illegalState('allocated sectors bitfield not found');
  try {
    return decodeBlockWith(BitFieldCodec, bytes);
  } catch (e) {
    throw downcastDefault(e, ExitCode.USR_ILLEGAL_STATE, 'failed to load allocated sectors bitfield');
  }
}

/**
 * Marks sector numbers as allocated (`State::allocate_sector_numbers`). With `DenyCollisions`, any number
 * already allocated is rejected; `AllowCollisions` is the masking mode of CompactSectorNumbers.
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT "sector numbers … already allocated"; USR_SERIALIZATION when the
 *   merged bitfield would exceed the 32 KiB encoding limit; USR_ILLEGAL_STATE when the bitfield is missing
 */
export function allocateSectorNumbers(store: Blockstore, st: MinerState, sectorNumbers: BitField, policy: CollisionPolicy): void {
  const priorAllocation = loadAllocatedSectorNumbers(store, st);
  if (policy !== CollisionPolicy.AllowCollisions) {
    const collisions = priorAllocation.intersect(sectorNumbers);
    if (!collisions.isEmpty()) throw ActorError.illegalArgument(`sector numbers ${collisions.toString()} already allocated`);
  }
  const newAllocation = priorAllocation.union(sectorNumbers);
  try {
    st.allocatedSectors = putWith(store, BitFieldCodec, newAllocation);
  } catch (e) {
    // An encoding failure (over 32 KiB) downcasts to USR_SERIALIZATION; anything else defaults to USR_ILLEGAL_ARGUMENT.
    throw downcastDefault(e, ExitCode.USR_ILLEGAL_ARGUMENT, `failed to store allocated sectors bitfield after adding ${sectorNumbers.toString()}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Pre-committed sectors

function loadPrecommits(store: Blockstore, st: MinerState): Hamt<unknown> {
  return Hamt.load<unknown>(store, st.preCommittedSectors, PRECOMMIT_HAMT_BITWIDTH);
}

/**
 * Stores pre-committed sector infos (`State::put_precommitted_sectors`).
 *
 * @throws {@link MinerStateError} "sector N already pre-commited" (sic) if a number is already present
 */
export function putPrecommittedSectors(store: Blockstore, st: MinerState, precommits: readonly SectorPreCommitOnChainInfo[]): void {
  const precommitted = loadPrecommits(store, st);
  for (const precommit of precommits) {
    const sectorNo = precommit.info.sectorNumber;
    const modified = precommitted.setIfAbsent(u64Key(sectorNo), SectorPreCommitOnChainInfo.toCbor(precommit));
    if (!modified) throw new MinerStateError(`sector ${sectorNo} already pre-commited`);
  }
  st.preCommittedSectors = precommitted.flush();
}

/** A pre-committed sector, or `undefined` (`State::get_precommitted_sector`). */
export function getPrecommittedSector(store: Blockstore, st: MinerState, sectorNum: bigint): SectorPreCommitOnChainInfo | undefined {
  const raw = loadPrecommits(store, st).get(u64Key(sectorNum));
  return raw === undefined ? undefined : SectorPreCommitOnChainInfo.fromCbor(raw);
}

/** The pre-committed sectors among `sectorNumbers`, in order, skipping missing ones (`State::find_precommitted_sectors`). */
export function findPrecommittedSectors(store: Blockstore, st: MinerState, sectorNumbers: readonly bigint[]): SectorPreCommitOnChainInfo[] {
  const precommitted = loadPrecommits(store, st);
  const result: SectorPreCommitOnChainInfo[] = [];
  for (const n of sectorNumbers) {
    const raw = precommitted.get(u64Key(n));
    if (raw !== undefined) result.push(SectorPreCommitOnChainInfo.fromCbor(raw));
  }
  return result;
}

/**
 * The pre-committed sectors `sectorNos`, in order, all required (`State::get_precommitted_sectors`).
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT "sector number greater than maximum"; USR_NOT_FOUND "sector N not found"
 */
export function getPrecommittedSectors(store: Blockstore, st: MinerState, sectorNos: Iterable<bigint>): SectorPreCommitOnChainInfo[] {
  const precommitted = loadPrecommits(store, st);
  const out: SectorPreCommitOnChainInfo[] = [];
  for (const n of sectorNos) {
    if (n > MAX_SECTOR_NUMBER) throw ActorError.illegalArgument('sector number greater than maximum');
    const raw = precommitted.get(u64Key(n));
    if (raw === undefined) throw ActorError.notFound(`sector ${n} not found`);
    out.push(SectorPreCommitOnChainInfo.fromCbor(raw));
  }
  return out;
}

/**
 * Deletes pre-committed sectors (`State::delete_precommitted_sectors`).
 *
 * @throws ActorError USR_ILLEGAL_STATE "sector N not pre-committed" for a missing one
 */
export function deletePrecommittedSectors(store: Blockstore, st: MinerState, sectorNums: readonly bigint[]): void {
  const precommitted = loadPrecommits(store, st);
  for (const n of sectorNums) {
    if (!precommitted.delete(u64Key(n))) throw ActorError.illegalState(`sector ${n} not pre-committed`);
  }
  st.preCommittedSectors = precommitted.flush();
}

/** Schedules pre-commit clean-ups `[epoch, sectorNumber]` in the clean-up queue (`State::add_pre_commit_clean_ups`). */
export function addPreCommitCleanUps(policy: MinerPolicy, store: Blockstore, st: MinerState, cleanupEvents: Iterable<readonly [bigint, bigint]>): void {
  const quant = quantSpecEveryDeadline(policy, st);
  let queue: BitFieldQueue;
  try {
    queue = new BitFieldQueue(store, st.preCommittedSectorsCleanup, quant);
  } catch (e) {
    throw downcastWrap(e, 'failed to load pre-commit clean up queue');
  }
  queue.addManyToQueueValues(cleanupEvents);
  st.preCommittedSectorsCleanup = queue.amt.flush();
}

/**
 * Removes the pre-commits whose clean-up epoch has come, returning their deposits to burn
 * (`State::cleanup_expired_pre_commits`). Sectors already proven (no longer pre-committed) are skipped.
 *
 * @throws {@link MinerStateError} if the deposits total would go negative
 */
export function cleanupExpiredPreCommits(policy: MinerPolicy, store: Blockstore, st: MinerState, currentEpoch: bigint): bigint {
  let depositToBurn = 0n;
  const cleanupQueue = new BitFieldQueue(store, st.preCommittedSectorsCleanup, quantSpecEveryDeadline(policy, st));
  const [sectors, modified] = cleanupQueue.popUntil(currentEpoch);
  if (modified) st.preCommittedSectorsCleanup = cleanupQueue.amt.flush();

  const toDelete: bigint[] = [];
  const precommitted = loadPrecommits(store, st);
  for (const i of sectors) {
    const sectorNumber = BigInt(i);
    const raw = precommitted.get(u64Key(sectorNumber));
    if (raw === undefined) continue; // already proven or deleted
    toDelete.push(sectorNumber);
    depositToBurn += SectorPreCommitOnChainInfo.fromCbor(raw).preCommitDeposit;
  }
  if (toDelete.length > 0) deletePrecommittedSectors(store, st, toDelete);

  st.preCommitDeposits -= depositToBurn;
  if (st.preCommitDeposits < 0n) throw new MinerStateError(`pre-commit clean up caused negative deposits: ${st.preCommitDeposits}`);
  return depositToBurn;
}

// ---------------------------------------------------------------------------------------------
// Sectors

/** Opens the sectors AMT. */
export function loadSectors(store: Blockstore, st: MinerState): Sectors {
  return Sectors.load(store, st.sectors);
}

/** Whether a sector is in the sectors AMT (`State::has_sector_number`). */
export function hasSectorNumber(store: Blockstore, st: MinerState, sectorNum: bigint): boolean {
  return loadSectors(store, st).get(sectorNum) !== undefined;
}

/** Stores sector infos (`State::put_sectors`). */
export function putSectors(store: Blockstore, st: MinerState, newSectors: readonly SectorOnChainInfo[]): void {
  const sectors = loadSectors(store, st);
  sectors.store(newSectors);
  st.sectors = sectors.amt.flush();
}

/** A sector's info, or `undefined` (`State::get_sector`). */
export function getSector(store: Blockstore, st: MinerState, sectorNum: bigint): SectorOnChainInfo | undefined {
  return loadSectors(store, st).get(sectorNum);
}

/** Calls `f` for every sector in number order (`State::for_each_sector`). */
export function forEachSector(store: Blockstore, st: MinerState, f: (info: SectorOnChainInfo) => void): void {
  loadSectors(store, st).amt.forEach((_, raw) => {
    f(SectorOnChainInfoCodec.fromCbor(raw));
  });
}

/** Infos of the sectors in `sectors`, all required (`State::load_sector_infos`). */
export function loadSectorInfos(store: Blockstore, st: MinerState, sectors: BitField): SectorOnChainInfo[] {
  return loadSectors(store, st).loadSectors(sectors);
}

// ---------------------------------------------------------------------------------------------
// Deadlines

/**
 * Loads the deadlines (`State::load_deadlines`).
 *
 * @throws ActorError USR_ILLEGAL_STATE when the block is missing or malformed
 */
export function loadDeadlines(store: Blockstore, st: MinerState): DeadlinesStore {
  const bytes = store.get(st.deadlines);
  if (bytes === undefined) throw ActorError.illegalState(`failed to load deadlines ${st.deadlines.toString()}`);
  try {
    return DeadlinesStore.fromCodec(decodeBlockWith(DeadlinesCodec, bytes), bytes);
  } catch (e) {
    throw downcastDefault(e, ExitCode.USR_ILLEGAL_STATE, 'failed to load deadlines');
  }
}

/** Stores the deadlines and points the state at them (`State::save_deadlines`). */
export function saveDeadlines(store: Blockstore, st: MinerState, deadlines: DeadlinesStore): void {
  st.deadlines = deadlines.save(store);
}

/**
 * The deadline and partition holding a sector (`State::find_sector`).
 *
 * @throws {@link MinerStateError} "sector N not due at any deadline"
 */
export function findSector(store: Blockstore, st: MinerState, sectorNumber: bigint): { deadline: bigint; partition: bigint } {
  return loadDeadlines(store, st).findSector(store, sectorNumber);
}

/**
 * Reschedules each sector to expire at the end of its deadline's next non-elapsed instance, skipping
 * sectors it cannot find (`State::reschedule_sector_expirations`).
 *
 * @returns the infos of the sectors rescheduled
 */
export function rescheduleSectorExpirations(
  policy: MinerPolicy,
  store: Blockstore,
  st: MinerState,
  currentEpoch: bigint,
  sectorSize: bigint,
  deadlineSectors: DeadlineSectorMap,
): SectorOnChainInfo[] {
  const deadlines = loadDeadlines(store, st);
  const sectors = loadSectors(store, st);
  const allReplaced: SectorOnChainInfo[] = [];
  for (const [deadlineIdx, partitionSectors] of deadlineSectors.iter()) {
    const info = newDeadlineInfo(policy, currentProvingPeriodStart(policy, st, currentEpoch), deadlineIdx, currentEpoch).nextNotElapsed();
    const newExpiration = info.last();
    const deadline = deadlines.loadDeadline(store, deadlineIdx);
    const replaced = dls.rescheduleSectorExpirations(store, deadline, sectors, newExpiration, partitionSectors, sectorSize, info.quantSpec());
    allReplaced.push(...replaced);
    deadlines.updateDeadline(policy, store, deadlineIdx, deadline);
  }
  saveDeadlines(store, st, deadlines);
  return allReplaced;
}

/**
 * Assigns new sectors to the mutable deadlines with {@link assignDeadlines} and adds them, unproven, with
 * their fees (`State::assign_sectors_to_deadlines`). Sectors are sorted by number first.
 */
export function assignSectorsToDeadlines(
  policy: MinerPolicy,
  store: Blockstore,
  st: MinerState,
  currentEpoch: bigint,
  sectors: readonly SectorOnChainInfo[],
  partitionSize: bigint,
  sectorSize: bigint,
): void {
  const deadlines = loadDeadlines(store, st);
  const sorted = [...sectors].sort((a, b) => (a.sectorNumber < b.sectorNumber ? -1 : a.sectorNumber > b.sectorNumber ? 1 : 0));

  const deadlineVec: (Deadline | null)[] = Array.from({ length: Number(policy.wpostPeriodDeadlines) }, () => null);
  deadlines.forEach(store, (deadlineIdx, deadline) => {
    if (deadlineIsMutable(policy, currentProvingPeriodStart(policy, st, currentEpoch), deadlineIdx, currentEpoch)) {
      deadlineVec[Number(deadlineIdx)] = deadline;
    }
  });

  const deadlineToSectors = assignDeadlines(policy, policy.maxPartitionsPerDeadline, partitionSize, deadlineVec, sorted);
  deadlineToSectors.forEach((deadlineSectors, idx) => {
    if (deadlineSectors.length === 0) return;
    const quant = quantSpecForDeadline(policy, st, BigInt(idx));
    const deadline = deadlineVec[idx]!;
    // Not yet proven, so the power returned is ignored; new sectors, so the deadline gains their fees.
    dls.addSectors(store, deadline, partitionSize, false, true, deadlineSectors, sectorSize, quant);
    deadlines.updateDeadline(policy, store, BigInt(idx), deadline);
  });
  saveDeadlines(store, st, deadlines);
}

/**
 * Adds new sectors, unproven, to one chosen deadline (`State::assign_sectors_to_deadline`, used by
 * ProveCommitSectorsNI).
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT "proving deadline N must not be the current or next deadline ";
 *   USR_ILLEGAL_STATE when adding or saving fails
 */
export function assignSectorsToDeadline(
  policy: MinerPolicy,
  store: Blockstore,
  st: MinerState,
  currentEpoch: bigint,
  sectors: readonly SectorOnChainInfo[],
  partitionSize: bigint,
  sectorSize: bigint,
  deadlineIdx: bigint,
): void {
  const deadlines = loadDeadlines(store, st);
  const deadline = deadlines.loadDeadline(store, deadlineIdx);
  const sorted = [...sectors].sort((a, b) => (a.sectorNumber < b.sectorNumber ? -1 : a.sectorNumber > b.sectorNumber ? 1 : 0));
  if (!deadlineIsMutable(policy, currentProvingPeriodStart(policy, st, currentEpoch), deadlineIdx, currentEpoch)) {
    throw ActorError.illegalArgument(`proving deadline ${deadlineIdx} must not be the current or next deadline `);
  }
  const quant = quantSpecForDeadline(policy, st, deadlineIdx);
  try {
    dls.addSectors(store, deadline, partitionSize, false, true, sorted, sectorSize, quant);
  } catch (e) {
    throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to add sectors to deadline ${deadlineIdx}`);
  }
  try {
    deadlines.updateDeadline(policy, store, deadlineIdx, deadline);
  } catch (e) {
    throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to update deadline ${deadlineIdx}`);
  }
  try {
    saveDeadlines(store, st, deadlines);
  } catch (e) {
    throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, 'failed to save deadlines');
  }
}

/**
 * Pops up to `maxPartitions` partitions / `maxSectors` sectors of early terminations from the deadlines
 * flagged in `st.earlyTerminations` (`State::pop_early_terminations`).
 *
 * @returns the termination result and whether early terminations remain (`hasMore`)
 */
export function popEarlyTerminations(
  policy: MinerPolicy,
  store: Blockstore,
  st: MinerState,
  maxPartitions: bigint,
  maxSectors: bigint,
): { result: TerminationResult; hasMore: boolean } {
  if (st.earlyTerminations.isEmpty()) return { result: new TerminationResult(), hasMore: false };

  const deadlines = loadDeadlines(store, st);
  const result = new TerminationResult();
  const toUnset: number[] = [];
  for (const i of st.earlyTerminations) {
    const deadlineIdx = BigInt(i);
    const deadline = deadlines.loadDeadline(store, deadlineIdx);
    let popped: { result: TerminationResult; hasMore: boolean };
    try {
      popped = dls.popEarlyTerminations(store, deadline, maxPartitions - result.partitionsProcessed, maxSectors - result.sectorsProcessed);
    } catch (e) {
      throw downcastWrap(e, `failed to pop early terminations for deadline ${deadlineIdx}`);
    }
    result.addAssign(popped.result);
    if (!popped.hasMore) toUnset.push(i);
    deadlines.updateDeadline(policy, store, deadlineIdx, deadline);
    if (!result.belowLimit(maxPartitions, maxSectors)) break;
  }
  const remaining = st.earlyTerminations.clone();
  for (const i of toUnset) remaining.unset(i);
  st.earlyTerminations = remaining;
  saveDeadlines(store, st, deadlines);
  return { result, hasMore: !st.earlyTerminations.isEmpty() };
}

/**
 * Whether a sector is active in its partition (`State::check_sector_active`): false if faulty, terminated,
 * or (with `requireProven`) unproven.
 *
 * @throws ActorError USR_NOT_FOUND when the sector is not in the partition (or the deadline/partition is missing)
 */
export function checkSectorActive(store: Blockstore, st: MinerState, deadlineIdx: bigint, partitionIdx: bigint, sectorNumber: bigint, requireProven: boolean): boolean {
  const deadline = loadDeadlines(store, st).loadDeadline(store, deadlineIdx);
  const partition = dls.loadPartition(store, deadline, partitionIdx);
  const n = Number(sectorNumber);
  if (!partition.sectors.has(n)) {
    throw ActorError.notFound(`sector ${sectorNumber} not a member of partition ${partitionIdx}, deadline ${deadlineIdx}`);
  }
  if (partition.faults.has(n)) return false;
  if (partition.terminated.has(n)) return false;
  if (partition.unproven.has(n) && requireProven) return false;
  return true;
}

/**
 * Fails unless the sector is in the partition, not faulty and not terminated (`State::check_sector_health`).
 *
 * @throws ActorError USR_NOT_FOUND (missing or terminated), USR_FORBIDDEN (faulty)
 */
export function checkSectorHealth(store: Blockstore, st: MinerState, deadlineIdx: bigint, partitionIdx: bigint, sectorNumber: bigint): void {
  const deadline = loadDeadlines(store, st).loadDeadline(store, deadlineIdx);
  const partition = dls.loadPartition(store, deadline, partitionIdx);
  const n = Number(sectorNumber);
  if (!partition.sectors.has(n)) {
    throw ActorError.notFound(`sector ${sectorNumber} not a member of partition ${partitionIdx}, deadline ${deadlineIdx}`);
  }
  if (partition.faults.has(n)) {
    throw ActorError.forbidden(`sector ${sectorNumber} not a member of partition ${partitionIdx}, deadline ${deadlineIdx}`);
  }
  if (partition.terminated.has(n)) {
    throw ActorError.notFound(`sector ${sectorNumber} not of partition ${partitionIdx}, deadline ${deadlineIdx} is terminated`);
  }
}

/** What {@link advanceDeadline} reports (`AdvanceDeadlineResult`). */
export interface AdvanceDeadlineResult {
  pledgeDelta: bigint;
  powerDelta: PowerPair;
  /** Power faulty before this advance (including recovering). */
  previouslyFaultyPower: PowerPair;
  /** Power of new faults and failed recoveries. */
  detectedFaultyPower: PowerPair;
  /** Faulty power after detection, before expirations (failed recoveries count in both of the above). */
  totalFaultyPower: PowerPair;
  /** Daily fee payable for the deadline's sectors (FIP-0100). */
  dailyFee: bigint;
  /** All non-terminated power of the deadline: active, faulty and unproven. */
  livePower: PowerPair;
}

/**
 * Closes the current deadline (`State::advance_deadline`): moves `currentDeadline` (and the period start
 * after the last one), detects missed PoSts, expires due sectors releasing their on-time pledge, and flags
 * early terminations. Nothing happens before the first period starts.
 */
export function advanceDeadline(policy: MinerPolicy, store: Blockstore, st: MinerState, currentEpoch: bigint): AdvanceDeadlineResult {
  let pledgeDelta = 0n;
  const dlInfo = deadlineInfo(policy, st, currentEpoch);
  if (!dlInfo.periodStarted()) {
    return {
      pledgeDelta,
      powerDelta: powerPairZero(),
      previouslyFaultyPower: powerPairZero(),
      detectedFaultyPower: powerPairZero(),
      totalFaultyPower: powerPairZero(),
      dailyFee: 0n,
      livePower: powerPairZero(),
    };
  }

  st.currentDeadline = (dlInfo.index + 1n) % policy.wpostPeriodDeadlines;
  if (st.currentDeadline === 0n) st.provingPeriodStart = dlInfo.periodStart + policy.wpostProvingPeriod;

  const deadlines = loadDeadlines(store, st);
  const deadline = deadlines.loadDeadline(store, dlInfo.index);
  const previouslyFaultyPower = { ...deadline.faultyPower };

  if (!dls.isLive(deadline)) {
    return {
      pledgeDelta,
      powerDelta: powerPairZero(),
      previouslyFaultyPower,
      detectedFaultyPower: powerPairZero(),
      totalFaultyPower: { ...deadline.faultyPower },
      dailyFee: 0n,
      livePower: powerPairZero(),
    };
  }

  const quant = quantSpecForDeadlineInfo(policy, dlInfo);
  const faultExpiration = dlInfo.last() + policy.faultMaxAge;
  const ended = dls.processDeadlineEnd(store, deadline, quant, faultExpiration, st.sectors);
  let powerDelta = ended.powerDelta;
  const totalFaultyPower = { ...deadline.faultyPower };

  const expired = dls.popExpiredSectors(store, deadline, dlInfo.last(), quant);
  // On-time expirations release their pledge; early ones keep it until the termination fee is processed.
  pledgeDelta -= expired.onTimePledge;
  vesting.addInitialPledge(st, -expired.onTimePledge);
  // Faulty power was already lost, so only the active power expiring changes the delta.
  powerDelta = powerPairSub(powerDelta, expired.activePower);

  if (!expired.earlySectors.isEmpty()) {
    const et = st.earlyTerminations.clone();
    et.set(Number(dlInfo.index));
    st.earlyTerminations = et;
  }

  deadlines.updateDeadline(policy, store, dlInfo.index, deadline);
  saveDeadlines(store, st, deadlines);

  return {
    pledgeDelta,
    powerDelta,
    previouslyFaultyPower,
    detectedFaultyPower: ended.penalizedPower,
    totalFaultyPower,
    dailyFee: deadline.dailyFee,
    livePower: { ...deadline.livePower },
  };
}

// ---------------------------------------------------------------------------------------------
// Funds and vesting (the store-free ones are re-exported from vesting.ts above)

/**
 * Vests what is due, then locks `vestingSum` on `spec` (`State::add_locked_funds`).
 *
 * @returns the amount unlocked by vesting
 */
export function addLockedFunds(store: Blockstore, st: MinerState, currentEpoch: bigint, vestingSum: bigint, spec: VestSpec): bigint {
  if (vestingSum < 0n) throw new MinerStateError(`negative vesting sum ${vestingSum}`);
  const funds = loadVestingFunds(store, st.vestingFunds);
  const unlocked = vesting.addLockedFunds(st, funds, currentEpoch, vestingSum, spec);
  st.vestingFunds = saveVestingFunds(store, funds);
  return unlocked;
}

/**
 * Unlocks vested funds, then up to `target` unvested ones (`State::unlock_vested_and_unvested_funds`).
 *
 * @returns `unlockedUnvested` and `totalUnlocked`
 */
export function unlockVestedAndUnvestedFunds(store: Blockstore, st: MinerState, currentEpoch: bigint, target: bigint): { unlockedUnvested: bigint; totalUnlocked: bigint } {
  if (target === 0n || st.lockedFunds === 0n) return { unlockedUnvested: 0n, totalUnlocked: 0n };
  const funds = loadVestingFunds(store, st.vestingFunds);
  const out = vesting.unlockVestedAndUnvestedFunds(st, funds, currentEpoch, target);
  st.vestingFunds = saveVestingFunds(store, funds);
  return out;
}

/** Unlocks the funds vested before `currentEpoch` (`State::unlock_vested_funds`). */
export function unlockVestedFunds(store: Blockstore, st: MinerState, currentEpoch: bigint): bigint {
  if (st.lockedFunds === 0n) return 0n;
  const funds = loadVestingFunds(store, st.vestingFunds);
  const unlocked = vesting.unlockVestedFunds(st, funds, currentEpoch);
  st.vestingFunds = saveVestingFunds(store, funds);
  return unlocked;
}

/**
 * Repays fee debt from vesting funds, then from the unlocked balance (`State::repay_partial_debt_in_priority_order`).
 *
 * @returns `toBurn` (debt repaid) and `totalUnlocked` (from the vesting table)
 */
export function repayPartialDebtInPriorityOrder(store: Blockstore, st: MinerState, currentEpoch: bigint, currBalance: bigint): { toBurn: bigint; totalUnlocked: bigint } {
  const funds = loadVestingFunds(store, st.vestingFunds);
  const out = vesting.repayPartialDebtInPriorityOrder(st, funds, currentEpoch, currBalance);
  st.vestingFunds = saveVestingFunds(store, funds);
  return out;
}
