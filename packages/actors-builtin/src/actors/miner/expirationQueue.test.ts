import { describe, expect, it } from 'vitest';
import { Amt, BitField, type Blockstore, MemoryBlockstore, encodeCbor, cborCid } from 'fvm-sim';
import {
  ExpirationQueue,
  expirationSetAdd,
  expirationSetEmpty,
  expirationSetIsEmpty,
  expirationSetLen,
  expirationSetRemove,
  expirationSetValidateState,
  groupNewSectorsByDeclaredExpiration,
} from './expirationQueue.js';
import { NO_QUANTIZATION, QuantSpec } from './deadlines.js';
import { MAINNET_MINER_POLICY, powerForSectors, SectorSize } from './policy.js';
import { POWER_PAIR_ZERO, powerPairSub } from './powerPair.js';
import { testSector } from './sectorFixtures.js';
import { ExpirationSet, type PowerPair, type SectorOnChainInfo } from './types.js';
import { MinerStateError } from './vesting.js';

// builtin-actors v18 tests/expiration_queue.rs and src/expiration_queue/tests.rs

const TEST_AMT_BITWIDTH = 3;
const SECTOR_SIZE = SectorSize._32GiB;
const bf = (xs: number[]) => BitField.fromIterable(xs);

const onTimeSectors = () => bf([5, 8, 9]);
const earlySectors = () => bf([2, 3]);
const onTimePledge = 1000n;
const activePower = (): PowerPair => ({ raw: 1n << 13n, qa: 1n << 14n });
const faultyPower = (): PowerPair => ({ raw: 1n << 11n, qa: 1n << 12n });
const feeDeduction = 2000n;

function defaultSet(): ExpirationSet {
  const set = expirationSetEmpty();
  expirationSetAdd(set, onTimeSectors(), earlySectors(), onTimePledge, activePower(), faultyPower(), feeDeduction);
  return set;
}

function powerPair(factor: bigint, shift: bigint): PowerPair {
  return { raw: factor * (1n << shift), qa: factor * (1n << (shift + 1n)) };
}

function sectors(): SectorOnChainInfo[] {
  return [
    testSector(2n, 1n, 50n, 60n, 1000n, 3000n),
    testSector(3n, 2n, 51n, 61n, 1001n, 4000n),
    testSector(7n, 3n, 52n, 62n, 1002n, 5000n),
    testSector(8n, 4n, 53n, 63n, 1003n, 6000n),
    testSector(11n, 5n, 54n, 64n, 1004n, 7000n),
    testSector(13n, 6n, 55n, 65n, 1005n, 8000n),
  ];
}

function emptyQueue(quant: QuantSpec = NO_QUANTIZATION, store: Blockstore = new MemoryBlockstore()): ExpirationQueue {
  const root = Amt.empty(store, TEST_AMT_BITWIDTH).flush();
  return new ExpirationQueue(store, root, quant);
}

/** `require_no_expiration_groups_before`. */
function requireNoExpirationGroupsBefore(epoch: bigint, queue: ExpirationQueue): void {
  queue.flush();
  expect(expirationSetIsEmpty(queue.popUntil(epoch - 1n))).toBe(true);
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('ExpirationSet', () => {
  it('adds sectors and power to an empty set', () => {
    const set = defaultSet();
    expect(set.onTimeSectors.toArray()).toEqual([5, 8, 9]);
    expect(set.earlySectors.toArray()).toEqual([2, 3]);
    expect(set.onTimePledge).toBe(1000n);
    expect(set.activePower).toEqual(activePower());
    expect(set.faultyPower).toEqual(faultyPower());
    expect(set.feeDeduction).toBe(2000n);
    expect(expirationSetLen(set)).toBe(5n);
  });

  it('adds sectors and power to a non-empty set', () => {
    const set = defaultSet();
    expirationSetAdd(set, bf([6, 7, 11]), bf([1, 4]), 300n, powerPair(3n, 13n), powerPair(3n, 11n), 500n);
    expect(set.onTimeSectors.toArray()).toEqual([5, 6, 7, 8, 9, 11]);
    expect(set.earlySectors.toArray()).toEqual([1, 2, 3, 4]);
    expect(set.onTimePledge).toBe(1300n);
    expect(set.activePower).toEqual(powerPair(1n, 15n));
    expect(set.faultyPower).toEqual(powerPair(1n, 13n));
    expect(set.feeDeduction).toBe(2500n);
  });

  it('removes sectors and power', () => {
    const set = defaultSet();
    expirationSetRemove(set, bf([9]), bf([2]), 800n, powerPair(3n, 11n), powerPair(3n, 9n), 1200n);
    expect(set.onTimeSectors.toArray()).toEqual([5, 8]);
    expect(set.earlySectors.toArray()).toEqual([3]);
    expect(set.onTimePledge).toBe(200n);
    expect(set.activePower).toEqual(powerPair(1n, 11n));
    expect(set.faultyPower).toEqual(powerPair(1n, 9n));
    expect(set.feeDeduction).toBe(800n);
  });

  it('remove fails when pledge underflows', () => {
    const err = errorOf(() => expirationSetRemove(defaultSet(), bf([9]), bf([2]), 1200n, powerPair(3n, 11n), powerPair(3n, 9n), 800n));
    expect(err).toBeInstanceOf(MinerStateError);
    expect(err.message).toMatch(/^expiration set pledge underflow: ExpirationSet \{ on_time_sectors: BitField\{5, 8\}/);
  });

  it('remove fails when the fee deduction underflows', () => {
    const err = errorOf(() => expirationSetRemove(defaultSet(), bf([9]), bf([2]), 800n, powerPair(3n, 11n), powerPair(3n, 9n), 2200n));
    expect(err.message).toContain('expiration set fee deduction underflow');
  });

  it('remove fails to remove sectors it does not contain', () => {
    let err = errorOf(() => expirationSetRemove(defaultSet(), bf([12]), bf([]), 0n, powerPair(3n, 11n), powerPair(3n, 9n), 0n));
    expect(err.message).toBe('removing on-time sectors BitField{12} not contained in BitField{5, 8-9}');
    // sector 8 is on time, not early
    err = errorOf(() => expirationSetRemove(defaultSet(), bf([0]), bf([8]), 0n, powerPair(3n, 11n), powerPair(3n, 9n), 0n));
    expect(err.message).toContain('not contained');
  });

  it('remove fails when active or faulty QA power underflows', () => {
    let err = errorOf(() => expirationSetRemove(defaultSet(), bf([9]), bf([2]), 200n, powerPair(3n, 12n), powerPair(3n, 9n), 600n));
    expect(err.message).toContain('expiration set power underflow');
    err = errorOf(() => expirationSetRemove(defaultSet(), bf([9]), bf([2]), 200n, powerPair(3n, 11n), powerPair(3n, 10n), 700n));
    expect(err.message).toContain('expiration set power underflow');
  });

  it('is empty when all sectors are removed', () => {
    const set = expirationSetEmpty();
    expect(expirationSetIsEmpty(set)).toBe(true);
    expect(expirationSetLen(set)).toBe(0n);
    expirationSetAdd(set, onTimeSectors(), earlySectors(), onTimePledge, activePower(), faultyPower(), feeDeduction);
    expect(expirationSetIsEmpty(set)).toBe(false);
    expirationSetRemove(set, onTimeSectors(), earlySectors(), onTimePledge, activePower(), faultyPower(), feeDeduction);
    expect(expirationSetIsEmpty(set)).toBe(true);
    expect(expirationSetLen(set)).toBe(0n);
  });

  it('validateState names the negative field', () => {
    const set = expirationSetEmpty();
    set.faultyPower = { raw: 0n, qa: -1n };
    expect(() => expirationSetValidateState(set)).toThrow(new MinerStateError('ExpirationSet left with negative qa faulty power'));
    set.faultyPower = { raw: 0n, qa: 0n };
    set.feeDeduction = -1n;
    expect(() => expirationSetValidateState(set)).toThrow(new MinerStateError('ExpirationSet left with negative fee deduction'));
    // adding a negative amount is caught by add's validation
    expect(() => expirationSetAdd(expirationSetEmpty(), bf([]), bf([]), -1n, POWER_PAIR_ZERO, POWER_PAIR_ZERO, 0n)).toThrow('ExpirationSet left with negative pledge');
  });
});

describe('groupNewSectorsByDeclaredExpiration', () => {
  it('groups by quantized expiration keeping per-epoch order', () => {
    const quant = new QuantSpec(10n, 3n);
    const infos = [testSector(7n, 1n, 0n, 0n, 0n, 0n), testSector(8n, 2n, 0n, 0n, 0n, 0n), testSector(14n, 3n, 0n, 0n, 0n, 0n), testSector(13n, 4n, 0n, 0n, 0n, 0n)];
    const result = groupNewSectorsByDeclaredExpiration(SectorSize._2KiB, infos, quant);
    expect(result).toEqual([
      { epoch: 13n, sectors: [1, 2, 4], power: { raw: 2048n * 3n, qa: 2048n * 3n }, pledge: 0n, dailyFee: 0n },
      { epoch: 23n, sectors: [3], power: { raw: 2048n, qa: 2048n }, pledge: 0n, dailyFee: 0n },
    ]);
  });

  it('returns nothing for no sectors', () => {
    expect(groupNewSectorsByDeclaredExpiration(SectorSize._2KiB, [], NO_QUANTIZATION)).toEqual([]);
  });
});

describe('ExpirationQueue', () => {
  it('added sectors can be popped off the queue', () => {
    const queue = emptyQueue();
    const [secNums, power, pledge, dailyFee] = queue.addActiveSectors(sectors(), SECTOR_SIZE);
    expect(secNums.toArray()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(power).toEqual(powerForSectors(SECTOR_SIZE, sectors()));
    // tiny deal weights against 32 GiB × lifetime leave QA power equal to raw power
    expect(power).toEqual({ raw: 6n * SECTOR_SIZE, qa: 6n * SECTOR_SIZE });
    expect(pledge).toBe(6015n);
    expect(dailyFee).toBe(3000n + 4000n + 5000n + 6000n + 7000n + 8000n);

    // no quantization: one set per sector
    expect(queue.count()).toBe(6n);
    queue.flush();

    let set = queue.popUntil(7n);
    expect(queue.count()).toBe(3n);
    expect(set.onTimeSectors.toArray()).toEqual([1, 2, 3]);
    expect(set.earlySectors.isEmpty()).toBe(true);
    expect(set.onTimePledge).toBe(3003n);
    expect(set.activePower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(0, 3)));
    expect(set.faultyPower).toEqual(POWER_PAIR_ZERO);
    expect(set.feeDeduction).toBe(12000n);

    set = queue.popUntil(20n);
    expect(set.onTimeSectors.toArray()).toEqual([4, 5, 6]);
    expect(set.earlySectors.isEmpty()).toBe(true);
    expect(set.onTimePledge).toBe(3012n);
    expect(set.activePower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(3)));
    expect(set.faultyPower).toEqual(POWER_PAIR_ZERO);
    expect(set.feeDeduction).toBe(21000n);
    expect(queue.count()).toBe(0n);
  });

  it('quantizes added sectors by expiration', () => {
    const queue = emptyQueue(new QuantSpec(5n, 3n));
    const [secNums, power, pledge, dailyFee] = queue.addActiveSectors(sectors(), SECTOR_SIZE);
    expect(secNums.toArray()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(power).toEqual(powerForSectors(SECTOR_SIZE, sectors()));
    expect(pledge).toBe(6015n);
    expect(dailyFee).toBe(33000n);
    // sets at 3, 8 and 13
    expect(queue.count()).toBe(3n);

    expect(queue.popUntil(2n).onTimeSectors.isEmpty()).toBe(true);
    expect(queue.count()).toBe(3n);

    expect(queue.popUntil(3n).onTimeSectors.toArray()).toEqual([1, 2]);
    expect(queue.count()).toBe(2n);
    queue.flush();

    expect(queue.popUntil(7n).onTimeSectors.isEmpty()).toBe(true);
    expect(queue.count()).toBe(2n);

    expect(queue.popUntil(8n).onTimeSectors.toArray()).toEqual([3, 4]);
    expect(queue.count()).toBe(1n);
    queue.flush();

    expect(queue.popUntil(12n).onTimeSectors.isEmpty()).toBe(true);
    expect(queue.count()).toBe(1n);

    expect(queue.popUntil(13n).onTimeSectors.toArray()).toEqual([5, 6]);
    expect(queue.count()).toBe(0n);
  });

  it('reschedules sectors as faults', () => {
    // 3 sets of 2 sectors
    const queue = emptyQueue(new QuantSpec(4n, 1n));
    queue.addActiveSectors(sectors(), SECTOR_SIZE);
    queue.flush();

    // sectors 2..5 fault, to expire at 6 (quantized 9): 2 stays on time at 5, 3-4 stay on time at 9, 5 moves to 9 as early
    const powerDelta = queue.rescheduleAsFaults(6n, sectors().slice(1, 5), SECTOR_SIZE);
    expect(powerDelta).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(1, 5)));
    queue.flush();

    requireNoExpirationGroupsBefore(5n, queue);
    let set = queue.popUntil(5n);
    expect(set.onTimeSectors.toArray()).toEqual([1, 2]);
    expect(set.earlySectors.isEmpty()).toBe(true);
    expect(set.onTimePledge).toBe(2001n);
    expect(set.activePower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(0, 1)));
    expect(set.faultyPower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(1, 2)));
    expect(set.feeDeduction).toBe(7000n);

    requireNoExpirationGroupsBefore(9n, queue);
    set = queue.popUntil(9n);
    expect(set.onTimeSectors.toArray()).toEqual([3, 4]);
    expect(set.earlySectors.toArray()).toEqual([5]);
    // the early sector's pledge is not added
    expect(set.onTimePledge).toBe(2005n);
    expect(set.activePower).toEqual(POWER_PAIR_ZERO);
    expect(set.faultyPower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(2, 5)));
    // FIP-0100: the early sector's fee moves with it
    expect(set.feeDeduction).toBe(5000n + 6000n + 7000n);

    requireNoExpirationGroupsBefore(13n, queue);
    set = queue.popUntil(13n);
    expect(set.onTimeSectors.toArray()).toEqual([6]);
    expect(set.earlySectors.isEmpty()).toBe(true);
    expect(set.onTimePledge).toBe(1005n);
    expect(set.activePower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(5)));
    expect(set.faultyPower).toEqual(POWER_PAIR_ZERO);
    expect(set.feeDeduction).toBe(8000n);
  });

  it('reschedules all sectors as faults', () => {
    const queue = emptyQueue(new QuantSpec(4n, 1n));
    queue.addActiveSectors(sectors(), SECTOR_SIZE);
    queue.flush();

    queue.rescheduleAllAsFaults(6n);
    queue.flush();

    requireNoExpirationGroupsBefore(5n, queue);
    let set = queue.popUntil(5n);
    expect(set.onTimeSectors.toArray()).toEqual([1, 2]);
    expect(set.earlySectors.isEmpty()).toBe(true);
    expect(set.onTimePledge).toBe(2001n);
    expect(set.activePower).toEqual(POWER_PAIR_ZERO);
    expect(set.faultyPower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(0, 2)));
    expect(set.feeDeduction).toBe(7000n);

    requireNoExpirationGroupsBefore(9n, queue);
    set = queue.popUntil(9n);
    expect(set.onTimeSectors.toArray()).toEqual([3, 4]);
    expect(set.earlySectors.toArray()).toEqual([5, 6]);
    expect(set.onTimePledge).toBe(2005n);
    expect(set.activePower).toEqual(POWER_PAIR_ZERO);
    expect(set.faultyPower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(2)));
    expect(set.feeDeduction).toBe(5000n + 6000n + 7000n + 8000n);

    requireNoExpirationGroupsBefore(13n, queue);
    set = queue.popUntil(13n);
    expect(expirationSetIsEmpty(set)).toBe(true);
    expect(set.onTimePledge).toBe(0n);
    expect(set.activePower).toEqual(POWER_PAIR_ZERO);
    expect(set.faultyPower).toEqual(POWER_PAIR_ZERO);
    expect(set.feeDeduction).toBe(0n);
  });

  it('rescheduleAllAsFaults refuses to move early expirations earlier', () => {
    const queue = emptyQueue(new QuantSpec(4n, 1n));
    queue.addActiveSectors(sectors(), SECTOR_SIZE);
    // sector 6 (expiring 13) becomes early at 9
    queue.rescheduleAsFaults(6n, sectors().slice(5), SECTOR_SIZE);
    // collapsing everything after 5 into 5 would move the early entry at 9
    expect(() => queue.rescheduleAllAsFaults(2n)).toThrow(new MinerStateError('attempted to re-schedule early expirations to an earlier epoch'));
  });

  it('rescheduleRecovered restores all sector stats', () => {
    const queue = emptyQueue(new QuantSpec(4n, 1n));
    queue.addActiveSectors(sectors(), SECTOR_SIZE);
    queue.flush();
    queue.rescheduleAsFaults(6n, sectors().slice(1, 5), SECTOR_SIZE);
    queue.flush();

    const recovered = queue.rescheduleRecovered(sectors().slice(1, 5), SECTOR_SIZE);
    expect(recovered).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(1, 5)));

    requireNoExpirationGroupsBefore(5n, queue);
    let set = queue.popUntil(5n);
    expect(set.onTimeSectors.toArray()).toEqual([1, 2]);
    expect(set.earlySectors.isEmpty()).toBe(true);
    expect(set.onTimePledge).toBe(2001n);
    expect(set.activePower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(0, 2)));
    expect(set.faultyPower).toEqual(POWER_PAIR_ZERO);
    expect(set.feeDeduction).toBe(7000n);

    requireNoExpirationGroupsBefore(9n, queue);
    set = queue.popUntil(9n);
    expect(set.onTimeSectors.toArray()).toEqual([3, 4]);
    expect(set.earlySectors.isEmpty()).toBe(true);
    expect(set.onTimePledge).toBe(2005n);
    expect(set.activePower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(2, 4)));
    expect(set.faultyPower).toEqual(POWER_PAIR_ZERO);
    expect(set.feeDeduction).toBe(11000n);

    requireNoExpirationGroupsBefore(13n, queue);
    set = queue.popUntil(13n);
    expect(set.onTimeSectors.toArray()).toEqual([5, 6]);
    expect(set.earlySectors.isEmpty()).toBe(true);
    expect(set.onTimePledge).toBe(2009n);
    expect(set.activePower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(4)));
    expect(set.faultyPower).toEqual(POWER_PAIR_ZERO);
    expect(set.feeDeduction).toBe(15000n);
  });

  it('rescheduleRecovered fails for sectors not in the queue', () => {
    const queue = emptyQueue(new QuantSpec(4n, 1n));
    queue.addActiveSectors(sectors().slice(0, 2), SECTOR_SIZE);
    queue.rescheduleAsFaults(1n, sectors().slice(0, 1), SECTOR_SIZE);
    expect(() => queue.rescheduleRecovered([sectors()[0], testSector(30n, 9n, 0n, 0n, 0n, 0n)], SECTOR_SIZE)).toThrow(
      new MinerStateError('sectors not found in expiration queue: {9}'),
    );
  });

  it('replaces sectors with new sectors', () => {
    const queue = emptyQueue(new QuantSpec(4n, 1n));
    const s = sectors();
    queue.addActiveSectors([s[0], s[1], s[3], s[5]], SECTOR_SIZE);
    queue.flush();

    // remove all of the first set, replace the second, append to the third
    const toRemove = [s[0], s[1], s[3]];
    const toAdd = [s[2], s[4]];
    const [removed, added, powerDelta, pledgeDelta, dailyFeeDelta] = queue.replaceSectors(toRemove, toAdd, SECTOR_SIZE);
    expect(removed.toArray()).toEqual([1, 2, 4]);
    expect(added.toArray()).toEqual([3, 5]);
    expect(powerDelta).toEqual(powerPairSub(powerForSectors(SECTOR_SIZE, toAdd), powerForSectors(SECTOR_SIZE, toRemove)));
    expect(pledgeDelta).toBe(1002n + 1004n - 1000n - 1001n - 1003n);
    expect(dailyFeeDelta).toBe(5000n + 7000n - 3000n - 4000n - 6000n);

    requireNoExpirationGroupsBefore(9n, queue);
    let set = queue.popUntil(9n);
    expect(set.onTimeSectors.toArray()).toEqual([3]);
    expect(set.earlySectors.isEmpty()).toBe(true);
    expect(set.onTimePledge).toBe(1002n);
    expect(set.activePower).toEqual(powerForSectors(SECTOR_SIZE, s.slice(2, 3)));
    expect(set.faultyPower).toEqual(POWER_PAIR_ZERO);

    requireNoExpirationGroupsBefore(13n, queue);
    set = queue.popUntil(13n);
    expect(set.onTimeSectors.toArray()).toEqual([5, 6]);
    expect(set.earlySectors.isEmpty()).toBe(true);
    expect(set.onTimePledge).toBe(2009n);
    expect(set.activePower).toEqual(powerForSectors(SECTOR_SIZE, s.slice(4)));
    expect(set.faultyPower).toEqual(POWER_PAIR_ZERO);
    expect(set.feeDeduction).toBe(15000n);
  });

  it('replaceSectors fails when an old sector is not active in the queue', () => {
    const queue = emptyQueue(new QuantSpec(4n, 1n));
    queue.addActiveSectors(sectors().slice(0, 2), SECTOR_SIZE);
    const err = errorOf(() => queue.replaceSectors([sectors()[4]], [], SECTOR_SIZE));
    expect(err).toBeInstanceOf(MinerStateError);
    expect(err.message).toBe('failed to remove replaced sectors: some sectors not found in expiration queue');
  });

  it('removes sectors', () => {
    const queue = emptyQueue(new QuantSpec(4n, 1n));
    queue.addActiveSectors(sectors(), SECTOR_SIZE);
    queue.flush();
    // sectors 2-6 faulty at 6: 2 on time at 5, 3-4 on time at 9, 5-6 early at 9
    queue.rescheduleAsFaults(6n, sectors().slice(1), SECTOR_SIZE);
    queue.flush();

    const toRemove = [sectors()[0], sectors()[3], sectors()[4], sectors()[5]];
    const faults = bf([4, 5, 6]);
    const recovering = bf([6]);
    const [removed, recoveringPower] = queue.removeSectors(MAINNET_MINER_POLICY, toRemove, faults, recovering, SECTOR_SIZE);

    expect(removed.onTimeSectors.toArray()).toEqual([1, 4]);
    expect(removed.earlySectors.toArray()).toEqual([5, 6]);
    expect(removed.onTimePledge).toBe(1000n + 1003n);
    expect(removed.activePower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(0, 1)));
    expect(removed.faultyPower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(3, 6)));
    expect(removed.feeDeduction).toBe(3000n + 6000n + 7000n + 8000n);
    expect(recoveringPower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(5, 6)));

    requireNoExpirationGroupsBefore(5n, queue);
    let set = queue.popUntil(5n);
    expect(set.onTimeSectors.toArray()).toEqual([2]);
    expect(set.earlySectors.isEmpty()).toBe(true);
    expect(set.onTimePledge).toBe(1001n);
    expect(set.activePower).toEqual(POWER_PAIR_ZERO);
    expect(set.faultyPower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(1, 2)));
    expect(set.feeDeduction).toBe(4000n);

    requireNoExpirationGroupsBefore(9n, queue);
    set = queue.popUntil(9n);
    expect(set.onTimeSectors.toArray()).toEqual([3]);
    expect(set.earlySectors.isEmpty()).toBe(true);
    expect(set.onTimePledge).toBe(1002n);
    expect(set.activePower).toEqual(POWER_PAIR_ZERO);
    expect(set.faultyPower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(2, 3)));
    expect(set.feeDeduction).toBe(5000n);

    requireNoExpirationGroupsBefore(20n, queue);
  });

  it('removeSectors fails for a faulty sector missing from the queue, and past the addressed-sectors limit', () => {
    const queue = emptyQueue(new QuantSpec(4n, 1n));
    queue.addActiveSectors(sectors().slice(0, 2), SECTOR_SIZE);
    const ghost = testSector(30n, 9n, 0n, 0n, 0n, 0n);
    expect(() => queue.removeSectors(MAINNET_MINER_POLICY, [ghost], bf([9]), bf([]), SECTOR_SIZE)).toThrow(new MinerStateError('sectors not found in expiration queue: {9}'));
    const tooMany = BitField.fromRanges([[0, Number(MAINNET_MINER_POLICY.addressedSectorsMax) + 1]]);
    expect(() => queue.removeSectors(MAINNET_MINER_POLICY, [], tooMany, bf([]), SECTOR_SIZE)).toThrow(new MinerStateError('too many faults to expand'));
    expect(() => queue.removeSectors(MAINNET_MINER_POLICY, [], bf([]), tooMany, SECTOR_SIZE)).toThrow(new MinerStateError('too many recoveries to expand'));
  });

  it('removing a non-faulty sector that is not scheduled fails', () => {
    const queue = emptyQueue(new QuantSpec(4n, 1n));
    queue.addActiveSectors(sectors().slice(0, 2), SECTOR_SIZE);
    const err = errorOf(() => queue.removeSectors(MAINNET_MINER_POLICY, [sectors()[3]], bf([]), bf([]), SECTOR_SIZE));
    expect(err.message).toBe('failed to remove on-time recoveries: some sectors not found in expiration queue');
  });

  it('finding a sector that was rescheduled as early fails grouping', () => {
    const queue = emptyQueue(new QuantSpec(4n, 1n));
    queue.addActiveSectors(sectors(), SECTOR_SIZE);
    queue.rescheduleAsFaults(6n, sectors().slice(5), SECTOR_SIZE);
    // sector 6 is now early at 9: rescheduling it as active fails
    expect(() => queue.rescheduleExpirations(20n, sectors().slice(5), SECTOR_SIZE)).toThrow(
      new MinerStateError('failed to remove sector expirations: Invalid attempt to group sector 6 with an early expiration'),
    );
  });

  it('rescheduleExpirations moves active sectors with their power, pledge and fee', () => {
    const queue = emptyQueue(new QuantSpec(4n, 1n));
    queue.addActiveSectors(sectors(), SECTOR_SIZE);
    queue.rescheduleExpirations(20n, [sectors()[0], sectors()[4]], SECTOR_SIZE);
    // found again where they were moved (not at their declared epoch)
    queue.rescheduleExpirations(24n, [sectors()[0]], SECTOR_SIZE);
    queue.rescheduleExpirations(30n, [], SECTOR_SIZE);

    requireNoExpirationGroupsBefore(5n, queue);
    let set = queue.popUntil(13n);
    expect(set.onTimeSectors.toArray()).toEqual([2, 3, 4, 6]);
    set = queue.popUntil(21n);
    expect(set.onTimeSectors.toArray()).toEqual([5]);
    expect(set.onTimePledge).toBe(1004n);
    expect(set.feeDeduction).toBe(7000n);
    expect(set.activePower).toEqual(powerForSectors(SECTOR_SIZE, [sectors()[4]]));
    set = queue.popUntil(25n);
    expect(set.onTimeSectors.toArray()).toEqual([1]);
    expect(set.feeDeduction).toBe(3000n);
    expect(queue.count()).toBe(0n);
  });

  it('adding no sectors leaves the queue empty', () => {
    const queue = emptyQueue(new QuantSpec(4n, 1n));
    queue.addActiveSectors([], SECTOR_SIZE);
    expect(queue.count()).toBe(0n);
  });

  it('rescheduling no expirations as faults leaves the queue unchanged', () => {
    const queue = emptyQueue(new QuantSpec(4n, 1n));
    queue.addActiveSectors(sectors(), SECTOR_SIZE);
    const root = queue.flush();
    // all sectors already expire before 15
    queue.rescheduleAsFaults(15n, sectors(), SECTOR_SIZE);
    expect(queue.count()).toBe(3n);
    expect(queue.flush().equals(root)).toBe(false); // power became faulty
  });

  it('rescheduling all expirations as faults leaves the queue length unchanged if nothing is later', () => {
    const queue = emptyQueue(new QuantSpec(4n, 1n));
    queue.addActiveSectors(sectors(), SECTOR_SIZE);
    queue.rescheduleAllAsFaults(15n);
    expect(queue.count()).toBe(3n);
  });

  it('rescheduling no sectors as recovered leaves the queue empty', () => {
    const queue = emptyQueue(new QuantSpec(4n, 1n));
    queue.rescheduleRecovered([], SECTOR_SIZE);
    expect(queue.count()).toBe(0n);
  });

  it('leaves entries it does not change in their stored (pre-FIP-0100) form', () => {
    // A legacy 5-element set at epoch 5 and a normal one at epoch 9.
    const store = new MemoryBlockstore();
    const amt = Amt.empty<unknown>(store, TEST_AMT_BITWIDTH);
    const legacy = [bf([1]).encode(), new Uint8Array(0), new Uint8Array([0, 0x03, 0xe8]), [new Uint8Array([0, 8]), new Uint8Array([0, 8])], [new Uint8Array(0), new Uint8Array(0)]];
    amt.set(5n, legacy);
    const root = amt.flush();
    const queue = new ExpirationQueue(store, root, new QuantSpec(4n, 1n));
    const decoded = queue.get(5n)!;
    expect(decoded.feeDeduction).toBe(0n);
    expect(decoded.onTimePledge).toBe(1000n);
    const s9 = testSector(9n, 2n, 0n, 0n, 10n, 0n);
    queue.addActiveSectors([s9], SectorSize._2KiB);
    // sector 2 turns faulty, staying on time at 9
    queue.rescheduleAsFaults(100n, [s9], SectorSize._2KiB);
    // removing faulty sector 2 walks past epoch 5 without touching it
    queue.removeSectors(MAINNET_MINER_POLICY, [s9], bf([2]), bf([]), SectorSize._2KiB);
    expect(queue.flush().equals(root)).toBe(true);
    // and the raw legacy block is still the one stored
    expect(cborCid(encodeCbor(queue.amt.get(5n) as never)).equals(cborCid(encodeCbor(legacy as never)))).toBe(true);
    // a set the queue rewrites is written in the 6-element form
    expect(ExpirationSet.toCbor(decoded)).toHaveLength(6);
  });
});
