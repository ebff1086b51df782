/**
 * Sector expirations of a partition, by (quantized) epoch: an AMT[epoch]ExpirationSet (builtin-actors v18
 * `expiration_queue.rs`, FIP-0100 fee deductions included).
 *
 * An {@link ExpirationSet} (types.ts) holds sectors expiring "on time" (at the end of their committed life)
 * and "early" (faulty for too long), the on-time pledge, the active and faulty power, and the daily fee to
 * deduct from the deadline when those sectors leave (FIP-0100). The `expirationSet*` functions are the Rust
 * `impl ExpirationSet` methods, mutating the object in place. {@link ExpirationQueue} mirrors the Rust
 * methods with the same names (camelCase), arguments and order.
 *
 * Conventions: epochs, power, tokens are bigint; bitfield positions are numbers; Rust tuples are returned as
 * readonly TS tuples in the same order. `anyhow` errors are {@link MinerStateError}; errors from deeper
 * calls are wrapped as Rust's `downcast_wrap` does (an ActorError keeps its code).
 */

import { Amt, BitField, type Blockstore, type CID } from 'fvm-sim';
import { unionAll } from './bitfieldQueue.js';
import type { QuantSpec } from './deadlines.js';
import { type MinerPolicy, powerForSector } from './policy.js';
import { powerPairAdd, powerPairClone, powerPairIsZero, powerPairSub, powerPairZero } from './powerPair.js';
import { downcastWrap, wrapping } from './stateErrors.js';
import { ExpirationSet, type PowerPair, type SectorOnChainInfo } from './types.js';
import { MinerStateError } from './vesting.js';

export type { ExpirationSet } from './types.js';

/** Most sectors a queue entry's bitfield is expanded to (`ENTRY_SECTORS_MAX`). */
export const ENTRY_SECTORS_MAX = 10_000n;

// ---------------------------------------------------------------------------------------------
// ExpirationSet (impl ExpirationSet)

/** A new empty set (`ExpirationSet::empty`). */
export function expirationSetEmpty(): ExpirationSet {
  return {
    onTimeSectors: new BitField(),
    earlySectors: new BitField(),
    onTimePledge: 0n,
    activePower: powerPairZero(),
    faultyPower: powerPairZero(),
    feeDeduction: 0n,
  };
}

/** A copy of a set (bitfields are immutable values, so sharing them is safe). */
export function expirationSetClone(s: ExpirationSet): ExpirationSet {
  return {
    onTimeSectors: s.onTimeSectors,
    earlySectors: s.earlySectors,
    onTimePledge: s.onTimePledge,
    activePower: powerPairClone(s.activePower),
    faultyPower: powerPairClone(s.faultyPower),
    feeDeduction: s.feeDeduction,
  };
}

function fmtPower(p: PowerPair): string {
  return `PowerPair { raw: ${p.raw}, qa: ${p.qa} }`;
}

/** A debug rendering of a set, for error messages (Rust `{:?}`). */
export function formatExpirationSet(s: ExpirationSet): string {
  return (
    `ExpirationSet { on_time_sectors: ${s.onTimeSectors.toString()}, early_sectors: ${s.earlySectors.toString()}, ` +
    `on_time_pledge: ${s.onTimePledge}, active_power: ${fmtPower(s.activePower)}, faulty_power: ${fmtPower(s.faultyPower)}, ` +
    `fee_deduction: ${s.feeDeduction} }`
  );
}

/**
 * Adds sectors, pledge, power and fee deduction to the set in place (`ExpirationSet::add`).
 *
 * @throws MinerStateError from {@link expirationSetValidateState}
 */
export function expirationSetAdd(
  self: ExpirationSet,
  onTimeSectors: BitField,
  earlySectors: BitField,
  onTimePledge: bigint,
  activePower: PowerPair,
  faultyPower: PowerPair,
  feeDeduction: bigint,
): void {
  self.onTimeSectors = self.onTimeSectors.union(onTimeSectors);
  self.earlySectors = self.earlySectors.union(earlySectors);
  self.onTimePledge += onTimePledge;
  self.activePower = powerPairAdd(self.activePower, activePower);
  self.faultyPower = powerPairAdd(self.faultyPower, faultyPower);
  self.feeDeduction += feeDeduction;
  expirationSetValidateState(self);
}

/**
 * Removes sectors, pledge, power and fee deduction from the set in place (`ExpirationSet::remove`).
 *
 * @throws MinerStateError "removing on-time sectors … not contained in …" (or early), "expiration set pledge
 *   underflow: …", "expiration set power underflow: …" (QA power), "expiration set fee deduction underflow: …"
 */
export function expirationSetRemove(
  self: ExpirationSet,
  onTimeSectors: BitField,
  earlySectors: BitField,
  onTimePledge: bigint,
  activePower: PowerPair,
  faultyPower: PowerPair,
  feeDeduction: bigint,
): void {
  if (!self.onTimeSectors.containsAll(onTimeSectors)) {
    throw new MinerStateError(`removing on-time sectors ${onTimeSectors.toString()} not contained in ${self.onTimeSectors.toString()}`);
  }
  if (!self.earlySectors.containsAll(earlySectors)) {
    throw new MinerStateError(`removing early sectors ${earlySectors.toString()} not contained in ${self.earlySectors.toString()}`);
  }
  self.onTimeSectors = self.onTimeSectors.subtract(onTimeSectors);
  self.earlySectors = self.earlySectors.subtract(earlySectors);
  self.onTimePledge -= onTimePledge;
  self.activePower = powerPairSub(self.activePower, activePower);
  self.faultyPower = powerPairSub(self.faultyPower, faultyPower);
  self.feeDeduction -= feeDeduction;
  if (self.onTimePledge < 0n) throw new MinerStateError(`expiration set pledge underflow: ${formatExpirationSet(self)}`);
  if (self.activePower.qa < 0n || self.faultyPower.qa < 0n) throw new MinerStateError(`expiration set power underflow: ${formatExpirationSet(self)}`);
  if (self.feeDeduction < 0n) throw new MinerStateError(`expiration set fee deduction underflow: ${formatExpirationSet(self)}`);
  expirationSetValidateState(self);
}

/** No sectors (power and pledge are not looked at) (`ExpirationSet::is_empty`). */
export function expirationSetIsEmpty(self: ExpirationSet): boolean {
  return self.onTimeSectors.isEmpty() && self.earlySectors.isEmpty();
}

/** Number of sectors, on-time plus early (`ExpirationSet::len`). */
export function expirationSetLen(self: ExpirationSet): bigint {
  return BigInt(self.onTimeSectors.count() + self.earlySectors.count());
}

/**
 * Checks that no amount is negative (`ExpirationSet::validate_state`).
 *
 * @throws MinerStateError "ExpirationSet left with negative …"
 */
export function expirationSetValidateState(self: ExpirationSet): void {
  if (self.onTimePledge < 0n) throw new MinerStateError('ExpirationSet left with negative pledge');
  if (self.activePower.raw < 0n) throw new MinerStateError('ExpirationSet left with negative raw active power');
  if (self.activePower.qa < 0n) throw new MinerStateError('ExpirationSet left with negative qa active power');
  if (self.faultyPower.raw < 0n) throw new MinerStateError('ExpirationSet left with negative raw faulty power');
  if (self.faultyPower.qa < 0n) throw new MinerStateError('ExpirationSet left with negative qa faulty power');
  if (self.feeDeduction < 0n) throw new MinerStateError('ExpirationSet left with negative fee deduction');
}

// ---------------------------------------------------------------------------------------------
// Grouping helpers

/** Sectors of one queue epoch with their summed power, pledge and daily fee (`SectorEpochSet`). */
export interface SectorEpochSet {
  epoch: bigint;
  /** Sector numbers, in the order met. */
  sectors: number[];
  power: PowerPair;
  pledge: bigint;
  dailyFee: bigint;
}

/** A {@link SectorEpochSet} together with the queue entry it was found in (`SectorExpirationSet`). */
export interface SectorExpirationSet {
  sectorEpochSet: SectorEpochSet;
  expirationSet: ExpirationSet;
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sector numbers as bitfield positions (sector numbers beyond 2^53 cannot be held by a BitField). */
function sectorPosition(n: bigint): number {
  const p = Number(n);
  if (!Number.isSafeInteger(p) || p < 0) throw new MinerStateError(`sector number ${n} out of bitfield range`);
  return p;
}

/**
 * Groups sectors by quantized declared expiration, in ascending epoch order, keeping the order of the
 * sectors within an epoch (`group_new_sectors_by_declared_expiration`).
 */
export function groupNewSectorsByDeclaredExpiration(sectorSize: bigint, sectors: Iterable<SectorOnChainInfo>, quant: QuantSpec): SectorEpochSet[] {
  const byExpiration = new Map<bigint, SectorOnChainInfo[]>();
  for (const sector of sectors) {
    const q = quant.quantizeUp(sector.expiration);
    let list = byExpiration.get(q);
    if (list === undefined) byExpiration.set(q, (list = []));
    list.push(sector);
  }
  return [...byExpiration.keys()].sort(cmpBig).map((epoch) => {
    const set: SectorEpochSet = { epoch, sectors: [], power: powerPairZero(), pledge: 0n, dailyFee: 0n };
    for (const sector of byExpiration.get(epoch)!) {
      set.sectors.push(sectorPosition(sector.sectorNumber));
      set.power = powerPairAdd(set.power, powerForSector(sectorSize, sector));
      set.pledge += sector.initialPledge;
      set.dailyFee += sector.dailyFee;
    }
    return set;
  });
}

/** The sectors of `includeSet` found on time in `es`, removed from `includeSet` (`group_expiration_set`). */
function groupExpirationSet(
  sectorSize: bigint,
  sectors: Map<number, SectorOnChainInfo>,
  includeSet: Set<number>,
  es: ExpirationSet,
  expiration: bigint,
): SectorExpirationSet {
  const group: SectorEpochSet = { epoch: expiration, sectors: [], power: powerPairZero(), pledge: 0n, dailyFee: 0n };
  for (const u of es.onTimeSectors) {
    if (includeSet.delete(u)) {
      const sector = sectors.get(u)!;
      group.sectors.push(u);
      group.power = powerPairAdd(group.power, powerForSector(sectorSize, sector));
      group.pledge += sector.initialPledge;
      group.dailyFee += sector.dailyFee;
    }
  }
  return { sectorEpochSet: group, expirationSet: es };
}

/** Fails if a sector of `set` is among the early sectors of `es` (`check_no_early_sectors`). */
function checkNoEarlySectors(set: Set<number>, es: ExpirationSet): void {
  for (const u of es.earlySectors) {
    if (set.has(u)) throw new MinerStateError(`Invalid attempt to group sector ${u} with an early expiration`);
  }
}

function fmtNumbers(xs: Iterable<number>): string {
  return `{${[...xs].sort((a, b) => a - b).join(', ')}}`;
}

/** Fails unless every set bit fits in `max` (fvm_ipld_bitfield `bounded_iter`). */
function boundedPositions(bf: BitField, max: bigint, context: string): Set<number> {
  if (BigInt(bf.count()) > max) throw new MinerStateError(context);
  return new Set<number>(bf);
}

/** A mutable view of a queue entry during {@link ExpirationQueue.iterWhileMut} (fvm_ipld_amt `ValueMut`). */
export interface ExpirationSetMut {
  value: ExpirationSet;
  /** Set by the callback when it changed `value` (Rust marks the entry dirty on `DerefMut`). */
  dirty: boolean;
}

// ---------------------------------------------------------------------------------------------
// ExpirationQueue

/** A queue of expiration sets by quantized epoch (`ExpirationQueue`). */
export class ExpirationQueue {
  /** The underlying AMT; values are raw ExpirationSet tuples. */
  readonly amt: Amt<unknown>;
  /** Keys are quantized upwards with this spec. */
  readonly quant: QuantSpec;

  /** Loads the queue rooted at `root` (`ExpirationQueue::new`). */
  constructor(store: Blockstore, root: CID, quant: QuantSpec) {
    this.amt = Amt.load<unknown>(store, root);
    this.quant = quant;
  }

  /** `ExpirationQueue::new`. */
  static load(store: Blockstore, root: CID, quant: QuantSpec): ExpirationQueue {
    return new ExpirationQueue(store, root, quant);
  }

  /** Number of entries. */
  count(): bigint {
    return this.amt.count;
  }

  /** Writes the AMT and returns its root. */
  flush(): CID {
    return this.amt.flush();
  }

  /** The entry at an exact key, if any. */
  get(epoch: bigint): ExpirationSet | undefined {
    if (epoch < 0n) return undefined;
    const raw = this.amt.get(epoch);
    return raw === undefined ? undefined : ExpirationSet.fromCbor(raw);
  }

  /** Every entry in ascending epoch order; stop early by returning `false`. */
  forEach(cb: (epoch: bigint, set: ExpirationSet) => void | boolean): void {
    this.amt.forEach((i, raw) => cb(i, ExpirationSet.fromCbor(raw)));
  }

  /**
   * Schedules new, active sectors at their quantized declared expirations (`add_active_sectors`).
   *
   * @returns `[sector numbers, power, pledge, daily fee]` of the sectors
   */
  addActiveSectors(sectors: Iterable<SectorOnChainInfo>, sectorSize: bigint): readonly [BitField, PowerPair, bigint, bigint] {
    let totalPower = powerPairZero();
    let totalPledge = 0n;
    let totalDailyFee = 0n;
    const totalSectors: number[] = [];
    for (const group of groupNewSectorsByDeclaredExpiration(sectorSize, sectors, this.quant)) {
      const sectorNumbers = BitField.fromIterable(group.sectors);
      wrapping('failed to record new sector expirations', () =>
        this.add(group.epoch, sectorNumbers, new BitField(), group.power, powerPairZero(), group.pledge, group.dailyFee),
      );
      for (const n of group.sectors) totalSectors.push(n);
      totalPower = powerPairAdd(totalPower, group.power);
      totalPledge += group.pledge;
      totalDailyFee += group.dailyFee;
    }
    // One build from all positions: unioning group by group is quadratic in the number of groups.
    return [BitField.fromIterable(totalSectors), totalPower, totalPledge, totalDailyFee];
  }

  /**
   * Moves active (non-faulty) sectors to a new on-time expiration, keeping their power and pledge
   * (`reschedule_expirations`).
   */
  rescheduleExpirations(newExpiration: bigint, sectors: readonly SectorOnChainInfo[], sectorSize: bigint): void {
    if (sectors.length === 0) return;
    const [sectorNumbers, power, pledge, dailyFee] = wrapping('failed to remove sector expirations', () => this.removeActiveSectors(sectors, sectorSize));
    wrapping('failed to record new sector expirations', () => this.add(newExpiration, sectorNumbers, new BitField(), power, powerPairZero(), pledge, dailyFee));
  }

  /**
   * Marks non-faulty sectors faulty: those expiring on time after the (quantized) `newExpiration` move there as
   * early sectors (their pledge leaves the queue, their fee moves with them); the others stay, their power
   * turning faulty (`reschedule_as_faults`).
   *
   * @returns the power of all the sectors
   */
  rescheduleAsFaults(newExpiration: bigint, sectors: readonly SectorOnChainInfo[], sectorSize: bigint): PowerPair {
    const sectorsTotal: number[] = [];
    let expiringPower = powerPairZero();
    let rescheduledPower = powerPairZero();
    let rescheduledDailyFee = 0n;

    const groups = this.findSectorsByExpiration(sectorSize, sectors);
    const newQuantizedExpiration = this.quant.quantizeUp(newExpiration);
    for (const group of groups) {
      const es = group.expirationSet;
      const ses = group.sectorEpochSet;
      if (ses.epoch <= newQuantizedExpiration) {
        // Expiring on time before the fault would: the power turns faulty, the pledge stays on time.
        es.activePower = powerPairSub(es.activePower, ses.power);
        es.faultyPower = powerPairAdd(es.faultyPower, ses.power);
        expiringPower = powerPairAdd(expiringPower, ses.power);
      } else {
        es.onTimeSectors = es.onTimeSectors.subtract(BitField.fromIterable(ses.sectors));
        es.onTimePledge -= ses.pledge;
        es.activePower = powerPairSub(es.activePower, ses.power);
        es.feeDeduction -= ses.dailyFee;
        sectorsTotal.push(...ses.sectors);
        rescheduledPower = powerPairAdd(rescheduledPower, ses.power);
        rescheduledDailyFee += ses.dailyFee;
      }
      this.mustUpdateOrDelete(ses.epoch, expirationSetClone(es));
      expirationSetValidateState(es);
    }

    if (sectorsTotal.length > 0) {
      this.add(newExpiration, new BitField(), BitField.fromIterable(sectorsTotal), powerPairZero(), rescheduledPower, 0n, rescheduledDailyFee);
    }
    return powerPairAdd(rescheduledPower, expiringPower);
  }

  /**
   * Marks every sector faulty: entries up to the quantized `faultExpiration` keep their sectors with all power
   * faulty; later entries are collapsed into that epoch as early sectors (`reschedule_all_as_faults`).
   *
   * @throws MinerStateError "attempted to re-schedule early expirations to an earlier epoch" if a later entry
   *   already has early sectors
   */
  rescheduleAllAsFaults(faultExpiration: bigint): void {
    const rescheduledEpochs: bigint[] = [];
    const rescheduledSectors: BitField[] = [];
    let rescheduledPower = powerPairZero();
    let rescheduledDailyFee = 0n;
    const mutated: [bigint, ExpirationSet][] = [];

    const quantizedFaultExpiration = this.quant.quantizeUp(faultExpiration);
    this.forEach((epoch, es) => {
      if (epoch <= quantizedFaultExpiration) {
        // All power is now faulty; pledge and fees stay (the set is not removed).
        es.faultyPower = powerPairAdd(es.faultyPower, es.activePower);
        es.activePower = powerPairZero();
        mutated.push([epoch, es]);
      } else {
        rescheduledEpochs.push(epoch);
        if (!es.earlySectors.isEmpty()) throw new MinerStateError('attempted to re-schedule early expirations to an earlier epoch');
        rescheduledSectors.push(es.onTimeSectors);
        rescheduledPower = powerPairAdd(powerPairAdd(rescheduledPower, es.activePower), es.faultyPower);
        rescheduledDailyFee += es.feeDeduction;
      }
    });

    for (const [epoch, es] of mutated) {
      let invalid: unknown;
      try {
        expirationSetValidateState(es);
      } catch (e) {
        invalid = e;
      }
      this.mustUpdate(epoch, es);
      if (invalid !== undefined) throw invalid;
    }

    if (rescheduledEpochs.length === 0) return;

    this.add(faultExpiration, new BitField(), unionAll(rescheduledSectors), powerPairZero(), rescheduledPower, 0n, rescheduledDailyFee);
    this.amt.batchDelete(rescheduledEpochs, true);
  }

  /**
   * Recovers faulty sectors: on-time ones get their power back as active where they are; early ones are removed
   * and re-added at their declared expiration with their pledge (`reschedule_recovered`).
   *
   * @returns the recovered power
   * @throws MinerStateError "sectors not found in expiration queue: …"
   */
  rescheduleRecovered(sectors: readonly SectorOnChainInfo[], sectorSize: bigint): PowerPair {
    const remaining = new Map<number, SectorOnChainInfo>();
    for (const s of sectors) remaining.set(sectorPosition(s.sectorNumber), s);

    const sectorsRescheduled: SectorOnChainInfo[] = [];
    let recoveredPower = powerPairZero();

    this.iterWhileMut((_epoch, entry) => {
      const es = entry.value;
      if (remaining.size === 0) {
        // Nothing to find (every PoSt without recoveries): the first set is still read, as Rust
        // reads it, but its sectors need not be walked.
        expirationSetValidateState(es);
        return false;
      }
      let faultyPowerDelta = powerPairZero();
      let activePowerDelta = powerPairZero();
      let dailyFeeDelta = 0n;

      for (const n of es.onTimeSectors) {
        const sector = remaining.get(n);
        if (sector === undefined) continue;
        remaining.delete(n);
        const power = powerForSector(sectorSize, sector);
        faultyPowerDelta = powerPairSub(faultyPowerDelta, power);
        activePowerDelta = powerPairAdd(activePowerDelta, power);
        recoveredPower = powerPairAdd(recoveredPower, power);
      }
      const earlyUnset: number[] = [];
      for (const n of es.earlySectors) {
        const sector = remaining.get(n);
        if (sector === undefined) continue;
        remaining.delete(n);
        earlyUnset.push(n);
        const power = powerForSector(sectorSize, sector);
        faultyPowerDelta = powerPairSub(faultyPowerDelta, power);
        dailyFeeDelta -= sector.dailyFee;
        sectorsRescheduled.push(sector);
        recoveredPower = powerPairAdd(recoveredPower, power);
      }

      if (earlyUnset.length > 0 || !powerPairIsZero(faultyPowerDelta) || !powerPairIsZero(activePowerDelta)) {
        es.activePower = powerPairAdd(es.activePower, activePowerDelta);
        es.faultyPower = powerPairAdd(es.faultyPower, faultyPowerDelta);
        es.feeDeduction += dailyFeeDelta;
        es.earlySectors = es.earlySectors.subtract(BitField.fromIterable(earlyUnset));
        entry.dirty = true;
      }

      expirationSetValidateState(es);
      return remaining.size > 0;
    });

    if (remaining.size > 0) throw new MinerStateError(`sectors not found in expiration queue: ${fmtNumbers(remaining.keys())}`);

    this.addActiveSectors(sectorsRescheduled, sectorSize);
    return recoveredPower;
  }

  /**
   * Removes active `oldSectors` and adds active `newSectors` (`replace_sectors`).
   *
   * @returns `[old sector numbers, new sector numbers, power delta, pledge delta, daily fee delta]` (new minus old)
   */
  replaceSectors(
    oldSectors: readonly SectorOnChainInfo[],
    newSectors: readonly SectorOnChainInfo[],
    sectorSize: bigint,
  ): readonly [BitField, BitField, PowerPair, bigint, bigint] {
    const [oldNumbers, oldPower, oldPledge, oldDailyFee] = wrapping('failed to remove replaced sectors', () => this.removeActiveSectors(oldSectors, sectorSize));
    const [newNumbers, newPower, newPledge, newDailyFee] = wrapping('failed to add replacement sectors', () => this.addActiveSectors(newSectors, sectorSize));
    return [oldNumbers, newNumbers, powerPairSub(newPower, oldPower), newPledge - oldPledge, newDailyFee - oldDailyFee];
  }

  /**
   * Removes sectors, active or faulty, on time or early (`remove_sectors`).
   *
   * @returns `[removed aggregate, recovering power among them]`
   * @throws MinerStateError "too many faults to expand" / "too many recoveries to expand" past
   *   `policy.addressedSectorsMax`; "sectors not found in expiration queue: …"
   */
  removeSectors(
    policy: MinerPolicy,
    sectors: readonly SectorOnChainInfo[],
    faults: BitField,
    recovering: BitField,
    sectorSize: bigint,
  ): readonly [ExpirationSet, PowerPair] {
    const remaining = new Set<number>();
    for (const s of sectors) remaining.add(sectorPosition(s.sectorNumber));
    const faultsMap = boundedPositions(faults, policy.addressedSectorsMax, 'too many faults to expand');
    const recoveringMap = boundedPositions(recovering, policy.addressedSectorsMax, 'too many recoveries to expand');

    const removed = expirationSetEmpty();
    let recoveringPower = powerPairZero();

    // Non-faulty sectors always expire on time, at their declared epoch: process them first.
    const nonFaultySectors: SectorOnChainInfo[] = [];
    const faultySectors: SectorOnChainInfo[] = [];
    for (const sector of sectors) {
      const n = sectorPosition(sector.sectorNumber);
      if (faultsMap.has(n)) {
        faultySectors.push(sector);
      } else {
        nonFaultySectors.push(sector);
        remaining.delete(n);
      }
    }

    const [removedNumbers, removedPower, removedPledge, removedDailyFee] = wrapping('failed to remove on-time recoveries', () =>
      this.removeActiveSectors(nonFaultySectors, sectorSize),
    );
    removed.onTimeSectors = removedNumbers;
    removed.activePower = removedPower;
    removed.onTimePledge = removedPledge;
    removed.feeDeduction = removedDailyFee;

    // Faulty sectors (on time or early) are within the first fault-max-age entries.
    this.iterWhileMut((_epoch, entry) => {
      const es = entry.value;
      const onTime = boundedPositions(es.onTimeSectors, ENTRY_SECTORS_MAX, 'too many on-time sectors to expand');
      const early = boundedPositions(es.earlySectors, ENTRY_SECTORS_MAX, 'too many early sectors to expand');

      for (const sector of faultySectors) {
        const n = sectorPosition(sector.sectorNumber);
        let found = false;
        if (onTime.has(n)) {
          found = true;
          es.onTimeSectors = withUnset(es.onTimeSectors, n);
          removed.onTimeSectors = withSet(removed.onTimeSectors, n);
          es.onTimePledge -= sector.initialPledge;
          removed.onTimePledge += sector.initialPledge;
        } else if (early.has(n)) {
          found = true;
          es.earlySectors = withUnset(es.earlySectors, n);
          removed.earlySectors = withSet(removed.earlySectors, n);
        }
        if (found) {
          entry.dirty = true;
          const power = powerForSector(sectorSize, sector);
          if (faultsMap.has(n)) {
            es.faultyPower = powerPairSub(es.faultyPower, power);
            removed.faultyPower = powerPairAdd(removed.faultyPower, power);
          } else {
            es.activePower = powerPairSub(es.activePower, power);
            removed.activePower = powerPairAdd(removed.activePower, power);
          }
          if (recoveringMap.has(n)) recoveringPower = powerPairAdd(recoveringPower, power);
          remaining.delete(n);
          removed.feeDeduction += sector.dailyFee;
          es.feeDeduction -= sector.dailyFee;
        }
      }

      expirationSetValidateState(es);
      return remaining.size > 0;
    });

    if (remaining.size > 0) throw new MinerStateError(`sectors not found in expiration queue: ${fmtNumbers(remaining)}`);
    return [removed, recoveringPower];
  }

  /** Removes and sums every entry with key ≤ `until` (`pop_until`). */
  popUntil(until: bigint): ExpirationSet {
    const out = expirationSetEmpty();
    const poppedKeys: bigint[] = [];
    const onTime: BitField[] = [];
    const early: BitField[] = [];
    this.forEach((epoch, es) => {
      if (epoch > until) return false;
      poppedKeys.push(epoch);
      onTime.push(es.onTimeSectors);
      early.push(es.earlySectors);
      out.activePower = powerPairAdd(out.activePower, es.activePower);
      out.faultyPower = powerPairAdd(out.faultyPower, es.faultyPower);
      out.onTimePledge += es.onTimePledge;
      out.feeDeduction += es.feeDeduction;
      return true;
    });
    out.onTimeSectors = unionAll(onTime);
    out.earlySectors = unionAll(early);
    this.amt.batchDelete(poppedKeys, true);
    return out;
  }

  /**
   * Adds to the entry at the quantized `rawEpoch` (`add`, private in Rust).
   *
   * @throws MinerStateError "failed to add expiration values for epoch E: …"
   */
  add(
    rawEpoch: bigint,
    onTimeSectors: BitField,
    earlySectors: BitField,
    activePower: PowerPair,
    faultyPower: PowerPair,
    pledge: bigint,
    dailyFee: bigint,
  ): void {
    const epoch = this.quant.quantizeUp(rawEpoch);
    const es = this.mayGet(epoch);
    try {
      expirationSetAdd(es, onTimeSectors, earlySectors, pledge, activePower, faultyPower, dailyFee);
    } catch (e) {
      throw new MinerStateError(`failed to add expiration values for epoch ${epoch}: ${(e as Error).message}`);
    }
    this.mustUpdate(epoch, es);
  }

  /**
   * Removes from the entry at the quantized `rawEpoch`, deleting it if emptied (`remove`, private in Rust).
   *
   * @throws MinerStateError "missing expected expiration set at epoch E"; "failed to remove expiration values
   *   for queue epoch E: …"
   */
  remove(
    rawEpoch: bigint,
    onTimeSectors: BitField,
    earlySectors: BitField,
    activePower: PowerPair,
    faultyPower: PowerPair,
    pledge: bigint,
    feeDeduction: bigint,
  ): void {
    const epoch = this.quant.quantizeUp(rawEpoch);
    checkKey(epoch);
    let es: ExpirationSet | undefined;
    try {
      es = this.get(epoch);
    } catch (e) {
      throw downcastWrap(e, `failed to lookup queue epoch ${epoch}`);
    }
    if (es === undefined) throw new MinerStateError(`missing expected expiration set at epoch ${epoch}`);
    try {
      expirationSetRemove(es, onTimeSectors, earlySectors, pledge, activePower, faultyPower, feeDeduction);
    } catch (e) {
      throw new MinerStateError(`failed to remove expiration values for queue epoch ${epoch}: ${(e as Error).message}`);
    }
    this.mustUpdateOrDelete(epoch, es);
  }

  /**
   * Removes active sectors from their on-time entries (`remove_active_sectors`, private in Rust).
   *
   * @returns `[sector numbers, power, pledge, daily fee]` removed
   */
  removeActiveSectors(sectors: readonly SectorOnChainInfo[], sectorSize: bigint): readonly [BitField, PowerPair, bigint, bigint] {
    const removedNumbers: number[] = [];
    let removedPower = powerPairZero();
    let removedPledge = 0n;
    let removedDailyFee = 0n;
    for (const group of this.findSectorsByExpiration(sectorSize, sectors)) {
      const ses = group.sectorEpochSet;
      this.remove(ses.epoch, BitField.fromIterable(ses.sectors), new BitField(), ses.power, powerPairZero(), ses.pledge, ses.dailyFee);
      removedNumbers.push(...ses.sectors);
      removedPower = powerPairAdd(removedPower, ses.power);
      removedPledge += ses.pledge;
      removedDailyFee += ses.dailyFee;
    }
    return [BitField.fromIterable(removedNumbers), removedPower, removedPledge, removedDailyFee];
  }

  /**
   * Walks the queue in epoch order while `f` returns true; entries `f` marked dirty are written back, and entries
   * left empty are deleted afterwards (`iter_while_mut`).
   */
  iterWhileMut(f: (epoch: bigint, entry: ExpirationSetMut) => boolean): void {
    const dirty: [bigint, ExpirationSet][] = [];
    const emptied: bigint[] = [];
    this.forEach((epoch, value) => {
      const entry: ExpirationSetMut = { value, dirty: false };
      const keepGoing = f(epoch, entry);
      if (entry.dirty) dirty.push([epoch, entry.value]);
      if (expirationSetIsEmpty(entry.value)) emptied.push(epoch);
      return keepGoing;
    });
    for (const [epoch, es] of dirty) this.amt.set(epoch, ExpirationSet.toCbor(es));
    this.amt.batchDelete(emptied, true);
  }

  /** The entry at an exact key, or an empty set (`may_get`). */
  mayGet(key: bigint): ExpirationSet {
    checkKey(key);
    try {
      return this.get(key) ?? expirationSetEmpty();
    } catch (e) {
      throw downcastWrap(e, `failed to lookup queue epoch ${key}`);
    }
  }

  /** Stores an entry at an exact key (`must_update`). */
  mustUpdate(epoch: bigint, es: ExpirationSet): void {
    checkKey(epoch);
    try {
      this.amt.set(epoch, ExpirationSet.toCbor(es));
    } catch (e) {
      throw downcastWrap(e, `failed to set queue epoch ${epoch}`);
    }
  }

  /** Stores an entry at an exact key, or deletes the key if the set is empty (`must_update_or_delete`). */
  mustUpdateOrDelete(epoch: bigint, es: ExpirationSet): void {
    checkKey(epoch);
    if (expirationSetIsEmpty(es)) {
      try {
        this.amt.delete(epoch);
      } catch (e) {
        throw downcastWrap(e, `failed to delete queue epoch ${epoch}`);
      }
    } else {
      this.mustUpdate(epoch, es);
    }
  }

  /**
   * Groups active sectors by the entry they are found on time in: first at their declared (quantized)
   * expiration, then, for sectors rescheduled elsewhere, walking the queue; sorted by epoch
   * (`find_sectors_by_expiration`).
   *
   * @throws MinerStateError "some sectors not found in expiration queue"; "Invalid attempt to group sector N
   *   with an early expiration"
   */
  findSectorsByExpiration(sectorSize: bigint, sectors: readonly SectorOnChainInfo[]): SectorExpirationSet[] {
    const declaredExpirations = new Set<bigint>();
    const sectorsByNumber = new Map<number, SectorOnChainInfo>();
    const allRemaining = new Set<number>();
    for (const sector of sectors) {
      declaredExpirations.add(this.quant.quantizeUp(sector.expiration));
      const n = sectorPosition(sector.sectorNumber);
      allRemaining.add(n);
      sectorsByNumber.set(n, sector);
    }

    const groups: SectorExpirationSet[] = [];
    for (const expiration of [...declaredExpirations].sort(cmpBig)) {
      const es = this.mayGet(expiration);
      const group = groupExpirationSet(sectorSize, sectorsByNumber, allRemaining, es, expiration);
      if (group.sectorEpochSet.sectors.length > 0) groups.push(group);
    }

    if (allRemaining.size > 0) {
      this.forEach((epoch, es) => {
        if (declaredExpirations.has(epoch)) return true;
        checkNoEarlySectors(allRemaining, es);
        const group = groupExpirationSet(sectorSize, sectorsByNumber, allRemaining, es, epoch);
        if (group.sectorEpochSet.sectors.length > 0) groups.push(group);
        return allRemaining.size > 0;
      });
    }

    if (allRemaining.size > 0) throw new MinerStateError('some sectors not found in expiration queue');

    // Stable sort, as Rust's sort_by_key.
    groups.sort((a, b) => cmpBig(a.sectorEpochSet.epoch, b.sectorEpochSet.epoch));
    return groups;
  }
}

/** AMT keys are u64: a negative epoch fails the conversion, as Rust's `try_into`. */
function checkKey(epoch: bigint): void {
  if (epoch < 0n) throw new MinerStateError(`out of range integral type conversion attempted: epoch ${epoch}`);
}

function withSet(bf: BitField, n: number): BitField {
  const c = bf.clone();
  c.set(n);
  return c;
}

function withUnset(bf: BitField, n: number): BitField {
  const c = bf.clone();
  c.unset(n);
  return c;
}
