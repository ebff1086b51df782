/**
 * A partition of a deadline: its sectors and their states (unproven, faulty, recovering, terminated), power
 * memos, expiration queue and early-termination queue (builtin-actors v18 `partition_state.rs`).
 *
 * The partition is the plain {@link Partition} codec object (types.ts). Each Rust `impl Partition` method is
 * an exported function of the same name in camelCase taking `(store, self, ...rest)` — or `(self, ...rest)`
 * when Rust takes no store, and `(policy, store, self, ...)` for {@link terminateSectors}, whose Rust
 * signature starts with the policy — and mutating `self` in place where Rust does. Rust tuples are returned
 * as objects with named fields (documented on each function).
 *
 * Errors: `anyhow` errors are {@link MinerStateError}; `actor_error!` are ActorError with their code;
 * errors from deeper calls are wrapped as Rust's `downcast_wrap`/`wrap` do (an ActorError keeps its code).
 */

import { ActorError, Amt, BitField, type Blockstore, ExitCode } from 'fvm-sim';
import { BitFieldQueue } from './bitfieldQueue.js';
import { NO_QUANTIZATION, type QuantSpec } from './deadlines.js';
import { ExpirationQueue, expirationSetEmpty } from './expirationQueue.js';
import { type MinerPolicy, powerForSectors } from './policy.js';
import { powerPairAdd, powerPairClone, powerPairIsZero, powerPairNeg, powerPairSub, powerPairZero } from './powerPair.js';
import { type Sectors, selectSectors } from './sectors.js';
import { downcastDefault, downcastWrap, wrapping } from './stateErrors.js';
import { TerminationResult } from './termination.js';
import {
  type ExpirationSet,
  PARTITION_EARLY_TERMINATION_ARRAY_AMT_BITWIDTH,
  PARTITION_EXPIRATION_AMT_BITWIDTH,
  type Partition,
  type PowerPair,
  type SectorOnChainInfo,
} from './types.js';
import { MinerStateError } from './vesting.js';

export type { Partition } from './types.js';

/** ActorError.wrap: same code, `msg: ` prefixed (Rust `ActorError::wrap`). */
function wrapActor(e: unknown, msg: string): unknown {
  if (e instanceof ActorError) return new ActorError(e.exitCode, `${msg}: ${e.reason}`, e.data);
  return e;
}

/** `sectors.load_sectors(..).map_err(|e| e.wrap(msg))`. */
function loadSectorsWrapped(sectors: Sectors, numbers: BitField, msg: string): SectorOnChainInfo[] {
  try {
    return sectors.loadSectors(numbers);
  } catch (e) {
    throw wrapActor(e, msg);
  }
}

function loadExpirations(store: Blockstore, self: Partition, quant: QuantSpec, msg: string): ExpirationQueue {
  try {
    return new ExpirationQueue(store, self.expirationsEpochs, quant);
  } catch (e) {
    throw downcastWrap(e, msg);
  }
}

/** A new empty partition, its two AMTs flushed empty (`Partition::new`). */
export function newPartition(store: Blockstore): Partition {
  return {
    sectors: new BitField(),
    unproven: new BitField(),
    faults: new BitField(),
    recoveries: new BitField(),
    terminated: new BitField(),
    expirationsEpochs: Amt.empty<unknown>(store, PARTITION_EXPIRATION_AMT_BITWIDTH).flush(),
    earlyTerminated: Amt.empty<unknown>(store, PARTITION_EARLY_TERMINATION_ARRAY_AMT_BITWIDTH).flush(),
    livePower: powerPairZero(),
    unprovenPower: powerPairZero(),
    faultyPower: powerPairZero(),
    recoveringPower: powerPairZero(),
  };
}

/** Sectors not terminated, possibly faulty or unproven (`live_sectors`). */
export function liveSectors(self: Partition): BitField {
  return self.sectors.subtract(self.terminated);
}

/** Sectors neither terminated, faulty nor unproven (`active_sectors`). */
export function activeSectors(self: Partition): BitField {
  return liveSectors(self).subtract(self.faults).subtract(self.unproven);
}

/** Live power minus faulty and unproven power (`active_power`). */
export function activePower(self: Partition): PowerPair {
  return powerPairSub(powerPairSub(self.livePower, self.faultyPower), self.unprovenPower);
}

/**
 * Adds new live sectors, scheduled at their declared expirations; unproven unless `proven` (`add_sectors`).
 *
 * @returns `{power, dailyFee}` of the new sectors
 * @throws MinerStateError "not all added sectors are new"
 */
export function addSectors(
  store: Blockstore,
  self: Partition,
  proven: boolean,
  sectors: readonly SectorOnChainInfo[],
  sectorSize: bigint,
  quant: QuantSpec,
): { power: PowerPair; dailyFee: bigint } {
  const expirations = loadExpirations(store, self, quant, 'failed to load sector expirations');
  const [sectorNumbers, power, , dailyFee] = wrapping('failed to record new sector expirations', () => expirations.addActiveSectors(sectors, sectorSize));
  self.expirationsEpochs = wrapping('failed to store sector expirations', () => expirations.flush());

  if (self.sectors.containsAny(sectorNumbers)) throw new MinerStateError('not all added sectors are new');

  self.sectors = self.sectors.union(sectorNumbers);
  self.livePower = powerPairAdd(self.livePower, power);
  if (!proven) {
    self.unprovenPower = powerPairAdd(self.unprovenPower, power);
    self.unproven = self.unproven.union(sectorNumbers);
  }
  validateState(self);
  return { power, dailyFee };
}

/**
 * Marks sectors faulty, rescheduling them to expire early at `faultExpiration`; they leave the unproven set
 * (`add_faults`). The sectors must not already be faulty.
 *
 * @returns `{powerDelta, newFaultyPower}`: the change in active power (minus the newly faulty power, plus the
 *   unproven power that was never active) and the newly faulty power
 */
export function addFaults(
  store: Blockstore,
  self: Partition,
  sectorNumbers: BitField,
  sectors: readonly SectorOnChainInfo[],
  faultExpiration: bigint,
  sectorSize: bigint,
  quant: QuantSpec,
): { powerDelta: PowerPair; newFaultyPower: PowerPair } {
  const queue = loadExpirations(store, self, quant, 'failed to load partition queue');
  const newFaultyPower = wrapping('failed to add faults to partition queue', () => queue.rescheduleAsFaults(faultExpiration, sectors, sectorSize));
  self.expirationsEpochs = queue.flush();

  self.faults = self.faults.union(sectorNumbers);
  self.faultyPower = powerPairAdd(self.faultyPower, newFaultyPower);

  const unproven = sectorNumbers.intersect(self.unproven);
  self.unproven = self.unproven.subtract(unproven);

  let powerDelta = powerPairNeg(newFaultyPower);
  const unprovenInfos = wrapping('failed to select unproven sectors', () => selectSectors(sectors, unproven));
  if (unprovenInfos.length > 0) {
    const lostUnprovenPower = powerForSectors(sectorSize, unprovenInfos);
    self.unprovenPower = powerPairSub(self.unprovenPower, lostUnprovenPower);
    powerDelta = powerPairAdd(powerDelta, lostUnprovenPower);
  }
  validateState(self);
  return { powerDelta, newFaultyPower };
}

/**
 * Declares sectors faulty: terminated and already-faulty ones are ignored; recovering ones go back to plain
 * faulty (`record_faults`).
 *
 * @returns `{newFaults, powerDelta, newFaultyPower}`
 * @throws ActorError USR_ILLEGAL_ARGUMENT "failed fault declaration: not all sectors are assigned to the
 *   partition"; USR_NOT_FOUND for a sector missing from `sectors`
 */
export function recordFaults(
  store: Blockstore,
  self: Partition,
  sectors: Sectors,
  sectorNumbers: BitField,
  faultExpirationEpoch: bigint,
  sectorSize: bigint,
  quant: QuantSpec,
): { newFaults: BitField; powerDelta: PowerPair; newFaultyPower: PowerPair } {
  try {
    validatePartitionContainsSectors(self, sectorNumbers);
  } catch (e) {
    throw ActorError.illegalArgument(`failed fault declaration: ${(e as Error).message}`);
  }

  const retractedRecoveries = self.recoveries.intersect(sectorNumbers);
  const newFaults = sectorNumbers.subtract(retractedRecoveries).subtract(self.terminated).subtract(self.faults);

  const newFaultSectors = loadSectorsWrapped(sectors, newFaults, 'failed to load fault sectors');
  let powerDelta = powerPairZero();
  let newFaultyPower = powerPairZero();
  if (newFaultSectors.length > 0) {
    ({ powerDelta, newFaultyPower } = wrapping('failed to add faults', () =>
      addFaults(store, self, newFaults, newFaultSectors, faultExpirationEpoch, sectorSize, quant),
    ));
  }

  const retractedRecoverySectors = loadSectorsWrapped(sectors, retractedRecoveries, 'failed to load recovery sectors');
  if (retractedRecoverySectors.length > 0) {
    removeRecoveries(self, retractedRecoveries, powerForSectors(sectorSize, retractedRecoverySectors));
  }
  validateState(self);
  return { newFaults, powerDelta, newFaultyPower };
}

/**
 * Recovers every recovering sector, assuming its proof succeeded: faults and recoveries are cleared and the
 * sectors rescheduled at their declared expirations (`recover_faults`).
 *
 * @returns the recovered power
 */
export function recoverFaults(store: Blockstore, self: Partition, sectors: Sectors, sectorSize: bigint, quant: QuantSpec): PowerPair {
  const recoveredSectors = loadSectorsWrapped(sectors, self.recoveries, 'failed to load recovered sectors');
  const queue = loadExpirations(store, self, quant, 'failed to load partition queue');
  const power = wrapping('failed to reschedule faults in partition queue', () => queue.rescheduleRecovered(recoveredSectors, sectorSize));
  self.expirationsEpochs = queue.flush();

  self.faults = self.faults.subtract(self.recoveries);
  self.recoveries = new BitField();
  self.faultyPower = powerPairSub(self.faultyPower, power);
  self.recoveringPower = powerPairSub(self.recoveringPower, power);
  validateState(self);
  return power;
}

/** Clears the unproven set, returning the unproven power, now active (`activate_unproven`). */
export function activateUnproven(self: Partition): PowerPair {
  self.unproven = new BitField();
  const power = self.unprovenPower;
  self.unprovenPower = powerPairZero();
  return power;
}

/**
 * Declares faulty sectors recovering; non-faulty and already recovering sectors are skipped
 * (`declare_faults_recovered`).
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT "failed fault declaration: not all sectors are assigned to the partition"
 */
export function declareFaultsRecovered(self: Partition, sectors: Sectors, sectorSize: bigint, sectorNumbers: BitField): void {
  try {
    validatePartitionContainsSectors(self, sectorNumbers);
  } catch (e) {
    throw ActorError.illegalArgument(`failed fault declaration: ${(e as Error).message}`);
  }
  const recoveries = sectorNumbers.intersect(self.faults).subtract(self.recoveries);
  const recoverySectors = loadSectorsWrapped(sectors, recoveries, 'failed to load recovery sectors');
  self.recoveries = self.recoveries.union(recoveries);
  self.recoveringPower = powerPairAdd(self.recoveringPower, powerForSectors(sectorSize, recoverySectors));
  validateState(self);
}

/** Removes sectors from the recoveries and their power from the recovering power (`remove_recoveries`). */
export function removeRecoveries(self: Partition, sectorNumbers: BitField, power: PowerPair): void {
  if (sectorNumbers.isEmpty()) return;
  self.recoveries = self.recoveries.subtract(sectorNumbers);
  self.recoveringPower = powerPairSub(self.recoveringPower, power);
}

/**
 * Moves the active (live, non-faulty) sectors of `sectorNumbers` to `newExpiration`, skipping the others and
 * sectors not in this partition (`reschedule_expirations`).
 *
 * @returns the infos of the rescheduled sectors
 */
export function rescheduleExpirations(
  store: Blockstore,
  self: Partition,
  sectors: Sectors,
  newExpiration: bigint,
  sectorNumbers: BitField,
  sectorSize: bigint,
  quant: QuantSpec,
): SectorOnChainInfo[] {
  const present = sectorNumbers.intersect(self.sectors);
  const active = present.subtract(self.terminated).subtract(self.faults);
  const infos = sectors.loadSectors(active);
  const expirations = loadExpirations(store, self, quant, 'failed to load sector expirations');
  expirations.rescheduleExpirations(newExpiration, infos, sectorSize);
  self.expirationsEpochs = expirations.flush();
  validateState(self);
  return infos;
}

/**
 * Replaces active sectors by new ones (the same number may be both, to change its power) (`replace_sectors`).
 *
 * @returns `{powerDelta, pledgeDelta, dailyFeeDelta}`, new minus old
 * @throws MinerStateError "refusing to replace inactive sectors in … (active: …)"
 */
export function replaceSectors(
  store: Blockstore,
  self: Partition,
  oldSectors: readonly SectorOnChainInfo[],
  newSectors: readonly SectorOnChainInfo[],
  sectorSize: bigint,
  quant: QuantSpec,
): { powerDelta: PowerPair; pledgeDelta: bigint; dailyFeeDelta: bigint } {
  const expirations = loadExpirations(store, self, quant, 'failed to load sector expirations');
  const [oldNumbers, newNumbers, powerDelta, pledgeDelta, dailyFeeDelta] = wrapping('failed to replace sector expirations', () =>
    expirations.replaceSectors(oldSectors, newSectors, sectorSize),
  );
  self.expirationsEpochs = wrapping('failed to save sector expirations', () => expirations.flush());

  const active = activeSectors(self);
  if (!active.containsAll(oldNumbers)) {
    throw new MinerStateError(`refusing to replace inactive sectors in ${oldNumbers.toString()} (active: ${active.toString()})`);
  }
  self.sectors = self.sectors.subtract(oldNumbers).union(newNumbers);
  self.livePower = powerPairAdd(self.livePower, powerDelta);
  validateState(self);
  return { powerDelta, pledgeDelta, dailyFeeDelta };
}

/** Records sectors terminated early at `epoch`, for the termination fee later (`record_early_termination`). */
export function recordEarlyTermination(store: Blockstore, self: Partition, epoch: bigint, sectors: BitField): void {
  let queue: BitFieldQueue;
  try {
    queue = new BitFieldQueue(store, self.earlyTerminated, NO_QUANTIZATION);
  } catch (e) {
    throw downcastWrap(e, 'failed to load early termination queue');
  }
  wrapping('failed to add to early termination queue', () => queue.addToQueue(epoch, sectors));
  self.earlyTerminated = wrapping('failed to save early termination queue', () => queue.flush());
}

/**
 * Terminates live sectors at `epoch`: they leave faults and recoveries, join `terminated`, and are recorded in
 * the early-termination queue (`terminate_sectors`).
 *
 * @returns `{removed, removedUnproven}`: the removed expiration aggregate (its active power excludes unproven
 *   power) and the removed unproven power
 * @throws ActorError USR_ILLEGAL_ARGUMENT "can only terminate live sectors"
 */
export function terminateSectors(
  policy: MinerPolicy,
  store: Blockstore,
  self: Partition,
  sectors: Sectors,
  epoch: bigint,
  sectorNumbers: BitField,
  sectorSize: bigint,
  quant: QuantSpec,
): { removed: ExpirationSet; removedUnproven: PowerPair } {
  if (!liveSectors(self).containsAll(sectorNumbers)) throw ActorError.illegalArgument('can only terminate live sectors');

  const infos = sectors.loadSectors(sectorNumbers);
  const expirations = loadExpirations(store, self, quant, 'failed to load sector expirations');
  const [removed, removedRecovering] = wrapping('failed to remove sector expirations', () =>
    expirations.removeSectors(policy, infos, self.faults, self.recoveries, sectorSize),
  );
  self.expirationsEpochs = wrapping('failed to save sector expirations', () => expirations.flush());

  const removedSectors = removed.onTimeSectors.union(removed.earlySectors);
  wrapping('failed to record early sector termination', () => recordEarlyTermination(store, self, epoch, removedSectors));

  const unprovenNos = removedSectors.intersect(self.unproven);

  self.faults = self.faults.subtract(removedSectors);
  self.recoveries = self.recoveries.subtract(removedSectors);
  self.terminated = self.terminated.union(removedSectors);
  self.livePower = powerPairSub(powerPairSub(self.livePower, removed.activePower), removed.faultyPower);
  self.faultyPower = powerPairSub(self.faultyPower, removed.faultyPower);
  self.recoveringPower = powerPairSub(self.recoveringPower, removedRecovering);
  self.unproven = self.unproven.subtract(unprovenNos);

  const unprovenInfos = selectSectors(infos, unprovenNos);
  const removedUnproven = powerForSectors(sectorSize, unprovenInfos);
  self.unprovenPower = powerPairSub(self.unprovenPower, removedUnproven);
  removed.activePower = powerPairSub(removed.activePower, removedUnproven);

  validateState(self);
  return { removed, removedUnproven };
}

/**
 * Pops the expiration queue up to `until`, marking the sectors terminated; early ones are recorded in the
 * early-termination queue at `until` (`pop_expired_sectors`).
 *
 * @returns the popped aggregate
 * @throws MinerStateError "cannot pop expired sectors from a partition with unproven sectors", "unexpected
 *   recoveries while processing expirations", "unexpected recovering power while processing expirations",
 *   "expiring sectors already terminated"
 */
export function popExpiredSectors(store: Blockstore, self: Partition, until: bigint, quant: QuantSpec): ExpirationSet {
  if (!self.unproven.isEmpty()) throw new MinerStateError('cannot pop expired sectors from a partition with unproven sectors');

  const expirations = loadExpirations(store, self, quant, 'failed to load expiration queue');
  const popped = wrapping(`failed to pop expiration queue until ${until}`, () => expirations.popUntil(until));
  self.expirationsEpochs = expirations.flush();

  const expiredSectors = popped.onTimeSectors.union(popped.earlySectors);

  if (!self.recoveries.isEmpty()) throw new MinerStateError('unexpected recoveries while processing expirations');
  if (!powerPairIsZero(self.recoveringPower)) throw new MinerStateError('unexpected recovering power while processing expirations');
  if (self.terminated.containsAny(expiredSectors)) throw new MinerStateError('expiring sectors already terminated');

  self.terminated = self.terminated.union(expiredSectors);
  self.faults = self.faults.subtract(expiredSectors);
  self.livePower = powerPairSub(self.livePower, powerPairAdd(popped.activePower, popped.faultyPower));
  self.faultyPower = powerPairSub(self.faultyPower, popped.faultyPower);

  wrapping('failed to record early terminations', () => recordEarlyTermination(store, self, until, popped.earlySectors));
  validateState(self);
  return popped;
}

/**
 * Marks every live sector faulty after a missed Window PoSt, clearing recoveries and unproven sectors; later
 * expirations collapse to `faultExpiration` (`record_missed_post`).
 *
 * @returns `{powerDelta, penalizedPower, newFaultyPower}`: the change in active power (unproven power was never
 *   active), the power to penalize (newly faulty plus failed recoveries), and the newly faulty power
 */
export function recordMissedPost(
  store: Blockstore,
  self: Partition,
  faultExpiration: bigint,
  quant: QuantSpec,
): { powerDelta: PowerPair; penalizedPower: PowerPair; newFaultyPower: PowerPair } {
  const queue = loadExpirations(store, self, quant, 'failed to load partition queue');
  wrapping('failed to reschedule all as faults', () => queue.rescheduleAllAsFaults(faultExpiration));
  self.expirationsEpochs = queue.flush();

  const newFaultyPower = powerPairSub(self.livePower, self.faultyPower);
  const penalizedPower = powerPairAdd(self.recoveringPower, newFaultyPower);
  const powerDelta = powerPairSub(self.unprovenPower, newFaultyPower);

  self.faults = liveSectors(self);
  self.recoveries = new BitField();
  self.unproven = new BitField();
  self.faultyPower = powerPairClone(self.livePower);
  self.recoveringPower = powerPairZero();
  self.unprovenPower = powerPairZero();

  validateState(self);
  return { powerDelta, penalizedPower, newFaultyPower };
}

/**
 * Pops up to `maxSectors` early-terminated sectors, oldest epoch first (`pop_early_terminations`).
 *
 * @returns `{result, hasMore}`: the popped sectors by epoch (one partition processed), and whether sectors remain
 */
export function popEarlyTerminations(store: Blockstore, self: Partition, maxSectors: bigint): { result: TerminationResult; hasMore: boolean } {
  const queue = new BitFieldQueue(store, self.earlyTerminated, NO_QUANTIZATION);
  const processed: bigint[] = [];
  let remaining: { sectors: BitField; epoch: bigint } | undefined;
  const result = new TerminationResult();
  result.partitionsProcessed = 1n;

  try {
    queue.forEach((epoch, sectors) => {
      const count = BigInt(sectors.count());
      const limit = maxSectors - result.sectorsProcessed;
      let toProcess: BitField;
      if (limit < count) {
        const slice = sectors.slice(0, Number(limit));
        if (slice === undefined) throw new MinerStateError('expected more sectors in bitfield');
        toProcess = slice;
        remaining = { sectors: sectors.subtract(toProcess), epoch };
        result.sectorsProcessed += limit;
      } else {
        processed.push(epoch);
        result.sectorsProcessed += count;
        toProcess = sectors;
      }
      result.sectors.set(epoch, toProcess);
      return result.sectorsProcessed < maxSectors;
    });
  } catch (e) {
    throw downcastWrap(e, 'failed to walk early terminations queue');
  }

  wrapping('failed to remove entries from early terminations queue', () => queue.amt.batchDelete(processed, true));
  if (remaining !== undefined) {
    const rest = remaining;
    wrapping('failed to update remaining entry early terminations queue', () => queue.set(rest.epoch, rest.sectors));
  }
  self.earlyTerminated = wrapping('failed to store early terminations queue', () => queue.flush());

  validateState(self);
  return { result, hasMore: queue.count() > 0n };
}

/**
 * Records the sectors a Window PoSt skipped: new faults are added (ignoring terminated and already faulty ones);
 * skipped recovering sectors are retracted from recovery (`record_skipped_faults`).
 *
 * @returns `{powerDelta, newFaultyPower, retractedRecoveryPower, hasNewFaults}`
 * @throws ActorError USR_ILLEGAL_ARGUMENT "skipped faults contains sectors outside partition"; USR_ILLEGAL_STATE
 *   "failed to add skipped faults: …" unless the failure carries its own code
 */
export function recordSkippedFaults(
  store: Blockstore,
  self: Partition,
  sectors: Sectors,
  sectorSize: bigint,
  quant: QuantSpec,
  faultExpiration: bigint,
  skipped: BitField,
): { powerDelta: PowerPair; newFaultyPower: PowerPair; retractedRecoveryPower: PowerPair; hasNewFaults: boolean } {
  if (skipped.isEmpty()) {
    return { powerDelta: powerPairZero(), newFaultyPower: powerPairZero(), retractedRecoveryPower: powerPairZero(), hasNewFaults: false };
  }
  if (!self.sectors.containsAll(skipped)) throw ActorError.illegalArgument('skipped faults contains sectors outside partition');

  const retractedRecoveries = self.recoveries.intersect(skipped);
  const retractedRecoverySectors = loadSectorsWrapped(sectors, retractedRecoveries, 'failed to load sectors');
  const retractedRecoveryPower = powerForSectors(sectorSize, retractedRecoverySectors);

  const newFaults = skipped.subtract(self.terminated).subtract(self.faults);
  const newFaultSectors = loadSectorsWrapped(sectors, newFaults, 'failed to load sectors');

  let added: { powerDelta: PowerPair; newFaultyPower: PowerPair };
  try {
    added = addFaults(store, self, newFaults, newFaultSectors, faultExpiration, sectorSize, quant);
  } catch (e) {
    throw downcastDefault(e, ExitCode.USR_ILLEGAL_STATE, 'failed to add skipped faults');
  }

  removeRecoveries(self, retractedRecoveries, retractedRecoveryPower);
  validateState(self);
  return { powerDelta: added.powerDelta, newFaultyPower: added.newFaultyPower, retractedRecoveryPower, hasNewFaults: newFaultSectors.length > 0 };
}

/**
 * Checks the power memos: none negative, unproven and faulty within live, recovering within faulty
 * (`validate_power_state`).
 *
 * @throws MinerStateError "Partition left with …"
 */
export function validatePowerState(self: Partition): void {
  if (self.livePower.raw < 0n || self.livePower.qa < 0n) throw new MinerStateError('Partition left with negative live power');
  if (self.unprovenPower.raw < 0n || self.unprovenPower.qa < 0n) throw new MinerStateError('Partition left with negative unproven power');
  if (self.faultyPower.raw < 0n || self.faultyPower.qa < 0n) throw new MinerStateError('Partition left with negative faulty power');
  if (self.recoveringPower.raw < 0n || self.recoveringPower.qa < 0n) throw new MinerStateError('Partition left with negative recovering power');
  if (self.unprovenPower.raw > self.livePower.raw) throw new MinerStateError('Partition left with invalid unproven power');
  if (self.faultyPower.raw > self.livePower.raw) throw new MinerStateError('Partition left with invalid faulty power');
  if (self.recoveringPower.raw > self.livePower.raw || self.recoveringPower.raw > self.faultyPower.raw) {
    throw new MinerStateError('Partition left with invalid recovering power');
  }
}

/**
 * Checks the bitfields: terminated disjoint from unproven and faults, all within sectors, recoveries within
 * faults (`validate_bf_state`).
 *
 * @throws MinerStateError "Partition left with …"
 */
export function validateBfState(self: Partition): void {
  let merge = self.unproven.union(self.faults);
  if (self.terminated.containsAny(merge)) throw new MinerStateError('Partition left with terminated sectors in multiple states');
  merge = merge.union(self.terminated);
  if (!self.sectors.containsAll(merge)) throw new MinerStateError('Partition left with invalid sector state');
  if (!self.faults.containsAll(self.recoveries)) throw new MinerStateError('Partition left with invalid recovery state');
}

/** {@link validatePowerState} then {@link validateBfState} (`validate_state`). */
export function validateState(self: Partition): void {
  validatePowerState(self);
  validateBfState(self);
}

/**
 * Fails unless every sector of `sectors` belongs to the partition (lib.rs `validate_partition_contains_sectors`).
 *
 * @throws MinerStateError "not all sectors are assigned to the partition"
 */
export function validatePartitionContainsSectors(partition: Partition, sectors: BitField): void {
  if (!partition.sectors.containsAll(sectors)) throw new MinerStateError('not all sectors are assigned to the partition');
}

/** An empty expiration aggregate, re-exported for callers summing partition results. */
export { expirationSetEmpty };
